package signin_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/signin"
)

// forgot runs Forgot and ForgotVerify with the emailed code.
func (w *world) forgot(t *testing.T, email string) string {
	t.Helper()
	n := len(w.mails(t, email, "Reset your Ward password"))
	if err := w.svc.Forgot(ctx, email, w.nextAddr()); err != nil {
		t.Fatal(err)
	}
	code := codeIn(t, w.waitMail(t, email, "Reset your Ward password", n+1))
	if _, err := w.svc.ForgotVerify(ctx, email, "ABCDEFGH", w.nextAddr()); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("wrong reset code: %v", err)
	}
	id, err := w.svc.ForgotVerify(ctx, email, code, w.nextAddr())
	if err != nil {
		t.Fatalf("forgot-verify: %v", err)
	}
	if _, err := w.svc.ForgotVerify(ctx, email, code, w.nextAddr()); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("the reset code worked twice: %v", err)
	}
	return id
}

func TestRecover(t *testing.T) {
	w := newWorld(t)
	email := "ada@example.com"
	id, rk, g0 := w.active(t, email, pwA)
	g1 := w.signIn(t, email, pwA)

	if got := w.forgot(t, email); got != id {
		t.Fatalf("forgot-verify gave %q, want %q", got, id)
	}
	if _, _, err := w.svc.Recover(ctx, id, rk, "password123", from, ua); !errors.Is(err, passwords.ErrGuessable) {
		t.Fatalf("weak new password: %v", err)
	}
	if _, _, err := w.svc.Recover(ctx, id, "not a recovery key", pwB, from, ua); err == nil {
		t.Fatal("recover with a malformed key worked")
	}
	g, rk2, err := w.svc.Recover(ctx, id, rk, pwB, from, ua)
	if err != nil {
		t.Fatalf("recover: %v", err)
	}
	if rk2 == "" || rk2 == rk {
		t.Fatalf("new recovery key %q (old %q)", rk2, rk)
	}
	w.holdsObservation(t, g)
	for _, old := range []signin.Grant{g0, g1} {
		if _, err := w.svc.Resolve(ctx, old.SessionID); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("an old session after recovery: %v", err)
		}
		if m, ok := w.reg.Peek(id); ok && m.Holds(old.Token) {
			t.Fatal("an old session's token still opens the vault after recovery")
		}
	}
	if _, err := w.svc.SignIn(ctx, email, pwA, w.nextAddr(), ua); !errors.Is(err, signin.ErrWrongSignIn) {
		t.Fatalf("the old password after recovery: %v", err)
	}
	w.holdsObservation(t, w.signIn(t, email, pwB))
	if _, _, err := w.svc.Recover(ctx, id, rk, pwA, w.nextAddr(), ua); err == nil {
		t.Fatal("the old recovery key still works")
	}
	if _, err := w.svc.Resolve(ctx, g.SessionID); err != nil {
		t.Fatalf("a refused recovery ended the owner's session: %v", err)
	}
	if _, err := w.svc.ForgotVerify(ctx, "ada@example.com", "", from); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("empty code: %v", err)
	}
}

func TestReset(t *testing.T) {
	t.Run("not allowed", func(t *testing.T) {
		w := newWorld(t, withoutMail())
		id, _, _ := w.active(t, "ada@example.com", pwA)
		if _, _, err := w.svc.Reset(ctx, id, pwB, from, ua); !errors.Is(err, signin.ErrNoRecovery) {
			t.Fatalf("reset without the policy: %v", err)
		}
		w.holdsObservation(t, w.signIn(t, "ada@example.com", pwA))
	})
	t.Run("allowed", func(t *testing.T) {
		w := newWorld(t, withoutMail(), withPolicy(func(p *signin.Policy) { p.OrgReset = true }))
		email := "ada@example.com"
		id, _, g0 := w.active(t, email, pwA)
		a, err := w.db.ByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		g, rk, err := w.svc.Reset(ctx, id, pwB, from, ua)
		if err != nil || rk == "" {
			t.Fatalf("reset: %v", err)
		}
		if _, err := w.svc.Resolve(ctx, g0.SessionID); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("old session after reset: %v", err)
		}
		c, err := w.svc.Resolve(ctx, g.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := c.Vault.Record(g.Token)
		if err != nil {
			t.Fatal(err)
		}
		if n := rec.Summary().Counts.Results; n != 0 || len(rec.Search("Potassium", 10)) != 0 {
			t.Fatalf("the reset record still holds %d results", n)
		}
		if _, err := os.Stat(filepath.Join(w.dir, a.VaultDir)); err != nil {
			t.Fatalf("the new vault's folder: %v", err)
		}
		if _, err := w.svc.SignIn(ctx, email, pwA, w.nextAddr(), ua); !errors.Is(err, signin.ErrWrongSignIn) {
			t.Fatalf("old password after reset: %v", err)
		}
		w.signIn(t, email, pwB)
	})
}
