package vault

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/ward-health/ward/backend/crockford"
	"regexp"
	"strings"
	"testing"
)

var recoveryFormat = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){6}$`)

func TestRecoveryKeyFormatRoundTrip(t *testing.T) {
	r := seeded(7)
	for i := 0; i < 200; i++ {
		k, disp, err := newRecoveryKey(r)
		if err != nil {
			t.Fatal(err)
		}
		if !recoveryFormat.MatchString(disp) {
			t.Fatalf("display %q does not match the format", disp)
		}
		variants := []string{
			disp,
			strings.ToLower(disp),
			strings.ReplaceAll(disp, "-", ""),
			strings.ReplaceAll(disp, "-", " "),
			"  " + strings.ReplaceAll(disp, "-", " - ") + "\n",
			strings.NewReplacer("0", "O", "1", "I").Replace(disp),
			strings.NewReplacer("1", "l").Replace(disp),
			strings.ReplaceAll(disp, "-", "\u2013"),
		}
		for _, v := range variants {
			p, err := ParseRecoveryKey(v)
			if err != nil {
				t.Fatalf("ParseRecoveryKey(%q) of %q: %v", v, disp, err)
			}
			if !bytes.Equal(p.secret, k.secret) {
				t.Fatalf("ParseRecoveryKey(%q) gave a different secret", v)
			}
		}
	}
}

func TestRecoveryKeyEntropy(t *testing.T) {
	k, disp := NewRecoveryKey()
	if len(k.secret)*8 < 160 {
		t.Fatalf("recovery key has %d bits", len(k.secret)*8)
	}
	if fmt.Sprint(k) != "vault.RecoveryKey(redacted)" || fmt.Sprintf("%#v %+v", k, k) == disp || strings.Contains(fmt.Sprintf("%#v %+v", k, k), disp[:5]) {
		t.Fatal("recovery key printed")
	}
}

// Every single-character substitution (including characters outside the
// alphabet) in sample keys is detected.
func TestRecoveryKeyDetectsEverySubstitution(t *testing.T) {
	r := seeded(8)
	for n := 0; n < 5; n++ {
		_, disp, _ := newRecoveryKey(r)
		plain := strings.ReplaceAll(disp, "-", "")
		for i := 0; i < len(plain); i++ {
			for c := byte('!'); c <= '~'; c++ {
				if v := crockford.Value(c); v != 0xff && v == crockford.Value(plain[i]) {
					continue // same symbol (case or O/0, I/L/1 alias): not a typo
				}
				typo := plain[:i] + string(c) + plain[i+1:]
				if c == '-' || c == '.' || c == '_' {
					continue // separators are ignored; gives a length error instead
				}
				_, err := ParseRecoveryKey(typo)
				if !errors.Is(err, ErrRecoveryKeyTypo) {
					t.Fatalf("substitution %q at %d in %s: err = %v", c, i, disp, err)
				}
			}
		}
	}
}

// Every swap of two neighbouring secret characters is detected; swaps that
// involve the check characters are detected with high probability (we count).
func TestRecoveryKeyDetectsTranspositions(t *testing.T) {
	r := seeded(9)
	missed, total := 0, 0
	for n := 0; n < 300; n++ {
		_, disp, _ := newRecoveryKey(r)
		b := []byte(strings.ReplaceAll(disp, "-", ""))
		for i := 0; i+1 < len(b); i++ {
			if b[i] == b[i+1] {
				continue
			}
			s := bytes.Clone(b)
			s[i], s[i+1] = s[i+1], s[i]
			_, err := ParseRecoveryKey(string(s))
			if i+1 < recoveryDataChars && err == nil {
				t.Fatalf("swap at %d in %s undetected", i, disp)
			}
			total++
			if err == nil {
				missed++
			}
		}
	}
	t.Logf("adjacent transpositions: %d of %d undetected", missed, total)
}

func TestRecoveryKeyDoubleErrorRate(t *testing.T) {
	r := seeded(10)
	missed, total := 0, 0
	for n := 0; n < 20000; n++ {
		_, disp, _ := newRecoveryKey(r)
		b := []byte(strings.ReplaceAll(disp, "-", ""))
		i, j := int(r.Uint64()%recoveryChars), int(r.Uint64()%recoveryChars)
		if i == j {
			continue
		}
		b[i] = crockford.Alphabet[(crockford.Value(b[i])+1+byte(r.Uint64()%31))%32]
		b[j] = crockford.Alphabet[(crockford.Value(b[j])+1+byte(r.Uint64()%31))%32]
		total++
		if _, err := ParseRecoveryKey(string(b)); err == nil {
			missed++
		}
	}
	t.Logf("two random substitutions: %d of %d undetected", missed, total)
	if missed > 2 {
		t.Fatalf("%d of %d double errors undetected; expected about 2^-15", missed, total)
	}
}

func TestParseRecoveryKeyErrors(t *testing.T) {
	_, disp, _ := newRecoveryKey(seeded(11))
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrRecoveryKeyLength},
		{disp[:len(disp)-1], ErrRecoveryKeyLength},
		{disp + "X", ErrRecoveryKeyLength},
		{strings.Repeat("A", 10000), ErrRecoveryKeyLength},
		{strings.Replace(disp, disp[:1], "U", 1), ErrRecoveryKeyTypo},
		{strings.Replace(disp, disp[:1], "é", 1), ErrRecoveryKeyTypo},
		{"\xff" + disp[1:], ErrRecoveryKeyTypo},
	}
	for _, tt := range tests {
		_, err := ParseRecoveryKey(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("ParseRecoveryKey(%.40q) = %v, want %v", tt.in, err, tt.want)
		}
	}
	if ErrRecoveryKeyTypo.Error() != "That recovery key has a typo: check each group" {
		t.Fatal(ErrRecoveryKeyTypo)
	}
}
