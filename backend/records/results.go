package records

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
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
	Text          string   `json:"text"`
	AbnormalCount int      `json:"abnormalCount"`
	Results       []Result `json:"results"`
	Codes         []Code   `json:"codes"`
}

// Result is one test result value.
type Result struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	TestKey   string   `json:"testKey"`
	Code      Code     `json:"code"`
	Value     string   `json:"value"`
	Unit      string   `json:"unit"`
	Range     *Range   `json:"range"`
	Flag      string   `json:"flag"`
	FlagLabel string   `json:"flagLabel"`
	Comments  []string `json:"comments"`
	number    *float64
}

// Range is a reference range, as text because some sources send it as text.
type Range struct {
	Low  string `json:"low"`
	High string `json:"high"`
	Text string `json:"text"`
}

// Code is a coded concept, shown only as secondary detail.
type Code struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

var systemNames = map[string]string{
	"http://loinc.org":                            "LOINC",
	"http://snomed.info/sct":                      "SNOMED CT",
	"https://dmd.nhs.uk":                          "dm+d",
	"https://fhir.nhs.uk/Id/dmd-code":             "dm+d",
	"http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
	"http://hl7.org/fhir/sid/cvx":                 "CVX",
	"http://hl7.org/fhir/sid/icd-10":              "ICD-10",
	"http://unitsofmeasure.org":                   "UCUM",
}

func codesOf(c *fhir.CodeableConcept) []Code {
	out := []Code{}
	if c == nil {
		return out
	}
	for _, cd := range c.Coding {
		if cd.Code == "" {
			continue
		}
		out = append(out, Code{System: firstNonEmpty(systemNames[cd.System], cd.System), Code: cd.Code, Display: cd.Display})
	}
	return out
}

// testKey names a test the same way across reports and organisations:
// by LOINC code when there is one, else the first code, else the name.
func testKey(c *fhir.CodeableConcept, name string) string {
	if c != nil {
		for _, cd := range c.Coding {
			if cd.System == "http://loinc.org" && cd.Code != "" {
				return "loinc|" + cd.Code
			}
		}
		for _, cd := range c.Coding {
			if cd.Code != "" {
				return cd.System + "|" + cd.Code
			}
		}
	}
	return "name|" + strings.ToLower(strings.TrimSpace(name))
}

type value struct {
	Quantity        *fhir.Quantity        `json:"valueQuantity"`
	String          *string               `json:"valueString"`
	CodeableConcept *fhir.CodeableConcept `json:"valueCodeableConcept"`
	Boolean         *bool                 `json:"valueBoolean"`
	Integer         *json.Number          `json:"valueInteger"`
	Range           *fhir.Range           `json:"valueRange"`
	DateTime        *string               `json:"valueDateTime"`
}

type component struct {
	value
	Code           fhir.CodeableConcept   `json:"code"`
	Interpretation []fhir.CodeableConcept `json:"interpretation"`
	ReferenceRange []fhir.ReferenceRange  `json:"referenceRange"`
}

type observationJSON struct {
	provenance
	value
	ID                string                 `json:"id"`
	Status            string                 `json:"status"`
	Category          []fhir.CodeableConcept `json:"category"`
	Code              fhir.CodeableConcept   `json:"code"`
	EffectiveDateTime string                 `json:"effectiveDateTime"`
	EffectivePeriod   *fhir.Period           `json:"effectivePeriod"`
	EffectiveInstant  string                 `json:"effectiveInstant"`
	Issued            string                 `json:"issued"`
	Performer         []fhir.Reference       `json:"performer"`
	BasedOn           []fhir.Reference       `json:"basedOn"`
	Interpretation    []fhir.CodeableConcept `json:"interpretation"`
	Note              []fhir.Annotation      `json:"note"`
	ReferenceRange    []fhir.ReferenceRange  `json:"referenceRange"`
	Component         []component            `json:"component"`
	HasMember         []fhir.Reference       `json:"hasMember"`
}

func (o *observationJSON) taken() string {
	return firstNonEmpty(o.EffectiveDateTime, o.EffectiveInstant, periodStart(o.EffectivePeriod))
}

type reportJSON struct {
	fhir.DiagnosticReport
	EffectiveInstant string          `json:"effectiveInstant"`
	Encounter        *fhir.Reference `json:"encounter"`
	Source           *struct {
		Source string `json:"source"`
	} `json:"meta"`
}

// provenance is where the report says it came from and whom it is about.
func (d *reportJSON) provenance() provenance {
	return provenance{Meta: d.Source, Encounter: d.Encounter, Subject: d.Subject}
}

func periodStart(p *fhir.Period) string {
	if p == nil {
		return ""
	}
	return p.Start
}

// report adds a DiagnosticReport with its results; it returns 1.
func (b *builder) report(res fhir.Resource) int {
	dp, ok := b.idx.reports[res.Ref()]
	if !ok {
		return b.unreadable(res, b.idx.bad[res.Ref()])
	}
	d := *dp
	if b.elsewhere(res, d.provenance(), firstNonEmpty(d.Code.Label(), "Test result")) {
		for _, ref := range d.Result {
			if obs, ok := b.resolveFrom(res, ref.Reference); ok {
				b.idx.inReport[obs.Ref()] = true // filed with their report
			}
		}
		return 0
	}
	rep := Report{
		ID:           res.ID,
		Name:         firstNonEmpty(d.Code.Label(), "Test result"),
		Category:     categoryOf(d.Category),
		Taken:        firstNonEmpty(d.EffectiveDateTime, d.EffectiveInstant, periodStart(d.EffectivePeriod), d.Issued),
		Resulted:     d.Issued,
		Organisation: b.orgOf(res, d.provenance(), nil, d.Performer),
		Status:       d.Status,
		Conclusion:   d.Conclusion,
		Codes:        codesOf(&d.Code),
	}
	rep.OrderedBy = b.orderedBy(res, d.BasedOn, append(append([]fhir.Reference{}, d.ResultsInterpreter...), d.Performer...))
	for _, form := range d.PresentedForm {
		if t := attachmentText(form); t != "" {
			rep.Text = t
			break
		}
	}
	for _, ref := range d.Result {
		obs, ok := b.resolveFrom(res, ref.Reference)
		if !ok {
			continue
		}
		b.idx.inReport[obs.Ref()] = true
		op, ok := b.all.observation(obs)
		if !ok {
			continue
		}
		o := *op
		// A panel observation lists its members; show the members.
		if len(o.HasMember) > 0 && o.Quantity == nil && o.String == nil && len(o.Component) == 0 {
			for _, m := range o.HasMember {
				if mo, ok := b.all.resolve(b.idx, m.Reference); ok {
					b.idx.inReport[mo.Ref()] = true
					if x, ok := b.all.observation(mo); ok {
						rep.Results = append(rep.Results, b.results(*x)...)
					}
				}
			}
			continue
		}
		rep.Results = append(rep.Results, b.results(o)...)
	}
	b.addReport(rep)
	return 1
}

// orderedBy names who asked for the test: the requester of the order it
// was based on, else the clinician who interpreted or performed it.
func (b *builder) orderedBy(res fhir.Resource, basedOn, people []fhir.Reference) string {
	for _, ref := range basedOn {
		if sr, ok := b.all.resolve(b.idx, ref.Reference); ok {
			var req struct {
				Requester *fhir.Reference `json:"requester"`
			}
			if sr.Decode(&req) == nil && req.Requester != nil {
				if n := b.name(*req.Requester, sr); n != "" {
					return n
				}
			}
		}
	}
	for _, who := range people {
		if strings.Contains(who.Reference, "Organization/") {
			continue
		}
		if n := b.name(who, res); n != "" {
			return n
		}
	}
	return ""
}

// loneObservation adds an Observation that no report lists as its own
// group; it returns 1 when it was shown.
func (b *builder) loneObservation(res fhir.Resource) int {
	op, ok := b.all.observation(res)
	if !ok {
		return b.unreadable(res, b.idx.bad[res.Ref()])
	}
	o := *op
	if b.elsewhere(res, o.provenance, firstNonEmpty(o.Code.Label(), "Test result")) {
		return 0
	}
	results := b.results(o)
	if len(results) == 0 {
		return 0
	}
	b.addReport(Report{
		ID:           "obs-" + res.ID,
		Name:         firstNonEmpty(o.Code.Label(), "Test result"),
		Category:     categoryOf(o.Category),
		Taken:        o.taken(),
		Resulted:     o.Issued,
		Organisation: b.orgOf(res, o.provenance, nil, o.Performer),
		Status:       o.Status,
		OrderedBy:    b.orderedBy(res, o.BasedOn, o.Performer),
		Results:      results,
		Codes:        codesOf(&o.Code),
	})
	return 1
}

func (b *builder) addReport(rep Report) {
	if rep.Results == nil {
		rep.Results = []Result{}
	}
	// Two organisations may use the same report id: keep both.
	if _, dup := b.rec.byID[rep.ID]; dup {
		rep.ID = rep.ID + "~" + strconv.Itoa(len(b.rec.reports))
	}
	for _, x := range rep.Results {
		if x.Flag != "" {
			rep.AbnormalCount++
		}
		h := b.rec.history[x.TestKey]
		if h == nil {
			h = &History{Name: x.Name, Points: []Point{}}
			b.rec.history[x.TestKey] = h
		}
		h.add(x, rep)
	}
	b.rec.byID[rep.ID] = len(b.rec.reports)
	b.rec.reports = append(b.rec.reports, rep)
}

func categoryOf(cs []fhir.CodeableConcept) string {
	for _, c := range cs {
		switch {
		case c.HasCode("", "LAB"), c.HasCode("", "laboratory"):
			return "Blood and lab test"
		case c.HasCode("", "RAD"), c.HasCode("", "imaging"):
			return "Scan or X-ray"
		case c.HasCode("", "vital-signs"):
			return "Measurement"
		case c.HasCode("", "social-history"):
			return "Lifestyle"
		case c.HasCode("", "survey"):
			return "Questionnaire"
		case c.HasCode("", "procedure"):
			return "Procedure"
		}
	}
	if len(cs) > 0 {
		return cs[0].Label()
	}
	return ""
}

// results turns an Observation into the values to show: itself, or one per
// component (blood pressure is two numbers).
func (b *builder) results(o observationJSON) []Result {
	name := firstNonEmpty(o.Code.Label(), "Result")
	var out []Result
	if r, ok := resultOf(o.ID, name, &o.Code, o.value, o.Interpretation, o.ReferenceRange); ok || len(o.Component) == 0 {
		out = append(out, r)
	}
	for i, c := range o.Component {
		cname := firstNonEmpty(c.Code.Label(), name)
		if r, ok := resultOf(o.ID+"-"+strconv.Itoa(i), cname, &c.Code, c.value, c.Interpretation, c.ReferenceRange); ok {
			out = append(out, r)
		}
	}
	for i := range out {
		for _, n := range o.Note {
			if n.Text != "" {
				out[i].Comments = append(out[i].Comments, n.Text)
			}
		}
	}
	return out
}

// resultOf reads one value; ok is false when there is no value at all.
func resultOf(id, name string, code *fhir.CodeableConcept, v value, interp []fhir.CodeableConcept, ranges []fhir.ReferenceRange) (Result, bool) {
	res := Result{ID: id, Name: name, TestKey: testKey(code, name), Comments: []string{}}
	if len(code.Coding) > 0 {
		cd := code.Coding[0]
		res.Code = Code{System: firstNonEmpty(systemNames[cd.System], cd.System), Code: cd.Code, Display: cd.Display}
	}
	ok := true
	switch {
	case v.Quantity != nil:
		q := v.Quantity
		if q.Value != nil {
			res.Value = q.Comparator + q.Value.String()
			if f, err := q.Value.Float64(); err == nil && q.Comparator == "" {
				res.number = &f
			}
		}
		res.Unit = firstNonEmpty(q.Unit, q.Code)
	case v.String != nil:
		res.Value = *v.String
		if f, err := strconv.ParseFloat(strings.TrimSpace(*v.String), 64); err == nil {
			res.number = &f
		}
	case v.CodeableConcept != nil:
		res.Value = v.CodeableConcept.Label()
	case v.Integer != nil:
		res.Value = v.Integer.String()
		if f, err := v.Integer.Float64(); err == nil {
			res.number = &f
		}
	case v.Boolean != nil:
		res.Value = map[bool]string{true: "Yes", false: "No"}[*v.Boolean]
	case v.Range != nil:
		lo, hi := "", ""
		if v.Range.Low != nil && v.Range.Low.Value != nil {
			lo = v.Range.Low.Value.String()
		}
		if v.Range.High != nil && v.Range.High.Value != nil {
			hi = v.Range.High.Value.String()
		}
		res.Value = strings.Trim(lo+" to "+hi, " to")
	case v.DateTime != nil:
		res.Value = *v.DateTime
	default:
		ok = false
	}
	var lo, hi *float64
	if len(ranges) > 0 {
		rr := ranges[0]
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
		if r.Text != "" {
			res.Range = r
		}
	}
	res.Flag = flagOf(interp)
	if res.Flag == "" && res.number != nil {
		if hi != nil && *res.number > *hi {
			res.Flag = "high"
		} else if lo != nil && *res.number < *lo {
			res.Flag = "low"
		}
	}
	res.FlagLabel = FlagLabel(res.Flag)
	return res, ok
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
		case "high", "above high normal":
			return "high"
		case "low", "below low normal":
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

// attachmentText returns an inline text attachment's text.
func attachmentText(a fhir.Attachment) string {
	if a.Data == "" || MediaType(a.ContentType) != "text/plain" {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(a.Data)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
