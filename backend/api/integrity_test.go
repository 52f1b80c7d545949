package api

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// GET /api/vault tells the session the vault is open to what the checks at
// unlock found: a row changed outside Ward, and a row removed (the vault
// no longer adds up). Nobody else is told.
func TestVaultStatusReportsIntegrity(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	pw, err := vault.NewPasswordWithParams([]byte("correct horse"), vault.Argon2Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	db, keys, err := store.Create(dir, pw)
	if err != nil {
		t.Fatal(err)
	}
	items := func(yield func(store.Item, error) bool) {
		for i := 0; i < 3; i++ {
			id := fmt.Sprintf("o%d", i)
			raw := fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final","code":{"text":"Sodium"},"valueQuantity":{"value":140}}`, id)
			if !yield(store.Item{Type: "Observation", ID: id, Raw: []byte(raw)}, nil) {
				return
			}
		}
	}
	if _, err := db.Import(ctx, keys, store.Source{Name: "Clinic", LastUpdated: time.Now()}, items, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	keys.Destroy()

	h, m := handlerOn(t, dir)
	tok := unlockWith(t, h, "correct horse")
	r := call(t, h, "GET", "/api/vault", tok, "")
	if in, ok := r.body["integrity"].(map[string]any); !ok || in["failed"] != 0.0 || in["rolledBack"] != false {
		t.Fatalf("a sound vault: %v", r.body)
	}
	m.Lock()

	// Outside Ward: flip a byte in one row, remove another.
	raw, err := sql.Open("sqlite", filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var key, body []byte
	if err := raw.QueryRow("SELECT key, body FROM resources LIMIT 1").Scan(&key, &body); err != nil {
		t.Fatal(err)
	}
	body[len(body)-1] ^= 1
	if _, err := raw.Exec("UPDATE resources SET body = ? WHERE key = ?", body, key); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("DELETE FROM resources WHERE key != ? AND rowid = (SELECT MAX(rowid) FROM resources WHERE key != ?)", key, key); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	if r := call(t, h, "GET", "/api/vault", "", ""); r.body["integrity"] != nil {
		t.Fatalf("a locked vault told its integrity: %v", r.body)
	}
	tok = unlockWith(t, h, "correct horse")
	r = call(t, h, "GET", "/api/vault", tok, "")
	in, ok := r.body["integrity"].(map[string]any)
	if !ok || in["failed"] != 1.0 || in["rolledBack"] != true {
		t.Fatalf("after tampering: %v", r.body)
	}
	if r := call(t, h, "GET", "/api/vault", "someone-else", ""); r.body["integrity"] != nil {
		t.Fatalf("another caller was told the integrity: %v", r.body)
	}
	// The rest of the record still opens.
	if r := call(t, h, "GET", "/api/results", tok, ""); r.code != 200 {
		t.Fatalf("results: %d", r.code)
	}
}

func handlerOn(t *testing.T, dir string) (http.Handler, *session.Manager) {
	t.Helper()
	m, err := session.Open(dir, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return New(Options{Vault: m}), m
}

func unlockWith(t *testing.T, h http.Handler, password string) string {
	t.Helper()
	r := call(t, h, "POST", "/api/vault/unlock", "", fmt.Sprintf(`{"password":%q}`, password))
	tok, _ := r.body["token"].(string)
	if r.code != 200 || tok == "" {
		t.Fatalf("unlock: %d %v", r.code, r.body)
	}
	return tok
}
