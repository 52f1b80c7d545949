package store

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ward-health/ward/backend/inbox"
	"github.com/ward-health/ward/backend/vault"
)

func TestInboxWithoutKeys(t *testing.T) {
	dir, db, keys := newVault(t)
	if _, err := db.Recipient(ctx); !errors.Is(err, ErrNoRecipient) {
		t.Fatalf("recipient before SetIdentity: %v", err)
	}
	rcpt, id, err := inbox.NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetIdentity(ctx, keys, rcpt, id); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// The server: reopen, no keys, read the recipient and file a record.
	db, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Recipient(ctx)
	if err != nil || got != rcpt {
		t.Fatalf("recipient %q, %v", got, err)
	}
	secret := []byte(`{"resourceType":"Patient","name":[{"text":"Robin Ash 9434765919"}]}`)
	sealed, err := inbox.Seal(got, "patient.json", secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutInbox(ctx, sealed); err != nil {
		t.Fatal(err)
	}
	if err := db.PutInbox(ctx, sealed); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal"} {
		raw, err := os.ReadFile(filepath.Join(dir, FileName+suffix))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"Robin Ash", "9434765919", "patient.json", string(id)} {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("%q in %s%s", s, FileName, suffix)
			}
		}
	}

	// The patient unlocks.
	items, err := db.Inbox(ctx)
	if err != nil || len(items) != 2 || !bytes.Equal(items[0].Sealed, sealed) || items[0].Received.IsZero() {
		t.Fatalf("inbox: %d items, %v", len(items), err)
	}
	ident, err := db.Identity(ctx, keys)
	if err != nil || !bytes.Equal(ident, id) {
		t.Fatalf("identity: %v", err)
	}
	name, r, err := inbox.Open(ident, bytes.NewReader(items[0].Sealed))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(r)
	if err != nil || name != "patient.json" || !bytes.Equal(plain, secret) {
		t.Fatalf("opened %q %q %v", name, plain, err)
	}
	if err := db.DeleteInbox(ctx, items[0].ID, 999); err != nil {
		t.Fatal(err)
	}
	if items, err = db.Inbox(ctx); err != nil || len(items) != 1 {
		t.Fatalf("after delete: %d items, %v", len(items), err)
	}
}

func TestInboxIdentityNeedsKeys(t *testing.T) {
	dir, db, keys := newVault(t)
	rcpt, id, _ := inbox.NewIdentity()
	if err := db.SetIdentity(ctx, keys, rcpt, id); err != nil {
		t.Fatal(err)
	}
	wrong, err := vault.New(db.VaultID())
	if err != nil {
		t.Fatal(err)
	}
	defer wrong.Destroy()
	if _, err := db.Identity(ctx, wrong); !errors.Is(err, vault.ErrIntegrity) {
		t.Fatalf("wrong keys: %v", err)
	}

	// Whoever can write the file swaps in their own recipient.
	other, _, _ := inbox.NewIdentity()
	raw := rawDB(t, dir)
	if _, err := raw.Exec("UPDATE meta SET value = ? WHERE name = 'inbox_recipient'", other); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Identity(ctx, keys); !errors.Is(err, ErrRecipientChanged) {
		t.Fatalf("swapped recipient: %v", err)
	}
}

func TestInboxMigratesOldVault(t *testing.T) {
	dir, db, _ := newVault(t)
	db.Close()
	raw := rawDB(t, dir)
	if _, err := raw.Exec("DROP TABLE inbox; PRAGMA user_version = 1"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PutInbox(ctx, []byte("x")); err != nil {
		t.Fatal(err)
	}
}
