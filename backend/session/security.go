package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// FreshFor is how long an unlock or a confirmation lets the session change
// how the record is protected (add or remove a passkey, a new password or
// recovery key) without being asked again.
const FreshFor = 5 * time.Minute

// ErrNotFresh means the change needs the person to confirm it is them.
var ErrNotFresh = errors.New("session: confirm it is you first")

// ErrNoPasskey means the vault has no passkey slot.
var ErrNoPasskey = errors.New("session: no passkey")

// ErrBadAutoLock means an auto-lock time outside 1 to MaxAutoLockMinutes.
var ErrBadAutoLock = errors.New("session: auto-lock time out of range")

// MaxAutoLockMinutes is the longest auto-lock time a patient may choose.
const MaxAutoLockMinutes = 240

// Method is one way into the vault, as the security settings list it.
type Method struct {
	Kind     string `json:"kind"` // "password", "recovery" or "passkey"
	ID       string `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Added    string `json:"added,omitempty"`
	LastUsed string `json:"lastUsed,omitempty"`
}

// Security is the security settings page's view.
type Security struct {
	Methods         []Method `json:"methods"`
	AutoLockMinutes int      `json:"autoLockMinutes"`
	FreshUntil      string   `json:"freshUntil"`
}

// PasskeyOf is a prf slot's method; ok is false for other slots.
func PasskeyOf(s vault.Slot) (Method, bool) {
	if s.Kind != vault.KindPRF {
		return Method{}, false
	}
	m := Method{Kind: "passkey", ID: s.ID}
	if p := s.Passkey; p != nil {
		m.Name = p.Name
		if !p.Added.IsZero() {
			m.Added = p.Added.UTC().Format(time.RFC3339)
		}
		if !p.LastUsed.IsZero() {
			m.LastUsed = p.LastUsed.UTC().Format(time.RFC3339)
		}
	}
	return m, true
}

// Passkeys returns the vault's passkey slots (public: what an unlock
// ceremony needs before anything is unlocked).
func (m *Manager) Passkeys(ctx context.Context) ([]vault.Slot, error) {
	db := m.database()
	if db == nil {
		return nil, ErrNoVault
	}
	slots, err := db.Slots(ctx)
	if err != nil {
		return nil, err
	}
	var out []vault.Slot
	for _, s := range slots {
		if s.Kind == vault.KindPRF {
			out = append(out, s)
		}
	}
	return out, nil
}

// CheckAttempts says whether the client from may try a secret now.
func (m *Manager) CheckAttempts(ctx context.Context, from string) error {
	db := m.database()
	if db == nil {
		return ErrNoVault
	}
	return db.CheckAttempts(ctx, from, m.now())
}

// Proof turns a passkey's assertion into the secret that opens its slot,
// checking the assertion against the slots first; it returns the slot as
// it should be kept afterwards (its new sign count, when it was used).
type Proof func(slots []vault.Slot) (vault.Unwrapper, vault.Slot, error)

// UnlockPasskey opens the vault with a passkey, counting the try against
// from as for a password, and issues a token.
func (m *Manager) UnlockPasskey(ctx context.Context, from string, prove Proof) (string, error) {
	db := m.database()
	if db == nil {
		return "", ErrNoVault
	}
	keys, err := m.provePasskey(ctx, db, from, prove)
	if err != nil {
		return "", err
	}
	return m.openWith(ctx, db, keys)
}

func (m *Manager) provePasskey(ctx context.Context, db *store.DB, from string, prove Proof) (*vault.Keys, error) {
	var used vault.Slot
	keys, err := db.UnlockWith(ctx, from, m.now(), func(slots []vault.Slot) (vault.Unwrapper, error) {
		u, s, err := prove(slots)
		used = s
		return u, err
	})
	if err != nil {
		return nil, err
	}
	if used.Passkey != nil {
		used.Passkey.LastUsed = m.now()
		if err := db.PutSlot(context.WithoutCancel(ctx), used); err != nil {
			keys.Destroy()
			return nil, fmt.Errorf("keep the passkey's sign count: %w", err)
		}
	}
	return keys, nil
}

// VaultID is the vault's id, "" when there is none.
func (m *Manager) VaultID() string {
	if db := m.database(); db != nil {
		return db.VaultID()
	}
	return ""
}

func (m *Manager) database() *store.DB {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.db
}

// fresh is the holder of tok's open vault when the session is fresh; the
// caller holds mu.
func (m *Manager) freshLocked(tok string) (*vault.Keys, error) {
	if m.keys == nil || !m.valid(tok) {
		return nil, ErrUnauthorised
	}
	// The demo lets any token read (valid says so) but holds none: no
	// session there is ever fresh, so the demo's security never changes.
	t := m.tokens[hashToken(tok)]
	if t == nil || m.now().Sub(t.fresh) >= FreshFor {
		return nil, ErrNotFresh
	}
	m.use(tok)
	return m.keys, nil
}

// Security returns the security settings for the holder of tok.
func (m *Manager) Security(ctx context.Context, tok string) (Security, error) {
	m.mu.Lock()
	if m.keys == nil || !m.valid(tok) {
		m.mu.Unlock()
		return Security{}, ErrUnauthorised
	}
	var fresh time.Time // the demo's tokens are not held: never fresh
	if t := m.tokens[hashToken(tok)]; t != nil {
		fresh = t.fresh
	}
	idle, db := m.idle, m.db
	m.mu.Unlock()
	slots, err := db.Slots(ctx)
	if err != nil {
		return Security{}, err
	}
	out := Security{Methods: []Method{}, AutoLockMinutes: int(idle.Minutes())}
	if until := fresh.Add(FreshFor); until.After(m.now()) {
		out.FreshUntil = until.UTC().Format(time.RFC3339)
	}
	for _, s := range slots {
		switch s.Kind {
		case vault.KindPassword:
			out.Methods = append(out.Methods, Method{Kind: "password"})
		case vault.KindRecovery:
			out.Methods = append(out.Methods, Method{Kind: "recovery"})
		case vault.KindPRF:
			p, _ := PasskeyOf(s)
			out.Methods = append(out.Methods, p)
		case vault.KindKEK:
			// The organisation's records key (or, for the demo, the
			// server's): the patient is told someone else can open it.
			out.Methods = append(out.Methods, Method{Kind: "organisation"})
		}
	}
	return out, nil
}

// Confirm makes the holder of tok's session fresh again with a password
// (counted as a guess like an unlock).
func (m *Manager) Confirm(ctx context.Context, tok string, s Secret) (time.Time, error) {
	db, err := m.openFor(tok)
	if err != nil {
		return time.Time{}, err
	}
	keys, err := db.Unlock(ctx, vault.NewPassword(s.Password), s.From, m.now())
	if err != nil {
		return time.Time{}, err
	}
	keys.Destroy()
	return m.refresh(tok)
}

// ConfirmPasskey is Confirm with a passkey.
func (m *Manager) ConfirmPasskey(ctx context.Context, tok, from string, prove Proof) (time.Time, error) {
	db, err := m.openFor(tok)
	if err != nil {
		return time.Time{}, err
	}
	keys, err := m.provePasskey(ctx, db, from, prove)
	if err != nil {
		return time.Time{}, err
	}
	keys.Destroy()
	return m.refresh(tok)
}

func (m *Manager) openFor(tok string) (*store.DB, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil || !m.valid(tok) {
		return nil, ErrUnauthorised
	}
	return m.db, nil
}

func (m *Manager) refresh(tok string) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil || !m.valid(tok) {
		return time.Time{}, ErrUnauthorised
	}
	t := m.tokens[hashToken(tok)]
	if t == nil {
		return time.Time{}, ErrNotFresh // the demo: no session to make fresh
	}
	t.fresh = m.now()
	m.use(tok)
	return t.fresh.Add(FreshFor), nil
}

// change runs fn with the open vault's keys and store when the holder of
// tok's session is fresh. fn runs outside mu; a Lock meanwhile destroys
// the keys, so fn copies what it needs first (AddSlot does).
func (m *Manager) change(tok string, fn func(keys *vault.Keys, db *store.DB) error) error {
	m.mu.Lock()
	keys, err := m.freshLocked(tok)
	db, gen := m.db, m.gen
	m.mu.Unlock()
	if err != nil {
		return err
	}
	if err := fn(keys, db); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.gen != gen {
		return ErrLockedWhileOpening
	}
	return nil
}

// AddPasskey adds a passkey slot for a credential whose PRF output (from
// input) the page's ceremony returned. The output is the caller's to zero.
func (m *Manager) AddPasskey(tok string, credentialID, input, output []byte, p vault.Passkey) (vault.Slot, error) {
	var slot vault.Slot
	p.Name = passkeyName(p.Name)
	p.Added = m.now()
	err := m.change(tok, func(keys *vault.Keys, db *store.DB) error {
		w, err := vault.NewPRF(credentialID, input, output)
		if err != nil {
			return err
		}
		s, err := keys.AddSlot(w)
		if err != nil {
			return err
		}
		s.Passkey = &p
		if err := db.PutSlot(context.Background(), s); err != nil {
			return err
		}
		slot = s
		return nil
	})
	return slot, err
}

// passkeyName is the name to keep: trimmed, at most vault.MaxPasskeyName
// bytes of whole characters, "Passkey" when empty.
func passkeyName(name string) string {
	name = strings.TrimSpace(name)
	for len(name) > vault.MaxPasskeyName {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" {
		return "Passkey"
	}
	return name
}

// RenamePasskey renames the passkey whose slot id is id.
func (m *Manager) RenamePasskey(ctx context.Context, tok, id, name string) (Method, error) {
	var out Method
	err := m.change(tok, func(_ *vault.Keys, db *store.DB) error {
		s, err := slotByID(ctx, db, id)
		if err != nil {
			return err
		}
		s.Passkey.Name = passkeyName(name)
		if err := db.PutSlot(ctx, s); err != nil {
			return err
		}
		out, _ = PasskeyOf(s)
		return nil
	})
	return out, err
}

func slotByID(ctx context.Context, db *store.DB, id string) (vault.Slot, error) {
	slots, err := db.Slots(ctx)
	if err != nil {
		return vault.Slot{}, err
	}
	for _, s := range slots {
		if s.ID == id && s.Kind == vault.KindPRF && s.Passkey != nil {
			return s, nil
		}
	}
	return vault.Slot{}, store.ErrNoSuchSlot
}

// RemovePasskey removes a passkey; the last way in besides the recovery
// key is refused (store.ErrLastWayIn).
func (m *Manager) RemovePasskey(ctx context.Context, tok, id string) error {
	return m.change(tok, func(_ *vault.Keys, db *store.DB) error {
		if _, err := slotByID(ctx, db, id); err != nil {
			return err
		}
		return db.RemoveSlot(ctx, id)
	})
}

// SetPassword sets or changes the password.
func (m *Manager) SetPassword(ctx context.Context, tok string, password []byte) error {
	if utf8.RuneCount(password) < MinPassword {
		return ErrShortPassword
	}
	return m.change(tok, func(keys *vault.Keys, db *store.DB) error {
		s, err := keys.AddSlot(vault.NewPassword(password))
		if err != nil {
			return err
		}
		return db.ReplaceSlots(ctx, vault.KindPassword, s)
	})
}

// RemovePassword removes the password, when a passkey remains.
func (m *Manager) RemovePassword(ctx context.Context, tok string) error {
	return m.change(tok, func(_ *vault.Keys, db *store.DB) error {
		return db.RemoveKind(ctx, vault.KindPassword)
	})
}

// NewRecoveryKey replaces the recovery key and returns the new one, to be
// shown once; the old one stops working.
func (m *Manager) NewRecoveryKey(ctx context.Context, tok string) (string, error) {
	var display string
	err := m.change(tok, func(keys *vault.Keys, db *store.DB) error {
		rk, d := vault.NewRecoveryKey()
		defer rk.Destroy()
		s, err := keys.AddSlot(rk)
		if err != nil {
			return err
		}
		if err := db.ReplaceSlots(ctx, vault.KindRecovery, s); err != nil {
			return err
		}
		display = d
		return nil
	})
	return display, err
}

// SetAutoLock keeps the auto-lock time the patient chose and applies it.
func (m *Manager) SetAutoLock(ctx context.Context, tok string, minutes int) error {
	if minutes < 1 || minutes > MaxAutoLockMinutes {
		return ErrBadAutoLock
	}
	err := m.change(tok, func(_ *vault.Keys, db *store.DB) error {
		return db.SetAutoLockMinutes(ctx, minutes)
	})
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.idle = time.Duration(minutes) * time.Minute
	m.touch()
	return nil
}
