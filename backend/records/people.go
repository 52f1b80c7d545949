package records

import (
	"strings"
	"unicode"

	"github.com/ward-health/ward/backend/fhir"
)

// placeholderWords are the words systems put where a name should be when
// they have none ("UNKNOWN", "NOT KNOWN", "N/A", "Unknown Unknown"). A name
// made only of these (and titles such as "Dr") names nobody.
var placeholderWords = map[string]bool{
	"unknown": true, "unk": true, "not": true, "known": true, "n/a": true, "n.a": true, "n.a.": true,
	"missing": true, "none": true, "null": true, "nil": true, "unspecified": true, "specified": true,
	"recorded": true, "provided": true, "available": true, "applicable": true, "given": true,
	"no": true, "name": true, "tbc": true, "tba": true, "anonymous": true, "undefined": true,
	"x": true, "xx": true, "xxx": true, "default": true, "placeholder": true,
}

// titleWords are honorifics, which on their own name nobody either
// ("Dr UNKNOWN").
var titleWords = map[string]bool{
	"dr": true, "dr.": true, "doctor": true, "mr": true, "mr.": true, "mrs": true, "mrs.": true,
	"ms": true, "ms.": true, "miss": true, "mx": true, "mx.": true, "prof": true, "prof.": true,
	"professor": true, "sir": true, "dame": true,
}

// missingSuffixes end a name that says it is missing: "GP - MISSING",
// "Consultant (unknown)".
var missingSuffixes = []string{"missing", "unknown", "not known", "not recorded", "n/a"}

// isPlaceholderName reports whether a name is a stand-in for no name
// ("UNKNOWN", "Unknown Unknown", "… - MISSING", "NOT KNOWN", "*", "N/A",
// "Dr Unknown"): such a name is never shown as a person, contact or
// organisation. Anything without a letter is a placeholder too.
func isPlaceholderName(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.ContainsFunc(s, unicode.IsLetter) {
		return true
	}
	for _, suffix := range missingSuffixes {
		if rest, ok := strings.CutSuffix(strings.TrimRight(s, " )]"), suffix); ok {
			rest = strings.TrimSpace(rest)
			if rest == "" || strings.HasSuffix(rest, "-") || strings.HasSuffix(rest, "(") || strings.HasSuffix(rest, "[") || strings.HasSuffix(rest, ":") || strings.HasSuffix(rest, ",") {
				return true
			}
		}
	}
	words := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == '-' || r == '_' || r == '(' || r == ')' || r == '[' || r == ']' || r == '*' || r == '?'
	})
	for _, w := range words {
		if !placeholderWords[w] && !titleWords[w] {
			return false
		}
	}
	return true
}

// personName is how a HumanName reads with placeholder parts left out
// ("UNKNOWN Smith" is "Smith"), or "" when nothing real is left.
func personName(n fhir.HumanName) string {
	if n.Text != "" && !isPlaceholderName(n.Text) {
		return strings.TrimSpace(n.Text)
	}
	var parts []string
	for _, g := range n.Given {
		if !isPlaceholderName(g) {
			parts = append(parts, strings.TrimSpace(g))
		}
	}
	if !isPlaceholderName(n.Family) {
		parts = append(parts, strings.TrimSpace(n.Family))
	}
	if len(parts) == 0 {
		return ""
	}
	var prefix []string
	for _, p := range n.Prefix {
		if titleWords[strings.ToLower(strings.TrimSpace(p))] || !isPlaceholderName(p) {
			prefix = append(prefix, strings.TrimSpace(p))
		}
	}
	return strings.Join(append(prefix, parts...), " ")
}

// realName is s, or "" when s is a placeholder.
func realName(s string) string {
	if isPlaceholderName(s) {
		return ""
	}
	return strings.TrimSpace(s)
}

// isPlaceholderValue reports whether a phone number, email address or the
// like is a stand-in ("N/A", "UNKNOWN", "-"): one with no letter or digit,
// or with letters that are all placeholder words.
func isPlaceholderValue(s string) bool {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return true
	}
	return strings.ContainsFunc(s, unicode.IsLetter) && isPlaceholderName(s)
}
