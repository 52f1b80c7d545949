package share

// Share codes: 100 random bits in Crockford base32 with a check character.

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
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
	crockford      = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
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

var crockfordValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(crockford); i++ {
		c := crockford[i]
		t[c] = byte(i)
		t[c|0x20] = byte(i)
	}
	for _, a := range []struct{ c, v byte }{{'O', 0}, {'o', 0}, {'I', 1}, {'i', 1}, {'L', 1}, {'l', 1}} {
		t[a.c] = a.v
	}
	return t
}()

// gfMul multiplies in GF(32) with the primitive polynomial x^5+x^2+1.
func gfMul(a, b byte) byte {
	var p byte
	for ; b != 0; b >>= 1 {
		if b&1 != 0 {
			p ^= a
		}
		a <<= 1
		if a&0x20 != 0 {
			a ^= 0x25
		}
	}
	return p
}

func codeCheck(sym *[codeChars]byte) byte {
	var c byte
	w := byte(2) // α^1
	for i := 0; i < codeDataChars; i++ {
		c ^= gfMul(w, sym[i])
		w = gfMul(w, 2)
	}
	return c
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
	for i := 0; i < codeDataChars; i++ {
		bit := i * 5
		v := uint16(secret[bit/8]) << 8
		if bit/8+1 < len(secret) {
			v |= uint16(secret[bit/8+1])
		}
		sym[i] = byte(v>>(11-bit%8)) & 31
	}
	sym[codeDataChars] = codeCheck(&sym)
	var b strings.Builder
	b.Grow(codeChars + codeChars/codeGroup)
	for i, v := range sym {
		if i > 0 && i%codeGroup == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(crockford[v])
	}
	return b.String()
}

// ParseCode reads a code typed by a person. A malformed or mistyped code
// gives ErrBadCode, before any key derivation.
func ParseCode(s string) (*Code, error) {
	if len(s) > 4*codeChars {
		return nil, ErrBadCode
	}
	var sym [codeChars]byte
	defer clear(sym[:])
	n, bad := 0, false
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '-', '_', '.', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212', '\u00a0':
			continue
		}
		if n == codeChars {
			return nil, ErrBadCode
		}
		v := byte(0xff)
		if r < 0x80 {
			v = crockfordValue[r]
		}
		if v == 0xff {
			bad, v = true, 0
		}
		sym[n] = v
		n++
	}
	if n != codeChars || bad || codeCheck(&sym) != sym[codeDataChars] {
		return nil, ErrBadCode
	}
	secret := make([]byte, codeSecretSize)
	var acc uint32
	bits, j := 0, 0
	for i := 0; i < codeDataChars; i++ {
		acc = acc<<5 | uint32(sym[i])
		bits += 5
		if bits >= 8 {
			bits -= 8
			secret[j] = byte(acc >> bits)
			j++
		}
	}
	secret[j] = byte(acc << (8 - bits)) // the last 4 bits, then 4 zero bits
	return &Code{secret: secret}, nil
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
