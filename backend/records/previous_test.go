package records

import (
	"fmt"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// creatinine is a lone Observation of creatinine.
func creatinine(t testing.TB, id, taken, status string, value float64, unit string) fhir.Resource {
	t.Helper()
	r, err := fhir.Parse(fmt.Appendf(nil, `{"resourceType":"Observation","id":%q,"status":%q,
		"code":{"coding":[{"system":"http://loinc.org","code":"2160-0"}],"text":"Creatinine"},
		"effectiveDateTime":%q,"valueQuantity":{"value":%g,"unit":%q}}`, id, status, taken, value, unit))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func previousOf(t *testing.T, rec *Record, id string) *Earlier {
	t.Helper()
	rep, ok := rec.Report("obs-" + id) // a lone Observation is a report of its own
	if !ok {
		t.Fatalf("no report %s", id)
	}
	got := rec.WithPrevious(rep)
	if len(got) != 1 {
		t.Fatalf("report %s has %d results, want 1", id, len(got))
	}
	if got[0].Result.ID != rep.Results[0].ID {
		t.Errorf("result %+v is not the report's", got[0].Result)
	}
	return got[0].Previous
}

func TestWithPrevious(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		resources []struct{ id, taken, status string }
		report    string
		want      string // "value unit taken reportId", or "" for none
	}{
		{"the newest older result", []struct{ id, taken, status string }{
			{"a", "2026-01-10", "final"}, {"b", "2026-06-10", "final"}, {"c", "2026-11-20", "final"},
		}, "c", "2 umol/L 2026-06-10 obs-b"},
		{"a middle report gets the one before it, not a newer one", []struct{ id, taken, status string }{
			{"a", "2026-01-10", "final"}, {"b", "2026-06-10", "final"}, {"c", "2026-11-20", "final"},
		}, "b", "1 umol/L 2026-01-10 obs-a"},
		{"the first result has none", []struct{ id, taken, status string }{
			{"a", "2026-01-10", "final"}, {"b", "2026-06-10", "final"},
		}, "a", ""},
		{"the same day is not before (date only)", []struct{ id, taken, status string }{
			{"a", "2026-11-20T08:00:00Z", "final"}, {"b", "2026-11-20", "final"},
		}, "b", ""},
		{"earlier the same day is before (both with a time)", []struct{ id, taken, status string }{
			{"a", "2026-11-20T08:00:00Z", "final"}, {"b", "2026-11-20T15:00:00Z", "final"},
		}, "b", "1 umol/L 2026-11-20T08:00:00Z obs-a"},
		{"the same moment is not before", []struct{ id, taken, status string }{
			{"a", "2026-11-20T08:00:00Z", "final"}, {"b", "2026-11-20T08:00:00Z", "final"},
		}, "b", ""},
		{"time zones: compared as instants, not as text", []struct{ id, taken, status string }{
			// 10:30+02:00 is 08:30Z: before 09:00Z, though its text sorts after.
			{"a", "2026-11-20T07:00:00Z", "final"}, {"b", "2026-11-20T10:30:00+02:00", "final"}, {"c", "2026-11-20T10:00:00+01:00", "final"},
		}, "c", "2 umol/L 2026-11-20T10:30:00+02:00 obs-b"},
		{"a withdrawn result is never the previous one", []struct{ id, taken, status string }{
			{"a", "2026-01-10", "final"}, {"b", "2026-06-10", "entered-in-error"}, {"c", "2026-11-20", "final"},
		}, "c", "1 umol/L 2026-01-10 obs-a"},
		{"a report with no date has none", []struct{ id, taken, status string }{
			{"a", "2026-01-10", "final"}, {"b", "", "final"},
		}, "b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res []fhir.Resource
			for i, r := range tt.resources {
				res = append(res, creatinine(t, r.id, r.taken, r.status, float64(i+1), "umol/L"))
			}
			rec := Build(now, Set{Source: Source{Name: "Lab"}, Resources: res})
			p := previousOf(t, rec, tt.report)
			got := ""
			if p != nil {
				got = fmt.Sprintf("%s %s %s %s", p.Value, p.Unit, p.Taken, p.ReportID)
			}
			if got != tt.want {
				t.Errorf("previous %q, want %q", got, tt.want)
			}
		})
	}
}

// The previous result keeps its own unit: the page shows "1.2 mg/dL"
// beside "106 µmol/L", never a number without the unit it was sent in.
func TestWithPreviousKeepsItsUnit(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	rec := Build(now, Set{Source: Source{Name: "Lab"}, Resources: []fhir.Resource{
		creatinine(t, "old", "2025-03-01", "final", 1.2, "mg/dL"),
		creatinine(t, "new", "2026-03-01", "final", 106, "umol/L"),
	}})
	p := previousOf(t, rec, "new")
	if p == nil || p.Value != "1.2" || p.Unit != "mg/dL" || p.ReportID != "obs-old" {
		t.Errorf("previous %+v, want 1.2 mg/dL from report old", p)
	}
}

// A report with two results of one test (a repeat on the same sample) does
// not give one as the other's previous result.
func TestWithPreviousNotFromTheSameReport(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	rec := Build(now, Set{Source: Source{Name: "Lab"}, Resources: []fhir.Resource{
		creatinine(t, "o1", "2026-03-01T08:00:00Z", "final", 80, "umol/L"),
		creatinine(t, "o2", "2026-03-01T09:00:00Z", "final", 90, "umol/L"),
		mustParse(t, `{"resourceType":"DiagnosticReport","id":"rep","status":"final","code":{"text":"Kidney"},
			"effectiveDateTime":"2026-03-01T09:00:00Z","result":[{"reference":"Observation/o1"},{"reference":"Observation/o2"}]}`),
	}})
	rep, ok := rec.Report("rep")
	if !ok {
		t.Fatal("no report rep")
	}
	for _, x := range rec.WithPrevious(rep) {
		if x.Previous != nil {
			t.Errorf("%s: previous %+v from its own report", x.ID, x.Previous)
		}
	}
}

// One report's previous results in a test with 2,000 results (the search
// is a binary search and a short scan, not a walk of the whole history).
func BenchmarkWithPrevious(b *testing.B) {
	var res []fhir.Resource
	start := time.Date(2016, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range 2000 {
		res = append(res, creatinine(b, fmt.Sprint("o", i), start.AddDate(0, 0, 2*i).Format(time.RFC3339), "final", float64(80+i%20), "umol/L"))
	}
	rec := Build(start.AddDate(20, 0, 0), Set{Source: Source{Name: "Lab"}, Resources: res})
	rep, _ := rec.Report("obs-o1000")
	b.ResetTimer()
	for range b.N {
		if rec.WithPrevious(rep)[0].Previous == nil {
			b.Fatal("no previous")
		}
	}
}
