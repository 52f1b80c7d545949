package records

import (
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// reading is what a source's interpretation of a result says: a flag (one
// of Ward's flag keys, "" for none), the words to show, and whether it said
// the result is normal (so a range that disagrees can be pointed out).
type reading struct {
	flag   string
	label  string
	normal bool
	given  bool // the source gave an interpretation Ward could read
}

// interpretations is HL7 v3 ObservationInterpretation, the whole code
// system (as used by FHIR R4 Observation.interpretation), in plain words.
// Critical means urgent: HH, LL and AA only. "Significantly high" (HU) is
// by definition short of critical, so it is high, not urgent.
var interpretations = map[string]reading{
	"HH": {flag: "critical-high", label: "Very high: needs urgent attention"},
	"LL": {flag: "critical-low", label: "Very low: needs urgent attention"},
	"AA": {flag: "critical", label: "Very abnormal: needs urgent attention"},

	"H":  {flag: "high", label: "High"},
	"HU": {flag: "high", label: "Much higher than normal"},
	"H>": {flag: "high", label: "Much higher than normal"},
	"HX": {flag: "high", label: "Above the upper limit"},
	">":  {flag: "high", label: "Above what the test can measure"},
	"L":  {flag: "low", label: "Low"},
	"LU": {flag: "low", label: "Much lower than normal"},
	"L<": {flag: "low", label: "Much lower than normal"},
	"LX": {flag: "low", label: "Below the lower limit"},
	"<":  {flag: "low", label: "Below what the test can measure"},

	"A":     {flag: "abnormal", label: "Abnormal"},
	"EX":    {flag: "abnormal", label: "Outside the limits"},
	"POS":   {flag: "abnormal", label: "Positive"},
	"DET":   {flag: "abnormal", label: "Detected"},
	"RR":    {flag: "abnormal", label: "Reactive"},
	"WR":    {flag: "abnormal", label: "Weakly reactive"},
	"R":     {flag: "abnormal", label: "Resistant"},
	"NS":    {flag: "abnormal", label: "Not susceptible"},
	"SYN-R": {flag: "abnormal", label: "Resistant when combined"},
	"UNE":   {flag: "abnormal", label: "Unexpected"},
	"W":     {flag: "abnormal", label: "Worse"},
	"CAR":   {flag: "abnormal", label: "Carrier"},
	"TOX":   {flag: "abnormal", label: "Toxic to cells"},
	"QCF":   {flag: "abnormal", label: "Quality control failed"},

	"N":     {label: "Normal", normal: true},
	"NEG":   {label: "Negative", normal: true},
	"ND":    {label: "Not detected", normal: true},
	"NR":    {label: "Non-reactive", normal: true},
	"S":     {label: "Susceptible", normal: true},
	"VS":    {label: "Very susceptible", normal: true},
	"SYN-S": {label: "Susceptible when combined", normal: true},
	"EXP":   {label: "Expected", normal: true},
	"B":     {label: "Better", normal: true},

	// Neither normal nor abnormal: shown as words, never as reassurance.
	"IND": {label: "Indeterminate"},
	"E":   {label: "Equivocal"},
	"IE":  {label: "Not enough evidence to say"},
	"I":   {label: "Intermediate"},
	"MS":  {label: "Moderately susceptible"},
	"SDD": {label: "Susceptible if the dose is raised"},
	"NCL": {label: "No agreed limit for this test"},
	"U":   {label: "Gone up a lot"},
	"D":   {label: "Gone down a lot"},
}

// interpret reads a result's interpretation: the first coding Ward knows,
// else the source's own words. Words that say critical, panic or urgent are
// urgent whatever the code says, because a source may put them only in text.
func interpret(cs []fhir.CodeableConcept) reading {
	for _, c := range cs {
		if r, ok := criticalWords(c); ok {
			return r
		}
		for _, cd := range c.Coding {
			if r, ok := interpretations[strings.ToUpper(strings.TrimSpace(cd.Code))]; ok {
				r.given = true
				if cd.Display != "" && r.flag != "" && !strings.HasPrefix(r.flag, "critical") && !sameWords(cd.Display, r.label) {
					r.label = cd.Display // the source's own words for the same flag
				}
				return r
			}
		}
	}
	for _, c := range cs {
		if w := strings.TrimSpace(c.Label()); w != "" {
			return wordsReading(w)
		}
	}
	return reading{}
}

func sameWords(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// criticalWords finds "critical" wording in a concept's text or displays.
func criticalWords(c fhir.CodeableConcept) (reading, bool) {
	texts := []string{c.Text}
	for _, cd := range c.Coding {
		texts = append(texts, cd.Display)
	}
	for _, t := range texts {
		l := strings.ToLower(t)
		if strings.Contains(l, "non-critical") || strings.Contains(l, "not critical") || strings.Contains(l, "non-urgent") || strings.Contains(l, "not urgent") {
			continue
		}
		if !(strings.Contains(l, "critical") || strings.Contains(l, "panic") || strings.Contains(l, "urgent")) {
			continue
		}
		switch {
		case strings.Contains(l, "high") || strings.Contains(l, "above"):
			return interpretations["HH"], true
		case strings.Contains(l, "low") || strings.Contains(l, "below"):
			return interpretations["LL"], true
		}
		return interpretations["AA"], true
	}
	return reading{}, false
}

// wordsReading reads an interpretation given only as words. Words Ward
// recognises become a flag; anything else is shown as the source wrote it.
func wordsReading(w string) reading {
	l := strings.ToLower(w)
	r := reading{label: w, given: true}
	switch {
	case l == "normal" || l == "within normal limits" || l == "within range" || l == "negative" || l == "not detected":
		r.normal = true
	case strings.HasPrefix(l, "high") || strings.HasPrefix(l, "above"):
		r.flag = "high"
	case strings.HasPrefix(l, "low") || strings.HasPrefix(l, "below"):
		r.flag = "low"
	case l == "abnormal" || l == "positive" || l == "detected":
		r.flag = "abnormal"
	}
	return r
}

// FlagLabel is the plain words shown beside a flagged result, so the flag
// never relies on colour alone.
func FlagLabel(flag string) string {
	switch flag {
	case "high":
		return "High"
	case "low":
		return "Low"
	case "abnormal":
		return "Abnormal"
	case "critical-high", "critical-low", "critical":
		return interpretations[map[string]string{"critical-high": "HH", "critical-low": "LL", "critical": "AA"}[flag]].label
	}
	return ""
}

// urgentFlag reports whether a flag means the result needs urgent attention.
func urgentFlag(flag string) bool { return strings.HasPrefix(flag, "critical") }

// meanings are codes a coded result often carries without a display: the
// SNOMED CT qualifier values labs send for detected/positive and the like.
var meanings = map[string]string{
	"260373001": "Detected",
	"260415000": "Not detected",
	"10828004":  "Positive",
	"260385009": "Negative",
	"419984006": "Inconclusive",
	"82334004":  "Indeterminate",
	"42425007":  "Equivocal",
	"11214006":  "Reactive",
	"131194007": "Non-reactive",
	"373066001": "Yes",
	"373067005": "No",
	"125154007": "Sample not suitable for testing",
	"Y":         "Yes",
	"N":         "No",
}

// meaningOf is a coded value in words: its text or display, else the
// meaning of a code Ward knows, else the code itself.
func meaningOf(c *fhir.CodeableConcept) string {
	if c == nil {
		return ""
	}
	if c.Text != "" || displayOf(c) != "" {
		return c.Label()
	}
	for _, cd := range c.Coding {
		if m, ok := meanings[cd.Code]; ok {
			return m
		}
		if r, ok := interpretations[strings.ToUpper(cd.Code)]; ok && strings.Contains(cd.System, "ObservationInterpretation") {
			return r.label
		}
	}
	return c.Label()
}
