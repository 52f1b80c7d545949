package store

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
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

// A batch read from inbox files deletes them in its own transaction: gone
// exactly when the records are stored, kept when the import fails.
func TestBatchDeletesItsInboxRows(t *testing.T) {
	_, db, keys := newVault(t)
	for _, b := range []string{"a", "b", "c"} {
		if err := db.PutInbox(ctx, []byte(b)); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := db.InboxWaiting(ctx)
	if err != nil || len(ids) != 3 {
		t.Fatalf("waiting %v, %v", ids, err)
	}
	its := items(t, 0)[:3]
	refuse := errors.New("someone else")
	tests := []struct {
		name    string
		b       Batch
		wantErr error
		left    []int64
	}{
		{"refused keeps the row", Batch{Source: src, Items: seq(its), InboxIDs: ids[:1], Patient: func([]byte) ([]byte, error) { return nil, refuse }}, refuse, ids},
		{"stored deletes the row", Batch{Source: src, Items: seq(its), InboxIDs: ids[:1]}, nil, ids[1:]},
		{"nothing new still deletes, missing ids ignored", Batch{Source: src, Items: seq(its), InboxIDs: []int64{ids[0], ids[1], 999}}, nil, ids[2:]},
	}
	for _, tt := range tests {
		_, err := db.ImportBatch(ctx, keys, tt.b)
		if !errors.Is(err, tt.wantErr) {
			t.Fatalf("%s: %v", tt.name, err)
		}
		left, err := db.InboxWaiting(ctx)
		if err != nil || !slices.Equal(left, tt.left) {
			t.Fatalf("%s: left %v, want %v (%v)", tt.name, left, tt.left, err)
		}
		if n, _ := db.InboxCount(ctx); n != len(tt.left) {
			t.Fatalf("%s: count %d", tt.name, n)
		}
	}
	c, err := db.Load(ctx, keys)
	if err != nil || len(c.Records) != 3 || c.RolledBack {
		t.Fatalf("load: %d records, rolled back %v, %v", len(c.Records), c.RolledBack, err)
	}
	it, err := db.InboxFile(ctx, ids[2])
	if err != nil || string(it.Sealed) != "c" || it.Received.IsZero() {
		t.Fatalf("file %+v, %v", it, err)
	}
	if _, err := db.InboxFile(ctx, ids[0]); !errors.Is(err, ErrNoInboxFile) {
		t.Fatalf("merged file: %v", err)
	}
}

func TestInboxProblems(t *testing.T) {
	_, db, _ := newVault(t)
	if p, err := db.InboxProblems(ctx); err != nil || p != nil {
		t.Fatalf("none yet: %v %v", p, err)
	}
	for range 3 {
		db.PutInbox(ctx, []byte("x"))
	}
	ids, _ := db.InboxWaiting(ctx)
	if err := db.SetInboxProblems(ctx, []int64{ids[0], ids[2], 999}); err != nil {
		t.Fatal(err)
	}
	if p, err := db.InboxProblems(ctx); err != nil || !slices.Equal(p, []int64{ids[0], ids[2]}) {
		t.Fatalf("problems %v, %v", p, err)
	}
	db.DeleteInbox(ctx, ids[0])
	if p, _ := db.InboxProblems(ctx); !slices.Equal(p, ids[2:]) {
		t.Fatalf("after delete: %v", p)
	}
	db.SetInboxProblems(ctx, nil)
	if p, _ := db.InboxProblems(ctx); p != nil {
		t.Fatalf("cleared: %v", p)
	}
}

func TestSwapSlots(t *testing.T) {
	dir := t.TempDir()
	inv, _ := vault.NewInvite()
	db, keys, err := Create(dir, inv)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	defer keys.Destroy()
	pw, _ := keys.AddSlot(password(t, "a new password"))
	rk, _ := vault.NewRecoveryKey()
	rs, _ := keys.AddSlot(rk)
	bad := pw
	bad.Wrapped = nil

	kinds := func() []vault.SlotKind {
		slots, err := db.Slots(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []vault.SlotKind
		for _, s := range slots {
			out = append(out, s.Kind)
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name   string
		remove []vault.SlotKind
		add    []vault.Slot
		want   error
		kinds  []vault.SlotKind
	}{
		{"malformed slot changes nothing", []vault.SlotKind{vault.KindInvite}, []vault.Slot{bad}, nil, []vault.SlotKind{vault.KindInvite}},
		{"nothing left is refused", []vault.SlotKind{vault.KindInvite}, nil, ErrLastWayIn, []vault.SlotKind{vault.KindInvite}},
		{"activate", []vault.SlotKind{vault.KindInvite}, []vault.Slot{pw, rs}, nil, []vault.SlotKind{vault.KindPassword, vault.KindRecovery}},
		{"second activation finds no invite", []vault.SlotKind{vault.KindInvite}, []vault.Slot{pw}, ErrNoSuchSlot, []vault.SlotKind{vault.KindPassword, vault.KindRecovery}},
	}
	for _, tt := range tests {
		err := db.SwapSlots(ctx, tt.remove, tt.add...)
		if tt.want != nil && !errors.Is(err, tt.want) || tt.want == nil && tt.name != "malformed slot changes nothing" && err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if tt.name == "malformed slot changes nothing" && err == nil {
			t.Fatalf("%s: no error", tt.name)
		}
		if got := kinds(); !slices.Equal(got, tt.kinds) {
			t.Fatalf("%s: slots %v, want %v", tt.name, got, tt.kinds)
		}
	}
	if _, err := db.UnlockLocal(ctx, inv); !errors.Is(err, vault.ErrNoSlot) {
		t.Fatalf("invite after swap: %v", err)
	}
	if k, err := db.UnlockLocal(ctx, rk); err != nil {
		t.Fatalf("recovery after swap: %v", err)
	} else {
		k.Destroy()
	}
}

func TestAddIdentityKeepsTheFirst(t *testing.T) {
	_, db, keys := newVault(t)
	r1, id1, _ := inbox.NewIdentity()
	r2, id2, _ := inbox.NewIdentity()
	if added, err := db.AddIdentity(ctx, keys, r1, id1); err != nil || !added {
		t.Fatalf("first: %v %v", added, err)
	}
	if added, err := db.AddIdentity(ctx, keys, r2, id2); err != nil || added {
		t.Fatalf("second: %v %v", added, err)
	}
	if got, _ := db.Recipient(ctx); got != r1 {
		t.Fatal("second identity replaced the first")
	}
	if got, err := db.Identity(ctx, keys); err != nil || !bytes.Equal(got, id1) {
		t.Fatalf("identity: %v", err)
	}
}
