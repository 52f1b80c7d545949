package records

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// bound is one reference range as numbers: either end may be missing.
// Exclusive ends come from text such as "< 6.5" (6.5 itself is outside).
type bound struct {
	lo, hi         *float64
	loExcl, hiExcl bool
	sex            string // "male", "female" or "" for everyone
	text           string // the range as the source wrote it, when it did
	loText, hiText string // the ends as the source wrote them ("12.0")
}

// Range checks: what comparing a value with its range found.
const (
	rangeIn      = "in"      // inside the range
	rangeOut     = "out"     // outside it
	rangeNone    = "none"    // no range to compare with
	rangeUnclear = "unclear" // a range, but the value cannot be placed in it
)

var (
	// "3.5-5.0", "3.5 - 5.0", "3.5 to 5.0", "(3.5–5.0) mmol/L"
	reBetween = regexp.MustCompile(`^\(?\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|—|to)\s*(-?\d+(?:\.\d+)?)\s*\)?`)
	// "< 6.5 %", "<=6.5", "≤ 6.5", ">= 90", "> 60", "up to 5", "below 5"
	reOneSide = regexp.MustCompile(`^(<=|>=|<|>|≤|≥|up to|below|under|less than|above|over|greater than|more than)\s*(-?\d+(?:\.\d+)?)`)
	// "M 130-180 g/L; F 115-165 g/L", "Male: 130-180, Female: 115-165"
	reSexPart = regexp.MustCompile(`(?i)^(males?|men|m|females?|women|f)\b\s*[:=]?\s*`)
)

// parseRangeText reads a range written as text. It returns nothing it
// cannot read whole: a half-understood range is worse than none.
func parseRangeText(text string) []bound {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	parts := strings.FieldsFunc(text, func(r rune) bool { return r == ';' || r == ',' || r == '\n' })
	if len(parts) > 1 {
		var out []bound
		for _, p := range parts {
			b, ok := parseOneRange(p)
			if !ok || b.sex == "" {
				return nil // several ranges, but not one per sex: cannot choose
			}
			out = append(out, b)
		}
		return out
	}
	if b, ok := parseOneRange(text); ok {
		return []bound{b}
	}
	return nil
}

func parseOneRange(s string) (bound, bool) {
	s = strings.TrimSpace(s)
	var b bound
	if m := reSexPart.FindStringSubmatch(s); m != nil {
		switch strings.ToLower(m[1])[0] {
		case 'm':
			b.sex = "male"
		case 'f', 'w':
			b.sex = "female"
		}
		s = strings.TrimSpace(s[len(m[0]):])
	}
	if m := reBetween.FindStringSubmatch(s); m != nil {
		lo, err1 := strconv.ParseFloat(m[1], 64)
		hi, err2 := strconv.ParseFloat(m[2], 64)
		if err1 != nil || err2 != nil || lo > hi {
			return b, false
		}
		b.lo, b.hi = &lo, &hi
		return b, true
	}
	if m := reOneSide.FindStringSubmatch(strings.ToLower(s)); m != nil {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return b, false
		}
		switch m[1] {
		case "<", "below", "under", "less than":
			b.hi, b.hiExcl = &v, true
		case "<=", "≤", "up to":
			b.hi = &v
		case ">", "above", "over", "greater than", "more than":
			b.lo, b.loExcl = &v, true
		case ">=", "≥":
			b.lo = &v
		}
		return b, true
	}
	return b, false
}

// boundsOf reads an Observation's reference ranges: structured ends first,
// else the text. appliesTo male/female marks a range for one sex.
func boundsOf(rrs []fhir.ReferenceRange) []bound {
	var out []bound
	for _, rr := range rrs {
		b := bound{text: strings.TrimSpace(rr.Text), sex: sexOf(rr.AppliesTo)}
		if rr.Low != nil && rr.Low.Value != nil {
			if f, err := rr.Low.Value.Float64(); err == nil {
				b.lo, b.loText = &f, rr.Low.Value.String()
			}
		}
		if rr.High != nil && rr.High.Value != nil {
			if f, err := rr.High.Value.Float64(); err == nil {
				b.hi, b.hiText = &f, rr.High.Value.String()
			}
		}
		if b.lo == nil && b.hi == nil {
			parsed := parseRangeText(b.text)
			for i := range parsed {
				if parsed[i].sex == "" {
					parsed[i].sex = b.sex
				}
				parsed[i].text = b.text
			}
			if parsed == nil && b.text != "" {
				out = append(out, b) // a range Ward cannot read: shown, never compared
			}
			out = append(out, parsed...)
			continue
		}
		out = append(out, b)
	}
	return out
}

func sexOf(cs []fhir.CodeableConcept) string {
	for _, c := range cs {
		switch {
		case c.HasCode("", "248153007"), c.HasCode("", "male"), strings.EqualFold(c.Text, "male"):
			return "male"
		case c.HasCode("", "248152002"), c.HasCode("", "female"), strings.EqualFold(c.Text, "female"):
			return "female"
		}
	}
	return ""
}

// forPatient keeps the ranges that apply to the patient: those for their
// sex when they have one, else every range (shown side by side).
func forPatient(bs []bound, sex string) []bound {
	var general, mine []bound
	for _, b := range bs {
		switch b.sex {
		case "":
			general = append(general, b)
		case sex:
			mine = append(mine, b)
		}
	}
	if len(mine) > 0 {
		return mine
	}
	if len(general) > 0 {
		return general
	}
	return bs // only another sex's ranges, or the sex is unknown: show all
}

func (b bound) numeric() bool { return b.lo != nil || b.hi != nil }

// check compares a value (with its comparator, "<2", ">=500") with one
// range. A value "<2" is anything below 2: low when 2 is at or below the
// low end, in range only when the range has no low end above zero, else
// it cannot be placed.
func (b bound) check(v float64, comparator string) (string, string) {
	if !b.numeric() {
		return rangeUnclear, ""
	}
	above := func(x float64) bool { // x is above the high end
		return b.hi != nil && (x > *b.hi || (b.hiExcl && x == *b.hi))
	}
	below := func(x float64) bool {
		return b.lo != nil && (x < *b.lo || (b.loExcl && x == *b.lo))
	}
	switch comparator {
	case "":
		switch {
		case above(v):
			return rangeOut, "high"
		case below(v):
			return rangeOut, "low"
		}
		return rangeIn, ""
	case ">", ">=":
		if above(v) || (comparator == ">" && b.hi != nil && v == *b.hi) {
			return rangeOut, "high"
		}
		if b.hi == nil && !below(v) {
			return rangeIn, ""
		}
		return rangeUnclear, ""
	case "<", "<=":
		if below(v) || (comparator == "<" && b.lo != nil && v == *b.lo) {
			return rangeOut, "low"
		}
		if (b.lo == nil || *b.lo == 0) && !above(v) {
			return rangeIn, ""
		}
		return rangeUnclear, ""
	}
	return rangeUnclear, ""
}

// checkAll compares a value with every range that applies: one answer
// when they agree, unclear when they do not (a patient of unknown sex whose
// value is normal for women and low for men).
func checkAll(bs []bound, v *float64, comparator string) (string, string) {
	if len(bs) == 0 {
		return rangeNone, ""
	}
	if v == nil {
		return rangeUnclear, ""
	}
	check, flag := bs[0].check(*v, comparator)
	for _, b := range bs[1:] {
		if c, f := b.check(*v, comparator); c != check || f != flag {
			return rangeUnclear, ""
		}
	}
	return check, flag
}

func fmtNum(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// shown is a range as Ward shows it: the source's words, else its ends.
func (b bound) shown(unit string) Range {
	r := Range{Low: firstNonEmpty(b.loText, fmtNum(b.lo)), High: firstNonEmpty(b.hiText, fmtNum(b.hi)), Text: b.text, For: map[string]string{"male": "Men", "female": "Women"}[b.sex]}
	if r.Text == "" {
		r.Text = rangeText(r.Low, r.High, unit)
	}
	return r
}

func rangeText(low, high, unit string) string {
	u := ""
	if unit != "" {
		u = " " + unit
	}
	switch {
	case low != "" && high != "":
		return low + " to " + high + u
	case low != "":
		return "Above " + low + u
	case high != "":
		return "Below " + high + u
	}
	return ""
}
