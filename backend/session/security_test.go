package session

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// fakePRF is what an authenticator's PRF would give for this credential:
// the session layer only ever sees the output.
var (
	credID    = []byte("credential-0001")
	prfOutput = bytes.Repeat([]byte{7}, vault.PRFOutputSize)
)

// withPasskey proves a passkey by its PRF output alone (the WebAuthn
// checks are the API's and backend/passkey's, tested there).
func withPasskey(output []byte) Proof {
	return func(slots []vault.Slot) (vault.Unwrapper, vault.Slot, error) {
		for _, s := range slots {
			if s.Kind == vault.KindPRF {
				u, err := vault.NewPRF(credID, s.Salt, output)
				return u, s, err
			}
		}
		return nil, vault.Slot{}, ErrNoPasskey
	}
}

func TestSecuritySettings(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t, "Test", nil)
	m, tok := open(t, dir)
	clock := testNow
	m.now = func() time.Time { return clock }
	m.idle = time.Hour
	tok, err := m.Unlock(ctx, Secret{Password: testPassword, From: "owner"})
	if err != nil {
		t.Fatal(err)
	}

	// Fresh after unlocking: a passkey can be added.
	slot, err := m.AddPasskey(tok, credID, vault.NewPRFInput(), prfOutput, vault.Passkey{PublicKey: []byte{1, 2, 3}, Name: "  This laptop  ", RPID: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	if slot.ID != base64.RawURLEncoding.EncodeToString(credID) || slot.Passkey.Name != "This laptop" || !slot.Passkey.Added.Equal(clock) {
		t.Fatalf("slot = %+v", slot)
	}
	sec, err := m.Security(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, x := range sec.Methods {
		kinds[x.Kind]++
	}
	if kinds["password"] != 1 || kinds["recovery"] != 0 || kinds["passkey"] != 1 || sec.FreshUntil == "" {
		t.Fatalf("security = %+v", sec)
	}
	if st := m.Status(""); st.Passkeys != 1 {
		t.Errorf("status passkeys = %d", st.Passkeys)
	}

	// Six minutes on, changes need a confirmation.
	clock = clock.Add(FreshFor + time.Minute)
	if err := m.SetPassword(ctx, tok, []byte("another good password")); !errors.Is(err, ErrNotFresh) {
		t.Fatalf("stale SetPassword = %v, want ErrNotFresh", err)
	}
	if _, err := m.Confirm(ctx, tok, Secret{Password: []byte("wrong password"), From: "owner"}); !errors.Is(err, vault.ErrWrongSecret) && !errors.Is(err, vault.ErrNoSlot) {
		t.Fatalf("confirm with a wrong password = %v", err)
	}
	if _, err := m.ConfirmPasskey(ctx, tok, "owner", withPasskey(prfOutput)); err != nil {
		t.Fatalf("confirm with the passkey: %v", err)
	}

	// The password can go now that a passkey can open the vault; the last
	// way in cannot.
	if err := m.RemovePassword(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := m.RemovePasskey(ctx, tok, slot.ID); !errors.Is(err, store.ErrLastWayIn) {
		t.Fatalf("removing the last way in = %v, want ErrLastWayIn", err)
	}
	renamed, err := m.RenamePasskey(ctx, tok, slot.ID, "Work phone")
	if err != nil || renamed.Name != "Work phone" {
		t.Fatalf("rename = %+v, %v", renamed, err)
	}
	recovery, err := m.NewRecoveryKey(ctx, tok)
	if err != nil || recovery == "" {
		t.Fatalf("new recovery key = %q, %v", recovery, err)
	}
	if err := m.SetAutoLock(ctx, tok, 30); err != nil {
		t.Fatal(err)
	}
	if err := m.SetAutoLock(ctx, tok, 0); !errors.Is(err, ErrBadAutoLock) {
		t.Errorf("auto-lock 0 = %v", err)
	}

	// A vault with only a passkey and a recovery key opens with each, and
	// with nothing else.
	m.Lock()
	if _, err := m.Unlock(ctx, Secret{Password: testPassword, From: "owner"}); err == nil {
		t.Fatal("the removed password still opens the vault")
	}
	if _, err := m.UnlockPasskey(ctx, "owner", withPasskey(bytes.Repeat([]byte{8}, 32))); err == nil {
		t.Fatal("a wrong PRF output opened the vault")
	}
	if _, err := m.UnlockPasskey(ctx, "owner", withPasskey(prfOutput)); err != nil {
		t.Fatalf("passkey unlock: %v", err)
	}
	m.Lock()
	if _, err := m.Unlock(ctx, Secret{RecoveryKey: recovery, From: "owner"}); err != nil {
		t.Fatalf("the new recovery key: %v", err)
	}
	m.Close()

	// The auto-lock time is the patient's, across restarts; the passkey's
	// last use was kept.
	m2, err := Open(dir, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if st := m2.Status(""); st.AutoLockMinutes != 30 {
		t.Errorf("auto-lock after reopening = %d, want 30", st.AutoLockMinutes)
	}
	ps, err := m2.Passkeys(ctx)
	if err != nil || len(ps) != 1 || ps[0].Passkey.LastUsed.IsZero() || ps[0].Passkey.Name != "Work phone" {
		t.Fatalf("passkeys after reopening = %+v, %v", ps, err)
	}
}

func TestWrongPasskeysSlowDown(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t, "Test", nil)
	m, tok := open(t, dir)
	if _, err := m.AddPasskey(tok, credID, vault.NewPRFInput(), prfOutput, vault.Passkey{PublicKey: []byte{1}, Name: "Key"}); err != nil {
		t.Fatal(err)
	}
	m.Lock()
	bad := func(slots []vault.Slot) (vault.Unwrapper, vault.Slot, error) {
		return nil, vault.Slot{}, ErrWrongPasskey // a bad signature, a replay
	}
	var err error
	for i := 0; i < 10; i++ {
		if _, err = m.UnlockPasskey(ctx, "stranger", bad); err == nil {
			t.Fatal("a failed proof unlocked")
		}
	}
	var wait *store.WaitError
	if !errors.As(err, &wait) {
		t.Fatalf("after 10 failed proofs: %v, want a wait", err)
	}
	if err := m.CheckAttempts(ctx, "stranger"); !errors.As(err, &wait) {
		t.Errorf("CheckAttempts for the stranger = %v, want a wait", err)
	}
	if err := m.CheckAttempts(ctx, "owner"); err != nil {
		t.Errorf("the owner is made to wait too: %v", err)
	}
	if _, err := m.UnlockPasskey(ctx, "owner", withPasskey(prfOutput)); err != nil {
		t.Errorf("the owner's passkey: %v", err)
	}
}
