package records

import (
	"sort"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// Health is the health summary: conditions, medicines, allergies and
// immunisations.
//
// Every word a patient reads about these items (status labels, the dose
// written out, "Not given", "No allergies recorded by …") is decided here,
// once, so the health page, the timeline and search can never disagree about
// what an item means. The page only lays the words out.
type Health struct {
	Conditions    []Condition    `json:"conditions"`
	Medications   []Medication   `json:"medications"`
	Allergies     []Allergy      `json:"allergies"`
	Immunisations []Immunisation `json:"immunisations"`
	// AllergyStatements are records that say there is no allergy ("No
	// known allergies", "Not on file", "Patient not asked"): they are not
	// allergies, and are shown as plain statements.
	AllergyStatements []AllergyStatement `json:"allergyStatements"`
}

func (h *Health) sort() {
	if h.Conditions == nil {
		h.Conditions = []Condition{}
	}
	if h.Medications == nil {
		h.Medications = []Medication{}
	}
	if h.Allergies == nil {
		h.Allergies = []Allergy{}
	}
	if h.Immunisations == nil {
		h.Immunisations = []Immunisation{}
	}
	if h.AllergyStatements == nil {
		h.AllergyStatements = []AllergyStatement{}
	}
	sort.SliceStable(h.Conditions, func(i, j int) bool { return h.Conditions[i].Onset > h.Conditions[j].Onset })
	sort.SliceStable(h.Medications, func(i, j int) bool { return h.Medications[i].date() > h.Medications[j].date() })
	sort.SliceStable(h.Allergies, func(i, j int) bool { return h.Allergies[i].Recorded > h.Allergies[j].Recorded })
	sort.SliceStable(h.Immunisations, func(i, j int) bool { return h.Immunisations[i].Date > h.Immunisations[j].Date })
	sort.SliceStable(h.AllergyStatements, func(i, j int) bool { return h.AllergyStatements[i].Recorded > h.AllergyStatements[j].Recorded })
}

// Health returns the health summary.
func (r *Record) Health() Health { return r.health }

// statusCode is a status concept's first code, else its text, in lower
// case.
func statusCode(c *fhir.CodeableConcept) string {
	if c == nil {
		return ""
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return strings.ToLower(strings.TrimSpace(cd.Code))
		}
	}
	return strings.ToLower(strings.TrimSpace(c.Text))
}

// joinWords joins the words that are not empty with sep.
func joinWords(sep string, words ...string) string {
	var out []string
	for _, w := range words {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return strings.Join(out, sep)
}

// dateBefore reports whether date a is before date b, comparing only as
// precisely as both are given ("2020" is not before "2020-05-01").
func dateBefore(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	n := min(len(a), len(b), 10)
	return a[:n] < b[:n]
}

// refs lists the references that are set.
func refs(rs ...*fhir.Reference) []fhir.Reference {
	var out []fhir.Reference
	for _, r := range rs {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out
}
