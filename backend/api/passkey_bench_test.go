package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/passkey/passkeytest"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// benchSizes are the demo vaults the passkey benchmarks run on.
var benchSizes = []int{1000, 100000}

// demoPasskeyVault is a vault of n demo resources with a password (of a
// cheap key derivation) and one passkey, locked, its Manager and the
// owner's page on its handler; a is the passkey's authenticator.
func demoPasskeyVault(b *testing.B, n int) (*session.Manager, page, *passkeytest.Authenticator) {
	b.Helper()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: now, Resources: n})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	pw, err := vault.NewPasswordWithParams([]byte(rightPassword), cheapKDF)
	if err != nil {
		b.Fatal(err)
	}
	db, keys, err := store.Create(dir, pw)
	if err != nil {
		b.Fatal(err)
	}
	_, err = db.Import(context.Background(), keys, store.Source{Name: demo.OrganisationName, LastUpdated: now}, func(yield func(store.Item, error) bool) {
		for _, r := range rs {
			if !yield(store.Item{Type: r.Type, ID: r.ID, Raw: r.Raw}, nil) {
				return
			}
		}
	}, nil)
	db.Close()
	keys.Destroy()
	if err != nil {
		b.Fatal(err)
	}
	m, err := session.Open(dir, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	p := page{t: b, h: New(Options{Vault: m}), addr: "192.0.2.1:50000"}
	a := passkeytest.New(b)
	tok := p.password()
	p.mustAdd(tok, "This laptop", a)
	p.lock(tok)
	return m, p, a
}

// BenchmarkPasskeyUnlock is the server's time for POST
// /api/vault/passkey/finish on a locked vault: the assertion verified, the
// data key unwrapped from the PRF output, the sign count kept and the
// record loaded. Begin and the authenticator are outside the timer.
func BenchmarkPasskeyUnlock(b *testing.B) {
	for _, n := range benchSizes {
		m, p, a := demoPasskeyVault(b, n)
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			p.t = b
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				m.Lock()
				body := p.assertion(a)
				b.StartTimer()
				r := p.send("POST", "/api/vault/passkey/finish", "", body)
				b.StopTimer()
				if rec, err := m.Record(tokenOf(b, r)); err != nil || rec.Summary().Patient == nil {
					b.Fatalf("no record after the unlock: %v", err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkPasskeyRegister is the server's time for POST
// /api/security/passkeys/finish of a new passkey (PRF output at create):
// the attestation verified and the new slot wrapped and written. Begin and
// the authenticator are outside the timer.
func BenchmarkPasskeyRegister(b *testing.B) {
	for _, n := range benchSizes {
		_, p, _ := demoPasskeyVault(b, n)
		b.Run(fmt.Sprintf("resources=%d", n), func(b *testing.B) {
			p.t = b
			tok := p.password()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				// Fresh for every one: a long run outlasts the five minutes.
				p.must("POST", "/api/security/confirm", tok, `{"password":"`+rightPassword+`"}`)
				a := passkeytest.New(b)
				id, opts := ceremony(b, p.must("POST", "/api/security/passkeys/begin", tok, `{"name":"Another"}`))
				body := finishBody(b, id, a.Create(b, opts, pageOrigin))
				b.StartTimer()
				r := p.send("POST", "/api/security/passkeys/finish", tok, body)
				b.StopTimer()
				if m, _ := r.body["passkey"].(map[string]any); r.code != http.StatusOK || m["id"] != b64(a.ID) {
					b.Fatalf("finish = %d %v", r.code, r.body)
				}
				b.StartTimer()
			}
		})
	}
}
