package records

import (
	"fmt"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// obs is a lone Observation of one test on a day.
func obs(t *testing.T, id, name, day, value, extra string) fhir.Resource {
	t.Helper()
	return mustParse(t, fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final","code":{"text":%q},
		"effectiveDateTime":%q,%s%s}`, id, name, day, value, extra))
}

func qty(v float64, unit string) string {
	return fmt.Sprintf(`"valueQuantity":{"value":%g,"unit":%q}`, v, unit)
}

func testNamed(t *testing.T, rec *Record, name string) Test {
	t.Helper()
	for _, x := range rec.Tests() {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no test %q in %+v", name, rec.Tests())
	return Test{}
}

func TestTestsByTest(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		older, newer string // values (and extras)
		olderExtra   string
		newerExtra   string
		wantValue    string
		wantPrevious string
		wantChange   string
		wantOutside  bool
	}{
		{"down", qty(53, "umol/L"), qty(48, "umol/L"), "", "", "48", "53", "down", false},
		{"up", qty(4.1, "mmol/L"), qty(5.9, "mmol/L"), "", `,"interpretation":[{"coding":[{"code":"H"}]}]`, "5.9", "4.1", "up", true},
		{"same", qty(140, "mmol/L"), qty(140, "mmol/L"), "", "", "140", "140", "same", false},
		{"unit written two ways", qty(140, "mmol/l"), qty(139, "mmol/L"), "", "", "139", "140", "down", false},
		{"converted: 1.2 g/dL is more than 11 g/L", qty(1.2, "g/dL"), qty(11, "g/L"), "", "", "11", "1.2", "down", false},
		{"units of different kinds are not compared", qty(90, "mg/dL"), qty(5.5, "mmol/L"), "", "", "5.5", "90", "", false},
		{"a comparator is not compared", qty(5, "mg/L"), `"valueQuantity":{"value":2,"comparator":"<","unit":"mg/L"}`, "", "", "<2", "5", "", false},
		{"text is not compared", `"valueString":"Negative"`, `"valueString":"Positive"`, "", `,"interpretation":[{"coding":[{"code":"POS"}]}]`, "Positive", "Negative", "", true},
		{"outside the range given", qty(140, "mmol/L"), qty(150, "mmol/L"), "", `,"referenceRange":[{"low":{"value":133},"high":{"value":146}}]`, "150", "140", "up", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := Build(now, Set{Source: Source{Name: "Lab"}, Resources: []fhir.Resource{
				obs(t, "a", "Creatinine", "2026-10-01", tt.older, tt.olderExtra),
				obs(t, "b", "Creatinine", "2026-11-20", tt.newer, tt.newerExtra),
			}})
			x := testNamed(t, rec, "Creatinine")
			if x.Value != tt.wantValue || x.Count != 2 || x.Taken != "2026-11-20" {
				t.Errorf("latest %q (count %d, taken %q), want %q (2, 2026-11-20)", x.Value, x.Count, x.Taken, tt.wantValue)
			}
			if x.Previous == nil || x.Previous.Value != tt.wantPrevious || x.Previous.Taken != "2026-10-01" {
				t.Fatalf("previous %+v, want %q of 2026-10-01", x.Previous, tt.wantPrevious)
			}
			if x.Change != tt.wantChange {
				t.Errorf("change %q, want %q", x.Change, tt.wantChange)
			}
			if x.Outside != tt.wantOutside {
				t.Errorf("outside %v, want %v", x.Outside, tt.wantOutside)
			}
		})
	}
}

// A result entered in error is never the latest, nor the previous: the list
// would otherwise show a withdrawn value (or a change from one) as current.
func TestTestsSkipEnteredInError(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	withdrawn := mustParse(t, `{"resourceType":"Observation","id":"x","status":"entered-in-error","code":{"text":"Potassium"},
		"effectiveDateTime":"2026-11-30","valueQuantity":{"value":7.9,"unit":"mmol/L"},"interpretation":[{"coding":[{"code":"HH"}]}]}`)
	rec := Build(now, Set{Source: Source{Name: "Lab"}, Resources: []fhir.Resource{
		obs(t, "a", "Potassium", "2026-10-01", qty(4.4, "mmol/L"), ""),
		withdrawn,
		obs(t, "b", "Potassium", "2026-11-01", qty(4.6, "mmol/L"), ""),
	}})
	x := testNamed(t, rec, "Potassium")
	if x.Value != "4.6" || x.Urgent || x.Outside || x.Count != 2 || x.Previous == nil || x.Previous.Value != "4.4" {
		t.Errorf("got %+v (previous %+v), want 4.6 from 4.4, not urgent, 2 results", x, x.Previous)
	}
}

func TestTestsOrderAndLatest(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	rec := Build(now, Set{Source: Source{Name: "Lab"}, Resources: []fhir.Resource{
		obs(t, "1", "sodium", "2026-01-01", qty(140, "mmol/L"), ""),
		obs(t, "2", "Albumin", "2026-03-01", qty(40, "g/L"), ""),
		obs(t, "3", "Potassium", "2026-11-01", qty(4.4, "mmol/L"), ""),
		obs(t, "4", "Urea", "2026-06-01", qty(5, "mmol/L"), ""),
	}})
	var names []string
	for _, x := range rec.Tests() {
		names = append(names, x.Name)
		if x.Previous != nil || x.Change != "" || x.Count != 1 {
			t.Errorf("%s: a first result has no previous (got %+v, %q, %d)", x.Name, x.Previous, x.Change, x.Count)
		}
	}
	if fmt.Sprint(names) != "[Albumin Potassium sodium Urea]" {
		t.Errorf("by test: %v, want A to Z ignoring case", names)
	}
	var latest []string
	for _, x := range rec.Summary().LatestResults {
		latest = append(latest, x.Name)
	}
	if fmt.Sprint(latest) != "[Potassium Urea Albumin]" {
		t.Errorf("home page's latest results: %v, want the newest three", latest)
	}
	if got := rec.LatestTests(10); len(got) != 4 {
		t.Errorf("LatestTests(10) = %d tests, want all 4", len(got))
	}
}

func TestSummaryNow(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	rec := Build(now,
		Set{Source: Source{Name: "Old file", LastUpdated: now.Add(-StaleAfter - time.Hour)}, Resources: []fhir.Resource{
			mustParse(t, `{"resourceType":"Appointment","id":"later","status":"booked","description":"Eye clinic","start":"2027-01-20T10:00:00Z"}`),
			mustParse(t, `{"resourceType":"Appointment","id":"soon","status":"booked","description":"Kidney clinic","start":"2026-12-13T10:30:00Z"}`),
			mustParse(t, `{"resourceType":"Appointment","id":"gone","status":"cancelled","description":"Cancelled clinic","start":"2026-12-05T10:30:00Z"}`),
		}},
		Set{Source: Source{Name: "New file", LastUpdated: now.Add(-time.Hour)}, Resources: []fhir.Resource{
			mustParse(t, `{"resourceType":"DocumentReference","id":"old","status":"superseded","date":"2026-11-30T10:00:00Z","description":"Old letter","content":[{"attachment":{"contentType":"text/plain","data":"aGk="}}]}`),
			mustParse(t, `{"resourceType":"DocumentReference","id":"new","status":"current","date":"2026-11-02T10:00:00Z","description":"Clinic letter","content":[{"attachment":{"contentType":"text/plain","data":"aGk="}}]}`),
		}},
	)
	s := rec.Summary()
	if s.NextAppointment == nil || s.NextAppointment.ID != "soon" {
		t.Errorf("next appointment %+v, want the soonest booked one (not the cancelled one)", s.NextAppointment)
	}
	if s.LatestLetter == nil || s.LatestLetter.ID != "new" || s.LatestLetter.HTML != "" {
		t.Errorf("latest letter %+v, want the newest current one, without its content", s.LatestLetter)
	}
	if !s.Sources[0].OutOfDate || s.Sources[1].OutOfDate {
		t.Errorf("out of date: %v, %v; want true, false", s.Sources[0].OutOfDate, s.Sources[1].OutOfDate)
	}
	empty := Build(now).Summary()
	if empty.NextAppointment != nil || empty.LatestLetter != nil || len(empty.LatestResults) != 0 {
		t.Errorf("an empty record has nothing to show: %+v", empty)
	}
}

func TestOutsideReports(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	rec := Build(now, Set{Source: Source{Name: "Lab"}, Resources: []fhir.Resource{
		obs(t, "in", "Sodium", "2026-11-01", qty(140, "mmol/L"), `,"referenceRange":[{"low":{"value":133},"high":{"value":146}}]`),
		obs(t, "high", "Potassium", "2026-11-02", qty(5.9, "mmol/L"), `,"interpretation":[{"coding":[{"code":"H"}]}]`),
		obs(t, "pos", "Culture", "2026-11-03", `"valueString":"Growth"`, `,"interpretation":[{"coding":[{"code":"POS"}]}]`),
		obs(t, "computed", "Sodium", "2026-11-04", qty(150, "mmol/L"), `,"referenceRange":[{"low":{"value":133},"high":{"value":146}}]`),
		obs(t, "none", "Urea", "2026-11-05", qty(5, "mmol/L"), ""),
	}})
	var got []string
	for _, rep := range rec.OutsideReports() {
		got = append(got, rep.Taken)
	}
	if fmt.Sprint(got) != "[2026-11-04 2026-11-03 2026-11-02]" {
		t.Errorf("outside reports taken %v, want the flagged three, newest first", got)
	}
}
