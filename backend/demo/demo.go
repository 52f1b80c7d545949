// Package demo generates Ward's built-in demo record: a fictional patient at a
// fictional hospital, as FHIR R4 resources. It is deterministic for a given
// Options, so tests and benchmarks can rely on it, and it scales to any number
// of resources by adding more blood tests.
//
// Everything here is invented. The NHS number is in the 999 range that NHS
// England reserves for testing, so it can never belong to a real person.
package demo

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// Names used across the demo record; tests read them from here rather than
// repeating literals.
const (
	OrganisationName = "Demo Hospital NHS Foundation Trust"
	PatientGiven     = "Alex"
	PatientFamily    = "Morgan"
	PatientBirthDate = "1968-03-12"
	// NHSNumber is in the 999 test range (never issued to a person).
	NHSNumber = "9990001234"
)

const (
	loinc   = "http://loinc.org"
	snomed  = "http://snomed.info/sct"
	dmd     = "https://dmd.nhs.uk"
	ucum    = "http://unitsofmeasure.org"
	interp  = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	obsCat  = "http://terminology.hl7.org/CodeSystem/observation-category"
	v2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
	nhsNum  = "https://fhir.nhs.uk/Id/nhs-number"
	odsCode = "https://fhir.nhs.uk/Id/ods-organization-code"
)

// Options says what to generate.
type Options struct {
	// Seed makes the values vary between patients; the same seed gives the same record.
	Seed uint64
	// Now anchors every date: past visits are before it, upcoming ones after.
	Now time.Time
	// Resources is the total number of resources wanted; 0 means the
	// natural size of the demo record (a few hundred). Larger numbers add
	// blood tests until the total is reached exactly.
	Resources int
}

// Generate returns the demo record's resources in a stable order.
func Generate(opt Options) ([]fhir.Resource, error) {
	if opt.Now.IsZero() {
		return nil, fmt.Errorf("demo: Options.Now is required")
	}
	g := &gen{
		rng:  rand.New(rand.NewPCG(opt.Seed, 0x5741524400000000^opt.Seed)),
		seed: opt.Seed,
		now:  opt.Now.UTC(),
	}
	g.base()
	g.bloodTests(opt.Resources)
	out := make([]fhir.Resource, 0, len(g.out))
	for _, m := range g.out {
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("demo: marshal %v/%v: %w", m["resourceType"], m["id"], err)
		}
		out = append(out, fhir.Resource{Type: m["resourceType"].(string), ID: m["id"].(string), Raw: raw})
	}
	return out, nil
}

// Bundle wraps resources in a FHIR collection Bundle.
func Bundle(rs []fhir.Resource) ([]byte, error) {
	type entry struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
	}
	b := struct {
		ResourceType string  `json:"resourceType"`
		Type         string  `json:"type"`
		Entry        []entry `json:"entry"`
	}{ResourceType: "Bundle", Type: "collection", Entry: make([]entry, len(rs))}
	for i, r := range rs {
		b.Entry[i] = entry{FullURL: "urn:ward-demo:" + r.Ref(), Resource: r.Raw}
	}
	return json.Marshal(b)
}

type obj = map[string]any

type gen struct {
	rng  *rand.Rand
	seed uint64
	now  time.Time
	out  []obj
	n    int // resources emitted so far (== len(out))
}

func (g *gen) add(m obj) { g.out = append(g.out, m) }

func (g *gen) id(prefix string) string {
	g.n++
	return fmt.Sprintf("%s-%06d", prefix, g.n)
}

func ref(t, id string) obj { return obj{"reference": t + "/" + id} }

func code(system, c, display string) obj {
	return obj{"coding": []obj{{"system": system, "code": c, "display": display}}, "text": display}
}

func day(t time.Time) string   { return t.Format("2006-01-02") }
func stamp(t time.Time) string { return t.Format(time.RFC3339) }

const (
	orgID     = "demo-hospital"
	patientID = "demo-patient"
	consultID = "dr-priya-shah"
	gpID      = "dr-tom-ellis"
	nurseID   = "nurse-amara-okafor"
)

var practitioners = []struct{ id, prefix, given, family string }{
	{consultID, "Dr", "Priya", "Shah"},
	{gpID, "Dr", "Tom", "Ellis"},
	{nurseID, "", "Amara", "Okafor"},
}

func practitionerName(id string) string {
	for _, p := range practitioners {
		if p.id == id {
			if p.prefix != "" {
				return p.prefix + " " + p.given + " " + p.family
			}
			return p.given + " " + p.family
		}
	}
	return ""
}

func (g *gen) base() {
	meta := obj{"lastUpdated": stamp(g.now.Add(-26 * time.Hour))}
	g.add(obj{
		"resourceType": "Organization", "id": orgID, "meta": meta,
		"identifier": []obj{{"system": odsCode, "value": "XDEMO"}},
		"name":       OrganisationName,
		"telecom":    []obj{{"system": "phone", "value": "0300 000 0000"}},
		"address":    []obj{{"line": []string{"1 Example Road"}, "city": "Exampleton", "postalCode": "ZZ99 3AA"}},
	})
	for _, p := range practitioners {
		name := obj{"family": p.family, "given": []string{p.given}}
		if p.prefix != "" {
			name["prefix"] = []string{p.prefix}
		}
		g.add(obj{"resourceType": "Practitioner", "id": p.id, "name": []obj{name}})
	}
	g.add(obj{
		"resourceType": "Patient", "id": patientID, "meta": meta,
		"identifier": []obj{{"system": nhsNum, "value": NHSNumber}},
		"name":       []obj{{"use": "official", "family": PatientFamily, "given": []string{PatientGiven}, "prefix": []string{"Mx"}}},
		"gender":     "other",
		"birthDate":  PatientBirthDate,
		"telecom": []obj{
			{"system": "phone", "value": "07700 900123", "use": "mobile"},
			{"system": "email", "value": "alex.morgan@example.com"},
		},
		"address":              []obj{{"use": "home", "line": []string{"12 Sample Street"}, "city": "Exampleton", "postalCode": "ZZ99 1AB", "country": "GB"}},
		"managingOrganization": ref("Organization", orgID),
	})

	// Conditions: two long-term, one resolved, one recent.
	conds := []struct {
		code, name string
		onsetYears float64
		resolved   bool
	}{
		{"44054006", "Type 2 diabetes", 4.2, false},
		{"38341003", "High blood pressure", 6.5, false},
		{"195967001", "Asthma", 30, false},
		{"74400008", "Appendicitis", 12, true},
	}
	for _, c := range conds {
		onset := g.now.Add(-time.Duration(c.onsetYears * 365.25 * 24 * float64(time.Hour)))
		m := obj{
			"resourceType": "Condition", "id": g.id("condition"),
			"clinicalStatus": code("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"),
			"code":           code(snomed, c.code, c.name),
			"subject":        ref("Patient", patientID),
			"onsetDateTime":  day(onset),
			"recorder":       ref("Practitioner", consultID),
		}
		if c.resolved {
			m["clinicalStatus"] = code("http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved", "Resolved")
			m["abatementDateTime"] = day(onset.AddDate(0, 0, 10))
		}
		g.add(m)
	}

	// Medicines: current and past.
	meds := []struct {
		code, name, dose string
		startYears       float64
		stopped          bool
	}{
		{"39109211000001103", "Metformin 500mg tablets", "Take one tablet twice a day with food", 4.0, false},
		{"39695211000001102", "Ramipril 5mg capsules", "Take one capsule once a day", 6.4, false},
		{"39733511000001106", "Atorvastatin 20mg tablets", "Take one tablet at night", 3.1, false},
		{"39113611000001102", "Salbutamol 100micrograms inhaler", "Inhale 2 puffs when needed for breathlessness", 20, false},
		{"39720411000001103", "Amoxicillin 500mg capsules", "Take one capsule three times a day for 7 days", 12, true},
	}
	for _, m := range meds {
		start := g.now.Add(-time.Duration(m.startYears * 365.25 * 24 * float64(time.Hour)))
		status := "active"
		if m.stopped {
			status = "completed"
		}
		g.add(obj{
			"resourceType": "MedicationRequest", "id": g.id("medication"),
			"status": status, "intent": "order",
			"medicationCodeableConcept": code(dmd, m.code, m.name),
			"subject":                   ref("Patient", patientID),
			"authoredOn":                day(start),
			"requester":                 ref("Practitioner", gpID),
			"dosageInstruction":         []obj{{"text": m.dose}},
		})
	}

	// Allergies.
	g.add(obj{
		"resourceType": "AllergyIntolerance", "id": g.id("allergy"),
		"clinicalStatus": code("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
		"code":           code(snomed, "764146007", "Penicillin"),
		"patient":        ref("Patient", patientID),
		"criticality":    "high",
		"reaction":       []obj{{"manifestation": []obj{code(snomed, "271807003", "Skin rash")}, "severity": "moderate"}},
		"recordedDate":   day(g.now.AddDate(-12, 0, 0)),
	})
	g.add(obj{
		"resourceType": "AllergyIntolerance", "id": g.id("allergy"),
		"clinicalStatus": code("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
		"code":           code(snomed, "256349002", "Peanut"),
		"patient":        ref("Patient", patientID),
		"criticality":    "high",
		"reaction":       []obj{{"manifestation": []obj{code(snomed, "39579001", "Anaphylaxis")}, "severity": "severe"}},
		"recordedDate":   day(g.now.AddDate(-25, 0, 0)),
	})

	// Immunisations: yearly flu, COVID-19 boosters, tetanus.
	for y := 5; y >= 1; y-- {
		g.add(g.immunisation("Influenza vaccine", "1181000221105", g.now.AddDate(-y, -1, 3)))
	}
	g.add(g.immunisation("COVID-19 vaccine", "1324681000000101", g.now.AddDate(-2, -2, 0)))
	g.add(g.immunisation("COVID-19 vaccine", "1324681000000101", g.now.AddDate(-1, -1, 10)))
	g.add(g.immunisation("Tetanus, diphtheria and polio vaccine", "414619005", g.now.AddDate(-9, 4, 0)))

	g.visits()
}

func (g *gen) immunisation(name, c string, when time.Time) obj {
	return obj{
		"resourceType": "Immunization", "id": g.id("immunisation"), "status": "completed",
		"vaccineCode":        code(snomed, c, name),
		"patient":            ref("Patient", patientID),
		"occurrenceDateTime": day(when),
		"performer":          []obj{{"actor": ref("Practitioner", nurseID)}},
	}
}

// analyte is one blood test with a trend over time.
type analyte struct {
	loinc, name, unit string
	low, high         float64
	critLow, critHigh float64 // 0 = none
	// value returns the underlying value at a fraction t of the history
	// (0 = oldest, 1 = newest) before noise.
	value func(t float64) float64
	noise float64
	dp    int
}

type panel struct {
	loinc, name string
	analytes    []analyte
}

var panels = []panel{
	{"58410-2", "Full blood count", []analyte{
		{"718-7", "Haemoglobin", "g/L", 130, 170, 70, 0, func(t float64) float64 { return 142 - 18*math.Sin(t*math.Pi) }, 4, 0},
		{"6690-2", "White blood cells", "10*9/L", 4.0, 11.0, 1.0, 30, func(t float64) float64 { return 7.2 }, 1.6, 1},
		{"777-3", "Platelets", "10*9/L", 150, 400, 50, 1000, func(t float64) float64 { return 260 }, 40, 0},
	}},
	{"24362-6", "Kidney function (urea and electrolytes)", []analyte{
		{"2951-2", "Sodium", "mmol/L", 133, 146, 120, 160, func(t float64) float64 { return 139 }, 2.2, 0},
		{"2823-3", "Potassium", "mmol/L", 3.5, 5.3, 2.5, 6.5, func(t float64) float64 { return 4.4 + 0.5*t }, 0.35, 1},
		{"2160-0", "Creatinine", "umol/L", 59, 104, 0, 350, func(t float64) float64 { return 82 + 30*t }, 6, 0},
		{"33914-3", "eGFR", "mL/min/1.73m2", 60, 0, 15, 0, func(t float64) float64 { return 88 - 26*t }, 4, 0},
	}},
	{"4548-4", "HbA1c (diabetes control)", []analyte{
		{"4548-4", "HbA1c", "mmol/mol", 20, 41, 0, 100, func(t float64) float64 {
			// Rises to a peak at diagnosis, then falls on treatment.
			if t < 0.45 {
				return 40 + 40*t
			}
			return 58 - 18*(t-0.45)
		}, 2.5, 0},
	}},
	{"57698-3", "Cholesterol", []analyte{
		{"2093-3", "Total cholesterol", "mmol/L", 0, 5.0, 0, 0, func(t float64) float64 { return 6.1 - 1.8*t }, 0.3, 1},
		{"2085-9", "HDL cholesterol", "mmol/L", 1.0, 0, 0, 0, func(t float64) float64 { return 1.2 }, 0.12, 1},
	}},
}

// historyYears is how far back the blood tests go.
const historyYears = 5

// bloodTests adds blood test reports, each a DiagnosticReport and its
// Observations. With total == 0 it adds one round of each panel every three
// months; with a larger total it adds reports until exactly total resources
// exist, spreading them evenly over the same five years.
func (g *gen) bloodTests(total int) {
	type slot struct {
		p int
		t float64
	}
	var slots []slot
	if total <= 0 {
		rounds := historyYears * 4
		for r := 0; r < rounds; r++ {
			for p := range panels {
				slots = append(slots, slot{p, float64(r) / float64(rounds-1)})
			}
		}
	} else {
		remaining := total - len(g.out)
		avg := 0.0
		for _, p := range panels {
			avg += float64(1 + len(p.analytes))
		}
		avg /= float64(len(panels))
		n := int(math.Ceil(float64(remaining) / avg))
		for i := 0; i < n; i++ {
			t := 0.0
			if n > 1 {
				t = float64(i/len(panels)*len(panels)) / float64(n-1)
			}
			slots = append(slots, slot{i % len(panels), t})
		}
	}
	span := time.Duration(historyYears * 365.25 * 24 * float64(time.Hour))
	start := g.now.Add(-span).Add(-48 * time.Hour)
	for _, s := range slots {
		if total > 0 && len(g.out) >= total {
			break
		}
		taken := start.Add(time.Duration(s.t * float64(span))).Truncate(time.Minute)
		taken = time.Date(taken.Year(), taken.Month(), taken.Day(), 8+g.rng.IntN(3), g.rng.IntN(60), 0, 0, time.UTC)
		g.report(panels[s.p], s.t, taken, total)
	}
}

func (g *gen) report(p panel, t float64, taken time.Time, total int) {
	resulted := taken.Add(time.Duration(3+g.rng.IntN(6)) * time.Hour)
	reportID := g.id("report")
	rep := obj{
		"resourceType": "DiagnosticReport", "id": reportID, "status": "final",
		"category":           []obj{code(v2_0074, "LAB", "Laboratory")},
		"code":               code(loinc, p.loinc, p.name),
		"subject":            ref("Patient", patientID),
		"effectiveDateTime":  stamp(taken),
		"issued":             stamp(resulted),
		"performer":          []obj{ref("Organization", orgID)},
		"resultsInterpreter": []obj{{"reference": "Practitioner/" + consultID, "display": practitionerName(consultID)}},
	}
	g.add(rep)
	var results []obj
	for _, a := range p.analytes {
		if total > 0 && len(g.out) >= total {
			break
		}
		v := a.value(t) + g.rng.NormFloat64()*a.noise
		if v < 0 {
			v = 0
		}
		scale := math.Pow(10, float64(a.dp))
		v = math.Round(v*scale) / scale
		oid := g.id("result")
		o := obj{
			"resourceType": "Observation", "id": oid, "status": "final",
			"category":          []obj{code(obsCat, "laboratory", "Laboratory")},
			"code":              code(loinc, a.loinc, a.name),
			"subject":           ref("Patient", patientID),
			"effectiveDateTime": stamp(taken),
			"issued":            stamp(resulted),
			"performer":         []obj{ref("Organization", orgID)},
			"valueQuantity":     obj{"value": json.Number(formatNum(v, a.dp)), "unit": a.unit, "system": ucum, "code": a.unit},
			"referenceRange":    []obj{rangeOf(a)},
		}
		if flag, label := judge(a, v); flag != "" {
			o["interpretation"] = []obj{code(interp, flag, label)}
			if flag == "HH" || flag == "LL" {
				o["note"] = []obj{{"text": "Result phoned to the requesting clinician."}}
			}
		}
		g.add(o)
		results = append(results, ref("Observation", oid))
	}
	rep["result"] = results
}

func formatNum(v float64, dp int) string {
	return fmt.Sprintf("%.*f", dp, v)
}

func rangeOf(a analyte) obj {
	r := obj{}
	if a.low > 0 {
		r["low"] = obj{"value": json.Number(formatNum(a.low, a.dp)), "unit": a.unit, "system": ucum, "code": a.unit}
	}
	if a.high > 0 {
		r["high"] = obj{"value": json.Number(formatNum(a.high, a.dp)), "unit": a.unit, "system": ucum, "code": a.unit}
	}
	return r
}

func judge(a analyte, v float64) (string, string) {
	switch {
	case a.critHigh > 0 && v >= a.critHigh:
		return "HH", "Critical high"
	case a.critLow > 0 && v <= a.critLow:
		return "LL", "Critical low"
	case a.high > 0 && v > a.high:
		return "H", "High"
	case a.low > 0 && v < a.low:
		return "L", "Low"
	}
	return "", ""
}

// Types lists the resource types the demo record contains, sorted.
func Types(rs []fhir.Resource) []string {
	seen := map[string]bool{}
	for _, r := range rs {
		seen[r.Type] = true
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
