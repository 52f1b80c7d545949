package session

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

func TestDemoReopensUnderTheServerKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	src := store.Source{Name: demo.OrganisationName, LastUpdated: now}
	keyPath := filepath.Join(dir, "server.key")
	open := func() (*Manager, error) {
		kek, err := vault.LoadOrCreateKEK(keyPath)
		if err != nil {
			t.Fatal(err)
		}
		defer kek.Destroy()
		return OpenDemo(ctx, dir, kek, src, rs)
	}
	for i := 0; i < 2; i++ {
		m, err := open()
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		rec, err := m.Record("")
		if err != nil || rec.Summary().Patient == nil {
			t.Fatalf("open %d: record %v, %v", i, rec, err)
		}
		if st := m.Status(""); !st.Demo || st.State != StateUnlocked {
			t.Fatalf("status %+v", st)
		}
		m.Lock() // the demo ignores locking
		if _, err := m.Record(""); err != nil {
			t.Fatalf("demo locked: %v", err)
		}
		if failed, rolled := m.Integrity(); failed != 0 || rolled {
			t.Fatalf("integrity: %d failed, rolled back %v", failed, rolled)
		}
		// Something imported into the demo is gone at the next start.
		if i == 0 {
			extra := func(yield func(store.Item, error) bool) {
				yield(store.Item{Type: "Observation", ID: "extra", Raw: []byte(`{"resourceType":"Observation","id":"extra","status":"final","code":{"text":"Extra"}}`)}, nil)
			}
			if _, err := m.Import(ctx, "", store.Batch{Source: store.Source{Name: "Someone's upload"}, Items: extra}); err != nil {
				t.Fatal(err)
			}
			if n := len(rec.Sources()); n != 1 {
				t.Fatalf("%d sources before the upload", n)
			}
			after, _ := m.Record("")
			if len(after.Sources()) != 2 {
				t.Fatalf("upload not shown: %d sources", len(after.Sources()))
			}
		} else if len(rec.Sources()) != 1 {
			t.Fatalf("demo kept an upload across restarts: %d sources", len(rec.Sources()))
		}
		m.Close()
	}
	// The key file is private, and a different key cannot open the demo.
	info, err := os.Stat(keyPath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", info.Mode(), err)
	}
	os.Remove(keyPath)
	if _, err := open(); err == nil || !strings.Contains(err.Error(), "server key") {
		t.Fatalf("open with a new server key: %v", err)
	}
}
