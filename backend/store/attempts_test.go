package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/vault"
)

// guess is one step of a throttling scenario: a secret from a client some
// time after the scenario starts, and what must come of it.
type guess struct {
	client string
	right  bool
	at     time.Duration
	want   string // "opens", "wrong", "wait" (this client) or "wait all"
}

func TestWrongGuessesWait(t *testing.T) {
	wrong := func(client string, n int, at time.Duration) []guess {
		var out []guess
		for range n {
			out = append(out, guess{client, false, at, "wrong"})
		}
		return out
	}
	cat := func(parts ...[]guess) []guess {
		var out []guess
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	many := func(n int) []guess {
		var out []guess
		for i := range n {
			out = append(out, guess{fmt.Sprintf("198.51.100.%d", i), false, 0, "wrong"})
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		guesses []guess
		restart int // reopen the vault before this step (0: never)
	}{
		{"five free, then a wait even for the right secret; an unlock clears it", cat(
			wrong("a", 5, 0),
			[]guess{{"a", true, time.Second, "wait"}, {"a", true, 31 * time.Second, "opens"}},
			wrong("a", 5, time.Minute),
		), 0},
		{"the wait survives a restart", cat(
			wrong("a", 5, 0),
			[]guess{{"a", true, time.Second, "wait"}},
		), 5},
		{"the wait doubles", cat(
			wrong("a", 5, 0),
			[]guess{{"a", false, 31 * time.Second, "wrong"}, {"a", true, 60 * time.Second, "wait"}, {"a", true, 92 * time.Second, "opens"}},
		), 0},
		{"one client's wait is its own", cat(
			wrong("stranger", 5, 0),
			[]guess{{"stranger", true, time.Second, "wait"}, {"owner", true, time.Second, "opens"}, {"stranger", true, 2 * time.Second, "wait"}},
		), 0},
		{"many clients together make everyone wait", cat(
			many(freeAttemptsAll),
			[]guess{{"owner", true, time.Second, "wait all"}, {"owner", true, 31 * time.Second, "opens"}},
			many(freeAttemptsAll-1),
			[]guess{{"owner", true, 32 * time.Second, "opens"}},
		), 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, db, _ := newVault(t)
			start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			for i, g := range tt.guesses {
				if tt.restart != 0 && i == tt.restart {
					db.Close()
					var err error
					if db, err = Open(dir); err != nil {
						t.Fatal(err)
					}
					defer db.Close()
				}
				pw := map[bool]string{true: "correct horse", false: "wrong"}[g.right]
				k, err := db.Unlock(ctx, password(t, pw), g.client, start.Add(g.at))
				var wait *WaitError
				got := "opens"
				switch {
				case errors.As(err, &wait) && wait.Wait > 0:
					got = map[bool]string{true: "wait all", false: "wait"}[wait.Everyone]
				case errors.Is(err, vault.ErrWrongSecret):
					got = "wrong"
				case err != nil:
					t.Fatalf("step %d: %v", i, err)
				default:
					k.Destroy()
				}
				if got != g.want {
					t.Fatalf("step %d (%s, right %v, at %s): %s (%v), want %s", i, g.client, g.right, g.at, got, err, g.want)
				}
			}
		})
	}
}

// A guess is counted before the key derivation, with a context the caller
// cannot cancel: giving up half-way does not make it free.
func TestGuessCountedWhenTheCallerGivesUp(t *testing.T) {
	_, db, _ := newVault(t)
	gone, cancel := context.WithCancel(ctx)
	cancel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range freeAttempts {
		if _, err := db.Unlock(gone, password(t, "wrong"), "a", now); !errors.Is(err, vault.ErrWrongSecret) {
			t.Fatalf("guess %d with a cancelled context: %v", i+1, err)
		}
	}
	if _, err := db.Unlock(ctx, password(t, "correct horse"), "a", now); !errors.Is(err, ErrTooMany) {
		t.Fatalf("after %d guesses whose callers gave up: %v, want a wait", freeAttempts, err)
	}
}

// If the count cannot be written, nothing is tried; if it cannot be
// cleared after the right secret, no keys are given.
func TestNoKeysWithoutTheCount(t *testing.T) {
	for _, tt := range []struct {
		name, when string // when the write of the count fails
	}{
		{"counting fails", "1"},
		{"clearing fails", "json_extract(NEW.value, '$.all.n') = 0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, db, _ := newVault(t)
			raw := rawDB(t, dir)
			for _, op := range []string{"INSERT", "UPDATE"} {
				q := fmt.Sprintf(`CREATE TRIGGER refuse_%s BEFORE %s ON meta WHEN NEW.name = 'unlock_attempts' AND %s
					BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`, op, op, tt.when)
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			k, err := db.Unlock(ctx, password(t, "correct horse"), "a", time.Now())
			if err == nil {
				k.Destroy()
				t.Fatal("the right password gave keys although the count was not written")
			}
			if errors.Is(err, vault.ErrWrongSecret) {
				t.Fatalf("%v", err)
			}
		})
	}
}

func TestUnlockLocalAndReset(t *testing.T) {
	_, db, _ := newVault(t)
	now := time.Now()
	for range freeAttempts {
		db.Unlock(ctx, password(t, "wrong"), "a", now)
	}
	k, err := db.UnlockLocal(ctx, password(t, "correct horse"))
	if err != nil {
		t.Fatalf("the command line while clients wait: %v", err)
	}
	k.Destroy()
	if _, err := db.Unlock(ctx, password(t, "correct horse"), "a", now); !errors.Is(err, ErrTooMany) {
		t.Fatalf("UnlockLocal cleared the count: %v", err)
	}
	if err := db.ResetAttempts(ctx); err != nil {
		t.Fatal(err)
	}
	k, err = db.Unlock(ctx, password(t, "correct horse"), "a", now)
	if err != nil {
		t.Fatalf("after ResetAttempts: %v", err)
	}
	k.Destroy()
}

// However many clients guess, the row stays bounded and the count for all
// of them is kept.
func TestClientsRemembered(t *testing.T) {
	a := &attempts{Clients: map[string]tally{}}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range 3 * maxClients {
		a.count(fmt.Sprintf("client-%d", i), now.Add(time.Duration(i)*time.Second))
	}
	if len(a.Clients) != maxClients || a.All.N != 3*maxClients {
		t.Fatalf("%d clients remembered, %d attempts in all", len(a.Clients), a.All.N)
	}
	if _, ok := a.Clients[fmt.Sprintf("client-%d", 3*maxClients-1)]; !ok {
		t.Fatal("the latest client was forgotten")
	}
	if _, ok := a.Clients["client-0"]; ok {
		t.Fatal("the oldest client was kept")
	}
	long := string(make([]byte, 10*maxClientLen))
	if n := len(clientName(long)); n != maxClientLen {
		t.Fatalf("a client name of %d bytes", n)
	}
}

func TestDelayGrows(t *testing.T) {
	for _, tt := range []struct {
		name  string
		delay func(int64) time.Duration
		free  int64
	}{
		{"one client", Delay, freeAttempts},
		{"all clients", DelayAll, freeAttemptsAll},
	} {
		prev := time.Duration(0)
		for n := int64(0); n < tt.free+20; n++ {
			d := tt.delay(n)
			if n < tt.free && d != 0 || n >= tt.free && (d < prev || d < 30*time.Second) || d > time.Hour {
				t.Fatalf("%s: delay(%d) = %s after %s", tt.name, n, d, prev)
			}
			prev = d
		}
		if tt.delay(tt.free+1) <= tt.delay(tt.free) || tt.delay(tt.free+20) != time.Hour {
			t.Fatalf("%s: the delay does not grow to an hour", tt.name)
		}
	}
}
