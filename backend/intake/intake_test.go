package intake

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/identity"
	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/store"
)

func read(t *testing.T, body string) *File {
	t.Helper()
	f, err := Read(strings.NewReader(body), "dir/upload.json")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func bundle(entries ...string) string {
	var es []string
	for _, e := range entries {
		es = append(es, `{"resource":`+e+`}`)
	}
	return `{"resourceType":"Bundle","type":"searchset","entry":[` + strings.Join(es, ",") + `]}`
}

const alex = `{"resourceType":"Patient","id":"p1","name":[{"family":"Morgan","given":["Alex"]}],"birthDate":"1968-04-02","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]}`

func TestWhatAFileSaysOfItself(t *testing.T) {
	t.Run("search with no matches imports as nothing new", func(t *testing.T) {
		f := read(t, `{"resourceType":"Bundle","type":"searchset","entry":[{"search":{"mode":"outcome"},"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"processing","details":{"text":"Resource request returns no results."}}]}}]}`)
		if !f.SearchOnly || !f.Empty() || len(f.Notices) != 0 {
			t.Fatalf("search only %v, empty %v, notices %v", f.SearchOnly, f.Empty(), f.Notices)
		}
	})
	t.Run("partial record warning is kept", func(t *testing.T) {
		f := read(t, `{"resourceType":"Bundle","type":"searchset","link":[{"relation":"self","url":"https://fhir.example-epic.org/api/FHIR/R4/AllergyIntolerance?patient=1"}],"entry":[{"resource":`+alex+`},
			{"search":{"mode":"outcome"},"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"processing","details":{"text":"This response includes information available to the authorized user at the time of the request. It may not contain the entire record available in the system."}}]}}]}`)
		if len(f.Notices) != 1 || !strings.Contains(f.Notices[0], "may not contain the entire record") {
			t.Fatalf("notices %v", f.Notices)
		}
		if f.Organisation != "fhir.example-epic.org" || SourceName("", f) != "fhir.example-epic.org" {
			t.Fatalf("organisation %q", f.Organisation)
		}
	})
	t.Run("repeated type and id keeps the newest", func(t *testing.T) {
		f := read(t, bundle(
			`{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"new"},"meta":{"lastUpdated":"2026-02-01T00:00:00Z"}}`,
			`{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"old"},"meta":{"lastUpdated":"2025-02-01T00:00:00Z"}}`))
		if len(f.Resources) != 1 || !strings.Contains(string(f.Resources[0].Raw), `"new"`) || len(f.Repeats) != 1 || !strings.Contains(f.Repeats[0], "Observation o1 appears 2 times") {
			t.Fatalf("%d resources, repeats %v", len(f.Resources), f.Repeats)
		}
	})
	t.Run("unreadable records are named with why", func(t *testing.T) {
		f := read(t, bundle(alex, `{"resourceType":"Observation","id":"obs-42","status":"final","code":{"text":"Sodium"},"issued":20261120}`))
		got := f.Problems()
		if len(got) != 1 || got[0] != "Observation obs-42 has `issued` as a number" {
			t.Fatalf("problems %q", got)
		}
		if len(f.Resources) != 2 {
			t.Fatal("the unreadable record is not kept")
		}
	})
	t.Run("organisation: the patient's managing organisation over the others", func(t *testing.T) {
		f := read(t, bundle(`{"resourceType":"Organization","id":"lab","name":"County Lab"}`, `{"resourceType":"Organization","id":"gp","name":"Riverside Surgery"}`,
			`{"resourceType":"Patient","id":"p","name":[{"family":"Morgan"}],"managingOrganization":{"reference":"Organization/gp"}}`))
		if f.Organisation != "Riverside Surgery" {
			t.Fatalf("organisation %q", f.Organisation)
		}
	})
	t.Run("organisation: the one most visits name", func(t *testing.T) {
		f := read(t, bundle(`{"resourceType":"Organization","id":"a","name":"Hospital A"}`, `{"resourceType":"Organization","id":"b","name":"Clinic B"}`,
			`{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"serviceProvider":{"reference":"Organization/b"}}`,
			`{"resourceType":"Encounter","id":"e2","status":"finished","class":{"code":"AMB"},"serviceProvider":{"reference":"Organization/b"}}`,
			`{"resourceType":"Encounter","id":"e3","status":"finished","class":{"code":"AMB"},"serviceProvider":{"reference":"Organization/a"}}`))
		if f.Organisation != "Clinic B" {
			t.Fatalf("organisation %q", f.Organisation)
		}
	})
	t.Run("nothing names an origin: the file name", func(t *testing.T) {
		f := read(t, bundle(alex))
		if SourceName("", f) != "upload.json" || SourceName(" GP ", f) != "GP" {
			t.Fatalf("%q %q", SourceName("", f), SourceName(" GP ", f))
		}
	})
	t.Run("contained patient is the file's person when it has no Patient", func(t *testing.T) {
		f := read(t, `{"resourceType":"Immunization","id":"i1","status":"completed","vaccineCode":{"text":"Flu"},"occurrenceDateTime":"2026-10-01","patient":{"reference":"#p"},"contained":[{"resourceType":"Patient","id":"p","name":[{"family":"Rivera","given":["Sam"]}],"birthDate":"1948-01-09"}]}`)
		if len(f.People) != 1 || f.People[0].Person.Label() != "Sam Rivera" {
			t.Fatalf("people %+v", f.People)
		}
	})
}

func vaultOf(t *testing.T, body string) []byte {
	f := read(t, body)
	b, err := f.decide(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The batch's patient check: the same person at two organisations with
// different hospital numbers is linked; someone else is refused.
func TestBatchPatientCheck(t *testing.T) {
	v := vaultOf(t, bundle(`{"resourceType":"Patient","id":"a","name":[{"family":"Morgan","given":["Alex"]}],"birthDate":"1968-04-02","identifier":[{"system":"https://trust-a.example/mrn","value":"A1"}]}`))
	other := read(t, bundle(`{"resourceType":"Patient","id":"b","name":[{"family":"Morgan","given":["Alex"]}],"birthDate":"1968-04-02","identifier":[{"system":"https://trust-b.example/mrn","value":"B7"}]}`))
	linked, err := other.Batch(Options{}).Patient(v)
	if err != nil {
		t.Fatal(err)
	}
	var p identity.Person
	json.Unmarshal(linked, &p)
	if len(p.Identifiers) != 2 || !p.HasRef("Patient/a") || !p.HasRef("Patient/b") {
		t.Fatalf("identities not linked: %+v", p)
	}
	sam := read(t, bundle(`{"resourceType":"Patient","id":"s","name":[{"family":"Rivera","given":["Sam"]}],"birthDate":"1948-01-09"}`))
	if _, err := sam.Batch(Options{SamePerson: true}).Patient(linked); !errors.Is(err, identity.ErrOtherPerson) {
		t.Fatalf("someone else: %v", err)
	}
	// A file that only refers to the patient by a known id is theirs.
	byRef := read(t, bundle(`{"resourceType":"Observation","id":"o","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/b"}}`))
	if _, err := byRef.Batch(Options{}).Patient(linked); err != nil {
		t.Fatal(err)
	}
}

// Records about someone else in an accepted file are kept under Other
// records and never shown as the patient's own.
func TestSomeoneElsesRecordsKeptApart(t *testing.T) {
	f := read(t, bundle(alex,
		`{"resourceType":"Observation","id":"mine","status":"final","code":{"text":"Potassium"},"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-11-20","valueQuantity":{"value":4.1,"unit":"mmol/L"}}`,
		`{"resourceType":"Observation","id":"theirs","status":"final","code":{"text":"Glucose"},"subject":{"reference":"#o"},"effectiveDateTime":"2026-11-20","valueQuantity":{"value":9.9,"unit":"mmol/L"},"contained":[{"resourceType":"Patient","id":"o","name":[{"family":"Rivera","given":["Sam"]}],"birthDate":"1948-01-09"}]}`,
		`{"resourceType":"CarePlan","id":"mums","status":"active","intent":"plan","title":"Care plan","subject":{"reference":"RelatedPerson/mum","display":"Jane Morgan (mother)"}}`,
		`{"resourceType":"Procedure","id":"carer","status":"completed","code":{"text":"Knee X-ray"},"subject":{"reference":"Patient/foster-carer","display":"Chris Lee"}}`))
	if _, err := f.decide(nil, false); err != nil {
		t.Fatal(err)
	}
	rec := records.Build(time.Now(), records.Set{Source: records.Source{Name: "Trust A"}, Resources: f.Resources})
	if n := len(rec.Reports()); n != 1 || rec.Reports()[0].Results[0].Name != "Potassium" {
		t.Fatalf("%d reports: %+v", n, rec.Reports())
	}
	else_, _ := rec.Other(records.AboutSomeoneElse)
	about := map[string]string{}
	for _, it := range else_ {
		about[it.ID] = it.About
	}
	want := map[string]string{"theirs": "Sam Rivera", "mums": "Jane Morgan (mother)", "carer": "Chris Lee"}
	for id, who := range want {
		if about[id] != who {
			t.Errorf("%s about %q, want %q (all: %v)", id, about[id], who, about)
		}
	}
	for _, ty := range rec.OtherTypes() {
		if ty.Type == "CarePlan" || ty.Type == "Procedure" {
			t.Errorf("%s shown as the patient's own", ty.Type)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(bundle(alex)))
	f.Add([]byte(`<ClinicalDocument xmlns="urn:hl7-org:v3"><recordTarget><patientRole><patient><name><given>A</given></name></patient></patientRole></recordTarget></ClinicalDocument>`))
	f.Add([]byte(`{"resourceType":"Bundle","entry":[{"search":{"mode":"outcome"},"resource":{"resourceType":"OperationOutcome","issue":[{"severity":"warning"}]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Read(strings.NewReader(string(b)), "fuzz")
		if err != nil {
			var fe *fhir.FormatError
			if !errors.As(err, &fe) && !errors.Is(err, ErrNotCCDA) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		file.Problems()
		file.decide(nil, false)
	})
}

// A vault filled before Ward kept its patient takes its patient from the
// Patients already in it, so a stranger's file is still refused.
func TestSeedFromStoredPatients(t *testing.T) {
	b := read(t, bundle(alex)).Batch(Options{})
	blob, err := b.Seed([]store.Record{{Source: "old", Item: store.Item{Type: "Patient", ID: "p1", Raw: []byte(alex)}}})
	if err != nil || blob == nil {
		t.Fatalf("seed %q %v", blob, err)
	}
	sam := read(t, bundle(`{"resourceType":"Patient","id":"s","name":[{"family":"Rivera","given":["Sam"]}],"birthDate":"1948-01-09"}`))
	if _, err := sam.Batch(Options{}).Patient(blob); !errors.Is(err, identity.ErrOtherPerson) {
		t.Fatalf("stranger after seeding: %v", err)
	}
	if blob, err := b.Seed([]store.Record{{Item: store.Item{Type: "Observation", ID: "o", Raw: []byte(`{}`)}}}); err != nil || blob != nil {
		t.Fatalf("no Patients: %q %v", blob, err)
	}
}
