package session

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// ErrExists means a vault is already set up.
var ErrExists = errors.New("session: a vault already exists")

// MinPassword is the shortest password Ward accepts.
const MinPassword = 8

// ErrShortPassword means the new password is too short.
var ErrShortPassword = fmt.Errorf("session: password shorter than %d characters", MinPassword)

// Create sets up a new vault in the folder, protected by password and by a
// recovery key that is returned once (as text to show the person) and never
// stored. The new vault is open for the returned token.
//
// Deriving the password's key takes a moment, so it is done outside mu (the
// page keeps asking for the status meanwhile); setup keeps two first runs
// from both creating. A Lock meanwhile does not stop it: there was no vault
// to lock, and the recovery key must reach the person.
func (m *Manager) Create(ctx context.Context, password []byte) (tok, recovery string, err error) {
	if utf8.RuneCount(password) < MinPassword {
		return "", "", ErrShortPassword
	}
	m.setup.Lock()
	defer m.setup.Unlock()
	m.mu.Lock()
	exists := m.db != nil || m.demo
	m.mu.Unlock()
	if exists {
		return "", "", ErrExists
	}
	rk, display := vault.NewRecoveryKey()
	defer rk.Destroy()
	db, keys, err := store.Create(m.dir, vault.NewPassword(password), rk)
	if err != nil {
		return "", "", err
	}
	v, err := loadView(ctx, db, keys)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.db = db // the vault exists now, opened or not
	if err != nil {
		keys.Destroy()
		return "", "", err
	}
	m.install(keys, v)
	if tok, err = m.issue(); err != nil {
		return "", "", err
	}
	return tok, display, nil
}

// install makes keys and v the open vault; the caller holds mu.
func (m *Manager) install(keys *vault.Keys, v *view) {
	m.keys, m.view = keys, v
	m.gen++
}

// Unlock opens the vault with the secret and returns a new session token.
// If the vault is already open, the secret must still be right: a second
// browser gets its own token only by knowing the password.
//
// Checking the secret, decrypting and building the view all happen
// outside mu. If another unlock opened the vault meanwhile, its view is
// kept and this one's thrown away, so there is one consistent state; if
// the vault was locked meanwhile, the lock wins: these keys are destroyed
// and the answer is ErrLockedWhileOpening (an ErrLocked).
func (m *Manager) Unlock(ctx context.Context, s Secret) (string, error) {
	m.mu.Lock()
	db := m.db
	m.mu.Unlock()
	if db == nil {
		return "", ErrNoVault
	}
	var u vault.Unwrapper
	if s.RecoveryKey != "" {
		rk, err := vault.ParseRecoveryKey(s.RecoveryKey)
		if err != nil {
			return "", err
		}
		defer rk.Destroy()
		u = rk
	} else {
		u = vault.NewPassword(s.Password)
	}
	// The store counts the guess against s.From before the key derivation
	// and with a context the client cannot cancel (store.DB.Unlock).
	keys, err := db.Unlock(ctx, u, s.From, m.now())
	if err != nil {
		if s.RecoveryKey != "" && (errors.Is(err, vault.ErrWrongSecret) || errors.Is(err, vault.ErrNoSlot)) {
			return "", fmt.Errorf("%w: %w", ErrWrongRecoveryKey, err)
		}
		return "", err
	}
	return m.openWith(ctx, db, keys)
}

// openWith makes keys (just unwrapped from db) the open vault, unless it
// is open already, and issues a token. Every unlock comes here (password,
// recovery key, passkey, activation), and merges the inbox on the way.
func (m *Manager) openWith(ctx context.Context, db *store.DB, keys *vault.Keys) (string, error) {
	m.mu.Lock()
	if m.keys != nil { // already open, with an equal key
		defer m.mu.Unlock()
		keys.Destroy()
		return m.issue()
	}
	gen := m.gen
	m.mu.Unlock()

	m.mergeInbox(ctx, db, keys) // what arrived while locked, before the view (inbox.go)
	v, err := loadView(ctx, db, keys)
	if m.afterLoad != nil {
		m.afterLoad()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case err != nil:
		keys.Destroy()
		return "", err
	case m.gen == gen:
		m.install(keys, v)
	case m.keys != nil: // another unlock finished first: keep its view
		keys.Destroy()
	default: // locked while this was loading
		keys.Destroy()
		return "", ErrLockedWhileOpening
	}
	return m.issue()
}
