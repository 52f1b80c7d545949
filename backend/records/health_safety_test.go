package records

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// healthRecord builds a record from synthetic resources, with the
// organisation and clinician they refer to.
func healthRecord(t *testing.T, resources ...string) *Record {
	t.Helper()
	set := Set{Source: Source{Name: "upload.json"}, Resources: []fhir.Resource{
		res(t, `{"resourceType":"Organization","id":"gp","name":"Riverside Surgery"}`),
		res(t, `{"resourceType":"Practitioner","id":"drlee","name":[{"given":["Sam"],"family":"Lee","prefix":["Dr"]}]}`),
	}}
	for _, r := range resources {
		set.Resources = append(set.Resources, res(t, r))
	}
	return Build(time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC), set)
}

// timelineDetail and searchDetail are what the timeline and search say of
// the item titled title.
func timelineDetail(rec *Record, title string) (string, bool) {
	items, _ := rec.Timeline("", 1000)
	for _, it := range items {
		if it.Title == title {
			return it.Detail, true
		}
	}
	return "", false
}

func searchDetail(rec *Record, title string) (string, bool) {
	for _, m := range rec.Search(title, 50) {
		if m.Title == title {
			return m.Detail, true
		}
	}
	return "", false
}

func TestAllergySafety(t *testing.T) {
	const active = `"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]}`
	rec := healthRecord(t,
		`{"resourceType":"AllergyIntolerance","id":"pen",`+active+`,"code":{"coding":[{"system":"http://snomed.info/sct","code":"764146007","display":"Penicillin"}]},"criticality":"high","reaction":[{"manifestation":[{"text":"Hives"}],"severity":"severe"}],"recordedDate":"2020-01-01"}`,
		`{"resourceType":"AllergyIntolerance","id":"old","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"text":"Egg"},"recordedDate":"1990-01-01"}`,
		`{"resourceType":"AllergyIntolerance","id":"inact","clinicalStatus":{"coding":[{"code":"inactive"}]},"code":{"text":"Pollen"},"recordedDate":"1995-01-01"}`,
		`{"resourceType":"AllergyIntolerance","id":"maybe",`+active+`,"verificationStatus":{"coding":[{"code":"unconfirmed"}]},"code":{"text":"Latex"},"recordedDate":"2021-01-01"}`,
		`{"resourceType":"AllergyIntolerance","id":"nka",`+active+`,"code":{"coding":[{"system":"http://snomed.info/sct","code":"716186003","display":"No known allergy"}]},"recordedDate":"2022-01-01","meta":{"source":"https://gp.example.org/fhir"}}`,
		`{"resourceType":"AllergyIntolerance","id":"nkda",`+active+`,"code":{"text":"NKDA"},"recordedDate":"2022-02-01"}`,
		`{"resourceType":"AllergyIntolerance","id":"nofile",`+active+`,"verificationStatus":{"coding":[{"code":"unconfirmed"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"1631000175102","display":"Patient not asked"}],"text":"Not on File"}}`,
		`{"resourceType":"AllergyIntolerance","id":"absent","code":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/data-absent-reason","valueCode":"unknown"}]}}`,
		`{"resourceType":"AllergyIntolerance","id":"nkfa","code":{"text":"No known food allergies"}}`,
		`{"resourceType":"AllergyIntolerance","id":"gone","clinicalStatus":{"coding":[{"code":"inactive"}]},"code":{"coding":[{"code":"409137002","display":"No known drug allergy"}]}}`,
		`{"resourceType":"AllergyIntolerance","id":"nostatus","code":{"text":"Aspirin"}}`,
		`{"resourceType":"AllergyIntolerance","id":"reactiontext",`+active+`,"code":{"coding":[{"system":"http://snomed.info/sct","code":"387207008","display":"Ibuprofen"}],"text":"Wheezing"},"reaction":[{"manifestation":[{"coding":[{"display":"Wheezing"}]}]}]}`,
	)
	h := rec.Health()
	byID := map[string]Allergy{}
	for _, a := range h.Allergies {
		byID[a.ID] = a
	}
	statements := map[string]AllergyStatement{}
	for _, s := range h.AllergyStatements {
		statements[s.ID] = s
	}
	t.Run("substance named, severity and reaction kept", func(t *testing.T) {
		a := byID["pen"]
		if a.Substance != "Penicillin" || !slices.Equal(a.Reactions, []string{"Hives"}) || a.Severity != "severe" || a.Criticality != "high" || a.Group != "current" {
			t.Errorf("penicillin: %+v", a)
		}
	})
	t.Run("the coded substance wins over text naming the reaction", func(t *testing.T) {
		if a := byID["reactiontext"]; a.Substance != "Ibuprofen" || !slices.Equal(a.Reactions, []string{"Wheezing"}) {
			t.Errorf("reaction as text: %+v", a)
		}
	})
	t.Run("inactive and resolved are past allergies", func(t *testing.T) {
		if a := byID["old"]; a.Group != "past" || a.StatusLabel != "Resolved" {
			t.Errorf("resolved: %+v", a)
		}
		if a := byID["inact"]; a.Group != "past" || a.StatusLabel != "No longer active" {
			t.Errorf("inactive: %+v", a)
		}
	})
	t.Run("unconfirmed is labelled", func(t *testing.T) {
		if a := byID["maybe"]; a.VerificationLabel != "Not confirmed" || a.Group != "current" {
			t.Errorf("unconfirmed: %+v", a)
		}
		if d, _ := timelineDetail(rec, "Latex"); !strings.Contains(d, "Not confirmed") {
			t.Errorf("timeline: %q", d)
		}
	})
	t.Run("an allergy with no status says so and stays listed", func(t *testing.T) {
		if a := byID["nostatus"]; a.Group != "current" || a.StatusLabel != "Status not recorded" {
			t.Errorf("no status: %+v", a)
		}
	})
	t.Run("no known allergies are statements, not allergies", func(t *testing.T) {
		for _, id := range []string{"nka", "nkda", "nofile", "absent", "nkfa", "gone"} {
			if _, ok := byID[id]; ok {
				t.Errorf("%s listed as an allergy", id)
			}
		}
		for id, want := range map[string]string{
			"nka":    "No allergies recorded by gp.example.org",
			"nkda":   "No drug allergies recorded by upload.json",
			"nofile": "No allergies recorded by upload.json",
			"absent": "No allergies recorded by upload.json",
			"nkfa":   "No food allergies recorded by upload.json",
		} {
			if s := statements[id]; s.Text != want {
				t.Errorf("%s: %+v, want %q", id, s, want)
			}
		}
		if s := statements["nofile"]; s.Kind != "unknown" || !strings.Contains(s.Detail, "Not on File") || !strings.Contains(s.Detail, "does not mean you have none") {
			t.Errorf("not on file: %+v", s)
		}
		if _, ok := statements["gone"]; ok {
			t.Error("an inactive no-known-allergy statement is still shown")
		}
		if rec.Summary().Counts.Allergies != 6 {
			t.Errorf("allergies counted: %d, want 6", rec.Summary().Counts.Allergies)
		}
	})
	t.Run("timeline and search never show a statement as an allergy", func(t *testing.T) {
		for _, title := range []string{"No known allergy", "NKDA", "Not on File", "Substance not recorded"} {
			if _, ok := timelineDetail(rec, title); ok {
				t.Errorf("timeline lists %q", title)
			}
			if _, ok := searchDetail(rec, title); ok {
				t.Errorf("search lists %q", title)
			}
		}
	})
}

func TestNoAllergyWording(t *testing.T) {
	for _, tc := range []struct {
		text, kind string
		ok         bool
	}{
		{"No Known Allergies", "", true},
		{"NKA", "", true},
		{"No known drug allergies", "drug", true},
		{"No Known Medication Allergies", "drug", true},
		{"No known environmental allergy", "environmental", true},
		{"Patient not asked", "unknown", true},
		{"Not on File", "unknown", true},
		{"Allergy status unknown", "unknown", true},
		{"None", "", true},
		{"Penicillin", "", false},
		{"Nuts", "", false},
		{"No known allergies to penicillin-like drugs? see notes", "", false},
	} {
		t.Run(tc.text, func(t *testing.T) {
			kind, ok := noAllergyKind(fhir.CodeableConcept{Text: tc.text}, false)
			if kind != tc.kind || ok != tc.ok {
				t.Errorf("noAllergyKind(%q) = %q, %v; want %q, %v", tc.text, kind, ok, tc.kind, tc.ok)
			}
		})
	}
}

func TestConditionSafety(t *testing.T) {
	const ver = `"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"%s"}]}`
	rec := healthRecord(t,
		`{"resourceType":"Condition","id":"diff","clinicalStatus":{"coding":[{"code":"active"}]},`+strings.Replace(ver, "%s", "differential", 1)+`,"code":{"text":"Angina"},"onsetDateTime":"2025-06-01"}`,
		`{"resourceType":"Condition","id":"prov","clinicalStatus":{"coding":[{"code":"active"}]},`+strings.Replace(ver, "%s", "provisional", 1)+`,"code":{"text":"Gout"},"onsetDateTime":"2025-05-01"}`,
		`{"resourceType":"Condition","id":"unconf","clinicalStatus":{"coding":[{"code":"active"}]},"verificationStatus":{"text":"Unconfirmed"},"code":{"text":"Migraine"},"onsetDateTime":"2025-04-01"}`,
		`{"resourceType":"Condition","id":"sure","clinicalStatus":{"coding":[{"code":"active"}]},`+strings.Replace(ver, "%s", "confirmed", 1)+`,"code":{"text":"Asthma"},"onsetDateTime":"1990-01-01"}`,
		`{"resourceType":"Condition","id":"nostatus","code":{"text":"Eczema"},"onsetDateTime":"2010-01-01"}`,
		`{"resourceType":"Condition","id":"ended","code":{"text":"Tonsillitis"},"onsetDateTime":"2011-01-01","abatementDateTime":"2011-01-20"}`,
		`{"resourceType":"Condition","id":"backwards","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"text":"Fractured wrist"},"onsetDateTime":"2019-05-10","abatementDateTime":"2018-07-01"}`,
		`{"resourceType":"Condition","id":"sameyear","clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"text":"Shingles"},"onsetDateTime":"2019-05-10","abatementDateTime":"2019"}`,
	)
	byID := map[string]Condition{}
	for _, c := range rec.Health().Conditions {
		byID[c.ID] = c
	}
	t.Run("differential, provisional and unconfirmed are possible, not confirmed", func(t *testing.T) {
		for _, id := range []string{"diff", "prov", "unconf"} {
			if c := byID[id]; c.VerificationLabel != "Possible — not confirmed" {
				t.Errorf("%s: %+v", id, c)
			}
		}
		if c := byID["sure"]; c.VerificationLabel != "" || c.Group != "current" {
			t.Errorf("confirmed: %+v", c)
		}
		for _, d := range []func(*Record, string) (string, bool){timelineDetail, searchDetail} {
			if got, _ := d(rec, "Angina"); !strings.Contains(got, "Possible — not confirmed") {
				t.Errorf("timeline or search: %q", got)
			}
		}
	})
	t.Run("no clinical status says so and is not called current", func(t *testing.T) {
		if c := byID["nostatus"]; c.Status != "" || c.Group != "unknown" || c.StatusLabel != "Status not recorded" {
			t.Errorf("no status: %+v", c)
		}
		if c := byID["ended"]; c.Group != "past" || c.StatusLabel != "Status not recorded" {
			t.Errorf("no status, ended: %+v", c)
		}
		if d, _ := timelineDetail(rec, "Eczema"); d != "Status not recorded" {
			t.Errorf("timeline: %q", d)
		}
	})
	t.Run("an end before the start has a note", func(t *testing.T) {
		if c := byID["backwards"]; c.DateNote == "" || c.Onset != "2019-05-10" || c.Resolved != "2018-07-01" {
			t.Errorf("end before start: %+v", c)
		}
		if c := byID["sameyear"]; c.DateNote != "" {
			t.Errorf("a year-only end in the same year is not before the start: %+v", c)
		}
		if d, _ := searchDetail(rec, "Fractured wrist"); !strings.Contains(d, "Dates do not agree") {
			t.Errorf("search: %q", d)
		}
	})
}

func TestMedicineSafety(t *testing.T) {
	const tablet = `"dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},"route":{"coding":[{"system":"http://snomed.info/sct","code":"26643006"}]},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]`
	med := func(id, status, name, extra string) string {
		return `{"resourceType":"MedicationRequest","id":"` + id + `","status":"` + status + `","intent":"order","medicationCodeableConcept":{"text":"` + name + `"},"authoredOn":"2025-03-01"` + extra + `}`
	}
	rec := healthRecord(t,
		med("struct", "active", "Amlodipine 5mg tablets", ","+tablet+`,"requester":{"reference":"Practitioner/drlee"}`),
		med("hold", "on-hold", "Warfarin 1mg tablets", ","+tablet+`,"requester":{"reference":"Organization/gp"}`),
		med("draft", "draft", "Sertraline 50mg tablets", ","+tablet),
		med("unknown", "unknown", "Omeprazole 20mg capsules", ""),
		med("cancel", "cancelled", "Naproxen 500mg tablets", ","+tablet+`,"requester":{"reference":"Organization/gp","display":"Riverside Surgery"}`),
		`{"resourceType":"MedicationStatement","id":"nottaken","status":"not-taken","medicationCodeableConcept":{"text":"Ibuprofen 200mg tablets"},"effectivePeriod":{"start":"2024-01-01","end":"2024-02-01"},"informationSource":{"reference":"Patient/p1","display":"Robin Ash"}}`,
		`{"resourceType":"MedicationStatement","id":"intended","status":"intended","medicationCodeableConcept":{"text":"Vitamin D 400 unit capsules"},"effectiveDateTime":"2026-02-01"}`,
		med("differs", "active", "Salbutamol inhaler", `,"dosageInstruction":[{"text":"Two puffs as required","asNeededCodeableConcept":{"text":"Wheeze"},"doseAndRate":[{"doseQuantity":{"value":2,"unit":"puff"}}]}],"requester":{"display":"Dr Ada Jones"}`),
	)
	byID := map[string]Medication{}
	for _, m := range rec.Health().Medications {
		byID[m.ID] = m
	}
	t.Run("structured dosage written out", func(t *testing.T) {
		if m := byID["struct"]; m.Dose != "1 tablet once a day, by mouth" || m.DoseText != "" || m.Status != "current" {
			t.Errorf("structured: %+v", m)
		}
		if m := byID["differs"]; m.Dose != "2 puffs when needed for wheeze" || m.DoseText != "Two puffs as required" {
			t.Errorf("text differs: %+v", m)
		}
	})
	t.Run("on hold, draft, intended and unknown are labelled and not current", func(t *testing.T) {
		for id, want := range map[string][2]string{
			"hold":     {"on-hold", "On hold"},
			"draft":    {"not-started", "Not started yet"},
			"intended": {"not-started", "Not started yet"},
			"unknown":  {"unknown", "Status not known"},
		} {
			if m := byID[id]; m.Status != want[0] || m.StatusLabel != want[1] {
				t.Errorf("%s: %+v, want %v", id, m, want)
			}
		}
		if m := byID["draft"]; m.Started != "" || m.Recorded != "2025-03-01" {
			t.Errorf("a draft has not started: %+v", m)
		}
		if d, _ := timelineDetail(rec, "Warfarin 1mg tablets"); d != "On hold: 1 tablet once a day, by mouth" {
			t.Errorf("timeline: %q", d)
		}
	})
	t.Run("cancelled and not taken have no start date", func(t *testing.T) {
		for id, label := range map[string]string{"cancel": "Cancelled — not taken", "nottaken": "Not taken"} {
			m := byID[id]
			if m.Status != "not-taken" || m.StatusLabel != label || m.Started != "" || m.Stopped != "" || m.Recorded == "" {
				t.Errorf("%s: %+v", id, m)
			}
		}
		for _, d := range []func(*Record, string) (string, bool){timelineDetail, searchDetail} {
			if got, _ := d(rec, "Naproxen 500mg tablets"); !strings.HasPrefix(got, "Cancelled — not taken") {
				t.Errorf("timeline or search: %q", got)
			}
		}
	})
	t.Run("the prescriber is a person, not the organisation", func(t *testing.T) {
		if m := byID["struct"]; m.Prescriber != "Dr Sam Lee" {
			t.Errorf("practitioner: %+v", m)
		}
		if m := byID["differs"]; m.Prescriber != "Dr Ada Jones" {
			t.Errorf("a name with no reference: %+v", m)
		}
		for _, id := range []string{"hold", "cancel", "nottaken"} {
			if m := byID[id]; m.Prescriber != "" {
				t.Errorf("%s: prescriber %q", id, m.Prescriber)
			}
		}
		if m := byID["cancel"]; m.Organisation != "Riverside Surgery" {
			t.Errorf("the organisation is still named as the source: %+v", m)
		}
	})
}

func TestVaccinationNotGiven(t *testing.T) {
	rec := healthRecord(t,
		`{"resourceType":"Immunization","id":"flu","status":"not-done","statusReason":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"PATOBJ","display":"patient objection"}],"text":"Patient declined"},"vaccineCode":{"text":"Influenza vaccine"},"occurrenceDateTime":"2025-10-01"}`,
		`{"resourceType":"Immunization","id":"mmr","status":"completed","vaccineCode":{"text":"MMR vaccine"},"occurrenceDateTime":"1975-10-01"}`,
	)
	im := map[string]Immunisation{}
	for _, x := range rec.Health().Immunisations {
		im[x.ID] = x
	}
	if x := im["flu"]; x.StatusLabel != "Not given" || x.Reason != "Patient declined" {
		t.Errorf("not done: %+v", x)
	}
	if x := im["mmr"]; x.StatusLabel != "" {
		t.Errorf("given: %+v", x)
	}
	for _, d := range []func(*Record, string) (string, bool){timelineDetail, searchDetail} {
		if got, _ := d(rec, "Influenza vaccine"); got != "Not given: Patient declined" {
			t.Errorf("timeline or search: %q", got)
		}
	}
}
