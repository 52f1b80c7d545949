package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// An import that brings nothing new leaves the source's date and notices
// alone; one that changes something moves the date and keeps new notices.
func TestNothingNewKeepsTheDate(t *testing.T) {
	_, db, keys := newVault(t)
	its := items(t, 0)[:5]
	first := Source{Name: "Trust A", LastUpdated: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Notices: []string{"may not contain the entire record"}}
	if _, err := db.ImportBatch(ctx, keys, Batch{Source: first, Items: seq(its)}); err != nil {
		t.Fatal(err)
	}
	again := Source{Name: "Trust A", LastUpdated: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	res, err := db.ImportBatch(ctx, keys, Batch{Source: again, Items: seq(its)})
	if err != nil || res.New() {
		t.Fatalf("second import %+v, %v", res, err)
	}
	c, err := db.Load(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Sources[0]; !got.LastUpdated.Equal(first.LastUpdated) || len(got.Notices) != 1 || c.RolledBack {
		t.Fatalf("after nothing new: %+v (rolled back %v)", got, c.RolledBack)
	}
	changed := append([]Item{}, its...)
	changed[0].Raw = append([]byte(`{"language":"en",`), changed[0].Raw[1:]...)
	again.Notices = []string{"Client not authorized for Condition - Genomics", "may not contain the entire record"}
	if res, err := db.ImportBatch(ctx, keys, Batch{Source: again, Items: seq(changed)}); err != nil || res.Updated != 1 {
		t.Fatalf("changed import %+v, %v", res, err)
	}
	c, _ = db.Load(ctx, keys)
	// Each file's notices add up, once each.
	if got := c.Sources[0]; !got.LastUpdated.Equal(again.LastUpdated) || len(got.Notices) != 2 || c.RolledBack {
		t.Fatalf("after a change: %+v (rolled back %v)", got, c.RolledBack)
	}
}

// The patient check runs before anything is written: a refusal leaves the
// file byte for byte as it was, and the identity it saves is sealed with
// the row summary.
func TestPatientCheckBeforeAnyWrite(t *testing.T) {
	dir, db, keys := newVault(t)
	its := items(t, 0)[:5]
	keep := func(cur []byte) ([]byte, error) { return []byte(`{"names":[{"family":"Morgan"}]}`), nil }
	if _, err := db.ImportBatch(ctx, keys, Batch{Source: src, Items: seq(its), Patient: keep}); err != nil {
		t.Fatal(err)
	}
	before := fileBytes(t, dir)
	refuse := errors.New("someone else")
	var saw []byte
	_, err := db.ImportBatch(ctx, keys, Batch{Source: Source{Name: "Other"}, Items: seq(items(t, 0)), Patient: func(cur []byte) ([]byte, error) {
		saw = cur
		return nil, refuse
	}})
	if !errors.Is(err, refuse) || string(saw) != `{"names":[{"family":"Morgan"}]}` {
		t.Fatalf("err %v, saw %q", err, saw)
	}
	if !bytes.Equal(before, fileBytes(t, dir)) {
		t.Fatal("a refused batch changed the vault")
	}
	c, err := db.Load(ctx, keys)
	if err != nil || string(c.Patient) != `{"names":[{"family":"Morgan"}]}` || c.RolledBack {
		t.Fatalf("patient %q rolled back %v err %v", c.Patient, c.RolledBack, err)
	}
}

func fileBytes(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	for _, s := range []string{"", "-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, FileName+s))
		all = append(all, b...)
	}
	return all
}

// A vault with records but no saved patient is seeded from what it holds,
// inside the import's transaction, before the patient check.
func TestSeedForVaultsWithoutAPatient(t *testing.T) {
	_, db, keys := newVault(t)
	its := items(t, 0)[:5]
	if _, err := db.Import(ctx, keys, src, seq(its), nil); err != nil {
		t.Fatal(err)
	}
	var seen int
	var got []byte
	b := Batch{Source: src, Items: seq(its),
		Seed: func(stored []Record) ([]byte, error) {
			seen = len(stored)
			return []byte(`seeded`), nil
		},
		Patient: func(cur []byte) ([]byte, error) { got = cur; return cur, nil },
	}
	if _, err := db.ImportBatch(ctx, keys, b); err != nil {
		t.Fatal(err)
	}
	if seen != len(its) || string(got) != "seeded" {
		t.Fatalf("seed saw %d records, check got %q", seen, got)
	}
	seen = 0
	if _, err := db.ImportBatch(ctx, keys, b); err != nil || seen != 0 {
		t.Fatalf("seeded again (%d records): %v", seen, err)
	}
}
