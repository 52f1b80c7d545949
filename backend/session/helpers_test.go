package session

import (
	"context"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

var (
	testPassword = []byte("correct horse battery")
	testNow      = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
)

// newVault makes a real vault in a temporary folder (a real SQLite file),
// with a cheap password so tests spend their time on what they test, and
// with rs imported under source; it returns the folder, locked.
func newVault(t testing.TB, source string, rs []fhir.Resource) string {
	t.Helper()
	dir := t.TempDir()
	if err := makeVault(dir, source, rs); err != nil {
		t.Fatal(err)
	}
	return dir
}

func makeVault(dir, source string, rs []fhir.Resource) error {
	pw, err := vault.NewPasswordWithParams(testPassword, vault.Argon2Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		return err
	}
	db, keys, err := store.Create(dir, pw)
	if err != nil {
		return err
	}
	defer db.Close()
	defer keys.Destroy()
	if len(rs) > 0 {
		_, err = db.Import(context.Background(), keys, store.Source{Name: source, LastUpdated: testNow}, items(rs), nil)
	}
	return err
}

// open opens dir in a Manager and unlocks it, returning the token.
func open(t testing.TB, dir string) (*Manager, string) {
	t.Helper()
	m, err := Open(dir, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	tok, err := m.Unlock(context.Background(), Secret{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return m, tok
}

func generate(t testing.TB, seed uint64, n int) []fhir.Resource {
	t.Helper()
	rs, err := demo.Generate(demo.Options{Seed: seed, Now: testNow, Resources: n})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func items(rs []fhir.Resource) iter.Seq2[store.Item, error] {
	return func(yield func(store.Item, error) bool) {
		for _, r := range rs {
			if !yield(store.Item{Type: r.Type, ID: r.ID, Raw: r.Raw}, nil) {
				return
			}
		}
	}
}

// observation is a small final result with an id of its own.
func observation(id, text, value string) fhir.Resource {
	raw := fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final","code":{"text":%q},"effectiveDateTime":"2026-10-01","valueQuantity":{"value":%s,"unit":"mmol/L"}}`, id, text, value)
	return fhir.Resource{Type: "Observation", ID: id, Raw: []byte(raw)}
}

func batch(source string, rs ...fhir.Resource) store.Batch {
	return store.Batch{Source: store.Source{Name: source, LastUpdated: testNow}, Items: items(rs)}
}

// unlockedAt opens a new vault unlocked by its owner, on a clock the test
// moves (*clock), with an hour's idle time. It returns the vault's folder too.
func unlockedAt(t *testing.T) (m *Manager, tok string, clock *time.Time, dir string) {
	t.Helper()
	dir = newVault(t, "Test", nil)
	m, _ = open(t, dir)
	now := testNow
	clock = &now
	m.now = func() time.Time { return *clock }
	m.idle = time.Hour
	tok, err := m.Unlock(context.Background(), Secret{Password: testPassword, From: "owner"})
	if err != nil {
		t.Fatal(err)
	}
	return m, tok, clock, dir
}
