package share

// Share codes: 100 random bits in Crockford base32 with a check character.

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"

	"github.com/ward-health/ward/backend/crockford"
)

// Share code format
//
// A share code is 100 random bits written as 21 characters, in groups of
// four, for example
//
//	M7ZD-0XWA-4T9R-HNBE-6PCF-J
//
// using Crockford's base32 alphabet (0-9 and A-Z without I, L, O and U), as
// the vault's recovery key and activation codes do. The first 20
// characters are the secret, big endian, 5 bits each (packed into 13 bytes
// whose last 4 bits are zero). The last is a check character,
// Σ α^(i+1)·d_i over GF(32) (polynomial x^5+x^2+1, α=2) for the 20 secret
// symbols d_i: every single-character substitution and every swap of two
// neighbouring, different characters changes it, and other typos are
// caught with probability 31/32. ParseCode finds a typo before any key
// derivation or database look-up. It ignores case, spaces and the
// separators - _ . and long dashes, and reads O as 0 and I and L as 1.
const (
	codeSecretSize = 13 // bytes holding the 100-bit secret
	codeDataChars  = 20 // 100 bits
	codeChars      = codeDataChars + 1
	codeGroup      = 4
)

// ErrBadCode is returned by ParseCode for a code that is the wrong length,
// has a character Ward does not use or whose check character does not
// match. It says nothing about any share: the check is public.
var ErrBadCode error = &CodeError{}

// CodeError is the type of ErrBadCode; its message is for the person
// typing the code.
type CodeError struct{}

func (*CodeError) Error() string {
	return "That code is not right: check each group of letters and numbers"
}

// Code is a share code. Its String method never shows it.
type Code struct {
	secret []byte
}

// NewCode makes a random share code and returns it with the text to send
// the clinician once. Ward stores neither.
func NewCode() (*Code, string) {
	c, s, err := newCode(rand.Reader)
	if err != nil {
		panic(err) // crypto/rand.Reader never fails (Go 1.24+)
	}
	return c, s
}

func newCode(r io.Reader) (*Code, string, error) {
	secret := make([]byte, codeSecretSize)
	if _, err := io.ReadFull(r, secret); err != nil {
		return nil, "", fmt.Errorf("share: making code: %w", err)
	}
	secret[codeSecretSize-1] &= 0xf0 // 100 bits, not 104
	return &Code{secret: secret}, formatCode(secret), nil
}

func formatCode(secret []byte) string {
	var sym [codeChars]byte
	defer clear(sym[:])
	crockford.Encode(sym[:], secret, codeDataChars)
	sym[codeDataChars] = crockford.Check(sym[:codeDataChars])
	return crockford.Format(sym[:], codeGroup)
}

// ParseCode reads a code typed by a person. A malformed or mistyped code
// gives ErrBadCode, before any key derivation.
func ParseCode(s string) (*Code, error) {
	var sym [codeChars]byte
	defer clear(sym[:])
	if ok, bad := crockford.Read(s, sym[:]); !ok || bad || crockford.Check(sym[:codeDataChars]) != sym[codeDataChars] {
		return nil, ErrBadCode
	}
	// 20 symbols fill 12 bytes and the top 4 bits of the 13th.
	secret, _ := crockford.Decode(sym[:codeDataChars], codeSecretSize)
	return &Code{secret: secret}, nil
}

// CanonicalCode is a code typed by a person in the form Ward shows it
// ("ABCD-EFGH-…", forgiving case, O/0, I/L/1, spaces and dashes), or s
// itself when it is not a share code. A SMART Health Link's passcode is
// the share's code, checked in this form.
func CanonicalCode(s string) string {
	c, err := ParseCode(s)
	if err != nil {
		return s
	}
	defer c.Destroy()
	return formatCode(c.secret)
}

// String implements fmt.Stringer without revealing the code.
func (c *Code) String() string { return "share.Code(redacted)" }

// GoString implements fmt.GoStringer without revealing the code.
func (c *Code) GoString() string { return c.String() }

// Destroy zeroes the code; it opens nothing afterwards.
func (c *Code) Destroy() {
	clear(c.secret)
	c.secret = nil
}

var errDestroyed = errors.New("share: code destroyed")
