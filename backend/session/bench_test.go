package session

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/fhir"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if big.dir != "" {
		os.RemoveAll(big.dir)
	}
	os.Exit(code)
}

// big is a vault of 100,000 demo resources, made once per test binary
// (importing them takes a while) and copied for each benchmark.
var big struct {
	once sync.Once
	dir  string
	err  error
}

func vault100k(b *testing.B) string {
	b.Helper()
	big.once.Do(func() {
		if big.dir, big.err = os.MkdirTemp("", "ward-session-bench-"); big.err != nil {
			return
		}
		rs, err := demo.Generate(demo.Options{Seed: 1, Now: testNow, Resources: 100000})
		if err != nil {
			big.err = err
			return
		}
		big.err = makeVault(big.dir, demo.OrganisationName, rs)
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	dir := b.TempDir()
	entries, err := os.ReadDir(big.dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		if err := copyFile(filepath.Join(big.dir, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// BenchmarkImportTenInto100k is the time from starting an import of ten new
// results into a record of 100,000 resources until Record() shows them.
// rebuild-ms is the part of that spent merging and rebuilding the view
// (outside the lock); cold-build-ms is what building the same view costs
// without the decode cache, as every import did before. cpu-ms is the CPU
// used (both cores), which moves less than wall time on a shared machine.
func BenchmarkImportTenInto100k(b *testing.B) {
	ctx := context.Background()
	m, tok := open(b, vault100k(b))
	var rebuild time.Duration
	cpu := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs := make([]fhir.Resource, 10)
		for j := range rs {
			rs[j] = observation(fmt.Sprintf("bench-%d-%d", i, j), "Magnesium", "0.8")
		}
		var published time.Time
		bt := batch(demo.OrganisationName, rs...)
		bt.Progress = func(n int) {
			if n == len(rs) {
				published = time.Now() // the last item is written: the rest is commit and publish
			}
		}
		if _, err := m.Import(ctx, tok, bt); err != nil {
			b.Fatal(err)
		}
		rec, err := m.Record(tok)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := rec.Report(fmt.Sprintf("obs-bench-%d-9", i)); !ok {
			b.Fatal("the new results are not in the record")
		}
		rebuild += time.Since(published)
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/import")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
	b.ReportMetric(float64(rebuild.Milliseconds())/float64(b.N), "commit+rebuild-ms")
	m.mu.Lock()
	v := m.view
	m.mu.Unlock()
	t := time.Now()
	newView(v.contents, nil)
	b.ReportMetric(float64(time.Since(t).Milliseconds()), "cold-build-ms")
}

// BenchmarkUnlock100k is the time from unlocking a vault of 100,000
// resources to having its record open. The test password's key derivation
// is made cheap, so this is decrypting and building; load-ms and build-ms
// split one more unlock into those two. cpu-ms is the CPU used (both
// cores), which moves less than wall time when the machine is shared.
func BenchmarkUnlock100k(b *testing.B) {
	ctx := context.Background()
	m, _ := open(b, vault100k(b))
	cpu := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Lock()
		tok, err := m.Unlock(ctx, Secret{Password: testPassword})
		if err != nil {
			b.Fatal(err)
		}
		rec, err := m.Record(tok)
		if err != nil || rec.Summary().Patient == nil {
			b.Fatal("no record after unlock:", err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/unlock")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/unlock")
	m.mu.Lock()
	db, keys := m.db, m.keys
	m.mu.Unlock()
	t := time.Now()
	c, err := db.Load(ctx, keys)
	if err != nil {
		b.Fatal(err)
	}
	load := time.Since(t)
	newView(c, nil)
	b.ReportMetric(float64(load.Milliseconds()), "load-ms")
	b.ReportMetric(float64((time.Since(t) - load).Milliseconds()), "build-ms")
}
