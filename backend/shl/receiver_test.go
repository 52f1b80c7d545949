package shl_test

// An independent SMART Health Links receiver, written from the
// specification (links-specification, STU1): it decodes the shlink:/ payload
// with encoding/base64 and encoding/json, makes the manifest request with
// net/http, fetches .files.location URLs and decrypts with go-jose directly.
// Only the sharing side (minting the link, filling the store) uses package
// shl.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/ward-health/ward/backend/shl"
)

// ---- sharing side ----

type sharer struct {
	ts    *httptest.Server
	store *shl.MemStore
	srv   *shl.Server
}

func newSharer(t testing.TB) *sharer {
	s := &sharer{store: shl.NewMemStore(), srv: &shl.Server{}}
	s.ts = httptest.NewServer(s.srv)
	t.Cleanup(s.ts.Close)
	s.srv.Store = s.store
	s.srv.BaseURL = s.ts.URL
	return s
}

func (s *sharer) share(t testing.TB, passcode string, exp time.Time, files ...shl.File) (*shl.Link, string) {
	l, err := shl.New(s.ts.URL, "Alice's records", exp, passcode != "")
	if err != nil {
		t.Fatal(err)
	}
	e := shl.Entry{Expires: exp, Key: l.Key, Label: l.Label}
	if passcode != "" {
		if e.PasscodeHash, err = shl.HashPasscode(passcode); err != nil {
			t.Fatal(err)
		}
	}
	s.store.Put(l.ID, e, files, shl.DefaultAttempts)
	return l, "https://viewer.example.org/#" + l.Encode()
}

// ---- receiving side (spec only) ----

type payload struct {
	URL   string  `json:"url"`
	Key   string  `json:"key"`
	Exp   float64 `json:"exp"`
	Flag  string  `json:"flag"`
	Label string  `json:"label"`
	V     int     `json:"v"`
}

func decodeLink(t testing.TB, s string) payload {
	t.Helper()
	if i := strings.Index(s, "#shlink:/"); i >= 0 {
		s = s[i+1:]
	}
	b64, ok := strings.CutPrefix(s, "shlink:/")
	if !ok {
		t.Fatalf("not a shlink: %q", s)
	}
	raw, err := base64.RawURLEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Key) != 43 || len(p.URL) > 128 || len(p.Label) > 80 {
		t.Fatalf("payload %+v", p)
	}
	return p
}

type manifest struct {
	Files []struct {
		ContentType string `json:"contentType"`
		Location    string `json:"location"`
		Embedded    string `json:"embedded"`
	} `json:"files"`
}

func postManifest(t testing.TB, url string, body any) (*http.Response, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

func decryptJWE(t testing.TB, keyB64, compact string) (string, []byte) {
	t.Helper()
	key, err := base64.RawURLEncoding.DecodeString(keyB64)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := jose.ParseEncryptedCompact(compact, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		t.Fatal(err)
	}
	pt, err := obj.Decrypt(key)
	if err != nil {
		t.Fatal(err)
	}
	cty, _ := obj.Header.ExtraHeaders[jose.HeaderContentType].(string)
	return cty, pt
}

func fetch(t testing.TB, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func bundle(n int) []byte {
	var entries []string
	for i := 0; len(strings.Join(entries, ",")) < n; i++ {
		entries = append(entries, fmt.Sprintf(`{"resource":{"resourceType":"Observation","id":"o%d","status":"final","code":{"text":"Weight"},"valueQuantity":{"value":%d,"unit":"kg"}}}`, i, 60+i%30))
	}
	return []byte(`{"resourceType":"Bundle","type":"collection","entry":[` + strings.Join(entries, ",") + `]}`)
}

func TestReceiverRoundTrip(t *testing.T) {
	s := newSharer(t)
	small := []byte(`{"resourceType":"Patient","id":"alice","name":[{"given":["Alice"]}]}`)
	large := bundle(50 << 10)
	_, link := s.share(t, "open sesame", time.Now().Add(time.Hour),
		shl.File{ContentType: "application/fhir+json", Body: small},
		shl.File{ContentType: "application/fhir+json", Body: large})

	p := decodeLink(t, link)
	if p.Flag != "P" || p.V != 1 || p.Label != "Alice's records" || p.Exp < float64(time.Now().Unix()) {
		t.Fatalf("payload %+v", p)
	}
	// The P flag means a passcode must be sent.
	resp, body := postManifest(t, p.URL, map[string]any{"recipient": "Dr. Bob, Verona Clinic", "passcode": "open sesame", "embeddedLengthMax": 10000})
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var m manifest
	if err := json.Unmarshal(body, &m); err != nil || len(m.Files) != 2 {
		t.Fatalf("%v %s", err, body)
	}
	want := [][]byte{small, large}
	for i, f := range m.Files {
		if f.ContentType != "application/fhir+json" || (f.Embedded == "") == (f.Location == "") {
			t.Fatalf("file %d: %+v", i, f)
		}
		jwe := f.Embedded
		if jwe != "" {
			if len(jwe) > 10000 {
				t.Fatalf("embedded %d > embeddedLengthMax", len(jwe))
			}
		} else {
			if i == 0 {
				t.Fatal("small file not embedded")
			}
			r, b := fetch(t, f.Location)
			if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/jose" {
				t.Fatalf("location: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
			}
			jwe = string(b)
		}
		cty, pt := decryptJWE(t, p.Key, jwe)
		if cty != "application/fhir+json" || !bytes.Equal(pt, want[i]) {
			t.Fatalf("file %d: cty %q, %d bytes", i, cty, len(pt))
		}
		var v map[string]any
		if json.Unmarshal(pt, &v) != nil || v["resourceType"] == nil {
			t.Fatalf("file %d not FHIR JSON", i)
		}
	}
	if m.Files[1].Location == "" {
		t.Fatal("large file embedded")
	}

	// Without embeddedLengthMax everything may come by location.
	resp, body = postManifest(t, p.URL, map[string]any{"recipient": "Dr. Bob", "passcode": "open sesame"})
	json.Unmarshal(body, &m)
	if resp.StatusCode != 200 || len(m.Files) != 2 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for i, f := range m.Files {
		jwe := f.Embedded
		if f.Location != "" {
			_, b := fetch(t, f.Location)
			jwe = string(b)
		}
		if _, pt := decryptJWE(t, p.Key, jwe); !bytes.Equal(pt, want[i]) {
			t.Fatalf("file %d differs", i)
		}
	}
}

func TestReceiverNoPasscode(t *testing.T) {
	s := newSharer(t)
	doc := bundle(2000)
	_, link := s.share(t, "", time.Time{}, shl.File{ContentType: "application/fhir+json", Body: doc})
	p := decodeLink(t, link)
	if strings.Contains(p.Flag, "P") || p.Exp != 0 {
		t.Fatalf("%+v", p)
	}
	resp, body := postManifest(t, p.URL, map[string]any{"recipient": "Verona Health System", "embeddedLengthMax": 1 << 20})
	var m manifest
	json.Unmarshal(body, &m)
	if resp.StatusCode != 200 || len(m.Files) != 1 || m.Files[0].Embedded == "" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if _, pt := decryptJWE(t, p.Key, m.Files[0].Embedded); !bytes.Equal(pt, doc) {
		t.Fatal("content differs")
	}
}

func TestReceiverWrongPasscode(t *testing.T) {
	s := newSharer(t)
	l, link := s.share(t, "1234", time.Time{}, shl.File{ContentType: "application/fhir+json", Body: []byte(`{"resourceType":"Patient"}`)})
	p := decodeLink(t, link)
	for want := shl.DefaultAttempts - 1; want >= shl.DefaultAttempts-3; want-- {
		resp, body := postManifest(t, p.URL, map[string]any{"recipient": "Mallory", "passcode": "0000"})
		var r struct {
			RemainingAttempts *int `json:"remainingAttempts"`
		}
		if resp.StatusCode != 401 || json.Unmarshal(body, &r) != nil || r.RemainingAttempts == nil || *r.RemainingAttempts != want {
			t.Fatalf("%d %s, want 401 remainingAttempts %d", resp.StatusCode, body, want)
		}
	}
	// A right passcode does not count against the limit.
	resp, _ := postManifest(t, p.URL, map[string]any{"recipient": "Bob", "passcode": "1234"})
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	if got := s.store.Remaining(l.ID); got != shl.DefaultAttempts-3 {
		t.Fatalf("remaining %d", got)
	}
	// Every manifest request is logged, with recipient and address.
	ev := s.store.Events(l.ID)
	if len(ev) != 4 || ev[0].Recipient != "Mallory" || ev[0].Status != 401 || ev[3].Recipient != "Bob" || ev[3].Status != 200 ||
		!strings.HasPrefix(ev[0].Address, "127.0.0.1:") {
		t.Fatalf("events %+v", ev)
	}
}

func TestReceiverRecipientMissing(t *testing.T) {
	s := newSharer(t)
	_, link := s.share(t, "", time.Time{}, shl.File{ContentType: "application/fhir+json", Body: []byte(`{}`)})
	p := decodeLink(t, link)
	for _, body := range []any{
		map[string]any{},
		map[string]any{"recipient": ""},
		map[string]any{"recipient": nil},
		map[string]any{"recipient": 5},
		map[string]any{"Recipient": "x"},
		[]string{"recipient"},
	} {
		if resp, b := postManifest(t, p.URL, body); resp.StatusCode != 400 {
			t.Errorf("%v: %d %s", body, resp.StatusCode, b)
		}
	}
}

func TestReceiverExpired(t *testing.T) {
	s := newSharer(t)
	_, link := s.share(t, "", time.Now().Add(-time.Second), shl.File{ContentType: "application/fhir+json", Body: []byte(`{}`)})
	p := decodeLink(t, link)
	if resp, _ := postManifest(t, p.URL, map[string]any{"recipient": "Bob"}); resp.StatusCode != 404 {
		t.Fatal(resp.StatusCode)
	}
}

func TestReceiverRevoked(t *testing.T) {
	s := newSharer(t)
	l, link := s.share(t, "", time.Time{}, shl.File{ContentType: "application/fhir+json", Body: []byte(`{"resourceType":"Patient"}`)})
	p := decodeLink(t, link)
	resp, body := postManifest(t, p.URL, map[string]any{"recipient": "Bob"})
	var m manifest
	json.Unmarshal(body, &m)
	if resp.StatusCode != 200 || len(m.Files) != 1 || m.Files[0].Location == "" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	s.store.Revoke(l.ID)
	if resp, _ := postManifest(t, p.URL, map[string]any{"recipient": "Bob"}); resp.StatusCode != 404 {
		t.Fatal("manifest after revoke:", resp.StatusCode)
	}
	if resp, _ := fetch(t, m.Files[0].Location); resp.StatusCode != 404 {
		t.Fatal("location after revoke:", resp.StatusCode)
	}
	// Unknown link.
	if resp, _ := postManifest(t, s.ts.URL+"/shl/"+strings.Repeat("A", 43), map[string]any{"recipient": "Bob"}); resp.StatusCode != 404 {
		t.Fatal(resp.StatusCode)
	}
}

// Parallel wrong passcodes: the lifetime limit holds.
func TestReceiverParallelAttempts(t *testing.T) {
	s := newSharer(t)
	l, link := s.share(t, "correct horse", time.Time{}, shl.File{ContentType: "application/fhir+json", Body: []byte(`{}`)})
	p := decodeLink(t, link)
	const n = 50
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		status    = map[int]int{}
		remaining = map[int]int{}
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := json.Marshal(map[string]any{"recipient": "Mallory", "passcode": fmt.Sprintf("guess %d", i)})
			resp, err := http.Post(p.URL, "application/json", bytes.NewReader(b))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			mu.Lock()
			defer mu.Unlock()
			status[resp.StatusCode]++
			if resp.StatusCode == 401 {
				var r struct {
					RemainingAttempts int `json:"remainingAttempts"`
				}
				json.Unmarshal(body, &r)
				remaining[r.RemainingAttempts]++
			}
		}()
	}
	wg.Wait()
	if status[401] != shl.DefaultAttempts || status[404] != n-shl.DefaultAttempts || len(status) != 2 {
		t.Fatalf("statuses %v", status)
	}
	for i := range shl.DefaultAttempts {
		if remaining[i] != 1 {
			t.Fatalf("remainingAttempts %v", remaining)
		}
	}
	// The link is now disabled, even for the right passcode.
	if resp, _ := postManifest(t, p.URL, map[string]any{"recipient": "Bob", "passcode": "correct horse"}); resp.StatusCode != 404 {
		t.Fatal(resp.StatusCode)
	}
	if got := len(s.store.Events(l.ID)); got != n+1 {
		t.Fatalf("%d events logged", got)
	}
}
