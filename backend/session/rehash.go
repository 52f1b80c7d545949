package session

import (
	"context"

	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// RehashPassword rewraps the password slot under today's Argon2id
// parameters (vault.DefaultArgon2Params) when it was wrapped with weaker
// ones (vault.NeedsRehash), so a raised cost reaches each account at its
// next sign-in. password is the one that just opened the vault for tok's
// fresh session; the record is not re-encrypted, only its key rewrapped.
// It reports whether it rewrapped.
func (m *Manager) RehashPassword(ctx context.Context, tok string, password []byte) (bool, error) {
	db := m.database()
	if db == nil {
		return false, ErrNoVault
	}
	slots, err := db.Slots(ctx)
	if err != nil {
		return false, err
	}
	need := false
	for _, s := range slots {
		need = need || (s.Kind == vault.KindPassword && vault.NeedsRehash(s))
	}
	if !need {
		return false, nil
	}
	err = m.change(tok, func(keys *vault.Keys, db *store.DB) error {
		s, err := keys.AddSlot(vault.NewPassword(password))
		if err != nil {
			return err
		}
		return db.ReplaceSlots(ctx, vault.KindPassword, s)
	})
	return err == nil, err
}

// AddOrganisationKey wraps the vault's key for the organisation's records
// key as well (a kek slot), on a server whose organisation chose to be able
// to read records at rest (the config's accounts.serverKeySlot). The
// patient sees it in Security settings. Adding it twice keeps one slot.
func (m *Manager) AddOrganisationKey(ctx context.Context, tok string, kek *vault.KEK) error {
	return m.change(tok, func(keys *vault.Keys, db *store.DB) error {
		s, err := keys.AddSlot(kek)
		if err != nil {
			return err
		}
		return db.ReplaceSlots(ctx, vault.KindKEK, s)
	})
}
