package share

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

func TestSubsetSections(t *testing.T) {
	context := []string{"Organization", "Patient", "Practitioner"}
	for _, tc := range []struct {
		sections []string
		want     []string // resource types, sorted
	}{
		{[]string{"results"}, append([]string{"Observation"}, context...)},
		{[]string{"medicines", "Medicines"}, append([]string{"MedicationRequest"}, context...)},
		{[]string{"conditions", "allergies"}, append([]string{"AllergyIntolerance", "Condition"}, context...)},
		{[]string{"visits"}, append([]string{"Encounter"}, context...)},
		{[]string{"documents"}, context},
		{[]string{"results", "everything"}, []string{"AllergyIntolerance", "CarePlan", "Condition", "Encounter", "MedicationRequest", "Observation", "Organization", "Patient", "Practitioner"}},
	} {
		p, err := Subset(contents(), tc.sections)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range p.Sources {
			for _, raw := range s.Resources {
				var env struct{ ResourceType string }
				if err := json.Unmarshal(raw, &env); err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(got, env.ResourceType) {
					got = append(got, env.ResourceType)
				}
			}
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(got, want) {
			t.Errorf("%v: types %v, want %v", tc.sections, got, want)
		}
		if p.V != PayloadVersion || p.Patient.BirthDate != testBirth || p.Patient.Name == "" {
			t.Errorf("%v: payload header %+v", tc.sections, p.Patient)
		}
	}
	for typ, want := range map[string]string{"Specimen": "results", "MedicationDispense": "medicines", "Binary": "documents",
		"Immunization": "immunisations", "Location": "context", "CarePlan": ""} {
		if got := SectionOf(typ); got != want {
			t.Errorf("SectionOf(%s) = %q, want %q", typ, got, want)
		}
	}
}

// The clinician's record comes from the payload by the patient's own code
// (records.Rebuild), and a payload that somehow holds more than its
// sections shows only its sections.
func TestSubsetRecord(t *testing.T) {
	p, err := Subset(contents(), []string{"results", "conditions"})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := Subset(contents(), []string{"everything"})
	p.Sources = all.Sources // smuggle the medicines in
	r := Record(p, time.Now())
	if h := r.Health(); len(h.Medications) != 0 || len(h.Conditions) != 1 {
		t.Errorf("health %+v", h)
	}
	if len(r.Reports()) == 0 || r.Summary().Patient == nil {
		t.Errorf("no results or patient")
	}
	b, _ := json.Marshal(p)
	if q, err := decodePayload(b); err != nil || q.V != 1 {
		t.Errorf("decode: %v", err)
	}
	if _, err := decodePayload([]byte(`{"v":2}`)); err == nil {
		t.Error("a newer payload version was read")
	}
}
