package passwords

import (
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

const (
	// MinRunes follows NIST SP 800-63B's minimum for chosen passwords.
	MinRunes = 8
	// MaxRunes is generous for passphrases yet bounds the work Check does.
	MaxRunes = 128
	// MinScore is zxcvbn's "safely unguessable" level (about 10^8 guesses).
	MinScore = 3
)

// Check reports whether pw may be set as a new password. hints are things an
// attacker would try first for this account, such as its email and name;
// empty hints are ignored. The error is an Error; backend/words turns it
// into the sentence to show (with its Reason).
//
// Length counts runes, not bytes, so a phrase in any script is treated alike.
// Invalid UTF-8 is refused as guessable: it cannot have come from a form.
func Check(pw string, hints ...string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinRunes:
		return ErrTooShort
	case n > MaxRunes:
		return ErrTooLong
	case !utf8.ValidString(pw):
		return ErrGuessable
	}
	inputs := expandHints(hints)
	lower := strings.ToLower(pw)
	for _, h := range inputs {
		if lower == h {
			return ErrGuessable
		}
	}
	// zxcvbn's dictionaries include the common-password lists, so a
	// common password scores 0 or 1 here; no separate list is needed.
	if zxcvbn.PasswordStrength(pw, inputs).Score < MinScore {
		return ErrGuessable
	}
	return nil
}

// Strength is zxcvbn's score for pw, 0 (trivial) to 4 (very strong), for the
// API to echo while someone types. It does not apply Check's length rules.
// Passwords over MaxRunes score 0 rather than costing unbounded work.
func Strength(pw string, hints ...string) int {
	if utf8.RuneCountInString(pw) > MaxRunes {
		return 0
	}
	return zxcvbn.PasswordStrength(pw, expandHints(hints)).Score
}

// expandHints lower-cases the hints and adds their parts: the local part of
// an email and each word of a name, since "alice1990" is as guessable as
// "alice@example.org".
func expandHints(hints []string) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(strings.ToLower(s))
		if s != "" {
			out = append(out, s)
		}
	}
	for _, h := range hints {
		add(h)
		if local, _, ok := strings.Cut(h, "@"); ok {
			add(local)
		}
		if f := strings.FieldsFunc(h, isSep); len(f) > 1 {
			for _, w := range f {
				add(w)
			}
		}
	}
	return out
}

func isSep(r rune) bool {
	switch r {
	case ' ', '\t', '.', '-', '_', '@', '+':
		return true
	}
	return false
}
