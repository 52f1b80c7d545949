package units

import (
	"regexp"
	"strings"
)

// Text shows a unit as people write it. The rules, the same as the page's
// unitText (frontend/src/lib/units.ts; both are tested on testdata/text.json):
//   - 10*n and 10^n are ×10ⁿ: "10*3/uL" is "×10³/µL";
//   - an annotation in braces is its words ("{Breaths}/min" is "breaths/min",
//     "mL/min/{1.73_m2}" is "mL/min/1.73 m²"); a unit that is only an
//     annotation, or "1", is a count or score and shows as "";
//   - a bracketed code is its name: "[lb_av]" is "lb", "mm[Hg]" is "mmHg";
//   - Cel and [degF] are °C and °F; a power is raised: "kg/m2" is "kg/m²";
//   - a leading u on an SI unit is µ: "umol/L" is "µmol/L", "ug" is "µg".
//
// Anything else is shown as sent.
func Text(code string) string {
	code = strings.TrimSpace(code)
	if code == "1" {
		return ""
	}
	if alias, ok := aliases[code]; ok {
		return alias
	}
	terms, seps := split(code)
	if len(terms) == 1 && annotationOnly.MatchString(terms[0]) {
		return ""
	}
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(seps[i-1])
		}
		b.WriteString(termText(t))
	}
	return b.String()
}

var aliases = map[string]string{
	"Cel": "°C", "[degF]": "°F", "[degC]": "°C", "lbs": "lb", "[stone_av]": "st", "[iU]": "IU",
}

var (
	annotationOnly = regexp.MustCompile(`^\{[^}]*\}$`)
	powerOfTen     = regexp.MustCompile(`^(?:x|×|\*)?10[*^](-?\d+)$`)
	bracketed      = regexp.MustCompile(`\[([^\]_]*)(?:_[^\]]*)?\]`)
	raised         = regexp.MustCompile(`([A-Za-zµ])(-?\d+)$`)
	micro          = regexp.MustCompile(`^u(g|L|l|m|mol|s|IU|Eq|eq|kat|U|Pa)\b`)
	annotation     = regexp.MustCompile(`\{([^}]*)\}`)
)

// split cuts a unit into its terms at "/" and "." outside braces and brackets.
func split(code string) (terms, seps []string) {
	depth, start := 0, 0
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '{', '[', '(':
			depth++
		case '}', ']', ')':
			depth--
		case '/', '.':
			if depth == 0 {
				terms = append(terms, code[start:i])
				sep := "/"
				if c == '.' {
					sep = "·"
				}
				seps = append(seps, sep)
				start = i + 1
			}
		}
	}
	return append(terms, code[start:]), seps
}

func termText(t string) string {
	if m := powerOfTen.FindStringSubmatch(t); m != nil {
		return "×10" + superscript(m[1])
	}
	if alias, ok := aliases[t]; ok {
		return alias
	}
	words := ""
	if m := annotation.FindStringSubmatchIndex(t); m != nil {
		words = annotationWords(t[m[2]:m[3]])
		t = t[:m[0]] + t[m[1]:]
		if t == "" {
			return words
		}
		if powerOfTen.MatchString(t) {
			return termText(t) + " " + words
		}
	}
	t = bracketed.ReplaceAllString(t, "$1")
	t = micro.ReplaceAllString(t, "µ$1")
	if m := raised.FindStringSubmatchIndex(t); m != nil && !strings.ContainsAny(t[:m[2]], "0123456789") {
		t = t[:m[3]] + superscript(t[m[4]:m[5]])
	}
	if words != "" {
		return t + " " + words
	}
	return t
}

// annotationWords: "Breaths" is "breaths", "1.73_m2" is "1.73 m²"; an
// abbreviation such as "RBC" stays as it is.
func annotationWords(a string) string {
	fields := strings.Fields(strings.ReplaceAll(a, "_", " "))
	for i, w := range fields {
		if len(w) > 1 && w[0] >= 'A' && w[0] <= 'Z' && strings.ToLower(w[1:]) == w[1:] {
			w = strings.ToLower(w)
		}
		if m := raised.FindStringSubmatchIndex(w); m != nil && !strings.ContainsAny(w[:m[2]], "0123456789") {
			w = w[:m[3]] + superscript(w[m[4]:m[5]])
		}
		fields[i] = w
	}
	return strings.Join(fields, " ")
}

var raise = strings.NewReplacer(
	"0", "⁰", "1", "¹", "2", "²", "3", "³", "4", "⁴", "5", "⁵", "6", "⁶", "7", "⁷", "8", "⁸", "9", "⁹", "-", "⁻",
)

func superscript(digits string) string { return raise.Replace(digits) }
