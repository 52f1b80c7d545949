package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ward-health/ward/backend/config"
	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

func demoVault(t testing.TB, n int) *session.Manager {
	t.Helper()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: now, Resources: n})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	kek, err := vault.LoadOrCreateKEK(filepath.Join(dir, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.OpenDemo(context.Background(), dir, kek, store.Source{Name: demo.OrganisationName, LastUpdated: now}, rs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func newDemoHandler(t *testing.T) (http.Handler, *records.Record) {
	t.Helper()
	m := demoVault(t, 0)
	rec, err := m.Record("")
	if err != nil {
		t.Fatal(err)
	}
	h := New(Options{
		Config:  config.Demo(demo.OrganisationName),
		Version: "test",
		Assets: fstest.MapFS{
			"index.html":        {Data: []byte("<!doctype html><title>Ward</title>")},
			"assets/app-abc.js": {Data: []byte("console.log(1)")},
		},
		Vault: m,
	})
	return h, rec
}

func emptyVault(t *testing.T) *session.Manager {
	t.Helper()
	m, err := session.Open(t.TempDir(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func get(t *testing.T, h http.Handler, path string, out any) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, w.Body)
		}
	}
	return w
}

func TestEndpoints(t *testing.T) {
	h, rec := newDemoHandler(t)

	var health map[string]string
	if w := get(t, h, "/api/healthz", &health); w.Code != 200 || health["status"] != "ok" {
		t.Fatalf("healthz = %d %v", w.Code, health)
	}

	var cfg struct {
		Demo         bool
		Organisation config.Organisation
	}
	get(t, h, "/api/config", &cfg)
	if !cfg.Demo || cfg.Organisation.Helpdesk.Phone == "" || cfg.Organisation.Name != demo.OrganisationName {
		t.Fatalf("config = %+v", cfg)
	}

	var sum records.Summary
	get(t, h, "/api/summary", &sum)
	if sum.Patient == nil || sum.Patient.BirthDate != demo.PatientBirthDate {
		t.Fatalf("summary = %+v", sum)
	}

	var list struct{ Reports []records.Report }
	get(t, h, "/api/results", &list)
	if len(list.Reports) != len(rec.Reports()) || len(list.Reports) == 0 {
		t.Fatalf("got %d reports, want %d", len(list.Reports), len(rec.Reports()))
	}

	var one records.Report
	if w := get(t, h, "/api/results/"+list.Reports[3].ID, &one); w.Code != 200 || one.ID != list.Reports[3].ID {
		t.Fatalf("result = %d %+v", w.Code, one.ID)
	}

	var e struct{ Error apiError }
	if w := get(t, h, "/api/results/missing", &e); w.Code != 404 || e.Error.Message == "" {
		t.Fatalf("missing result = %d %+v", w.Code, e)
	}
	if w := get(t, h, "/api/nothing-here", &e); w.Code != 404 || e.Error.Code != "not_found" {
		t.Fatalf("unknown path = %d %+v", w.Code, e)
	}
}

func TestNoRecord(t *testing.T) {
	h := New(Options{Vault: emptyVault(t)})
	var sum map[string]any
	get(t, h, "/api/summary", &sum)
	if sum["patient"] != nil {
		t.Fatalf("patient = %v, want null", sum["patient"])
	}
	var list struct{ Reports []records.Report }
	if w := get(t, h, "/api/results", &list); w.Code != 200 || list.Reports == nil || len(list.Reports) != 0 {
		t.Fatalf("results with no record = %d %s", w.Code, w.Body)
	}
}

func TestHeaders(t *testing.T) {
	h, _ := newDemoHandler(t)
	tests := []struct {
		path, cache, ctype string
	}{
		{"/", "no-cache", "text/html"},
		{"/assets/app-abc.js", "immutable", "javascript"},
		{"/api/summary", "no-store", "application/json"},
	}
	for _, tt := range tests {
		w := get(t, h, tt.path, nil)
		if w.Code != 200 {
			t.Errorf("GET %s = %d", tt.path, w.Code)
		}
		hd := w.Header()
		if !strings.Contains(hd.Get("Cache-Control"), tt.cache) || !strings.Contains(hd.Get("Content-Type"), tt.ctype) {
			t.Errorf("GET %s: Cache-Control %q, Content-Type %q", tt.path, hd.Get("Cache-Control"), hd.Get("Content-Type"))
		}
		csp := hd.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: CSP %q", tt.path, csp)
		}
		if hd.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", tt.path)
		}
	}
}

func TestCrossSiteWritesRefused(t *testing.T) {
	h, _ := newDemoHandler(t)
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"other site by fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"other origin", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"same origin", map[string]string{"Origin": "http://example.com", "Sec-Fetch-Site": "same-origin"}, http.StatusNotFound},
		// Sandboxed frames, data: and file: pages send "null": any site can.
		{"null origin", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"null origin, fetch metadata same-origin", map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"}, http.StatusForbidden},
		// The desktop window: WebKit (Linux, macOS) and WebView2 (Windows).
		{"window, wails://wails", map[string]string{"Origin": "wails://wails"}, http.StatusNotFound},
		{"window, wails://wails.localhost", map[string]string{"Origin": "wails://wails.localhost"}, http.StatusNotFound},
		{"window, http://wails.localhost", map[string]string{"Origin": "http://wails.localhost", "Host": "wails.localhost"}, http.StatusNotFound},
		{"no browser headers (curl)", nil, http.StatusNotFound},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/api/anything", strings.NewReader("{}"))
		for k, v := range tt.header {
			if k == "Host" {
				r.Host = v
			}
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, w.Code, tt.want)
		}
	}
}

func TestFirstAPICallRunsOnce(t *testing.T) {
	calls := 0
	h := New(Options{Vault: emptyVault(t), FirstAPICall: func() { calls++ }})
	for range 3 {
		get(t, h, "/api/healthz", nil)
	}
	if calls != 1 {
		t.Fatalf("FirstAPICall ran %d times, want 1", calls)
	}
}

func BenchmarkResultsList(b *testing.B) {
	h := New(Options{Vault: demoVault(b, 10000)})
	req := httptest.NewRequest("GET", "/api/results", nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	h := New(Options{Vault: emptyVault(t), LoopbackOnly: true})
	for host, want := range map[string]int{
		"127.0.0.1:8080": 200, "localhost:8080": 200, "[::1]:8080": 200, "localhost": 200,
		"evil.example:8080": http.StatusMisdirectedRequest, "192.168.1.5:8080": http.StatusMisdirectedRequest,
	} {
		r := httptest.NewRequest("GET", "/api/healthz", nil)
		r.Host = host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Host %s: %d, want %d", host, w.Code, want)
		}
	}
}
