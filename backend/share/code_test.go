package share

import (
	"bytes"
	"errors"
	"github.com/ward-health/ward/backend/crockford"
	"strings"
	"testing"
)

// Pinned vectors: the secret read from a fixed stream, and its text
// (checked against an independent Python implementation of the format).
func TestCodeVectors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"zeros", make([]byte, 13), "0000-0000-0000-0000-0000-0"},
		{"ones", bytes.Repeat([]byte{0xff}, 13), "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-A"},
		{"counting", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, "000G-40R4-0M30-E209-185G-M"},
		{"pattern", []byte{0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x5a}, "VTPV-XVR1-4D2P-F2DB-SQQN-V"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, text, err := newCode(bytes.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if text != tc.want {
				t.Errorf("text %s, want %s", text, tc.want)
			}
			if len(text) != 26 || strings.Count(text, "-") != 5 {
				t.Errorf("shape of %q", text)
			}
			p, err := ParseCode(text)
			if err != nil {
				t.Fatalf("parse %s: %v", text, err)
			}
			if !bytes.Equal(p.secret, c.secret) || c.secret[12]&0x0f != 0 {
				t.Errorf("round trip %x, want %x", p.secret, c.secret)
			}
		})
	}
}

func TestCodeForgiving(t *testing.T) {
	_, text := NewCode()
	want, err := ParseCode(text)
	if err != nil {
		t.Fatal(err)
	}
	plain := strings.ReplaceAll(text, "-", "")
	for _, in := range []string{
		strings.ToLower(text),
		plain,
		" " + strings.ReplaceAll(text, "-", " ") + "\n",
		strings.ReplaceAll(strings.ReplaceAll(text, "0", "O"), "1", "l"),
		strings.ReplaceAll(text, "1", "I"),
		strings.ReplaceAll(text, "-", "\u2013"),
	} {
		got, err := ParseCode(in)
		if err != nil || !bytes.Equal(got.secret, want.secret) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestCodeTypos(t *testing.T) {
	for range 50 {
		_, text := NewCode()
		plain := []byte(strings.ReplaceAll(text, "-", ""))
		// Every single substitution is caught.
		for i := range plain {
			for _, r := range crockford.Alphabet {
				if byte(r) == plain[i] {
					continue
				}
				b := bytes.Clone(plain)
				b[i] = byte(r)
				if _, err := ParseCode(string(b)); !errors.Is(err, ErrBadCode) {
					t.Fatalf("substitution at %d in %s not caught", i, plain)
				}
			}
		}
		// Every swap of two neighbouring, different characters is caught.
		for i := 0; i+1 < len(plain); i++ {
			if plain[i] == plain[i+1] {
				continue
			}
			b := bytes.Clone(plain)
			b[i], b[i+1] = b[i+1], b[i]
			if _, err := ParseCode(string(b)); !errors.Is(err, ErrBadCode) {
				t.Fatalf("swap at %d in %s not caught", i, plain)
			}
		}
	}
	for _, in := range []string{"", "ABCD", strings.Repeat("A", 22), "UUUU-UUUU-UUUU-UUUU-UUUU-U", strings.Repeat("-", 200)} {
		if _, err := ParseCode(in); !errors.Is(err, ErrBadCode) {
			t.Errorf("%q: %v, want ErrBadCode", in, err)
		}
	}
	var ce *CodeError
	if _, err := ParseCode("nope"); !errors.As(err, &ce) {
		t.Errorf("not a *CodeError: %T", err)
	}
}

func TestCodeRedacted(t *testing.T) {
	c, text := NewCode()
	for _, s := range []string{c.String(), c.GoString()} {
		if strings.Contains(s, text[:4]) {
			t.Errorf("%q shows the code", s)
		}
	}
	c.Destroy()
	if LookupHash(testLookupKey, c) != nil {
		t.Error("a destroyed code still hashes")
	}
}

func FuzzParseCode(f *testing.F) {
	_, text := NewCode()
	f.Add(text)
	f.Add(strings.ToLower(text))
	f.Add("0000-0000-0000-0000-0000-0")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s)
		if err != nil {
			if !errors.Is(err, ErrBadCode) {
				t.Fatalf("error %v is not ErrBadCode", err)
			}
			return
		}
		if len(c.secret) != codeSecretSize || c.secret[codeSecretSize-1]&0x0f != 0 {
			t.Fatalf("secret %x", c.secret)
		}
		again, err := ParseCode(formatCode(c.secret))
		if err != nil || !bytes.Equal(again.secret, c.secret) {
			t.Fatalf("%q: format does not parse back: %v", s, err)
		}
	})
}
