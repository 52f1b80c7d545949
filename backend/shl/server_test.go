package shl

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func setup(t testing.TB, passcode string, files ...File) (*Server, *MemStore, *Link, *fakeClock) {
	clock := &fakeClock{t: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}
	store := NewMemStore()
	store.Now = clock.Now
	srv := NewServer(store, "https://ward.example.org/")
	srv.Now = clock.Now
	l, err := New("https://ward.example.org", "x", clock.Now().Add(24*time.Hour), passcode != "")
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{Expires: l.Exp, Key: l.Key}
	if passcode != "" {
		e.PasscodeHash, _ = HashPasscode(passcode)
	}
	store.Put(l.ID, e, files, DefaultAttempts)
	return srv, store, l, clock
}

func do(h http.Handler, method, path, ctype, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func manifestOf(t testing.TB, w *httptest.ResponseRecorder) Manifest {
	t.Helper()
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var m Manifest
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestLocationSingleUseAndShortLived(t *testing.T) {
	f := File{ContentType: ContentTypeFHIR, Body: []byte(`{"resourceType":"Patient"}`), FHIRVersion: "4.0.1",
		LastUpdated: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	srv, store, l, clock := setup(t, "", f)
	path := "/shl/" + l.ID
	m := manifestOf(t, do(srv, "POST", path, "application/json", `{"recipient":"Bob"}`))
	if len(m.Files) != 1 || m.Files[0].Embedded != "" || m.Files[0].FHIRVersion != "4.0.1" || m.Files[0].LastUpdated != "2026-01-01T00:00:00Z" {
		t.Fatalf("%+v", m)
	}
	loc := m.Files[0].Location
	token, ok := strings.CutPrefix(loc, "https://ward.example.org/shl/file/")
	if !ok || !validToken(token, 32) {
		t.Fatalf("location %q", loc)
	}
	w := do(srv, "GET", "/shl/file/"+token, "", "")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/jose" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v", w.Code, w.Header())
	}
	if ct, pt, err := Decrypt(l.Key, w.Body.String()); err != nil || ct != ContentTypeFHIR || !bytes.Equal(pt, f.Body) {
		t.Fatal(ct, err)
	}
	if w := do(srv, "GET", "/shl/file/"+token, "", ""); w.Code != 404 {
		t.Fatal("second use:", w.Code)
	}

	// Expiry: the default lifetime is 5 minutes, and never more than an hour.
	m = manifestOf(t, do(srv, "POST", path, "application/json", `{"recipient":"Bob"}`))
	clock.Add(5 * time.Minute)
	if w := do(srv, "GET", strings.TrimPrefix(m.Files[0].Location, "https://ward.example.org"), "", ""); w.Code != 404 {
		t.Fatal("expired token:", w.Code)
	}
	srv.FileTTL = 48 * time.Hour
	m = manifestOf(t, do(srv, "POST", path, "application/json", `{"recipient":"Bob"}`))
	clock.Add(time.Hour)
	if w := do(srv, "GET", strings.TrimPrefix(m.Files[0].Location, "https://ward.example.org"), "", ""); w.Code != 404 {
		t.Fatal("token older than an hour:", w.Code)
	}

	ev := store.Events(l.ID)
	if len(ev) != 4 || ev[1].Kind != "file" || ev[1].Recipient != "Bob" || ev[1].Status != 200 {
		t.Fatalf("%+v", ev)
	}
}

func TestEmbeddedLengthMaxBoundary(t *testing.T) {
	f := File{ContentType: ContentTypeFHIR, Body: bytes.Repeat([]byte("a"), 1000)}
	srv, _, l, _ := setup(t, "", f)
	n := embeddedLength(f)
	for _, tc := range []struct {
		max   int64
		embed bool
	}{{n, true}, {n - 1, false}, {0, false}} {
		m := manifestOf(t, do(srv, "POST", "/shl/"+l.ID, "application/json", `{"recipient":"Bob","embeddedLengthMax":`+jsonInt(tc.max)+`}`))
		if (m.Files[0].Embedded != "") != tc.embed || int64(len(m.Files[0].Embedded)) > tc.max {
			t.Fatalf("max %d: %+v", tc.max, m.Files[0])
		}
	}
	srv.DefaultEmbedMax = 1 << 20
	if m := manifestOf(t, do(srv, "POST", "/shl/"+l.ID, "application/json", `{"recipient":"Bob"}`)); m.Files[0].Embedded == "" {
		t.Fatal("DefaultEmbedMax ignored")
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestManifestRequestErrors(t *testing.T) {
	srv, store, l, _ := setup(t, "1234", File{ContentType: ContentTypeFHIR, Body: []byte(`{}`)})
	path := "/shl/" + l.ID
	for _, tc := range []struct {
		method, path, ctype, body string
		code                      int
	}{
		{"GET", path, "", "", 405},
		{"PUT", path, "application/json", `{"recipient":"x"}`, 405},
		{"POST", path, "text/plain", `{"recipient":"x"}`, 415},
		{"POST", path, "", `{"recipient":"x"}`, 415},
		{"POST", path, "application/json", `{"recipient":"x"`, 400},
		{"POST", path, "application/json", `{"recipient":"x"}{}`, 400},
		{"POST", path, "application/json", `{"recipient":"x","embeddedLengthMax":-1}`, 400},
		{"POST", path, "application/json", `{"recipient":"x","embeddedLengthMax":"5"}`, 400},
		{"POST", path, "application/json", `{"recipient":"x","passcode":1234}`, 400},
		{"POST", path, "application/json", `{"recipient":"a\nb"}`, 400},
		{"POST", path, "application/json", `{"recipient":"` + strings.Repeat("x", 600) + `"}`, 400},
		{"POST", path, "application/json", `{"recipient":"x","pad":"` + strings.Repeat("x", 20000) + `"}`, 400},
		{"POST", "/shl/short", "application/json", `{"recipient":"x"}`, 404},
		{"POST", "/other", "application/json", `{"recipient":"x"}`, 404},
		{"GET", "/shl/file/nope", "", "", 404},
		{"GET", "/shl/file/" + strings.Repeat("A", 43), "", "", 404},
		{"POST", "/shl/file/" + strings.Repeat("A", 43), "", "", 405},
		{"OPTIONS", path, "", "", 204},
		// No passcode: 401 without spending an attempt.
		{"POST", path, "application/json; charset=utf-8", `{"recipient":"x"}`, 401},
		{"POST", path, "application/json", `{"recipient":"x","passcode":""}`, 401},
		{"POST", path, "application/json", `{"recipient":"x","passcode":"1234","extra":[1]}`, 200},
	} {
		w := do(srv, tc.method, tc.path, tc.ctype, tc.body)
		if w.Code != tc.code {
			t.Errorf("%s %s %q %.40q: %d, want %d (%s)", tc.method, tc.path, tc.ctype, tc.body, w.Code, tc.code, w.Body)
		}
		if w.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("no CORS header")
		}
	}
	if store.Remaining(l.ID) != DefaultAttempts {
		t.Fatalf("attempts spent: %d", store.Remaining(l.ID))
	}
}

// BenchmarkManifestEmbedded100KB: one manifest request (no passcode) for a
// link with one 100 KB FHIR file returned embedded.
func BenchmarkManifestEmbedded100KB(b *testing.B) {
	body := bytes.Repeat([]byte(`{"resourceType":"Observation","status":"final"},`), 100<<10/48)
	srv, _, l, _ := setup(b, "", File{ContentType: ContentTypeFHIR, Body: body})
	req := `{"recipient":"Bench","embeddedLengthMax":1000000}`
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		w := do(srv, "POST", "/shl/"+l.ID, "application/json", req)
		if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte(`"embedded"`)) {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkManifestEmbedded100KBPasscode: the same with a passcode (one
// Argon2id verification per request).
func BenchmarkManifestEmbedded100KBPasscode(b *testing.B) {
	body := bytes.Repeat([]byte(`{"resourceType":"Observation","status":"final"},`), 100<<10/48)
	srv, _, l, _ := setup(b, "1234", File{ContentType: ContentTypeFHIR, Body: body})
	req := `{"recipient":"Bench","passcode":"1234","embeddedLengthMax":1000000}`
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if w := do(srv, "POST", "/shl/"+l.ID, "application/json", req); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
