package signin_test

import (
	"testing"
	"time"

	"github.com/ward-health/ward/backend/signin"
)

// benchWorld is one active account whose password slot has Ward's
// default Argon2id cost, so a sign-in costs what it costs in production.
func benchWorld(b *testing.B) (*world, string) {
	realCost(b)
	w := newWorld(b, withoutMail())
	email := "ada@example.com"
	id, _, g := w.active(b, email, pwA)
	c, err := w.svc.Resolve(ctx, g.SessionID)
	if err != nil {
		b.Fatal(err)
	}
	if err := w.svc.SignOutEverywhere(ctx, c); err != nil {
		b.Fatal(err)
	}
	return w, id
}

// BenchmarkSignIn is a password sign-in at the real Argon2id cost: the
// latency a patient sees (less the network), with the vault locked before
// each, so each opens it.
func BenchmarkSignIn(b *testing.B) {
	w, id := benchWorld(b)
	for b.Loop() {
		g := w.signIn(b, "ada@example.com", pwA)
		b.StopTimer()
		if m, ok := w.reg.Peek(id); ok {
			m.Revoke(g.Token)
		}
		b.StartTimer()
	}
}

// BenchmarkSignInTwoStep is the password and then a TOTP code.
func BenchmarkSignInTwoStep(b *testing.B) {
	w, id := benchWorld(b)
	secret, _ := w.enrolled(b, id, "ada@example.com")
	for b.Loop() {
		b.StopTimer()
		w.clk.Advance(30 * time.Second) // a fresh code each time
		code := totpAt(b, secret, w.clk.Now())
		b.StartTimer()
		out, err := w.svc.SignIn(ctx, "ada@example.com", pwA, from, ua)
		if err != nil || out.Pending == "" {
			b.Fatalf("sign in: %+v, %v", out, err)
		}
		g, err := w.svc.SecondStep(ctx, out.Pending, signin.MethodTOTP, code)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if m, ok := w.reg.Peek(id); ok {
			m.Revoke(g.Token)
		}
		b.StartTimer()
	}
}

// BenchmarkResolve is the session lookup every request makes.
func BenchmarkResolve(b *testing.B) {
	w, _ := benchWorld(b)
	g := w.signIn(b, "ada@example.com", pwA)
	for b.Loop() {
		if _, err := w.svc.Resolve(ctx, g.SessionID); err != nil {
			b.Fatal(err)
		}
	}
}
