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
	ID           string `json:"id"`
	Name         string `json:"name"`
	Category     string `json:"category"`
	Taken        string `json:"taken"`
	Resulted     string `json:"resulted"`
	OrderedBy    string `json:"orderedBy"`
	PerformedBy  string `json:"performedBy"`
	ReviewedBy   string `json:"reviewedBy"`
	Organisation string `json:"organisation"`
	Status       string `json:"status"`
	StatusLabel  string `json:"statusLabel"`
	// Void is set for an entered-in-error or cancelled report, reached
	// only by a direct link: no list, count, chart or search has it.
	Void       bool   `json:"void"`
	Conclusion string `json:"conclusion"`
	Text       string `json:"text"`
	// AbnormalCount is the results flagged (by the source or their range).
	AbnormalCount int `json:"abnormalCount"`
	// UrgentCount is the results flagged critical.
	UrgentCount int `json:"urgentCount"`
	// OutsideCount is the results flagged high or low (not urgent): the
	// rest of AbnormalCount are abnormal some other way ("Positive").
	OutsideCount int `json:"outsideCount"`
	// UnrangedCount is the results that could not be compared with a
	// range: none given, or one the value cannot be placed in.
	UnrangedCount int `json:"unrangedCount"`
	// AllInRange is true only when every result has a range and is inside
	// it, and nothing else (the source's words, a disagreement) says
	// otherwise: the only time "No results outside the normal range" is true.
	AllInRange bool     `json:"allInRange"`
	Results    []Result `json:"results"`
	// Withdrawn are the report's results entered in error or cancelled:
	// shown struck through, counted nowhere.
	Withdrawn []Result `json:"withdrawn"`
	Codes     []Code   `json:"codes"`
}

// Result is one test result value.
type Result struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	TestKey string `json:"testKey"`
	Code    Code   `json:"code"`
	// Value is as the source sent it, comparator included ("<2").
	Value       string `json:"value"`
	Comparator  string `json:"comparator"`
	Unit        string `json:"unit"`
	UnitMissing bool   `json:"unitMissing"`
	// Absent is why there is no value (dataAbsentReason): "Sample haemolysed".
	Absent string `json:"absent"`
	// Range is the range to compare with; Ranges all that apply (one per
	// sex when the patient's sex is not known).
	Range      *Range  `json:"range"`
	Ranges     []Range `json:"ranges"`
	RangeCheck string  `json:"rangeCheck"`
	Flag       string  `json:"flag"`
	FlagLabel  string  `json:"flagLabel"`
	// Interpretation is the source's words when they are not a flag
	// ("Negative", "Indeterminate", "Borderline").
	Interpretation string `json:"interpretation"`
	// Computed is what the range says when it disagrees with the source.
	Computed    string   `json:"computed"`
	Urgent      bool     `json:"urgent"`
	Status      string   `json:"status"`
	StatusLabel string   `json:"statusLabel"`
	Comments    []string `json:"comments"`
	number      *float64
}

// Range is a reference range, as text because some sources send it as text.
type Range struct {
	Low  string `json:"low"`
	High string `json:"high"`
	Text string `json:"text"`
	// For is whom a sex-specific range is for: "Women", "Men" or "".
	For string `json:"for"`
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
	Absent          *fhir.CodeableConcept `json:"dataAbsentReason"`
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
	if r, ok := b.resultOf(o.ID, name, &o.Code, o.value, o.Interpretation, o.ReferenceRange); ok || len(o.Component) == 0 {
		out = append(out, r)
	}
	for i, c := range o.Component {
		cname := firstNonEmpty(c.Code.Label(), name)
		if r, ok := b.resultOf(o.ID+"-"+strconv.Itoa(i), cname, &c.Code, c.value, c.Interpretation, c.ReferenceRange); ok {
			out = append(out, r)
		}
	}
	for i := range out {
		out[i].Status, out[i].StatusLabel = o.Status, statusLabel(o.Status)
		for _, n := range o.Note {
			if n.Text != "" {
				out[i].Comments = append(out[i].Comments, n.Text)
			}
		}
	}
	return out
}

// resultOf reads one value; ok is false when there is neither a value nor
// a reason it is missing.
func (b *builder) resultOf(id, name string, code *fhir.CodeableConcept, v value, interp []fhir.CodeableConcept, ranges []fhir.ReferenceRange) (Result, bool) {
	res := Result{ID: id, Name: name, TestKey: testKey(code, name), Comments: []string{}, Ranges: []Range{}}
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
			res.Comparator = q.Comparator
			if f, err := q.Value.Float64(); err == nil {
				res.number = &f
			}
		}
		res.Unit = firstNonEmpty(q.Unit, q.Code)
		res.UnitMissing = q.Value != nil && res.Unit == ""
	case v.String != nil:
		res.Value = *v.String
		res.Comparator, res.number = numberIn(*v.String)
	case v.CodeableConcept != nil:
		res.Value = meaningOf(v.CodeableConcept)
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
	case v.Absent != nil:
		res.Absent = firstNonEmpty(v.Absent.Text, displayOf(v.Absent), dataAbsent[statusCode(v.Absent)], "No reason given")
	default:
		ok = false
	}
	if v.Absent != nil && res.Absent == "" && res.Value == "" {
		res.Absent = firstNonEmpty(v.Absent.Text, displayOf(v.Absent), dataAbsent[statusCode(v.Absent)])
	}
	b.judge(&res, interp, ranges)
	return res, ok
}

// judge sets a result's ranges, flag and words. The source's own
// interpretation wins; where its range says otherwise, both are shown.
func (b *builder) judge(res *Result, interp []fhir.CodeableConcept, ranges []fhir.ReferenceRange) {
	bs := forPatient(boundsOf(ranges), b.all.sex())
	for _, x := range bs {
		res.Ranges = append(res.Ranges, x.shown(res.Unit))
	}
	if len(res.Ranges) > 0 {
		res.Range = &res.Ranges[0]
	}
	var numeric []bound
	for _, x := range bs {
		if x.numeric() {
			numeric = append(numeric, x)
		}
	}
	check, computed := rangeNone, ""
	if len(bs) > 0 {
		check, computed = checkAll(numeric, res.number, res.Comparator)
		if len(numeric) == 0 {
			check = rangeUnclear // a range in words Ward cannot read
		}
	}
	res.RangeCheck = check
	src := interpret(interp)
	switch {
	case src.flag != "":
		res.Flag, res.FlagLabel = src.flag, src.label
		if check == rangeIn {
			res.Computed = "Inside the normal range given"
		} else if computed != "" && direction(computed) != direction(src.flag) && direction(src.flag) != "" {
			res.Computed = "Outside the normal range given: " + strings.ToLower(FlagLabel(computed))
		}
	case src.given:
		res.Interpretation = src.label
		if src.normal && computed != "" {
			res.Computed = "Outside the normal range given: " + strings.ToLower(FlagLabel(computed))
		}
		if !src.normal && res.Computed == "" && computed != "" {
			res.Flag, res.FlagLabel = computed, FlagLabel(computed)
		}
	default:
		res.Flag, res.FlagLabel = computed, FlagLabel(computed)
	}
	res.Urgent = urgentFlag(res.Flag)
}

// direction is which way a flag points: "high", "low" or "" (either).
func direction(flag string) string {
	return strings.TrimPrefix(flag, "critical-")
}

// numberIn reads a number written as text, with a comparator ("<2",
// ">= 500"); nil when the text is not one number.
func numberIn(s string) (string, *float64) {
	s = strings.TrimSpace(s)
	comparator := ""
	for _, c := range []string{"<=", ">=", "<", ">"} {
		if rest, ok := strings.CutPrefix(s, c); ok {
			comparator, s = c, strings.TrimSpace(rest)
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "", nil
	}
	return comparator, &f
}

func displayOf(c *fhir.CodeableConcept) string {
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
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
