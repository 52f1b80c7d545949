package records

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode"

	"github.com/ward-health/ward/backend/fhir"
)

// Why the dose words are written here, in Go: a structured FHIR Dosage
// (timing, doseAndRate, asNeeded, route) with no text used to show as "Not
// recorded", and a patient could not tell how to take the medicine. The
// words are written once, on the server, so the health page, the timeline
// and search all say the same thing, and so the rules are tested with the
// records that carry them. The source's own text is kept beside them: where
// the two differ, the patient sees both (Medication.DoseText).

// dosage is the part of a FHIR Dosage Ward reads.
type dosage struct {
	Sequence                 json.Number            `json:"sequence"`
	Text                     string                 `json:"text"`
	PatientInstruction       string                 `json:"patientInstruction"`
	AdditionalInstruction    []fhir.CodeableConcept `json:"additionalInstruction"`
	Timing                   *timing                `json:"timing"`
	AsNeededBoolean          *bool                  `json:"asNeededBoolean"`
	AsNeededCodeableConcept  *fhir.CodeableConcept  `json:"asNeededCodeableConcept"`
	Site                     *fhir.CodeableConcept  `json:"site"`
	Route                    *fhir.CodeableConcept  `json:"route"`
	Method                   *fhir.CodeableConcept  `json:"method"`
	DoseAndRate              []doseAndRate          `json:"doseAndRate"`
	MaxDosePerPeriod         *ratio                 `json:"maxDosePerPeriod"`
	MaxDosePerAdministration *fhir.Quantity         `json:"maxDosePerAdministration"`
}

type doseAndRate struct {
	DoseRange    *fhir.Range    `json:"doseRange"`
	DoseQuantity *fhir.Quantity `json:"doseQuantity"`
}

type ratio struct {
	Numerator   *fhir.Quantity `json:"numerator"`
	Denominator *fhir.Quantity `json:"denominator"`
}

type timing struct {
	Repeat *timingRepeat         `json:"repeat"`
	Code   *fhir.CodeableConcept `json:"code"`
}

type timingRepeat struct {
	BoundsDuration *fhir.Quantity `json:"boundsDuration"`
	BoundsPeriod   *fhir.Period   `json:"boundsPeriod"`
	Count          json.Number    `json:"count"`
	CountMax       json.Number    `json:"countMax"`
	Frequency      json.Number    `json:"frequency"`
	FrequencyMax   json.Number    `json:"frequencyMax"`
	Period         json.Number    `json:"period"`
	PeriodMax      json.Number    `json:"periodMax"`
	PeriodUnit     string         `json:"periodUnit"`
	DayOfWeek      []string       `json:"dayOfWeek"`
	TimeOfDay      []string       `json:"timeOfDay"`
	When           []string       `json:"when"`
	Offset         json.Number    `json:"offset"`
}

// doseOf reads a medicine's dosages and returns the dose to show and the
// source's own text when it says something different. The words written
// from the structure come first when they say how often (or "when
// needed"); a structure that gives only a quantity or a route is less than
// the source's text, which then comes first instead.
func doseOf(raws []json.RawMessage) (dose, sourceText string) {
	type part struct {
		seq   float64
		words string
	}
	var parts []part
	var texts []string
	complete := true
	for _, raw := range raws {
		var d dosage
		if err := json.Unmarshal(raw, &d); err != nil {
			// A malformed dosage keeps its text, if that much is readable.
			var t struct {
				Text string `json:"text"`
			}
			_ = json.Unmarshal(raw, &t)
			texts = append(texts, strings.TrimSpace(t.Text))
			continue
		}
		texts = append(texts, joinWords(". ", d.Text, sameOr(d.PatientInstruction, d.Text)))
		w, says := dosageWords(d)
		if w == "" {
			continue
		}
		complete = complete && says
		seq, _ := number(d.Sequence)
		parts = append(parts, part{seq, w})
	}
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].seq < parts[j].seq })
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			if p.seq == parts[i-1].seq {
				b.WriteString(" and ")
			} else {
				b.WriteString(", then ")
			}
			b.WriteString(lowerFirst(p.words))
			continue
		}
		b.WriteString(p.words)
	}
	words, text := b.String(), joinWords("; ", texts...)
	switch {
	case words == "":
		return text, ""
	case text == "" || complete:
		if sameText(words, text) {
			return words, ""
		}
		return words, text
	}
	return text, ""
}

// sameOr is s, or "" when it repeats other.
func sameOr(s, other string) string {
	if sameText(s, other) {
		return ""
	}
	return s
}

// sameText compares two texts by their letters and digits only.
func sameText(a, b string) bool {
	norm := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return unicode.ToLower(r)
			}
			return -1
		}, s)
	}
	return norm(a) == norm(b)
}

// dosageWords writes one structured dosage in plain words: "1 tablet once
// a day, by mouth", "2 puffs when needed for wheeze". says is true when
// the words say how often (or when needed).
func dosageWords(d dosage) (words string, says bool) {
	asNeeded := d.AsNeededCodeableConcept != nil || d.AsNeededBoolean != nil && *d.AsNeededBoolean
	freq := timingWords(d.Timing, asNeeded)
	needed := ""
	if asNeeded {
		needed = "when needed"
		if l := d.AsNeededCodeableConcept.Label(); l != "" {
			needed += " for " + lowerFirst(l)
		}
	}
	main := joinWords(" ", doseWords(d.DoseAndRate), freq, needed)
	method := d.Method.Label()
	if methodVerbs[strings.ToLower(method)] && main != "" {
		main = method + " " + main
		method = ""
	}
	how := joinWords(", ", main, routeWords(d.Route), siteWords(d.Site), lowerFirst(method))
	sentences := []string{capFirst(how)}
	for _, ai := range d.AdditionalInstruction {
		sentences = append(sentences, capFirst(ai.Label()))
	}
	if r := d.MaxDosePerPeriod; r != nil {
		if n, per := quantityWords(r.Numerator), periodWords(r.Denominator); n != "" && per != "" {
			sentences = append(sentences, "No more than "+n+" in "+per)
		}
	}
	if n := quantityWords(d.MaxDosePerAdministration); n != "" {
		sentences = append(sentences, "No more than "+n+" at a time")
	}
	return joinWords(". ", sentences...), freq != "" || needed != ""
}

// doseWords is the dose: "1 tablet", "1 to 2 puffs".
func doseWords(drs []doseAndRate) string {
	for _, dr := range drs {
		if q := quantityWords(dr.DoseQuantity); q != "" {
			return q
		}
		if r := dr.DoseRange; r != nil {
			low, high := quantityWords(r.Low), quantityWords(r.High)
			switch {
			case low != "" && high != "":
				lv, _ := number(deref(r.Low.Value))
				hv, _ := number(deref(r.High.Value))
				if r.Low.Unit == "" && r.Low.Code == "" || unitWord(r.Low, hv) == unitWord(r.High, hv) {
					return formatNumber(lv) + " to " + high
				}
				return low + " to " + high
			case low != "":
				return "at least " + low
			case high != "":
				return "up to " + high
			}
		}
	}
	return ""
}

func deref(n *json.Number) json.Number {
	if n == nil {
		return ""
	}
	return *n
}

// quantityWords is "2 tablets", "500 mg", "2 (no unit given)".
func quantityWords(q *fhir.Quantity) string {
	if q == nil {
		return ""
	}
	v, ok := number(deref(q.Value))
	if !ok {
		return ""
	}
	u := unitWord(q, v)
	if u == "" {
		return formatNumber(v) + " (no unit given)"
	}
	return formatNumber(v) + " " + u
}

// unitWord is the unit as a patient would write it, plural when v is not 1.
func unitWord(q *fhir.Quantity, v float64) string {
	s := strings.TrimSpace(q.Unit)
	if s == "" && q.Code != "1" {
		s = strings.TrimSpace(q.Code)
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if u, ok := doseUnits[strings.ToLower(s)]; ok {
		if v == 1 {
			return u[0]
		}
		return u[1]
	}
	if s == "1" {
		return ""
	}
	return s
}
