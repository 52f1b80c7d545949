package signin_test

import (
	"fmt"
	"runtime"
	"sync/atomic"
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

// BenchmarkSignInConcurrent is many patients signing in at once, at the
// real Argon2id cost: the Limiter lets one Argon2id per core run and queues
// the rest, so what it reports is the sustained rate (sign-ins/s) and the
// peak memory the queue costs (peak-MiB, from the Go runtime's Sys).
func BenchmarkSignInConcurrent(b *testing.B) {
	realCost(b)
	w := newWorld(b, withoutMail())
	const n = 16
	emails := make([]string, n)
	for i := range emails {
		emails[i] = fmt.Sprintf("patient%d@example.com", i)
		w.active(b, emails[i], pwA)
	}
	var next atomic.Int64
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() { // sample the runtime's memory while the benchmark runs
		var ms runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.Sys > peak.Load() {
					peak.Store(ms.Sys)
				}
			}
		}
	}()
	b.SetParallelism(4) // 4 × GOMAXPROCS clients at once
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1)) % n
			// Each from its own address, as separate patients are.
			out, err := w.svc.SignIn(ctx, emails[i], pwA, fmt.Sprintf("198.51.100.%d", i), ua)
			if err != nil || out.Pending != "" {
				b.Errorf("sign in: %+v, %v", out, err)
				return
			}
			if m, ok := w.reg.Peek(out.Grant.Account); ok {
				m.Revoke(out.Grant.Token)
			}
		}
	})
	elapsed := time.Since(start)
	close(done)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "sign-ins/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-MiB")
}
