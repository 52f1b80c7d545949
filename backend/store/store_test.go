package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/vault"
)

var ctx = context.Background()

// cheap keeps tests fast; the real parameters are exercised in package vault
// and in BenchmarkUnlock.
var cheap = vault.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

func password(t testing.TB, pw string) *vault.Password {
	t.Helper()
	p, err := vault.NewPasswordWithParams([]byte(pw), cheap)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// items makes n demo resources (0: the natural demo record). t may be nil
// in a child process.
func items(t testing.TB, n int) []Item {
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Resources: n})
	if err != nil {
		panic(err)
	}
	out := make([]Item, len(rs))
	for i, r := range rs {
		out[i] = Item{Type: r.Type, ID: r.ID, Raw: r.Raw}
	}
	return out
}

func seq(its []Item) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		for _, it := range its {
			if !yield(it, nil) {
				return
			}
		}
	}
}

var src = Source{Name: demo.OrganisationName, LastUpdated: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}

func newVault(t *testing.T) (string, *DB, *vault.Keys) {
	t.Helper()
	dir := t.TempDir()
	db, keys, err := Create(dir, password(t, "correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(); keys.Destroy() })
	return dir, db, keys
}

func TestImportLoadRoundTrip(t *testing.T) {
	dir, db, keys := newVault(t)
	its := items(t, 0)
	res, err := db.Import(ctx, keys, src, seq(its), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != len(its) || res.Updated != 0 {
		t.Fatalf("first import %+v, want %d added", res, len(its))
	}
	again, err := db.Import(ctx, keys, src, seq(its), nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Unchanged != len(its) || again.Added+again.Updated != 0 {
		t.Fatalf("re-import %+v, want all unchanged", again)
	}
	db.Close()

	// Reopen and unlock from the password slot alone.
	db2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	k2, err := db2.UnlockLocal(ctx, password(t, "correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := db2.Load(ctx, k2)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Failed) != 0 || c.RolledBack {
		t.Fatalf("failed %v rolled back %v", c.Failed, c.RolledBack)
	}
	if len(c.Records) != len(its) || len(c.Sources) != 1 || c.Sources[0].Name != src.Name {
		t.Fatalf("loaded %d records, %+v sources", len(c.Records), c.Sources)
	}
	byKey := map[string][]byte{}
	for _, r := range c.Records {
		byKey[r.Type+"/"+r.ID] = r.Raw
	}
	for _, it := range its {
		if !bytes.Equal(byKey[it.Type+"/"+it.ID], it.Raw) {
			t.Fatalf("%s/%s did not round-trip", it.Type, it.ID)
		}
	}
}

func TestUpdateReplacesOlder(t *testing.T) {
	_, db, keys := newVault(t)
	v1 := Item{Type: "Observation", ID: "a", Raw: []byte(`{"resourceType":"Observation","id":"a","meta":{"lastUpdated":"2025-01-01T00:00:00Z"},"status":"preliminary"}`)}
	v2 := Item{Type: "Observation", ID: "a", Raw: []byte(`{"resourceType":"Observation","id":"a","meta":{"lastUpdated":"2025-02-01T00:00:00Z"},"status":"final"}`)}
	if _, err := db.Import(ctx, keys, src, seq([]Item{v1}), nil); err != nil {
		t.Fatal(err)
	}
	if r, err := db.Import(ctx, keys, src, seq([]Item{v2}), nil); err != nil || r.Updated != 1 {
		t.Fatalf("newer import = %+v, %v", r, err)
	}
	if r, err := db.Import(ctx, keys, src, seq([]Item{v1}), nil); err != nil || r.KeptNewer != 1 {
		t.Fatalf("older import = %+v, %v", r, err)
	}
	c, _ := db.Load(ctx, keys)
	if len(c.Records) != 1 || !bytes.Equal(c.Records[0].Raw, v2.Raw) || c.RolledBack {
		t.Fatalf("stored %s", c.Records[0].Raw)
	}
	// Another organisation's resource of the same type and id is its own record.
	other := Source{Name: "Other Trust"}
	if _, err := db.Import(ctx, keys, other, seq([]Item{v1}), nil); err != nil {
		t.Fatal(err)
	}
	c, _ = db.Load(ctx, keys)
	if len(c.Records) != 2 || len(c.Sources) != 2 {
		t.Fatalf("%d records from %d sources, want 2 and 2", len(c.Records), len(c.Sources))
	}
}

// rawDB opens the file behind the store's back, as an attacker would.
func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestTamperingIsCaughtPerRecord(t *testing.T) {
	dir, db, keys := newVault(t)
	its := items(t, 0)
	if _, err := db.Import(ctx, keys, src, seq(its), nil); err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, dir)
	keysOf := func() [][]byte {
		rows, err := raw.Query("SELECT key FROM resources ORDER BY key")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out [][]byte
		for rows.Next() {
			var k []byte
			rows.Scan(&k)
			out = append(out, k)
		}
		return out
	}
	all := keysOf()

	// 1. Flip one byte in one row's ciphertext.
	var body []byte
	raw.QueryRow("SELECT body FROM resources WHERE key = ?", all[0]).Scan(&body)
	body[30] ^= 1
	if _, err := raw.Exec("UPDATE resources SET body = ? WHERE key = ?", body, all[0]); err != nil {
		t.Fatal(err)
	}
	// 2. Copy another row's body onto a third row's key.
	if _, err := raw.Exec("UPDATE resources SET body = (SELECT body FROM resources WHERE key = ?), version = (SELECT version FROM resources WHERE key = ?) WHERE key = ?", all[1], all[1], all[2]); err != nil {
		t.Fatal(err)
	}
	c, err := db.Load(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, f := range c.Failed {
		if !errors.Is(f, vault.ErrIntegrity) {
			t.Errorf("%v is not an integrity error", f)
		}
		failed[string(f.Key)] = true
	}
	if len(failed) != 2 || !failed[string(all[0])] || !failed[string(all[2])] {
		t.Fatalf("failed rows %d, want exactly the two tampered ones", len(failed))
	}
	if len(c.Records) != len(its)-2 {
		t.Fatalf("%d records still open, want %d", len(c.Records), len(its)-2)
	}
}

func TestRollbackOfWholeRowIsDetected(t *testing.T) {
	dir, db, keys := newVault(t)
	v1 := Item{Type: "Observation", ID: "a", Raw: []byte(`{"resourceType":"Observation","id":"a","status":"preliminary"}`)}
	v2 := Item{Type: "Observation", ID: "a", Raw: []byte(`{"resourceType":"Observation","id":"a","status":"final"}`)}
	db.Import(ctx, keys, src, seq([]Item{v1}), nil)
	raw := rawDB(t, dir)
	var oldVersion int64
	var oldBody []byte
	raw.QueryRow("SELECT version, body FROM resources").Scan(&oldVersion, &oldBody)
	db.Import(ctx, keys, src, seq([]Item{v2}), nil)

	// Put the old body back under the current version: fails to open.
	raw.Exec("UPDATE resources SET body = ?", oldBody)
	c, _ := db.Load(ctx, keys)
	if len(c.Failed) != 1 || len(c.Records) != 0 {
		t.Fatalf("old body under new version: %d failed, %d opened", len(c.Failed), len(c.Records))
	}
	// Put back the old body with its old version: it opens on its own,
	// but the vault notices the rollback.
	raw.Exec("UPDATE resources SET body = ?, version = ?", oldBody, oldVersion)
	c, _ = db.Load(ctx, keys)
	if len(c.Failed) != 0 || !c.RolledBack {
		t.Fatalf("whole-row replay: failed %d, rolled back %v; want 0, true", len(c.Failed), c.RolledBack)
	}
	// Deleting a row is noticed too.
	db.Import(ctx, keys, src, seq([]Item{v2}), nil)
	raw.Exec("DELETE FROM resources")
	c, _ = db.Load(ctx, keys)
	if !c.RolledBack {
		t.Fatal("a deleted row was not noticed")
	}
}

func TestOpenRefusesWhatIsNotAVault(t *testing.T) {
	write := func(body []byte) string {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, FileName), body, 0o600)
		return dir
	}
	plainSQLite := t.TempDir()
	{
		db, _ := sql.Open("sqlite", "file:"+filepath.Join(plainSQLite, FileName))
		db.Exec("CREATE TABLE notes(x)")
		db.Close()
	}
	newer, db, keys := newVault(t)
	keys.Destroy()
	db.Close()
	{
		raw, _ := sql.Open("sqlite", "file:"+filepath.Join(newer, FileName))
		raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion+1))
		raw.Close()
	}
	tests := []struct {
		name string
		dir  string
		want error
	}{
		{"empty folder", t.TempDir(), ErrNoVault},
		{"text file", write([]byte("hello, this is not a database at all")), ErrNotVault},
		{"empty file", write(nil), ErrNotVault},
		{"another SQLite database", plainSQLite, ErrNotVault},
		{"newer Ward", newer, ErrNewer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(tt.dir, FileName)
			before, _ := os.ReadFile(path)
			db, err := Open(tt.dir)
			if err == nil {
				db.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if msg := UserMessage(err); msg == "" || strings.Contains(msg, "store:") {
				t.Fatalf("user message %q", msg)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Fatal("the file was changed")
			}
		})
	}
	if _, _, err := Create(newer, password(t, "x")); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over an existing vault: %v", err)
	}
}

func TestReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		// root ignores permission bits; use a read-only bind instead.
		t.Log("running as root: checking a read-only database file via the driver instead")
	}
	dir, db, keys := newVault(t)
	db.Close()
	ro, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	d := &DB{sql: ro, path: dir, vaultID: keys.VaultID()}
	_, err = d.Import(ctx, keys, src, seq(items(t, 0)[:3]), nil)
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("import into read-only database: %v, want ErrReadOnly", err)
	}
	if !strings.Contains(UserMessage(err), "read-only") {
		t.Fatalf("message %q", UserMessage(err))
	}
}

func TestCancelLeavesStoreAsItWas(t *testing.T) {
	_, db, keys := newVault(t)
	first := items(t, 0)[:10]
	db.Import(ctx, keys, src, seq(first), nil)
	cctx, cancel := context.WithCancel(ctx)
	_, err := db.Import(cctx, keys, src, seq(items(t, 3000)), func(done int) {
		if done == 1000 {
			cancel()
		}
	})
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
	c, _ := db.Load(ctx, keys)
	if len(c.Records) != 10 || c.RolledBack {
		t.Fatalf("%d records after a cancelled import, want 10", len(c.Records))
	}
}

func TestChangePasswordKeepsRecords(t *testing.T) {
	dir, db, keys := newVault(t)
	db.Import(ctx, keys, src, seq(items(t, 0)[:5]), nil)
	var before []byte
	rawDB(t, dir).QueryRow("SELECT group_concat(hex(body)) FROM resources").Scan(&before)
	slot, err := keys.AddSlot(password(t, "new password"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceSlots(ctx, vault.KindPassword, slot); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UnlockLocal(ctx, password(t, "correct horse")); !errors.Is(err, vault.ErrWrongSecret) {
		t.Fatalf("old password: %v", err)
	}
	k, err := db.UnlockLocal(ctx, password(t, "new password"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Destroy()
	var after []byte
	rawDB(t, dir).QueryRow("SELECT group_concat(hex(body)) FROM resources").Scan(&after)
	if !bytes.Equal(before, after) {
		t.Fatal("changing the password re-encrypted records")
	}
}
