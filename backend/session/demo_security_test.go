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

// The demo lets any visitor read, with any token, but holds no tokens:
// reading its security settings must not dereference a session it does not
// have (it once did, with mu held, which froze the server for everyone),
// and no visitor can change them.
func TestDemoSecurity(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	kek, err := vault.LoadOrCreateKEK(filepath.Join(dir, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := OpenDemo(ctx, dir, kek, store.Source{Name: demo.OrganisationName, LastUpdated: now}, rs)
	kek.Destroy()
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"", "any-visitor"} {
		s, err := m.Security(ctx, tok)
		if err != nil || s.FreshUntil != "" {
			t.Fatalf("Security(%q) = %+v, %v; want the settings, never fresh", tok, s, err)
		}
		if err := m.SetAutoLock(ctx, tok, 30); !errors.Is(err, ErrNotFresh) {
			t.Errorf("SetAutoLock(%q) = %v, want ErrNotFresh", tok, err)
		}
		if _, err := m.refresh(tok); !errors.Is(err, ErrNotFresh) {
			t.Errorf("refresh(%q) = %v, want ErrNotFresh", tok, err)
		}
	}
	// Still answering: mu was not left held.
	if _, err := m.Record(""); err != nil {
		t.Fatalf("the demo after its security settings: %v", err)
	}
}
