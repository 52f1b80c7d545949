package signin_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/store"
)

// floodTries is the flood's size (a tenth of it under the race detector).
var floodTries = map[bool]int{false: 100_000, true: 10_000}[raceOn]

// A flood of wrong passwords against one account: bounded in time (the
// throttle refuses almost all of them before any Argon2id), in memory and
// in disk, with a handful of warnings, and the owner still gets in.
func TestFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("flood: not with -short")
	}
	for _, c := range []struct {
		name string
		at   func(int) string
	}{
		{"rotating addresses", func(i int) string { return addr(i) }},
		{"one address", func(int) string { return "192.0.2.66" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			email := "ada@example.com"
			w.active(t, email, pwA)
			heap := func() uint64 {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				return ms.HeapInuse
			}
			startCount, _ := w.db.Failures(ctx, w.db.EmailKey(email))
			before := heap()
			start := time.Now()
			var wrong, throttled, vault int
			for i := range floodTries {
				_, err := w.svc.SignIn(ctx, email, pwB, c.at(i), ua)
				var th *signin.ThrottledError
				var vw *store.WaitError
				switch {
				case errors.As(err, &th):
					throttled++
				case errors.Is(err, signin.ErrWrongSignIn):
					wrong++
				case errors.As(err, &vw):
					vault++
				default:
					t.Fatalf("try %d: %v", i, err)
				}
				if i%1000 == 999 {
					w.clk.Advance(time.Minute) // a flood over simulated hours
				}
			}
			took := time.Since(start)
			after := heap()
			var rows int
			if err := w.db.SQL().QueryRow(`SELECT count(*) FROM sign_ins`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			var throttleRows int
			if err := w.db.SQL().QueryRow(`SELECT count(*) FROM throttle`).Scan(&throttleRows); err != nil {
				t.Fatal(err)
			}
			fi, _ := os.Stat(filepath.Join(w.dir, "accounts.db"))
			wal, _ := os.Stat(filepath.Join(w.dir, "accounts.db-wal"))
			var walSize int64
			if wal != nil {
				walSize = wal.Size()
			}
			t.Logf("%d tries in %v (%.1f µs each): %d checked the password, %d refused by the throttle, %d by the vault's own; heap in use %.1f → %.1f MiB; %d sign-in rows, %d throttle rows, accounts.db %d KiB + WAL %d KiB",
				floodTries, took.Round(time.Millisecond), float64(took.Microseconds())/float64(floodTries), wrong, throttled, vault,
				float64(before)/(1<<20), float64(after)/(1<<20), rows, throttleRows, fi.Size()>>10, walSize>>10)
			if wrong > 100 {
				t.Errorf("%d guesses were checked; the throttle should refuse nearly all", wrong)
			}
			if took > 90*time.Second {
				t.Errorf("the flood took %v", took)
			}
			if after > before+64<<20 {
				t.Errorf("heap grew from %d to %d bytes", before, after)
			}
			if rows > 1000 {
				t.Errorf("%d sign-in rows for %d tries: refused tries grow the table", rows, floodTries)
			}
			// One warning at each of 10, 100, … tries the address reached.
			counted, err := w.db.Failures(ctx, w.db.EmailKey(email))
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for n := int64(10); n <= counted; n *= 10 {
				want++
			}
			if n := len(w.mails(t, email, "Someone is trying")); n != want {
				t.Errorf("%d warning emails for %d tries counted, want %d", n, counted, want)
			}
			t.Logf("%d tries counted on the address (%d before the flood), %d warning email(s)", counted, startCount, want)
			// The owner, after the wait.
			w.clk.Advance(time.Hour)
			w.holdsObservation(t, w.signIn(t, email, pwA))
		})
	}
}
