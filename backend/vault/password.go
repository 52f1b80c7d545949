package vault

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the Argon2id cost parameters stored in a password slot.
type Argon2Params struct {
	Memory  uint32 `json:"m"` // KiB
	Time    uint32 `json:"t"` // passes
	Threads uint8  `json:"p"` // lanes
}

// DefaultArgon2Params are used for new password slots: RFC 9106's second
// recommended option (64 MiB, 3 passes, 4 lanes), with a 16-byte salt and a
// 32-byte output.
var DefaultArgon2Params = Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 4}

// Limits on Argon2id parameters read from a slot, so a crafted slot cannot
// make Ward allocate absurd memory or spin for hours.
const (
	maxArgon2Memory = 4 * 1024 * 1024 // KiB: 4 GiB
	maxArgon2Time   = 100
)

func (p Argon2Params) check() error {
	switch {
	case p.Memory > maxArgon2Memory:
		return fmt.Errorf("vault: password slot asks Argon2id for %d MiB of memory, more than the %d MiB limit (the slot may have been tampered with)", p.Memory/1024, maxArgon2Memory/1024)
	case p.Time > maxArgon2Time:
		return fmt.Errorf("vault: password slot asks Argon2id for %d passes, more than the %d limit (the slot may have been tampered with)", p.Time, maxArgon2Time)
	case p.Time < 1, p.Threads < 1:
		return fmt.Errorf("vault: password slot has Argon2id passes %d and lanes %d; both must be at least 1", p.Time, p.Threads)
	case p.Memory < 8*uint32(p.Threads):
		return fmt.Errorf("vault: password slot has %d KiB of Argon2id memory; it must be at least 8 KiB per lane", p.Memory)
	}
	return nil
}

// Password is a Wrapper and Unwrapper for password slots. It keeps a
// reference to the password bytes, which stay the caller's to zero.
type Password struct {
	password []byte
	params   Argon2Params
	rand     io.Reader
}

// NewPassword returns a Password that wraps with DefaultArgon2Params.
// Unwrap always uses the parameters stored in the slot.
func NewPassword(password []byte) *Password {
	return &Password{password: password, params: DefaultArgon2Params}
}

// NewPasswordWithParams returns a Password that wraps with params, for raising
// the cost above the defaults (or, in tests, lowering it; NeedsRehash reports
// such slots).
func NewPasswordWithParams(password []byte, params Argon2Params) (*Password, error) {
	if err := params.check(); err != nil {
		return nil, err
	}
	return &Password{password: password, params: params}, nil
}

func (p *Password) key(salt []byte, a Argon2Params) []byte {
	return argon2.IDKey(p.password, salt, a.Time, a.Memory, a.Threads, DataKeySize)
}

// Wrap implements Wrapper.
func (p *Password) Wrap(vaultID string, dataKey []byte) (Slot, error) {
	if len(p.password) == 0 {
		return Slot{}, errors.New("vault: empty password")
	}
	r := randReader(p.rand)
	id, err := newSlotID(r)
	if err != nil {
		return Slot{}, err
	}
	params := p.params
	s := Slot{Kind: KindPassword, ID: id, KDF: KDFArgon2id, Argon2: &params, Salt: make([]byte, saltSize)}
	if _, err := io.ReadFull(r, s.Salt); err != nil {
		return Slot{}, fmt.Errorf("vault: making salt: %w", err)
	}
	wk := p.key(s.Salt, params)
	defer clear(wk)
	if err := sealSlot(&s, vaultID, wk, dataKey, r); err != nil {
		return Slot{}, err
	}
	return s, nil
}

// Unwrap implements Unwrapper. A wrong password gives an error wrapping
// ErrWrongSecret.
func (p *Password) Unwrap(vaultID string, s Slot) ([]byte, error) {
	if err := checkSlot(&s, KindPassword); err != nil {
		return nil, err
	}
	wk := p.key(s.Salt, *s.Argon2)
	defer clear(wk)
	return openSlot(&s, vaultID, wk)
}
