package api

import (
	"net/url"
	"testing"
)

// GET /api/results/{id} gives each result the same test's result before
// the report (docs/api.md); the list, GET /api/results, does not.
func TestReportPreviousResults(t *testing.T) {
	h, rec := newDemoHandler(t)
	reports := rec.Reports() // newest first
	newest, oldest := reports[0], reports[len(reports)-1]

	type result struct {
		TestKey  string
		Value    string
		Previous *struct{ Value, Unit, Taken, ReportID string }
	}
	var one struct {
		ID, Taken, Name string
		Results         []result
		Withdrawn       []map[string]any
	}
	if w := get(t, h, "/api/results/"+url.PathEscape(newest.ID), &one); w.Code != 200 {
		t.Fatalf("GET newest report: %d", w.Code)
	}
	if len(one.Results) != len(newest.Results) || len(one.Results) == 0 {
		t.Fatalf("%d results, want the report's %d", len(one.Results), len(newest.Results))
	}
	if one.Name != newest.Name || one.Withdrawn == nil {
		t.Errorf("the report's own fields are still sent beside its results: %q, withdrawn %v", one.Name, one.Withdrawn)
	}
	for _, x := range one.Results {
		p := x.Previous
		if p == nil {
			t.Errorf("%s: the demo's newest report has a previous result for every test", x.TestKey)
			continue
		}
		if p.Taken >= one.Taken || p.ReportID == one.ID || p.Value == "" || p.Unit == "" {
			t.Errorf("%s: previous %+v is not an earlier result (report taken %s)", x.TestKey, p, one.Taken)
		}
		earlier, ok := rec.Report(p.ReportID)
		if !ok || earlier.Taken != p.Taken {
			t.Errorf("%s: previous names report %s, which is not one of %s", x.TestKey, p.ReportID, p.Taken)
		}
	}

	// The oldest report is every test's first: no previous result.
	var first struct{ Results []result }
	get(t, h, "/api/results/"+url.PathEscape(oldest.ID), &first)
	for _, x := range first.Results {
		if x.Previous != nil {
			t.Errorf("%s in the oldest report: previous %+v", x.TestKey, x.Previous)
		}
	}

	var list struct {
		Reports []struct{ Results []map[string]any }
	}
	get(t, h, "/api/results?limit=5", &list)
	for _, r := range list.Reports {
		for _, x := range r.Results {
			if _, has := x["previous"]; has {
				t.Fatal("GET /api/results carries previous results; only a report's own page needs them")
			}
		}
	}
}
