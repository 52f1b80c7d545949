// Package records turns stored FHIR resources into what a patient reads:
// their details, the organisations the record comes from, and test results
// grouped by report. It holds a decoded, in-memory view that the API reads
// from; the view is rebuilt when the record changes.
package records

import (
	"sort"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// Source is one organisation's contribution to the record.
type Source struct {
	Name        string    `json:"name"`
	LastUpdated time.Time `json:"lastUpdated"`
}

// Set is the resources that came from one source.
type Set struct {
	Source    Source
	Resources []fhir.Resource
}

// Patient is the person the record is about.
type Patient struct {
	Name      string `json:"name"`
	GivenName string `json:"givenName"`
	BirthDate string `json:"birthDate"`
	NHSNumber string `json:"nhsNumber"`
}

// Counts is how many items of each kind the record holds.
type Counts struct {
	Results       int `json:"results"`
	Conditions    int `json:"conditions"`
	Medications   int `json:"medications"`
	Allergies     int `json:"allergies"`
	Immunisations int `json:"immunisations"`
	Appointments  int `json:"appointments"`
	Documents     int `json:"documents"`
}

// Summary is what the home page shows.
type Summary struct {
	Patient *Patient `json:"patient"`
	Sources []Source `json:"sources"`
	Counts  Counts   `json:"counts"`
}

// Record is the decoded view of everything loaded.
type Record struct {
	summary Summary
	reports []Report
	byID    map[string]int
}

// Build decodes the sets into a Record. Resources it cannot decode are left
// out of the views (they are still stored); it never fails on content.
func Build(sets ...Set) *Record {
	rec := &Record{byID: map[string]int{}}
	rec.summary.Sources = []Source{}
	for _, s := range sets {
		rec.summary.Sources = append(rec.summary.Sources, s.Source)
		rec.add(s)
	}
	sort.SliceStable(rec.reports, func(i, j int) bool {
		return rec.reports[i].Taken > rec.reports[j].Taken
	})
	for i, r := range rec.reports {
		rec.byID[r.ID] = i
	}
	rec.summary.Counts.Results = len(rec.reports)
	return rec
}

// Summary returns the home page view.
func (r *Record) Summary() Summary { return r.summary }

// Reports returns all test result reports, newest first.
func (r *Record) Reports() []Report { return r.reports }

// Report returns one report by id.
func (r *Record) Report(id string) (Report, bool) {
	i, ok := r.byID[id]
	if !ok {
		return Report{}, false
	}
	return r.reports[i], true
}

func (r *Record) add(s Set) {
	names := map[string]string{} // "Type/id" -> display name, for references
	obs := map[string]fhir.Observation{}
	var reports []fhir.DiagnosticReport
	for _, res := range s.Resources {
		switch res.Type {
		case "Patient":
			var p fhir.Patient
			if res.Decode(&p) == nil && r.summary.Patient == nil {
				r.summary.Patient = patientOf(p)
			}
		case "Organization":
			var o fhir.Organization
			if res.Decode(&o) == nil {
				names[res.Ref()] = o.Name
			}
		case "Practitioner":
			var p fhir.Practitioner
			if res.Decode(&p) == nil && len(p.Name) > 0 {
				names[res.Ref()] = p.Name[0].Display()
			}
		case "Observation":
			var o fhir.Observation
			if res.Decode(&o) == nil {
				obs[res.Ref()] = o
			}
		case "DiagnosticReport":
			var d fhir.DiagnosticReport
			if res.Decode(&d) == nil {
				reports = append(reports, d)
			}
		case "Condition":
			r.summary.Counts.Conditions++
		case "MedicationRequest", "MedicationStatement":
			r.summary.Counts.Medications++
		case "AllergyIntolerance":
			r.summary.Counts.Allergies++
		case "Immunization":
			r.summary.Counts.Immunisations++
		case "Appointment", "Encounter":
			r.summary.Counts.Appointments++
		case "DocumentReference", "Composition":
			r.summary.Counts.Documents++
		}
	}
	used := map[string]bool{}
	for _, d := range reports {
		rep := reportOf(d, s.Source.Name, names)
		for _, ref := range d.Result {
			o, ok := obs[ref.Reference]
			if !ok {
				continue
			}
			used[ref.Reference] = true
			rep.Results = append(rep.Results, resultOf(o))
		}
		rep.count()
		r.reports = append(r.reports, rep)
	}
	// Observations outside any report are each their own group, but only
	// those that are test results (not vital signs or social history).
	for ref, o := range obs {
		if used[ref] || !isTestResult(o) {
			continue
		}
		rep := Report{
			ID:           "obs-" + o.ID,
			Name:         o.Code.Label(),
			Category:     categoryOf(o.Category),
			Taken:        firstNonEmpty(o.EffectiveDateTime, periodStart(o.EffectivePeriod)),
			Resulted:     o.Issued,
			Organisation: s.Source.Name,
			Status:       o.Status,
			Results:      []Result{resultOf(o)},
		}
		rep.count()
		r.reports = append(r.reports, rep)
	}
}

func patientOf(p fhir.Patient) *Patient {
	out := &Patient{BirthDate: p.BirthDate}
	for i, n := range p.Name {
		if i == 0 || n.Use == "official" {
			out.Name = strings.Join(append(append([]string{}, n.Given...), n.Family), " ")
			if n.Text != "" && len(n.Given) == 0 {
				out.Name = n.Text
			}
			if len(n.Given) > 0 {
				out.GivenName = n.Given[0]
			}
		}
	}
	for _, id := range p.Identifier {
		if id.System == "https://fhir.nhs.uk/Id/nhs-number" {
			out.NHSNumber = FormatNHSNumber(id.Value)
		}
	}
	return out
}

// FormatNHSNumber spaces a 10-digit NHS number as 3-3-4, the way it is
// printed on NHS letters; anything else is returned unchanged.
func FormatNHSNumber(s string) string {
	d := strings.ReplaceAll(s, " ", "")
	if len(d) != 10 {
		return s
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return s
		}
	}
	return d[:3] + " " + d[3:6] + " " + d[6:]
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func periodStart(p *fhir.Period) string {
	if p == nil {
		return ""
	}
	return p.Start
}

func isTestResult(o fhir.Observation) bool {
	if len(o.Category) == 0 {
		return true
	}
	for _, c := range o.Category {
		if c.HasCode("", "laboratory") || c.HasCode("", "imaging") || c.HasCode("", "procedure") {
			return true
		}
	}
	return false
}
