package records

import (
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// Report is a group of test results: a DiagnosticReport and its
// Observations, or a lone Observation.
type Report struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Category      string   `json:"category"`
	Taken         string   `json:"taken"`
	Resulted      string   `json:"resulted"`
	OrderedBy     string   `json:"orderedBy"`
	Organisation  string   `json:"organisation"`
	Status        string   `json:"status"`
	Conclusion    string   `json:"conclusion"`
	AbnormalCount int      `json:"abnormalCount"`
	Results       []Result `json:"results"`
}

// Result is one test result value.
type Result struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	Code      fhir.Coding `json:"code"`
	Value     string      `json:"value"`
	Unit      string      `json:"unit"`
	Range     *Range      `json:"range"`
	Flag      string      `json:"flag"`
	FlagLabel string      `json:"flagLabel"`
	Comments  []string    `json:"comments"`
}

// Range is a reference range, as text because some sources send it as text.
type Range struct {
	Low  string `json:"low"`
	High string `json:"high"`
	Text string `json:"text"`
}

func (r *Report) count() {
	r.AbnormalCount = 0
	for _, x := range r.Results {
		if x.Flag != "" {
			r.AbnormalCount++
		}
	}
	if r.Results == nil {
		r.Results = []Result{}
	}
}

func reportOf(d fhir.DiagnosticReport, org string, names map[string]string) Report {
	rep := Report{
		ID:           d.ID,
		Name:         d.Code.Label(),
		Category:     categoryOf(d.Category),
		Taken:        firstNonEmpty(d.EffectiveDateTime, periodStart(d.EffectivePeriod)),
		Resulted:     d.Issued,
		Organisation: org,
		Status:       d.Status,
		Conclusion:   d.Conclusion,
	}
	for _, who := range append(append([]fhir.Reference{}, d.ResultsInterpreter...), d.Performer...) {
		name := firstNonEmpty(who.Display, names[who.Reference])
		if name != "" && !strings.HasPrefix(who.Reference, "Organization/") {
			rep.OrderedBy = name
			break
		}
	}
	return rep
}

func categoryOf(cs []fhir.CodeableConcept) string {
	for _, c := range cs {
		switch {
		case c.HasCode("", "LAB"), c.HasCode("", "laboratory"):
			return "Blood and lab test"
		case c.HasCode("", "RAD"), c.HasCode("", "imaging"):
			return "Scan or X-ray"
		}
	}
	if len(cs) > 0 {
		return cs[0].Label()
	}
	return ""
}

func resultOf(o fhir.Observation) Result {
	res := Result{ID: o.ID, Name: o.Code.Label(), Comments: []string{}}
	if len(o.Code.Coding) > 0 {
		res.Code = o.Code.Coding[0]
	}
	var num float64
	hasNum := false
	switch {
	case o.ValueQuantity != nil:
		q := o.ValueQuantity
		if q.Value != nil {
			res.Value = q.Comparator + q.Value.String()
			if f, err := q.Value.Float64(); err == nil && q.Comparator == "" {
				num, hasNum = f, true
			}
		}
		res.Unit = firstNonEmpty(q.Unit, q.Code)
	case o.ValueString != nil:
		res.Value = *o.ValueString
	case o.ValueCodeableConcept != nil:
		res.Value = o.ValueCodeableConcept.Label()
	case o.ValueInteger != nil:
		res.Value = o.ValueInteger.String()
		if f, err := o.ValueInteger.Float64(); err == nil {
			num, hasNum = f, true
		}
	case o.ValueBoolean != nil:
		res.Value = map[bool]string{true: "Yes", false: "No"}[*o.ValueBoolean]
	}
	var lo, hi *float64
	if len(o.ReferenceRange) > 0 {
		rr := o.ReferenceRange[0]
		r := &Range{Text: rr.Text}
		if rr.Low != nil && rr.Low.Value != nil {
			r.Low = rr.Low.Value.String()
			if f, err := rr.Low.Value.Float64(); err == nil {
				lo = &f
			}
		}
		if rr.High != nil && rr.High.Value != nil {
			r.High = rr.High.Value.String()
			if f, err := rr.High.Value.Float64(); err == nil {
				hi = &f
			}
		}
		if r.Text == "" {
			r.Text = rangeText(r.Low, r.High, res.Unit)
		}
		res.Range = r
	}
	res.Flag = flagOf(o.Interpretation)
	if res.Flag == "" && hasNum {
		if hi != nil && num > *hi {
			res.Flag = "high"
		} else if lo != nil && num < *lo {
			res.Flag = "low"
		}
	}
	res.FlagLabel = FlagLabel(res.Flag)
	for _, n := range o.Note {
		if n.Text != "" {
			res.Comments = append(res.Comments, n.Text)
		}
	}
	return res
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

// flagOf maps HL7 v3 ObservationInterpretation codes to Ward's flags.
func flagOf(cs []fhir.CodeableConcept) string {
	for _, c := range cs {
		for _, cd := range c.Coding {
			switch strings.ToUpper(cd.Code) {
			case "HH", "HU", ">":
				return "critical-high"
			case "LL", "LU", "<":
				return "critical-low"
			case "AA":
				return "critical"
			case "H":
				return "high"
			case "L":
				return "low"
			case "A", "POS", "DET", "R":
				return "abnormal"
			}
		}
		switch strings.ToLower(c.Text) {
		case "high":
			return "high"
		case "low":
			return "low"
		case "abnormal":
			return "abnormal"
		}
	}
	return ""
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
	case "critical-high":
		return "Very high: needs urgent attention"
	case "critical-low":
		return "Very low: needs urgent attention"
	case "critical":
		return "Very abnormal: needs urgent attention"
	}
	return ""
}
