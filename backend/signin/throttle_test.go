package signin_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/store"
)

// tries signs in with a wrong password n times from the addresses at(i),
// waiting out each throttle on the injected clock, and gives the waits it
// was told in order.
func tries(t *testing.T, w *world, email string, n int, at func(int) string) []time.Duration {
	t.Helper()
	var waits []time.Duration
	for i := 0; i < n; {
		_, err := w.svc.SignIn(ctx, email, pwB, at(i), ua)
		var th *signin.ThrottledError
		var vw *store.WaitError
		switch {
		case errors.As(err, &th):
			if th.Wait <= 0 {
				t.Fatalf("throttled with no wait")
			}
			waits = append(waits, th.Wait)
			w.clk.Advance(th.Wait)
		case errors.As(err, &vw): // the vault's own count, for all clients
			w.clk.Advance(vw.Wait)
		case errors.Is(err, signin.ErrWrongSignIn):
			i++
		default:
			t.Fatalf("try %d: %v", i+1, err)
		}
	}
	return waits
}

func growing(t *testing.T, waits []time.Duration) {
	t.Helper()
	for i := 1; i < len(waits); i++ {
		if waits[i] < waits[i-1] {
			t.Fatalf("waits shrink: %v", waits)
		}
	}
}

func TestThrottle(t *testing.T) {
	t.Run("per address", func(t *testing.T) {
		w := newWorld(t)
		email := "ada@example.com"
		w.active(t, email, pwA)
		// The sign-up is counted apart: an address that just signed up is
		// slowed at sign-in like one that never did.
		counted, _ := w.db.Failures(ctx, w.db.EmailKey(email))
		if counted != 0 {
			t.Fatalf("after sign-up the address has %d sign-in tries counted, want 0", counted)
		}
		// Free tries, then a wait, from rotating client addresses.
		for i := range 5 {
			if _, err := w.svc.SignIn(ctx, email, pwB, addr(i), ua); !errors.Is(err, signin.ErrWrongSignIn) {
				t.Fatalf("try %d: %v", i+1, err)
			}
		}
		_, err := w.svc.SignIn(ctx, email, pwA, addr(7), ua) // even the right password
		var th *signin.ThrottledError
		if !errors.As(err, &th) || th.Wait != 30*time.Second {
			t.Fatalf("6th try: %v, want a 30 s wait", err)
		}
		waits := tries(t, w, email, 5, addr)
		growing(t, waits)
		if len(waits) != 5 || waits[0] != 30*time.Second || waits[4] != 8*time.Minute {
			t.Fatalf("waits %v, want 30 s, 1 min, 2 min, 4 min, 8 min (the vault's own schedule)", waits)
		}
		if n, _ := w.db.Failures(ctx, w.db.EmailKey(email)); n != 10 {
			t.Fatalf("%d tries counted, want 10", n)
		}
		if n := len(w.mails(t, email, "Someone is trying")); n != 1 {
			t.Fatalf("%d warning(s) at 10 tries, want 1", n)
		}
		// After the window the owner gets in.
		_, err = w.svc.SignIn(ctx, email, pwA, addr(50), ua)
		if errors.As(err, &th) {
			w.clk.Advance(th.Wait)
			_, err = w.svc.SignIn(ctx, email, pwA, addr(50), ua)
		}
		if err != nil {
			t.Fatalf("the owner after the wait: %v", err)
		}
	})

	t.Run("per client", func(t *testing.T) {
		w := newWorld(t, withoutMail())
		one := "192.0.2.50"
		for i := range 5 { // unknown addresses: the client is what is counted
			if _, err := w.svc.SignIn(ctx, "nobody"+string(rune('a'+i))+"@example.com", pwB, one, ua); !errors.Is(err, signin.ErrWrongSignIn) {
				t.Fatalf("try %d: %v", i+1, err)
			}
		}
		var th *signin.ThrottledError
		if _, err := w.svc.SignIn(ctx, "someone@example.com", pwB, one, ua); !errors.As(err, &th) {
			t.Fatalf("6th try from one client: %v", err)
		}
		if _, err := w.svc.SignIn(ctx, "someone@example.com", pwB, "192.0.2.51", ua); !errors.Is(err, signin.ErrWrongSignIn) {
			t.Fatalf("another client is not slowed: %v", err)
		}
		// Forgot from the slowed client waits too, and sends nothing.
		if err := w.svc.Forgot(ctx, "x@example.com", one); !errors.As(err, &th) {
			t.Fatalf("forgot from a slowed client: %v", err)
		}
	})

	t.Run("warn at 10 and 100", func(t *testing.T) {
		w := newWorld(t)
		email := "ada@example.com"
		w.active(t, email, pwA)
		warnings := func() int { return len(w.mails(t, email, "Someone is trying")) }
		upTo := func(n int64) {
			t.Helper()
			c, _ := w.db.Failures(ctx, w.db.EmailKey(email))
			tries(t, w, email, int(n-c), addr)
		}
		upTo(9)
		if n := warnings(); n != 0 {
			t.Fatalf("%d warnings at 9 tries", n)
		}
		upTo(10)
		if n := warnings(); n != 1 {
			t.Fatalf("%d warnings at 10 tries, want 1", n)
		}
		if text := w.waitMail(t, email, "Someone is trying", 1); !strings.Contains(text, "wrong password") {
			t.Fatalf("warning:\n%s", text)
		}
		upTo(99)
		if n := warnings(); n != 1 {
			t.Fatalf("%d warnings after 99 tries, want 1", n)
		}
		upTo(100)
		if n := warnings(); n != 2 {
			t.Fatalf("%d warnings after 100 tries, want 2", n)
		}
		upTo(130)
		if n := warnings(); n != 2 {
			t.Fatalf("%d warnings after 130 tries, want 2", n)
		}
		// The owner still gets in, after waiting (the vault's own count
		// for all clients has its say too).
		w.clk.Advance(time.Hour)
		w.holdsObservation(t, w.signIn(t, email, pwA))
	})

	t.Run("counted before the work", func(t *testing.T) {
		l := passwords.NewLimiter(1)
		w := newWorld(t, withoutMail(), withLimiter(l))
		email := "ada@example.com"
		w.active(t, email, pwA)
		key := w.db.EmailKey(email)
		before, _ := w.db.Failures(ctx, key)

		// Hold the only Argon2id slot, so the sign-in waits in the queue,
		// and hang up while it does.
		hold, release := make(chan struct{}), make(chan struct{})
		go l.Do(context.Background(), func() { close(hold); <-release }) //nolint:errcheck
		<-hold
		c, cancel := context.WithCancel(ctx)
		done := make(chan error)
		go func() {
			_, err := w.svc.SignIn(c, email, pwB, "192.0.2.60", ua)
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		cancel()
		err := <-done
		close(release)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled sign-in: %v", err)
		}
		after, _ := w.db.Failures(ctx, key)
		if after != before+1 {
			t.Fatalf("failures %d → %d: the cancelled try was not counted", before, after)
		}
		if n, _ := w.db.Failures(ctx, "ip:192.0.2.60"); n != 1 {
			t.Fatalf("client failures %d, want 1", n)
		}
	})

	t.Run("concurrent tries", func(t *testing.T) {
		w := newWorld(t, withoutMail())
		email := "ada@example.com"
		w.active(t, email, pwA)
		const n = 40
		var wg sync.WaitGroup
		var mu sync.Mutex
		wrong, throttled := 0, 0
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.svc.SignIn(ctx, email, pwB, addr(i), ua)
				var th *signin.ThrottledError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case errors.Is(err, signin.ErrWrongSignIn):
					wrong++
				case errors.As(err, &th):
					throttled++
				default:
					t.Errorf("try: %v", err)
				}
			}()
		}
		wg.Wait()
		// As many guesses get through at once as one after another.
		if wrong > 5 {
			t.Fatalf("%d of %d concurrent guesses were tried (throttled %d), want at most 5", wrong, n, throttled)
		}
		if f, _ := w.db.Failures(ctx, w.db.EmailKey(email)); f != int64(wrong) {
			t.Fatalf("failures counted %d, guesses tried %d", f, wrong)
		}
	})

	t.Run("refund", func(t *testing.T) {
		w := newWorld(t, withoutMail())
		email := "ada@example.com"
		w.active(t, email, pwA)
		key := w.db.EmailKey(email)
		for i := range 3 {
			if _, err := w.svc.SignIn(ctx, email, pwB, addr(i), ua); !errors.Is(err, signin.ErrWrongSignIn) {
				t.Fatal(err)
			}
		}
		w.signIn(t, email, pwA)
		if n, _ := w.db.Failures(ctx, key); n != 3 {
			t.Fatalf("after a success the address has %d tries counted, want the 3 wrong ones", n)
		}
	})
}
