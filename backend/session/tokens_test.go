package session

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// Each token lives for the vault's idle time without use and 12 hours at
// most, even while other sessions keep the vault open.
func TestTokenLifetimes(t *testing.T) {
	type step struct {
		after   time.Duration // since the previous step
		use     string        // "a" or "b": which token is used
		aValid  bool          // whether token a still reads the record
		comment string
	}
	for _, tt := range []struct {
		name  string
		idle  time.Duration
		steps []step
	}{
		{"idle", time.Minute, []step{
			{40 * time.Second, "b", true, "both fresh"},
			{40 * time.Second, "b", false, "a unused for 80 s"},
		}},
		{"absolute", 24 * time.Hour, []step{
			{6 * time.Hour, "a", true, "6 h old"},
			{5 * time.Hour, "a", true, "11 h old"},
			{time.Hour + time.Second, "", false, "over 12 h old, used an hour ago"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Open(newVault(t, demo.OrganisationName, generate(t, 1, 0)), tt.idle)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			clock := testNow
			m.now = func() time.Time { return clock }
			ctx := context.Background()
			a, err := m.Unlock(ctx, Secret{Password: testPassword})
			if err != nil {
				t.Fatal(err)
			}
			b, err := m.Unlock(ctx, Secret{Password: testPassword})
			if err != nil {
				t.Fatal(err)
			}
			tok := map[string]string{"a": a, "b": b}
			for _, s := range tt.steps {
				clock = clock.Add(s.after)
				if s.use != "" {
					if _, err := m.Record(tok[s.use]); err != nil && (s.use == "b" || s.aValid) {
						t.Fatalf("%s: token %s: %v", s.comment, s.use, err)
					}
				}
				// Status is not use: it does not keep a token alive.
				if st := m.Status(a); (st.State == StateUnlocked) != s.aValid {
					t.Fatalf("%s: status for token a %q, want valid %v", s.comment, st.State, s.aValid)
				}
				if s.aValid {
					continue
				}
				if _, err := m.Record(a); !errors.Is(err, ErrUnauthorised) && !errors.Is(err, ErrLocked) {
					t.Fatalf("%s: token a reads the record: %v", s.comment, err)
				}
			}
		})
	}
}

// Wrong passwords sent to a demo server must not stop it starting again:
// it opens its vault with the server key, which is not a guess.
func TestDemoStartsAfterWrongGuesses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	rs := generate(t, 1, 0)
	src := store.Source{Name: demo.OrganisationName, LastUpdated: testNow}
	kek, err := vault.LoadOrCreateKEK(filepath.Join(dir, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	defer kek.Destroy()
	m, err := OpenDemo(ctx, dir, kek, src, rs)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := m.Unlock(ctx, Secret{Password: []byte("a guess")}); err == nil {
			t.Fatal("a guess opened the demo")
		}
	}
	m.Close()
	m, err = OpenDemo(ctx, dir, kek, src, rs)
	if err != nil {
		t.Fatalf("the demo after ten wrong guesses: %v", err)
	}
	m.Close()
}
