package records

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// searchRecord is a small record with a test of each kind the lay words
// stand for: two panels (kidney, liver) and single tests, a visit, a
// condition and a medicine whose names hold the lay words' letters
// ("salt", "iron" in "environment").
func searchRecord(t *testing.T) *Record {
	t.Helper()
	obs := func(id, report, name, loinc, value, unit, date string) string {
		return fmt.Sprintf(`{"resourceType":"Observation","id":%q,"status":"final","code":{"coding":[{"system":"http://loinc.org","code":%q}],"text":%q},"subject":{"reference":"Patient/p"},"effectiveDateTime":%q,"valueQuantity":{"value":%s,"unit":%q}}`, id, loinc, name, date, value, unit)
	}
	report := func(id, name, date string, results ...string) string {
		var refs []string
		for _, r := range results {
			refs = append(refs, fmt.Sprintf(`{"reference":"Observation/%s"}`, r))
		}
		return fmt.Sprintf(`{"resourceType":"DiagnosticReport","id":%q,"status":"final","code":{"text":%q},"subject":{"reference":"Patient/p"},"effectiveDateTime":%q,"result":[%s]}`, id, name, date, strings.Join(refs, ","))
	}
	var rs []fhir.Resource
	for _, s := range []string{
		`{"resourceType":"Patient","id":"p","name":[{"family":"Morgan","given":["Alex"]}],"birthDate":"1968-04-02"}`,
		obs("cr1", "kidney-old", "Creatinine", "2160-0", "98", "umol/L", "2025-01-10"),
		obs("cr2", "kidney-new", "Creatinine", "2160-0", "113", "umol/L", "2026-01-10"),
		obs("egfr", "kidney-new", "eGFR", "33914-3", "61", "mL/min/1.73m2", "2026-01-10"),
		report("kidney-old", "Kidney function", "2025-01-10", "cr1"),
		report("kidney-new", "Kidney function", "2026-01-10", "cr2", "egfr"),
		obs("glu", "", "Glucose", "2345-7", "5.1", "mmol/L", "2026-02-01"),
		obs("a1c", "", "HbA1c", "4548-4", "51", "mmol/mol", "2026-02-01"),
		report("diab", "Diabetes check", "2026-02-01", "glu", "a1c"),
		obs("alt", "", "ALT", "1742-6", "30", "U/L", "2026-03-01"),
		obs("bili", "", "Bilirubin", "1975-2", "9", "umol/L", "2026-03-01"),
		report("lft", "Liver function tests", "2026-03-01", "alt", "bili"),
		obs("tsh", "", "TSH", "3016-3", "2.1", "mU/L", "2026-04-01"),
		obs("ferr", "", "Ferritin", "2276-4", "80", "ug/L", "2026-04-02"),
		obs("trop", "", "Troponin T", "6598-7", "5", "ng/L", "2026-04-03"),
		obs("hb", "", "Haemoglobin", "718-7", "148", "g/L", "2026-04-04"),
		obs("plt", "", "Platelets", "777-3", "250", "10*9/L", "2026-04-04"),
		report("fbc", "Full blood count", "2026-04-04", "hb", "plt"),
		obs("ldl", "", "LDL cholesterol", "13457-7", "2.1", "mmol/L", "2026-04-05"),
		`{"resourceType":"DiagnosticReport","id":"msu","status":"final","code":{"text":"Urine culture"},"subject":{"reference":"Patient/p"},"effectiveDateTime":"2026-04-06","conclusion":"No growth"}`,
		`{"resourceType":"Condition","id":"c1","code":{"text":"Low salt diet advice"},"subject":{"reference":"Patient/p"}}`,
		`{"resourceType":"Condition","id":"c2","code":{"text":"Environmental allergy"},"subject":{"reference":"Patient/p"}}`,
	} {
		rs = append(rs, mustParse(t, s))
	}
	return Build(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Set{Source: Source{Name: "Test"}, Resources: rs})
}

func titles(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Title)
	}
	return out
}

func TestSearchLayWords(t *testing.T) {
	rec := searchRecord(t)
	for _, tt := range []struct {
		q        string
		want     []string // each must be found
		wantNone []string // none may be
	}{
		{"sugar", []string{"Glucose", "HbA1c", "Diabetes check"}, []string{"Creatinine", "Low salt diet advice"}},
		{"blood sugar", []string{"Glucose", "HbA1c"}, nil},
		{"sugar level", []string{"Glucose", "HbA1c"}, nil},
		{"kidney", []string{"Creatinine", "eGFR", "Kidney function"}, []string{"Glucose"}},
		{"liver", []string{"ALT", "Bilirubin", "Liver function tests"}, []string{"Low salt diet advice"}},
		{"cholesterol", []string{"LDL cholesterol"}, nil},
		{"blood count", []string{"Haemoglobin", "Platelets", "Full blood count"}, nil},
		{"thyroid", []string{"TSH"}, nil},
		{"iron", []string{"Ferritin"}, []string{"Environmental allergy"}},
		{"heart", []string{"Troponin T"}, nil},
		{"water infection", []string{"Urine culture"}, nil},
		// Typed words work as before: anywhere in the title or detail.
		{"creat", []string{"Creatinine"}, []string{"eGFR"}},
		{"salt", []string{"Low salt diet advice"}, []string{"ALT"}},
	} {
		got := titles(rec.Search(tt.q, 50))
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("search %q = %v; want %q in it", tt.q, got, w)
			}
		}
		for _, w := range tt.wantNone {
			if slices.Contains(got, w) {
				t.Errorf("search %q = %v; %q should not be in it", tt.q, got, w)
			}
		}
	}
}

// A test found inside a report links to its history across reports, not
// to whichever report is newest; a report links to itself.
func TestSearchTestHitsLinkToHistory(t *testing.T) {
	rec := searchRecord(t)
	links := map[string]string{}
	for _, m := range rec.Search("kidney", 50) {
		links[m.Title] = m.Link
	}
	if got, want := links["Creatinine"], "#/tests/loinc%7C2160-0"; got != want {
		t.Errorf("Creatinine links to %q, want %q (its history)", got, want)
	}
	if got, want := links["eGFR"], "#/tests/loinc%7C33914-3"; got != want {
		t.Errorf("eGFR links to %q, want %q", got, want)
	}
	if got, want := links["Kidney function"], "#/results/kidney-new"; got != want {
		t.Errorf("the report links to %q, want %q (the newest one)", got, want)
	}
	// The history the link names is the test's: both creatinine results.
	h, ok := rec.History("loinc|2160-0")
	if !ok || len(h.Points) != 2 {
		t.Fatalf("history of the linked key: ok %v, %d points", ok, len(h.Points))
	}
}

func TestQueryTerms(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want [][]string // each term's first alternative and how many there are
	}{
		{"sugar", [][]string{{"sugar", "4"}}},
		{"blood sugar", [][]string{{"blood sugar", "4"}}},
		{"blood sugar test", [][]string{{"blood sugar", "4"}}},
		{"full blood count", [][]string{{"full blood count", "7"}}},
		{"test", [][]string{{"test", "1"}}}, // a filler word alone is still searched for
		{"kidney potassium", [][]string{{"kidney", "5"}, {"potassium", "1"}}},
	} {
		got := queryTerms(tt.q)
		if len(got) != len(tt.want) {
			t.Errorf("queryTerms(%q) = %+v", tt.q, got)
			continue
		}
		for i, w := range tt.want {
			if got[i].alts[0] != w[0] || fmt.Sprint(len(got[i].alts)) != w[1] {
				t.Errorf("queryTerms(%q)[%d] = %v, want %v", tt.q, i, got[i].alts, w)
			}
		}
	}
}

func TestAtWordStart(t *testing.T) {
	for _, tt := range []struct {
		hay, s string
		whole  bool
		want   bool
	}{
		{"alt 30 u/l", "alt", true, true},
		{"low salt diet", "alt", true, false},
		{"alt, high", "alt", true, true},
		{"alternative", "alt", true, false},
		{"hba1c 51", "hba1c", false, true},
		{"free t4", "t4", true, true},
		{"ferritin", "ferr", false, true},
		{"transferrin", "ferr", false, false},
		{"", "alt", true, false},
	} {
		if got := atWordStart(tt.hay, tt.s, tt.whole); got != tt.want {
			t.Errorf("atWordStart(%q, %q, %v) = %v", tt.hay, tt.s, tt.whole, got)
		}
	}
}
