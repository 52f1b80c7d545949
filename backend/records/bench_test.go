package records

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
)

// BenchmarkBuild100k is the view-building part of unlocking a patient with
// 100,000 resources (after the rows are decrypted).
func BenchmarkBuild100k(b *testing.B) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: now, Resources: 100000})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := Build(now, Set{Source: Source{Name: "Demo"}, Resources: rs})
		if len(rec.Reports()) == 0 {
			b.Fatal("no reports")
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "resources/s")
}

func BenchmarkSearch100k(b *testing.B) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, _ := demo.Generate(demo.Options{Seed: 1, Now: now, Resources: 100000})
	rec := Build(now, Set{Source: Source{Name: "Demo"}, Resources: rs})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(rec.Search("hba", 50)) == 0 {
			b.Fatal("nothing found")
		}
	}
}

// BenchmarkHistoryFirstOpen100k is opening the longest test history of a
// 100,000-resource record for the first time (later opens are kept).
func BenchmarkHistoryFirstOpen100k(b *testing.B) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, _ := demo.Generate(demo.Options{Seed: 1, Now: now, Resources: 100000})
	key, n := "", 0
	rec := Build(now, Set{Source: Source{Name: "Demo"}, Resources: rs})
	for k, h := range rec.history {
		if len(h.Points) > n {
			key, n = k, len(h.Points)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.historyJSON.Delete(key)
		if js, ok := rec.HistoryJSON(key); !ok || len(js) == 0 {
			b.Fatal("no history")
		}
	}
	b.ReportMetric(float64(n), "points")
}

// BenchmarkResultsPage100k is the results list's first page (200 reports)
// of a 100,000-resource record, encoded as the API sends it.
func BenchmarkResultsPage100k(b *testing.B) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, _ := demo.Generate(demo.Options{Seed: 1, Now: now, Resources: 100000})
	rec := Build(now, Set{Source: Source{Name: "Demo"}, Resources: rs})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if js, err := json.Marshal(rec.Reports()[:200]); err != nil || len(js) == 0 {
			b.Fatal(err)
		}
	}
}

// BenchmarkTests100k is the "by test" list and the home page's latest
// results of a 100,000-resource record: built once at unlock (buildTests).
func BenchmarkTests100k(b *testing.B) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: now, Resources: 100000})
	if err != nil {
		b.Fatal(err)
	}
	rec := Build(now, Set{Source: Source{Name: "Demo"}, Resources: rs})
	b.ResetTimer()
	for b.Loop() {
		rec.buildTests()
	}
	b.ReportMetric(float64(len(rec.Tests())), "tests")
}
