package records

import (
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

func res(t *testing.T, raw string) fhir.Resource {
	t.Helper()
	r, err := fhir.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Each item is attributed to the organisation the data names for it, and
// a source's freshness is the newest date in its data.
func TestProvenancePerItem(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	set := Set{Source: Source{Name: "upload.json", LastUpdated: now}, Resources: []fhir.Resource{
		res(t, `{"resourceType":"Organization","id":"lab","name":"County Pathology"}`),
		res(t, `{"resourceType":"Organization","id":"gp","name":"Riverside Surgery"}`),
		res(t, `{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"period":{"start":"1985-03-01"},"serviceProvider":{"reference":"Organization/gp"}}`),
		res(t, `{"resourceType":"Observation","id":"k","status":"final","code":{"text":"Potassium"},"effectiveDateTime":"1985-03-12","performer":[{"reference":"Organization/lab"}],"valueQuantity":{"value":4.1,"unit":"mmol/L"}}`),
		res(t, `{"resourceType":"Condition","id":"c","code":{"text":"Asthma"},"onsetDateTime":"1980-01-01","encounter":{"reference":"Encounter/e1"}}`),
		res(t, `{"resourceType":"Immunization","id":"i","status":"completed","vaccineCode":{"text":"Flu"},"occurrenceDateTime":"1984-10-01","meta":{"source":"https://vaccines.example.org/fhir"}}`),
		res(t, `{"resourceType":"AllergyIntolerance","id":"a","code":{"text":"Penicillin"},"recordedDate":"1983-01-01"}`),
		res(t, `{"resourceType":"Appointment","id":"future","status":"booked","start":"2027-01-05T09:00:00Z"}`),
	}}
	rec := Build(now, set)
	want := map[string]string{
		"report":       "County Pathology",
		"condition":    "Riverside Surgery",
		"immunisation": "vaccines.example.org",
		"allergy":      "upload.json", // nothing in the data says: the file's
		"visit":        "Riverside Surgery",
	}
	got := map[string]string{
		"report":       rec.Reports()[0].Organisation,
		"condition":    rec.health.Conditions[0].Organisation,
		"immunisation": rec.health.Immunisations[0].Organisation,
		"allergy":      rec.health.Allergies[0].Organisation,
		"visit":        rec.visits.Past[0].Organisation,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s from %q, want %q", k, got[k], w)
		}
	}
	src := rec.Sources()[0]
	if src.DataUpTo != "1985-03-12" {
		t.Errorf("records up to %q (the appointment to come must not count)", src.DataUpTo)
	}
	if s := rec.Summary().Organisations; len(s) != 4 || s[0] != "County Pathology" {
		t.Errorf("organisations %v", s)
	}
}

func TestPlaceholderOrganisationAndSubject(t *testing.T) {
	rs := []fhir.Resource{
		mustParse(t, `{"resourceType":"Patient","id":"p","name":[{"given":["Robin"],"family":"Ash"}],"birthDate":"1971-03-09"}`),
		mustParse(t, `{"resourceType":"Condition","id":"c","code":{"text":"Asthma"},"subject":{"reference":"Patient/p"},"asserter":{"display":"UNKNOWN"},"meta":{}}`),
		mustParse(t, `{"resourceType":"Observation","id":"o","status":"final","code":{"text":"Glucose"},"subject":{"display":"UNKNOWN"},"performer":[{"reference":"Organization/x","display":"UNKNOWN"}],"valueQuantity":{"value":5}}`),
	}
	rec := Build(time.Now(), Set{Source: Source{Name: "Elm Tree Surgery"}, Resources: rs})
	rep, ok := rec.Report("obs-o")
	if !ok {
		t.Fatalf("a result whose subject is a placeholder name was filed as someone else's: %+v", rec.other)
	}
	if rep.Organisation != "Elm Tree Surgery" {
		t.Errorf("organisation %q; a placeholder names no organisation", rep.Organisation)
	}
}
