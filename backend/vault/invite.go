package vault

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/ward-health/ward/backend/crockford"
)

// Invite (activation) code format
//
// An administrator who sets up a vault for a patient gives them a one-time
// activation code: 128 random bits written as 28 characters in 7 groups of
// 4, for example
//
//	8KQ2-M7ZD-0XWA-4T9R-HNBE-6PCF-JY3S
//
// using Crockford's base32 alphabet (0-9 and A-Z without I, L, O and U), as
// the recovery key does. The first 26 characters are the 128-bit secret, big
// endian, 5 bits each, followed by two zero bits (the low 2 bits of the 26th
// character, which a parse checks). The last 2 are check characters:
//
//   - character 27 is Σ α^(i+1)·d_i over GF(32) (polynomial x^5+x^2+1, α=2)
//     for the 26 secret symbols d_i: every single-character substitution and
//     every swap of two neighbouring, different secret characters changes
//     it, so those typos are always detected;
//   - character 28 is the first 5 bits of
//     SHA-256("ward.vault invite code check" | secret), which with the two
//     padding bits catches other typos with probability about 1-2^-7.
//
// A typo is found by ParseInvite before any key derivation or database
// lookup. Parsing ignores case, spaces and the separators - _ . and long
// dashes, and reads O as 0 and I and L as 1.
//
// An invite slot's wrapping key is HKDF-SHA256(secret, slot salt,
// "ward.vault.v1 invite slot"): no Argon2id, since the secret has 128 bits
// of entropy. LookupHash is HKDF-SHA256(secret, no salt, "ward.vault.v1
// invite lookup"), a different label, so the accounts database, which
// keeps it to find the vault an invite is for, holds nothing that opens the
// slot.
const (
	inviteSecretSize = 16 // bytes: 128 bits
	inviteDataChars  = 26
	inviteChars      = inviteDataChars + 2
	inviteGroup      = 4
	inviteCheckLabel = "ward.vault invite code check"
	infoInvite       = "ward.vault.v1 invite slot"
	infoInviteLookup = "ward.vault.v1 invite lookup"
)

// ErrBadInvite is returned by ParseInvite for a code that is the wrong
// length, has a character Ward does not use or whose check characters do
// not match. Its message is meant for the person typing the code.
var ErrBadInvite = errors.New("That activation code is not right: check each group of letters and numbers")

// Invite is a one-time activation code: a Wrapper and Unwrapper for invite
// slots. Its String method never shows the code.
type Invite struct {
	secret []byte
	rand   io.Reader
}

// NewInvite makes a random activation code and returns it with the text to
// give the patient once (see the format above). Ward stores only the slot
// and LookupHash, never the text.
func NewInvite() (*Invite, string) {
	i, s, err := newInvite(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand.Reader never fails (Go 1.24+)
	}
	return i, s
}

func newInvite(r io.Reader) (*Invite, string, error) {
	secret := make([]byte, inviteSecretSize)
	if _, err := io.ReadFull(r, secret); err != nil {
		return nil, "", fmt.Errorf("vault: making activation code: %w", err)
	}
	return &Invite{secret: secret}, formatInvite(secret), nil
}

// inviteCheck computes the 2 check symbols for 26 secret symbols.
func inviteCheck(sym *[inviteChars]byte, secret []byte) (c0, c1 byte) {
	c0 = crockford.Check(sym[:inviteDataChars])
	h := sha256.New()
	h.Write([]byte(inviteCheckLabel))
	h.Write(secret)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return c0, sum[0] >> 3
}

func formatInvite(secret []byte) string {
	var sym [inviteChars]byte
	defer clear(sym[:])
	crockford.Encode(sym[:], secret, inviteDataChars)
	sym[26], sym[27] = inviteCheck(&sym, secret)
	return crockford.Format(sym[:], inviteGroup)
}

// ParseInvite reads an activation code typed by a person. It ignores case,
// spaces and dashes. A code that is malformed or mistyped gives
// ErrBadInvite, before any key derivation.
func ParseInvite(s string) (*Invite, error) {
	var sym [inviteChars]byte
	defer clear(sym[:])
	if ok, bad := crockford.Read(s, sym[:]); !ok || bad {
		return nil, ErrBadInvite
	}
	secret, pad := crockford.Decode(sym[:inviteDataChars], inviteSecretSize) // pad: the 2 bits after the secret
	c0, c1 := inviteCheck(&sym, secret)
	if pad|(c0^sym[26])|(c1^sym[27]) != 0 {
		clear(secret)
		return nil, ErrBadInvite
	}
	return &Invite{secret: secret}, nil
}

// String implements fmt.Stringer without revealing the code.
func (i *Invite) String() string { return "vault.Invite(redacted)" }

// GoString implements fmt.GoStringer without revealing the code.
func (i *Invite) GoString() string { return i.String() }

// Destroy zeroes the code. Later Wrap, Unwrap and LookupHash calls fail
// (LookupHash returns nil).
func (i *Invite) Destroy() {
	clear(i.secret)
	i.secret = nil
}

// LookupHash is a labelled hash of the code, HKDF-SHA256(secret, no salt,
// "ward.vault.v1 invite lookup") (32 bytes), for the accounts database's
// invites table: it finds the invite without storing the code, and cannot
// open the slot. It is nil after Destroy.
func (i *Invite) LookupHash() []byte {
	if i.secret == nil {
		return nil
	}
	return hkdfKey(i.secret, nil, infoInviteLookup)
}

// Wrap implements Wrapper.
func (i *Invite) Wrap(vaultID string, dataKey []byte) (Slot, error) {
	if i.secret == nil {
		return Slot{}, ErrLocked
	}
	return wrapHKDF(KindInvite, "", i.secret, nil, infoInvite, vaultID, dataKey, i.rand)
}

// Unwrap implements Unwrapper. A well-formed code that is not this vault's
// gives an error wrapping ErrWrongSecret; a vault with no invite slot
// (already activated) has only slots that are not for it, so Unlock gives
// ErrNoSlot.
func (i *Invite) Unwrap(vaultID string, s Slot) ([]byte, error) {
	if i.secret == nil {
		return nil, ErrLocked
	}
	return unwrapHKDF(KindInvite, "", i.secret, infoInvite, vaultID, s)
}
