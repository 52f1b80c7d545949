package store

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestDiskFull fills the database to SQLite's limit mid-import (a real
// SQLITE_FULL, via max_page_count) and checks the import is refused with a
// plain message while everything stored before stays readable.
func TestDiskFull(t *testing.T) {
	_, db, keys := newVault(t)
	first := items(t, 0)[:30]
	if _, err := db.Import(ctx, keys, src, seq(first), nil); err != nil {
		t.Fatal(err)
	}
	db.sql.SetMaxOpenConns(1) // the pragma below is per connection
	var pages int64
	if err := db.sql.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.sql.Exec("PRAGMA max_page_count = " + itoa(pages+5)); err != nil {
		t.Fatal(err)
	}
	_, err := db.Import(ctx, keys, Source{Name: "Big Trust"}, seq(items(t, 5000)), nil)
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("import into a full disk: %v, want ErrDiskFull", err)
	}
	if msg := UserMessage(err); !strings.Contains(msg, "disk is full") || !strings.Contains(msg, "Nothing has been changed") {
		t.Fatalf("message %q", msg)
	}
	c, err := db.Load(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Records) != len(first) || len(c.Failed) != 0 || c.RolledBack || len(c.Sources) != 1 {
		t.Fatalf("after a full disk: %d records, %d failed, %d sources", len(c.Records), len(c.Failed), len(c.Sources))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
