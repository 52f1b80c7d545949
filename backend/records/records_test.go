package records

import (
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/fhir"
)

func mustParse(t *testing.T, s string) fhir.Resource {
	t.Helper()
	r, err := fhir.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestResultFlags(t *testing.T) {
	tests := []struct {
		name, obs string
		value     string
		flag      string
		rangeText string
	}{
		{"high by interpretation", `{"resourceType":"Observation","id":"a","code":{"text":"Potassium"},"valueQuantity":{"value":5.9,"unit":"mmol/L"},"interpretation":[{"coding":[{"code":"H"}]}]}`, "5.9", "high", ""},
		{"critical low", `{"resourceType":"Observation","id":"a","code":{"text":"Hb"},"valueQuantity":{"value":60},"interpretation":[{"coding":[{"code":"LL"}]}]}`, "60", "critical-low", ""},
		{"computed high from range", `{"resourceType":"Observation","id":"a","code":{"text":"Na"},"valueQuantity":{"value":150,"unit":"mmol/L"},"referenceRange":[{"low":{"value":133},"high":{"value":146}}]}`, "150", "high", "133 to 146 mmol/L"},
		{"computed low from range", `{"resourceType":"Observation","id":"a","code":{"text":"Na"},"valueQuantity":{"value":130,"unit":"mmol/L"},"referenceRange":[{"low":{"value":133},"high":{"value":146}}]}`, "130", "low", "133 to 146 mmol/L"},
		{"in range", `{"resourceType":"Observation","id":"a","code":{"text":"Na"},"valueQuantity":{"value":140,"unit":"mmol/L"},"referenceRange":[{"low":{"value":133},"high":{"value":146}}]}`, "140", "", "133 to 146 mmol/L"},
		{"comparator is not judged", `{"resourceType":"Observation","id":"a","code":{"text":"CRP"},"valueQuantity":{"value":5,"comparator":"<","unit":"mg/L"},"referenceRange":[{"high":{"value":4}}]}`, "<5", "", "Below 4 mg/L"},
		{"text value and text range (Epic)", `{"resourceType":"Observation","id":"a","code":{"text":"Glucose"},"valueString":"Negative","referenceRange":[{"text":"Negative"}]}`, "Negative", "", "Negative"},
		{"abnormal", `{"resourceType":"Observation","id":"a","code":{"text":"Culture"},"valueCodeableConcept":{"text":"Growth"},"interpretation":[{"coding":[{"code":"A"}]}]}`, "Growth", "abnormal", ""},
		{"interpretation as text only", `{"resourceType":"Observation","id":"a","code":{"text":"X"},"valueString":"7","interpretation":[{"text":"High"}]}`, "7", "high", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o observationJSON
			if err := mustParse(t, tt.obs).Decode(&o); err != nil {
				t.Fatal(err)
			}
			rs := (&builder{}).results(o)
			if len(rs) != 1 {
				t.Fatalf("%d results, want 1", len(rs))
			}
			r := rs[0]
			if r.Value != tt.value || r.Flag != tt.flag {
				t.Errorf("value, flag = %q, %q; want %q, %q", r.Value, r.Flag, tt.value, tt.flag)
			}
			if (r.Flag != "") != (r.FlagLabel != "") {
				t.Errorf("flag %q has label %q: a flag must always have words", r.Flag, r.FlagLabel)
			}
			got := ""
			if r.Range != nil {
				got = r.Range.Text
			}
			if got != tt.rangeText {
				t.Errorf("range text = %q, want %q", got, tt.rangeText)
			}
		})
	}
}

func TestBuildDemo(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	rec := Build(now, Set{Source: Source{Name: demo.OrganisationName, LastUpdated: now}, Resources: rs})
	s := rec.Summary()
	if s.Patient == nil || s.Patient.Name != demo.PatientGiven+" "+demo.PatientFamily || s.Patient.NHSNumber != "999 000 1234" {
		t.Fatalf("patient = %+v", s.Patient)
	}
	if len(s.Sources) != 1 || s.Sources[0].Name != demo.OrganisationName {
		t.Fatalf("sources = %+v", s.Sources)
	}
	reports := rec.Reports()
	if len(reports) == 0 || s.Counts.Results != len(reports) {
		t.Fatalf("%d reports, count %d", len(reports), s.Counts.Results)
	}
	flagged := 0
	for i, r := range reports {
		if i > 0 && r.Taken > reports[i-1].Taken {
			t.Fatalf("reports not newest first at %d: %s after %s", i, r.Taken, reports[i-1].Taken)
		}
		if len(r.Results) == 0 {
			t.Fatalf("report %s has no results", r.ID)
		}
		// The demo's consultant interprets the results; nobody is said to
		// have asked for a test unless an order names them.
		if r.Organisation != demo.OrganisationName || r.ReviewedBy == "" || r.OrderedBy != "" {
			t.Fatalf("report %s: organisation %q, ordered by %q, reviewed by %q", r.ID, r.Organisation, r.OrderedBy, r.ReviewedBy)
		}
		flagged += r.AbnormalCount
		got, ok := rec.Report(r.ID)
		if !ok || got.ID != r.ID {
			t.Fatalf("Report(%s) not found", r.ID)
		}
	}
	if flagged == 0 {
		t.Fatal("the demo record has no out-of-range results; it should show some")
	}
	if _, ok := rec.Report("nope"); ok {
		t.Fatal("Report(nope) found something")
	}
}

func TestFormatNHSNumber(t *testing.T) {
	for in, want := range map[string]string{"9990001234": "999 000 1234", "999 000 1234": "999 000 1234", "12345": "12345", "99900012AB": "99900012AB"} {
		if got := FormatNHSNumber(in); got != want {
			t.Errorf("FormatNHSNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReferenceForms(t *testing.T) {
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[
	 {"fullUrl":"urn:uuid:11111111-1111-1111-1111-111111111111","resource":{"resourceType":"Observation","id":"11111111-1111-1111-1111-111111111111","status":"final","code":{"text":"By uuid"},"valueQuantity":{"value":1}}},
	 {"resource":{"resourceType":"Observation","id":"rel","status":"final","code":{"text":"Relative"},"valueQuantity":{"value":2}}},
	 {"resource":{"resourceType":"Observation","id":"abs","status":"final","code":{"text":"Absolute"},"valueQuantity":{"value":3}}},
	 {"resource":{"resourceType":"DiagnosticReport","id":"r","status":"final","code":{"text":"Panel"},
	   "contained":[{"resourceType":"Observation","id":"c1","status":"final","code":{"text":"Contained"},"valueQuantity":{"value":4}}],
	   "result":[{"reference":"urn:uuid:11111111-1111-1111-1111-111111111111"},{"reference":"Observation/rel"},
	             {"reference":"https://fhir.example.org/r4/Observation/abs/_history/2"},{"reference":"#c1"},
	             {"reference":"Observation/missing"}]}}]}`
	var rs []fhir.Resource
	for r, err := range fhir.Read(strings.NewReader(bundle)) {
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	rec := Build(time.Now(), Set{Source: Source{Name: "Test"}, Resources: rs})
	rep, ok := rec.Report("r")
	if !ok {
		t.Fatal("report missing")
	}
	var names []string
	for _, x := range rep.Results {
		names = append(names, x.Name)
	}
	if got := strings.Join(names, ","); got != "By uuid,Relative,Absolute,Contained" {
		t.Fatalf("results %s", got)
	}
	if len(rec.Reports()) != 1 {
		t.Fatalf("%d reports: observations in a report must not also show alone", len(rec.Reports()))
	}
}
