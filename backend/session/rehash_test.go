package session

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

func slotsOf(t *testing.T, db *store.DB, kind vault.SlotKind) []vault.Slot {
	t.Helper()
	slots, err := db.Slots(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []vault.Slot
	for _, s := range slots {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

// TestRehashPassword: a password slot wrapped with weaker Argon2id
// parameters than today's is rewrapped with today's at the next sign-in,
// once, and the password still opens the record.
func TestRehashPassword(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t, "Riverside", nil) // 1 MiB, one pass
	m, tok := open(t, dir)
	before := slotsOf(t, m.database(), vault.KindPassword)
	if len(before) != 1 || !vault.NeedsRehash(before[0]) {
		t.Fatalf("test vault's password slot needs no rehash: %+v", before)
	}
	did, err := m.RehashPassword(ctx, tok, testPassword)
	if err != nil || !did {
		t.Fatalf("RehashPassword = %v, %v", did, err)
	}
	after := slotsOf(t, m.database(), vault.KindPassword)
	if len(after) != 1 || vault.NeedsRehash(after[0]) || *after[0].Argon2 != vault.DefaultArgon2Params {
		t.Fatalf("after rehash: %+v", after)
	}
	if did, err := m.RehashPassword(ctx, tok, testPassword); did || err != nil {
		t.Fatalf("second RehashPassword = %v, %v: want nothing to do", did, err)
	}
	m.Lock()
	if _, err := m.Unlock(ctx, Secret{Password: testPassword}); err != nil {
		t.Fatalf("the password after rehash: %v", err)
	}
	if _, err := m.Unlock(ctx, Secret{Password: []byte("not the password")}); err == nil {
		t.Fatal("a wrong password opened the rehashed slot")
	}
	// Only a fresh session may rewrap (as for any change to the ways in).
	m2, tok2 := open(t, newVault(t, "Riverside", nil))
	m2.mu.Lock()
	m2.tokens[hashToken(tok2)].fresh = time.Now().Add(-FreshFor - time.Second)
	m2.mu.Unlock()
	if _, err := m2.RehashPassword(ctx, tok2, testPassword); !errors.Is(err, ErrNotFresh) {
		t.Fatalf("stale session: %v, want ErrNotFresh", err)
	}
}

// TestOrganisationKey: the organisation's records key opens the vault once
// added, is one slot however often it is added, and the patient sees it.
func TestOrganisationKey(t *testing.T) {
	ctx := context.Background()
	m, tok := open(t, newVault(t, "Riverside", nil))
	kek, err := vault.LoadOrCreateKEK(filepath.Join(t.TempDir(), "records.key"))
	if err != nil {
		t.Fatal(err)
	}
	sec, err := m.Security(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	for _, me := range sec.Methods {
		if me.Kind == "organisation" {
			t.Fatal("an organisation method before any key was added")
		}
	}
	for range 2 {
		if err := m.AddOrganisationKey(ctx, tok, kek); err != nil {
			t.Fatal(err)
		}
	}
	keks := slotsOf(t, m.database(), vault.KindKEK)
	if len(keks) != 1 {
		t.Fatalf("%d kek slots, want 1", len(keks))
	}
	keys, err := vault.Unlock(m.VaultID(), keks, kek)
	if err != nil {
		t.Fatalf("the records key does not open the vault: %v", err)
	}
	keys.Destroy()
	sec, err = m.Security(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, me := range sec.Methods {
		found = found || me.Kind == "organisation"
	}
	if !found {
		t.Fatalf("Security does not tell the patient: %+v", sec.Methods)
	}
}
