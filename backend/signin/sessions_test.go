package signin_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/signin"
)

func TestSessions(t *testing.T) {
	w := newWorld(t, withoutMail())
	email := "ada@example.com"
	id, _, g0 := w.active(t, email, pwA)

	t.Run("idle", func(t *testing.T) {
		g := w.signIn(t, email, pwA)
		w.clk.Advance(signin.DefaultIdle - time.Minute)
		if _, err := w.svc.Resolve(ctx, g.SessionID); err != nil {
			t.Fatalf("resolve before the idle time: %v", err)
		}
		w.clk.Advance(signin.DefaultIdle - time.Minute) // counted from the last use
		if _, err := w.svc.Resolve(ctx, g.SessionID); err != nil {
			t.Fatalf("resolve within the idle time of the last use: %v", err)
		}
		w.clk.Advance(signin.DefaultIdle + time.Second)
		if _, err := w.svc.Resolve(ctx, g.SessionID); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("idle session: %v, want ErrSignedOut", err)
		}
		if _, err := w.svc.Resolve(ctx, g0.SessionID); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("the first session, idle too: %v", err)
		}
	})

	t.Run("absolute", func(t *testing.T) {
		g := w.signIn(t, email, pwA)
		start := w.clk.Now()
		// Off the 10-minute grid: at exactly 12 h the row still counts
		// (created + 12 h is not yet past it) while the vault's token has
		// ended (its age is not below 12 h).
		w.clk.Advance(time.Minute)
		var ended time.Duration
		for i := 1; i <= 100; i++ {
			w.clk.Advance(10 * time.Minute)
			c, err := w.svc.Resolve(ctx, g.SessionID)
			if errors.Is(err, signin.ErrSignedOut) {
				ended = w.clk.Now().Sub(start)
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Vault.Record(g.Token); err != nil {
				t.Fatalf("record after %v: %v", w.clk.Now().Sub(start), err)
			}
		}
		if ended <= signin.DefaultAbsolute-10*time.Minute || ended > signin.DefaultAbsolute+10*time.Minute {
			t.Fatalf("a session in use ended after %v, want at %v", ended, signin.DefaultAbsolute)
		}
		t.Logf("a session used every 10 minutes ended after %v", ended)
	})

	t.Run("sign out one", func(t *testing.T) {
		g1 := w.signIn(t, email, pwA)
		g2 := w.signIn(t, email, pwA)
		c1, err := w.svc.Resolve(ctx, g1.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.SignOut(ctx, g1.SessionID, c1, g1.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Resolve(ctx, g1.SessionID); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("signed-out session: %v", err)
		}
		if c1.Vault.Holds(g1.Token) {
			t.Fatal("the signed-out session's token still opens the vault")
		}
		w.holdsObservation(t, g2)

		// Sign out everywhere ends every session and locks the vault.
		g3 := w.signIn(t, email, pwA)
		c3, err := w.svc.Resolve(ctx, g3.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.SignOutEverywhere(ctx, c3); err != nil {
			t.Fatal(err)
		}
		for _, g := range []signin.Grant{g2, g3} {
			if _, err := w.svc.Resolve(ctx, g.SessionID); !errors.Is(err, signin.ErrSignedOut) {
				t.Fatalf("after sign out everywhere: %v", err)
			}
			if c3.Vault.Holds(g.Token) {
				t.Fatal("a token survives sign out everywhere")
			}
		}
		if w.unlocked() != 0 {
			t.Fatal("the vault is open after sign out everywhere")
		}
	})

	t.Run("end by handle", func(t *testing.T) {
		g1 := w.signIn(t, email, pwA)
		w.clk.Advance(time.Minute)
		g2 := w.signIn(t, email, pwA)
		live, _, err := w.svc.Sessions(ctx, id)
		if err != nil || len(live) != 2 {
			t.Fatalf("sessions: %d, %v", len(live), err)
		}
		for _, s := range live {
			if s.CSRF != "" || len(s.Handle) != 8 || s.UserAgent != ua {
				t.Fatalf("session info %+v", s)
			}
		}
		// Newest first: live[1] is g1.
		if err := w.svc.EndSession(ctx, id, live[1].Handle); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Resolve(ctx, g1.SessionID); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("ended session: %v", err)
		}
		w.holdsObservation(t, g2)
		if err := w.svc.EndSession(ctx, id, live[1].Handle); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("ending it again: %v", err)
		}
		if err := w.svc.EndSession(ctx, "someone-else", live[0].Handle); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("ending another account's session: %v", err)
		}
		w.holdsObservation(t, g2)
	})

	t.Run("disabled", func(t *testing.T) {
		g := w.signIn(t, email, pwA)
		if err := w.db.SetState(ctx, id, "disabled"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Resolve(ctx, g.SessionID); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("session of a disabled account: %v", err)
		}
		if w.unlocked() != 0 {
			t.Fatal("a disabled account's vault stays open")
		}
		if _, err := w.svc.SignIn(ctx, email, pwA, from, ua); !errors.Is(err, signin.ErrWrongSignIn) {
			t.Fatalf("sign in to a disabled account: %v", err)
		}
		if err := w.db.SetState(ctx, id, "active"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Resolve(ctx, g.SessionID); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("a session ended by disabling came back: %v", err)
		}
		w.holdsObservation(t, w.signIn(t, email, pwA))
	})

	t.Run("garbage ids", func(t *testing.T) {
		for _, s := range []string{"", "x", string(make([]byte, 10000)), "\xff\xfe"} {
			if _, err := w.svc.Resolve(ctx, s); !errors.Is(err, signin.ErrSignedOut) {
				t.Fatalf("resolve %q: %v", s, err)
			}
		}
	})
}
