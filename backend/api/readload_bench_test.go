package api

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// BenchmarkReadsDuring100kImport: a 100,000-resource record is open and
// another 100,000-resource file is imported through the page's endpoint;
// meanwhile a client reads the results page (200 reports) every 5 ms. It
// reports the reads' p50, p99 and worst latency, and the import's time.
func BenchmarkReadsDuring100kImport(b *testing.B) {
	const n = 100000
	ctx := context.Background()
	dir := b.TempDir()
	pw, err := vault.NewPasswordWithParams([]byte("correct horse"), vault.Argon2Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	db, keys, err := store.Create(dir, pw)
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	keys.Destroy()
	m, err := session.Open(dir, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	tok, err := m.Unlock(ctx, session.Secret{Password: []byte("correct horse")})
	if err != nil {
		b.Fatal(err)
	}
	h := New(Options{Vault: m})
	file := func(seed uint64) []byte {
		rs, err := demo.Generate(demo.Options{Seed: seed, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Resources: n})
		if err != nil {
			b.Fatal(err)
		}
		body, _ := demo.Bundle(rs)
		return body
	}
	post := func(name string, body []byte) int {
		r := httptest.NewRequest("POST", "/api/imports?name="+name+"&source="+name, bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	if code := post("first", file(1)); code != http.StatusOK {
		b.Fatalf("first import: %d", code)
	}
	second := file(2)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var lat []time.Duration
		var done atomic.Bool
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				start := time.Now()
				r := httptest.NewRequest("GET", "/api/results?limit=200", nil)
				r.Header.Set("Authorization", "Bearer "+tok)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Errorf("read: %d", w.Code)
					return
				}
				lat = append(lat, time.Since(start))
				time.Sleep(5 * time.Millisecond)
			}
		}()
		start := time.Now()
		name := "second-" + string(rune('a'+i%26))
		if code := post(name, second); code != http.StatusOK {
			b.Fatalf("second import: %d", code)
		}
		took := time.Since(start)
		done.Store(true)
		wg.Wait()
		slices.Sort(lat)
		if len(lat) == 0 {
			b.Fatal("no reads")
		}
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "read-p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "read-p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "read-max-ms")
		b.ReportMetric(float64(len(lat)), "reads")
		b.ReportMetric(took.Seconds(), "import-s")
	}
}
