package vault

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/ward-health/ward/backend/crockford"
)

// Recovery key format
//
// A recovery key is 160 random bits written as 35 characters in 7 groups of
// 5, for example
//
//	7K3QM-0ZTX9-RW4DA-H2N8P-6FBCE-YJ5GV-1S0KM
//
// using Crockford's base32 alphabet (0-9 and A-Z without I, L, O and U). The
// first 32 characters are the 160-bit secret, big endian, 5 bits each. The
// last 3 are check characters:
//
//   - character 33 is Σ α^(i+1)·d_i over GF(32) (polynomial x^5+x^2+1, α=2)
//     for the 32 secret symbols d_i. Every single-character substitution and
//     every swap of two neighbouring, different secret characters changes
//     it, so those typos are always detected;
//   - characters 34 and 35 are the first 10 bits of
//     SHA-256("ward.vault recovery key check" | secret), which catch other
//     typos (two or more wrong characters) with probability about 1-2^-15.
//
// Parsing ignores case, spaces, and the separators - _ . and long dashes, and
// reads O as 0 and I and L as 1, as Crockford's base32 does.
const (
	recoverySecretSize = 20 // bytes: 160 bits
	recoveryDataChars  = 32
	recoveryChars      = recoveryDataChars + 3
	recoveryGroup      = 5
	recoveryCheckLabel = "ward.vault recovery key check"
	infoRecovery       = "ward.vault.v1 recovery slot"
)

// recoveryCheck computes the 3 check symbols for 32 secret symbols.
func recoveryCheck(sym *[recoveryChars]byte, secret []byte) (c0, c1, c2 byte) {
	c0 = crockford.Check(sym[:recoveryDataChars])
	h := sha256.New()
	h.Write([]byte(recoveryCheckLabel))
	h.Write(secret)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	v := uint16(sum[0])<<2 | uint16(sum[1])>>6
	return c0, byte(v >> 5), byte(v & 31)
}

// RecoveryKey is a high-entropy key the person writes down at set-up and can
// use if they forget their password. It is a Wrapper and Unwrapper for
// recovery slots. Its String method never shows the key.
type RecoveryKey struct {
	secret []byte
	rand   io.Reader
}

// NewRecoveryKey makes a random recovery key and returns it with the text to
// show the person once, in groups of 5 (see the format above). Ward should
// not store the display text anywhere.
func NewRecoveryKey() (*RecoveryKey, string) {
	k, s, err := newRecoveryKey(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand.Reader never fails (Go 1.24+)
	}
	return k, s
}

func newRecoveryKey(r io.Reader) (*RecoveryKey, string, error) {
	secret := make([]byte, recoverySecretSize)
	if _, err := io.ReadFull(r, secret); err != nil {
		return nil, "", fmt.Errorf("vault: making recovery key: %w", err)
	}
	return &RecoveryKey{secret: secret}, formatRecoveryKey(secret), nil
}

func formatRecoveryKey(secret []byte) string {
	var sym [recoveryChars]byte
	defer clear(sym[:])
	crockford.Encode(sym[:], secret, recoveryDataChars)
	sym[32], sym[33], sym[34] = recoveryCheck(&sym, secret)
	return crockford.Format(sym[:], recoveryGroup)
}

// ParseRecoveryKey reads a recovery key typed by a person. It ignores case,
// spaces and dashes. A mistyped key gives ErrRecoveryKeyTypo or
// ErrRecoveryKeyLength, whose messages are plain English for the person; no
// key derivation happens before the check characters match.
func ParseRecoveryKey(s string) (*RecoveryKey, error) {
	var sym [recoveryChars]byte
	defer clear(sym[:])
	ok, bad := crockford.Read(s, sym[:])
	if !ok {
		return nil, ErrRecoveryKeyLength
	}
	if bad {
		return nil, ErrRecoveryKeyTypo
	}
	secret, _ := crockford.Decode(sym[:recoveryDataChars], recoverySecretSize)
	c0, c1, c2 := recoveryCheck(&sym, secret)
	// Not secret-dependent in a useful way (a typo is the person's own), but
	// compare without early exit anyway.
	if (c0^sym[32])|(c1^sym[33])|(c2^sym[34]) != 0 {
		clear(secret)
		return nil, ErrRecoveryKeyTypo
	}
	return &RecoveryKey{secret: secret}, nil
}

// String implements fmt.Stringer without revealing the key.
func (k *RecoveryKey) String() string { return "vault.RecoveryKey(redacted)" }

// GoString implements fmt.GoStringer without revealing the key.
func (k *RecoveryKey) GoString() string { return k.String() }

// Destroy zeroes the key. Later Wrap and Unwrap calls fail with ErrLocked.
func (k *RecoveryKey) Destroy() {
	clear(k.secret)
	k.secret = nil
}

// Wrap implements Wrapper.
func (k *RecoveryKey) Wrap(vaultID string, dataKey []byte) (Slot, error) {
	if k.secret == nil {
		return Slot{}, ErrLocked
	}
	return wrapHKDF(KindRecovery, "", k.secret, nil, infoRecovery, vaultID, dataKey, k.rand)
}

// Unwrap implements Unwrapper. A recovery key that is well formed but not
// this vault's gives an error wrapping ErrWrongSecret.
func (k *RecoveryKey) Unwrap(vaultID string, s Slot) ([]byte, error) {
	if k.secret == nil {
		return nil, ErrLocked
	}
	return unwrapHKDF(KindRecovery, "", k.secret, infoRecovery, vaultID, s)
}

// wrapHKDF wraps dataKey in a new slot of kind whose wrapping key is
// HKDF-SHA256(secret, salt, info). An empty id means a random one; a nil salt
// means a random 16-byte one.
func wrapHKDF(kind SlotKind, id string, secret, salt []byte, info, vaultID string, dataKey []byte, r io.Reader) (Slot, error) {
	r = randReader(r)
	if id == "" {
		var err error
		if id, err = newSlotID(r); err != nil {
			return Slot{}, err
		}
	}
	s := Slot{Kind: kind, ID: id, KDF: KDFHKDFSHA256, Salt: salt}
	if s.Salt == nil {
		s.Salt = make([]byte, saltSize)
		if _, err := io.ReadFull(r, s.Salt); err != nil {
			return Slot{}, fmt.Errorf("vault: making salt: %w", err)
		}
	}
	wk := hkdfKey(secret, s.Salt, info)
	defer clear(wk)
	if err := sealSlot(&s, vaultID, wk, dataKey, r); err != nil {
		return Slot{}, err
	}
	return s, nil
}

// unwrapHKDF opens a slot made by wrapHKDF. A non-empty id must match.
func unwrapHKDF(kind SlotKind, id string, secret []byte, info, vaultID string, s Slot) ([]byte, error) {
	if err := checkSlot(&s, kind); err != nil {
		return nil, err
	}
	if id != "" && s.ID != id {
		return nil, fmt.Errorf("%w: %s slot %s", ErrSlotMismatch, kind, s.ID)
	}
	if len(secret) == 0 {
		return nil, errors.New("vault: empty secret")
	}
	wk := hkdfKey(secret, s.Salt, info)
	defer clear(wk)
	return openSlot(&s, vaultID, wk)
}
