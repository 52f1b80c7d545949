package records

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/internal/shared"
)

const fixtureDir = "../../../shared/fixtures/fhir"

func readFixture(t *testing.T, path string) []fhir.Resource {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []fhir.Resource
	for r, err := range fhir.Read(f) {
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, r)
	}
	return out
}

// fixtureSets loads every readable fixture, one source per folder (Epic
// sends a patient as many files).
func fixtureSets(t *testing.T) map[string][]fhir.Resource {
	sets := map[string][]fhir.Resource{}
	filepath.WalkDir(fixtureDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, "/broken/") || !(strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".ndjson")) {
			return nil
		}
		src := filepath.Dir(p)
		if strings.HasSuffix(src, "synthea") || strings.HasSuffix(src, "uk-core") || strings.HasSuffix(src, "edge-cases") || strings.HasSuffix(src, "ehr-sandbox") {
			src = p // one patient per file
		}
		sets[src] = append(sets[src], readFixture(t, p)...)
		return nil
	})
	if len(sets) == 0 {
		shared.Missing(t, fixtureDir)
	}
	return sets
}

func TestFixturesBuild(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	total := Counts{}
	for name, rs := range fixtureSets(t) {
		rec := Build(now, Set{Source: Source{Name: filepath.Base(name)}, Resources: rs})
		c := rec.Summary().Counts
		total.add(c)

		// Every report's result references that point at an Observation in
		// the same file are resolved, whatever their form.
		have := map[string]bool{}
		for _, r := range rs {
			have[r.Ref()] = true
			have["uuid:"+r.ID] = true
		}
		for _, r := range rs {
			if r.Type != "DiagnosticReport" {
				continue
			}
			var d fhir.DiagnosticReport
			r.Decode(&d)
			want := 0
			for _, ref := range d.Result {
				if have[key(ref.Reference)] {
					want++
				}
			}
			rep, ok := rec.Report(r.ID)
			if !ok {
				t.Errorf("%s: report %s not shown", name, r.ID)
				continue
			}
			if len(rep.Results) < want {
				t.Errorf("%s: report %s shows %d results, %d are in the file", name, r.ID, len(rep.Results), want)
			}
		}
		// Nothing from a record can run in the page.
		for _, d := range rec.Documents() {
			full, _ := rec.Document(d.ID)
			low := strings.ToLower(full.HTML)
			for _, bad := range []string{"<script", "javascript:", "onerror", "onload", "<object", "<iframe", "<img", "style="} {
				if strings.Contains(low, bad) {
					t.Errorf("%s: document %s HTML contains %q", name, d.ID, bad)
				}
			}
		}
		// Every view encodes.
		for _, v := range []any{rec.Summary(), rec.Reports(), rec.Health(), rec.Visits(), rec.Documents(), rec.Details(), rec.OtherTypes()} {
			if _, err := json.Marshal(v); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	t.Logf("all fixtures: %+v", total)
	if total.Results == 0 || total.Conditions == 0 || total.Medications == 0 || total.Allergies == 0 ||
		total.Immunisations == 0 || total.Appointments == 0 || total.Documents == 0 || total.Other == 0 {
		t.Fatalf("some view is empty across all fixtures: %+v", total)
	}
}

func TestSynthea(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "synthea/synthea_*.json"))
	if len(files) == 0 {
		shared.Missing(t, filepath.Join(fixtureDir, "synthea/synthea_*.json"))
	}
	rs := readFixture(t, files[0])
	rec := Build(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Set{Source: Source{Name: "Synthea"}, Resources: rs})
	d := rec.Details()
	if d == nil || d.Name == "" || d.BirthDate == "" || len(d.Addresses) == 0 {
		t.Fatalf("details %+v", d)
	}
	reports := rec.Reports()
	if len(reports) == 0 {
		t.Fatal("no results")
	}
	// A test seen more than once has a history, oldest first.
	var multi *History
	for _, rep := range reports {
		for _, x := range rep.Results {
			if h, ok := rec.History(x.TestKey); ok && len(h.Points) > 2 {
				multi = h
			}
		}
	}
	if multi == nil {
		t.Fatal("no test with a history")
	}
	for i := 1; i < len(multi.Points); i++ {
		if multi.Points[i].Taken < multi.Points[i-1].Taken {
			t.Fatal("history not oldest first")
		}
	}
	if m := rec.Search(strings.ToLower(reports[0].Results[0].Name[:4]), 50); len(m) == 0 {
		t.Fatalf("search for %q found nothing", reports[0].Results[0].Name[:4])
	}
	items, next := rec.Timeline("", 10)
	if len(items) < 10 || next == "" {
		t.Fatalf("timeline page: %d items, next %q", len(items), next)
	}
	more, _ := rec.Timeline(next, 10)
	if len(more) == 0 || more[0].Date >= next {
		t.Fatalf("timeline second page starts at %v, want before %s", more, next)
	}
	if len(rec.OtherTypes()) == 0 {
		t.Fatal("Synthea's claims should be under other records")
	}
}
