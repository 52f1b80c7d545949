package records

import (
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
