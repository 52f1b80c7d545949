package records

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ward-health/ward/backend/fhir"
)

// routeWords is how it is taken: "by mouth", "inhaled".
func routeWords(c *fhir.CodeableConcept) string {
	if c == nil {
		return ""
	}
	for _, cd := range c.Coding {
		if w := routes[cd.Code]; w != "" {
			return w
		}
	}
	label := c.Label()
	key := strings.ToLower(label)
	for _, cut := range []string{" route of administration", " route", " use", " administration"} {
		key = strings.TrimSuffix(key, cut)
	}
	if w := routes[strings.TrimSpace(key)]; w != "" {
		return w
	}
	if label == "" {
		return ""
	}
	return "route: " + label
}

// siteWords is where: "to the left eye".
func siteWords(c *fhir.CodeableConcept) string {
	l := c.Label()
	l = strings.TrimSuffix(strings.TrimSuffix(l, " (body structure)"), " structure")
	if l == "" {
		return ""
	}
	return "to the " + lowerFirst(l)
}

// codeOf is a concept's first code.
func codeOf(c *fhir.CodeableConcept) string {
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

// number reads a FHIR decimal; ok is false when it is missing or not a
// finite number.
func number(n json.Number) (float64, bool) {
	if n == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// plainDate is a FHIR date as people write it: "1 March 2024".
func plainDate(s string) string {
	for _, l := range []struct{ in, out string }{{"2006-01-02", "2 January 2006"}, {"2006-01", "January 2006"}} {
		if len(s) >= len(l.in) {
			if t, err := time.Parse(l.in, s[:len(l.in)]); err == nil {
				return t.Format(l.out)
			}
		}
	}
	return s
}

// lowerFirst lowers a capital that starts a word ("Wheeze" → "wheeze"),
// not an abbreviation ("COPD").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	r2, _ := utf8.DecodeRuneInString(s[n:])
	if unicode.IsUpper(r) && (unicode.IsLower(r2) || n == len(s)) {
		return string(unicode.ToLower(r)) + s[n:]
	}
	return s
}

func capFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
