package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/ward-health/ward/backend/inbox"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// Invited vaults
//
// On an accounts server an administrator invites a patient before the
// patient has a password: CreateInvited makes the vault with one key slot,
// wrapped under a one-time activation code (vault.Invite), and an inbox
// identity, and forgets the keys. Records can then arrive with Deliver,
// sealed to the vault's inbox recipient, with no keys at all. The patient
// activates with the code and a password of their own: Activate replaces the
// invite slot with a password slot and a recovery key slot in one store
// transaction, so the code stops working the moment the password starts,
// and opens the vault, merging what arrived.

// ErrWrongInvite comes with vault.ErrWrongSecret (a code that is not this
// vault's) or vault.ErrNoSlot (the vault is activated already, so no code
// opens it) when Activate is refused, so the words can say which secret
// was wrong.
var ErrWrongInvite = errors.New("session: wrong or used activation code")

// activationPassword makes the new password's wrapper: vault.NewPassword,
// with Ward's default Argon2id cost (tests make it cheaper).
var activationPassword = func(password []byte) vault.Wrapper { return vault.NewPassword(password) }

// CreateInvited sets up a new vault in dir whose only key slot is inv's,
// with an inbox identity so that records can be delivered before the
// patient activates. The vault is left locked (its keys destroyed); the
// caller keeps inv.LookupHash() to find it again and gives the patient the
// code. It refuses a folder that already holds a vault (store.ErrExists).
func CreateInvited(ctx context.Context, dir string, inv *vault.Invite) (vaultID string, err error) {
	if inv == nil {
		return "", errors.New("session: no activation code")
	}
	db, keys, err := store.Create(dir, inv)
	if err != nil {
		return "", err
	}
	defer keys.Destroy()
	vaultID = db.VaultID()
	rcpt, ident, err := inbox.NewIdentity()
	if err == nil {
		err = db.SetIdentity(ctx, keys, rcpt, ident)
		clear(ident)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// Made a moment ago and holding nothing: take it away, so the
		// invite can simply be made again.
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(filepath.Join(dir, store.FileName+suffix))
		}
		return "", fmt.Errorf("create invited vault in %s: %w", dir, err)
	}
	return vaultID, nil
}

// Activate opens the invited vault with its activation code and makes it
// the patient's own: in one store transaction it adds a password slot (for
// password) and a new recovery key slot, and removes the invite slot. Then
// it opens the vault as Unlock does (merging the inbox) and returns a
// session token and the recovery key, to be shown once.
//
// A code that does not parse gives vault.ErrBadInvite before any work or
// counting. A well-formed but wrong code is counted against from like a
// wrong password (the store's throttle, store.DB.Unlock), and so is a
// second activation: the invite slot is gone, and the answer is
// ErrWrongInvite with vault.ErrNoSlot.
//
// If the vault was activated but then could not be opened (a Lock came
// while it was loading), the error comes with the recovery key anyway: the
// password works from now on, and the key must still reach the patient.
func (m *Manager) Activate(ctx context.Context, code string, password []byte, from string) (tok, recovery string, err error) {
	if utf8.RuneCount(password) < MinPassword {
		return "", "", ErrShortPassword
	}
	inv, err := vault.ParseInvite(code)
	if err != nil {
		return "", "", err
	}
	defer inv.Destroy()
	db := m.database()
	if db == nil || m.demo {
		return "", "", ErrNoVault
	}
	keys, recovery, err := m.activate(ctx, db, inv, password, from)
	if err != nil {
		return "", "", err
	}
	tok, err = m.openWith(ctx, db, keys)
	if err != nil {
		return "", recovery, err
	}
	return tok, recovery, nil
}

// activate swaps the slots and returns the keys; one activation at a time
// (setup), and the swap itself only succeeds while the invite slot is
// there, so two racing activations cannot both set a password.
func (m *Manager) activate(ctx context.Context, db *store.DB, inv *vault.Invite, password []byte, from string) (*vault.Keys, string, error) {
	m.setup.Lock()
	defer m.setup.Unlock()
	keys, err := db.Unlock(ctx, inv, from, m.now())
	if err != nil {
		if errors.Is(err, vault.ErrWrongSecret) || errors.Is(err, vault.ErrNoSlot) {
			err = fmt.Errorf("%w: %w", ErrWrongInvite, err)
		}
		return nil, "", err
	}
	pw, err := keys.AddSlot(activationPassword(password))
	if err != nil {
		keys.Destroy()
		return nil, "", err
	}
	rk, display := vault.NewRecoveryKey()
	defer rk.Destroy()
	rs, err := keys.AddSlot(rk)
	if err != nil {
		keys.Destroy()
		return nil, "", err
	}
	// Once the code has opened the vault, the swap goes ahead even if the
	// client hangs up: half an activation is not a state to leave.
	err = db.SwapSlots(context.WithoutCancel(ctx), []vault.SlotKind{vault.KindInvite}, pw, rs)
	if err != nil {
		keys.Destroy()
		if errors.Is(err, store.ErrNoSuchSlot) {
			return nil, "", fmt.Errorf("%w: %w: %w", ErrWrongInvite, vault.ErrNoSlot, err)
		}
		return nil, "", err
	}
	return keys, display, nil
}
