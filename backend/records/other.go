package records

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// OtherItem is a record of a type Ward does not display in its own view.
// It is kept unchanged in the vault and exports again.
type OtherItem struct {
	ID           string `json:"id"`
	Date         string `json:"date"`
	Summary      string `json:"summary"`
	Organisation string `json:"organisation"`
	// About names the person a record about someone else concerns.
	About string `json:"about,omitempty"`
	// Kind is the record's own type, for records filed here for a reason.
	Kind string `json:"kind,omitempty"`
}

// OtherType counts one such type.
type OtherType struct {
	Type  string `json:"type"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

var camel = regexp.MustCompile(`([a-z])([A-Z])`)

// typeLabel turns "ExplanationOfBenefit" into "Explanation of benefit".
func typeLabel(t string) string {
	switch t {
	case AboutSomeoneElse:
		return "Records about someone else"
	case Unreadable:
		return "Records that could not be read"
	}
	s := strings.ToLower(camel.ReplaceAllString(t, "$1 $2"))
	if s == "" {
		return t
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// OtherTypes lists the types kept under "Other records".
func (r *Record) OtherTypes() []OtherType {
	out := []OtherType{}
	for t, items := range r.other {
		out = append(out, OtherType{Type: t, Label: typeLabel(t), Count: len(items)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

// Other returns the records of one other type, newest first.
func (r *Record) Other(typ string) ([]OtherItem, bool) {
	items, ok := r.other[typ]
	return items, ok
}

func (b *builder) otherRecord(res fhir.Resource) int {
	if res.Type == "OperationOutcome" || res.Type == "Bundle" {
		return 0
	}
	var o struct {
		Code        *fhir.CodeableConcept  `json:"code"`
		Type        json.RawMessage        `json:"type"`
		Title       string                 `json:"title"`
		Description string                 `json:"description"`
		Category    []fhir.CodeableConcept `json:"category"`
		Status      string                 `json:"status"`
		Date        string                 `json:"date"`
		Created     string                 `json:"created"`
		Authored    string                 `json:"authoredOn"`
		Performed   string                 `json:"performedDateTime"`
		PerfPeriod  *fhir.Period           `json:"performedPeriod"`
		Period      *fhir.Period           `json:"period"`
		Billable    *fhir.Period           `json:"billablePeriod"`
		Occurrence  string                 `json:"occurrenceDateTime"`
		Issued      string                 `json:"issued"`
		Recorded    string                 `json:"recorded"`
		provenance
	}
	res.Decode(&o)
	if b.elsewhere(res, o.provenance, "") {
		return 0
	}
	summary := o.Title
	if summary == "" && o.Code != nil {
		summary = o.Code.Label()
	}
	if summary == "" && len(o.Type) > 0 {
		var one fhir.CodeableConcept
		var many []fhir.CodeableConcept
		if json.Unmarshal(o.Type, &one) == nil {
			summary = one.Label()
		} else if json.Unmarshal(o.Type, &many) == nil && len(many) > 0 {
			summary = many[0].Label()
		}
	}
	if summary == "" && len(o.Category) > 0 {
		summary = o.Category[0].Label()
	}
	summary = firstNonEmpty(summary, o.Description, typeLabel(res.Type))
	date := firstNonEmpty(o.Date, o.Performed, periodStart(o.PerfPeriod), periodStart(o.Period), periodStart(o.Billable),
		o.Occurrence, o.Authored, o.Created, o.Issued, o.Recorded)
	b.rec.other[res.Type] = append(b.rec.other[res.Type], OtherItem{ID: res.ID, Date: date, Summary: summary, Organisation: b.org})
	return 1
}
