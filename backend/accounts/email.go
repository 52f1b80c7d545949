package accounts

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormaliseEmail gives the one form of an address that is hashed for lookup,
// so that case and Unicode composition never make two accounts of one inbox.
// Mixed scripts are refused because they make look-alike (confusable)
// addresses that a person reading the admin page could not tell apart.
func NormaliseEmail(s string) (string, error) {
	s = norm.NFC.String(strings.ToLower(strings.TrimSpace(s)))
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: not UTF-8", ErrBadEmail)
	}
	if len(s) > 254 {
		return "", fmt.Errorf("%w: longer than 254 bytes", ErrBadEmail)
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "", fmt.Errorf("%w: no @", ErrBadEmail)
	}
	local, domain := s[:at], s[at+1:]
	if local == "" || domain == "" {
		return "", fmt.Errorf("%w: empty local part or domain", ErrBadEmail)
	}
	if strings.Contains(local, "@") {
		return "", fmt.Errorf("%w: more than one @", ErrBadEmail)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError {
			return "", fmt.Errorf("%w: control character or space", ErrBadEmail)
		}
	}
	for _, part := range []string{local, domain} {
		if err := oneScript(part); err != nil {
			return "", err
		}
	}
	// Lower-casing after NFC can in rare cases un-normalise; settle it so
	// the result is a fixed point.
	if again := norm.NFC.String(strings.ToLower(s)); again != s {
		return NormaliseEmail(again)
	}
	return s, nil
}

// oneScript refuses a part whose letters come from more than one script.
func oneScript(part string) error {
	seen := ""
	for _, r := range part {
		if !unicode.IsLetter(r) {
			continue
		}
		name := scriptOf(r)
		if name == "" {
			return fmt.Errorf("%w: letter of no known script", ErrBadEmail)
		}
		if seen == "" {
			seen = name
		} else if seen != name {
			return fmt.Errorf("%w: mixes %s and %s letters", ErrBadEmail, seen, name)
		}
	}
	return nil
}

func scriptOf(r rune) string {
	if r < 0x80 { // the common case, without a walk over every script table
		return "Latin"
	}
	for name, table := range unicode.Scripts {
		if name == "Common" || name == "Inherited" {
			continue
		}
		if unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

var shared = map[string]bool{
	"info": true, "admin": true, "office": true, "family": true, "reception": true,
	"noreply": true, "no-reply": true, "contact": true, "hello": true, "team": true,
	"support": true, "enquiries": true, "sales": true, "home": true, "house": true,
	"mail": true, "postmaster": true, "webmaster": true, "staff": true,
}

// LooksShared reports whether the address looks like a shared or role inbox,
// where codes for one patient's records could be read by others.
func LooksShared(email string) bool {
	e, err := NormaliseEmail(email)
	if err != nil {
		e = strings.ToLower(strings.TrimSpace(email))
	}
	local, _, _ := strings.Cut(e, "@")
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return shared[local]
}
