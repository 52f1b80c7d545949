// Package crockford writes secrets for people to read aloud and type: 5-bit
// symbols in Crockford's base32 alphabet (0-9 and A-Z without I, L, O and
// U), in groups, with a weighted check symbol over GF(32) that catches every
// single wrong character and every swap of two neighbouring ones. The
// vault's recovery keys and activation codes and the share codes all use it;
// each adds its own check symbols and sizes.
package crockford

import "strings"

// Alphabet is Crockford's base32 alphabet.
const Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// value maps an input byte to its symbol, or 0xff. Lower case is read as
// upper case, O as 0 and I and L as 1, as Crockford's base32 does.
var value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(Alphabet); i++ {
		c := Alphabet[i]
		t[c] = byte(i)
		t[c|0x20] = byte(i) // lower case (no-op for digits)
	}
	for _, a := range []struct{ c, v byte }{{'O', 0}, {'o', 0}, {'I', 1}, {'i', 1}, {'L', 1}, {'l', 1}} {
		t[a.c] = a.v
	}
	return t
}()

// Value is c's symbol, or 0xff when c is not one (see Read).
func Value(c byte) byte { return value[c] }

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

// Check is Σ α^(i+1)·d_i over GF(32) (α = 2) for the symbols d_i: every
// single-symbol substitution and every swap of two neighbouring, different
// symbols changes it.
func Check(sym []byte) byte {
	var c byte
	w := byte(2) // α^1
	for _, d := range sym {
		c ^= gfMul(w, d)
		w = gfMul(w, 2)
	}
	return c
}

// Encode writes secret, big endian, as n 5-bit symbols into sym[:n]; bits
// past the secret's end are zero.
func Encode(sym []byte, secret []byte, n int) {
	at := func(i int) byte {
		if i < len(secret) {
			return secret[i]
		}
		return 0
	}
	for i := 0; i < n; i++ {
		bit := i * 5
		v := uint16(at(bit/8))<<8 | uint16(at(bit/8+1))
		sym[i] = byte(v>>(11-bit%8)) & 31
	}
}

// Decode reads size bytes from the 5-bit symbols sym, big endian. The bits
// left over after the last whole byte are returned in rest (their count is
// len(sym)*5 - size*8 when that is under 8); a last partial byte is filled
// from them, zero-padded, when the symbols run past size*8 bits by less
// than a byte but size asks for it.
func Decode(sym []byte, size int) (secret []byte, rest byte) {
	secret = make([]byte, size)
	var acc uint32
	bits, j := 0, 0
	for _, s := range sym {
		acc = acc<<5 | uint32(s)
		bits += 5
		if bits >= 8 && j < size {
			bits -= 8
			secret[j] = byte(acc >> bits)
			j++
		}
	}
	if j < size && bits > 0 { // a last byte the symbols only partly fill
		secret[j] = byte(acc << (8 - bits))
		return secret, 0
	}
	return secret, byte(acc) & (1<<bits - 1)
}

// Format writes symbols as text, a dash between groups of group.
func Format(sym []byte, group int) string {
	var b strings.Builder
	b.Grow(len(sym) + len(sym)/group)
	for i, v := range sym {
		if i > 0 && i%group == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(Alphabet[v])
	}
	return b.String()
}

// Read reads typed text into sym, skipping spaces and the separators
// - _ . and long dashes. ok is false when the text has other than
// len(sym) symbols; bad is true when a character is not in the alphabet
// (its symbol reads as 0). Text longer than 4 bytes a symbol is refused
// without being read.
func Read(s string, sym []byte) (ok, bad bool) {
	if len(s) > 4*len(sym) {
		return false, false
	}
	n := 0
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '-', '_', '.', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212', '\u00a0':
			continue
		}
		if n == len(sym) {
			return false, bad
		}
		v := byte(0xff)
		if r < 0x80 {
			v = value[r]
		}
		if v == 0xff {
			bad, v = true, 0
		}
		sym[n] = v
		n++
	}
	return n == len(sym), bad
}
