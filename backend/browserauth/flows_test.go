package browserauth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

var credential = `{"id":"Y3JlZA","rawId":"Y3JlZA","type":"public-key","response":{},"clientExtensionResults":{"prf":{"results":{"first":"c2VjcmV0"}}}}`

// A whole flow over real loopback HTTP: the Opener gets the URL, the page
// and its files load with strict headers, begin wraps the options with the
// kind, finish hands the credential to the Ceremony, the result goes to
// Status and not to the browser, and the listener closes.
func TestFullFlow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		c     *fake
		steps []string // the kinds the page is asked for, in order
	}{
		{"unlock", &fake{kind: KindGet, result: "token-abc"}, []string{KindGet}},
		{"register", &fake{kind: KindCreate, result: "passkey-xyz"}, []string{KindCreate}},
		{"register then assert", &fake{kind: KindCreate, result: "passkey-xyz",
			next: &Next{CeremonyID: "ceremony-2", Kind: KindGet, Options: json.RawMessage(fakeOptions)}},
			[]string{KindCreate, KindGet}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, tc.c)
			if len(s.opened) != 1 || s.opened[0] != s.url {
				t.Fatalf("opened %q, want [%q]", s.opened, s.url)
			}
			if !strings.HasPrefix(s.url, "http://localhost:") || !strings.Contains(s.url, "/passkey/") {
				t.Fatalf("url %q", s.url)
			}
			for _, f := range []struct{ path, ctype, has string }{
				{strings.TrimPrefix(s.url, s.origin), "text/html", "<h1"},
				{cssPath, "text/css", ".button"},
				{jsPath, "text/javascript", "parseRequestOptionsFromJSON"},
			} {
				code, body, h := do(t, "GET", s.origin+f.path, "", nil)
				if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), f.ctype) || !strings.Contains(body, f.has) {
					t.Fatalf("GET %s: %d %q", f.path, code, h.Get("Content-Type"))
				}
				if h.Get("Content-Security-Policy") != csp || h.Get("X-Content-Type-Options") != "nosniff" ||
					h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" {
					t.Fatalf("GET %s: headers %v", f.path, h)
				}
			}
			s.wantStatus(t, StateWaiting, nil)

			code, body := s.post(t, "begin", "{}")
			for i, kind := range tc.steps {
				var step struct {
					Kind      string          `json:"kind"`
					PublicKey json.RawMessage `json:"publicKey"`
				}
				if code != 200 || json.Unmarshal([]byte(body), &step) != nil || step.Kind != kind || string(step.PublicKey) != fakeOptions {
					t.Fatalf("step %d: %d %s", i, code, body)
				}
				if i > 0 {
					s.wantStatus(t, StateWaiting, nil)
				}
				code, body = s.post(t, "finish", credential)
			}
			if code != 200 || body != `{"done":true}` {
				t.Fatalf("finish: %d %s", code, body)
			}
			if !s.closed(t) {
				t.Fatal("listener still open after finish")
			}
			if got := s.wantStatus(t, StateDone, nil); got != tc.c.result {
				t.Fatalf("result %v, want %v", got, tc.c.result)
			}
			s.wantStatus(t, "", ErrUnknownFlow)

			if tc.c.rp.ID != "localhost" || tc.c.rp.Origin != s.origin {
				t.Fatalf("rp %+v, origin %s", tc.c.rp, s.origin)
			}
			wantIDs := []string{"ceremony-1", "ceremony-2"}[:len(tc.steps)]
			if strings.Join(tc.c.finishes, ",") != strings.Join(wantIDs, ",") || string(tc.c.bodies[0]) != credential {
				t.Fatalf("finish got %v %q", tc.c.finishes, tc.c.bodies)
			}
		})
	}
}

// Each way a request is refused; none of them reaches the Ceremony more
// than allowed, and the flow's state afterwards is as listed.
func TestRefused(t *testing.T) {
	big := `{"x":"` + strings.Repeat("a", MaxBody) + `"}`
	for _, tc := range []struct {
		name     string
		before   []string // actions posted first, each answered 200
		method   string
		path     string // after the origin; "STATE" is the flow's state
		origin   string // "" = the right one; "-" = none
		host     string
		body     string
		code     int
		state    string // Status afterwards
		err      error
		closed   bool
		begins   int
		finishes int
	}{
		{name: "begin twice", before: []string{"begin"}, path: "/passkey/STATE/begin", code: 409, state: StateWaiting, begins: 1},
		{name: "finish before begin", path: "/passkey/STATE/finish", body: credential, code: 409, state: StateWaiting},
		{name: "wrong state page", method: "GET", path: "/passkey/nope", code: 404, state: StateWaiting},
		{name: "wrong state begin", path: "/passkey/nope/begin", code: 404, state: StateWaiting},
		{name: "wrong state finish", before: []string{"begin"}, path: "/passkey/STATEx/finish", body: credential, code: 404, state: StateWaiting, begins: 1},
		{name: "other action", path: "/passkey/STATE/delete", code: 404, state: StateWaiting},
		{name: "root", method: "GET", path: "/", code: 404, state: StateWaiting},
		{name: "page with slash", method: "GET", path: "/passkey/STATE/", code: 404, state: StateWaiting},
		{name: "GET begin", method: "GET", path: "/passkey/STATE/begin", code: 405, state: StateWaiting},
		{name: "POST page", path: "/passkey/STATE", code: 405, state: StateWaiting},
		{name: "no origin", path: "/passkey/STATE/begin", origin: "-", code: 403, state: StateWaiting},
		{name: "null origin", path: "/passkey/STATE/begin", origin: "null", code: 403, state: StateWaiting},
		{name: "IP origin", path: "/passkey/STATE/begin", origin: "http://127.0.0.1:PORT", code: 403, state: StateWaiting},
		{name: "https origin", path: "/passkey/STATE/begin", origin: "https://localhost:PORT", code: 403, state: StateWaiting},
		{name: "other site", before: []string{"begin"}, path: "/passkey/STATE/finish", origin: "https://evil.example", body: credential, code: 403, state: StateWaiting, begins: 1},
		{name: "other port", path: "/passkey/STATE/begin", origin: "http://localhost:1", code: 403, state: StateWaiting},
		{name: "other host", method: "GET", path: "/passkey/STATE", host: "evil.example", code: 421, state: StateWaiting},
		{name: "IP host", path: "/passkey/STATE/begin", host: "127.0.0.1:PORT", code: 421, state: StateWaiting},
		{name: "oversized begin", path: "/passkey/STATE/begin", body: big, code: 413, state: StateFailed, err: ErrTooLarge, closed: true},
		{name: "oversized finish", before: []string{"begin"}, path: "/passkey/STATE/finish", body: big, code: 413, state: StateFailed, err: ErrTooLarge, closed: true, begins: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &fake{kind: KindGet}
			s := start(t, c)
			for _, a := range tc.before {
				if code, body := s.post(t, a, "{}"); code != 200 {
					t.Fatalf("%s: %d %s", a, code, body)
				}
			}
			state := strings.TrimPrefix(s.url, s.origin+"/passkey/")
			port := strings.TrimPrefix(s.origin, "http://localhost:")
			fill := strings.NewReplacer("STATE", state, "PORT", port)
			origin := fill.Replace(tc.origin)
			switch tc.origin {
			case "":
				origin = s.origin
			case "-":
				origin = ""
			}
			method := tc.method
			if method == "" {
				method = "POST"
			}
			req, err := http.NewRequest(method, s.origin+fill.Replace(tc.path), strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if origin != "" {
				req.Header.Set("Origin", origin)
			}
			if tc.host != "" {
				req.Host = fill.Replace(tc.host)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.code {
				t.Fatalf("code %d, want %d", res.StatusCode, tc.code)
			}
			if res.Header.Get("Content-Security-Policy") != csp {
				t.Fatal("refusal without CSP")
			}
			if b, f := c.calls(); b != tc.begins || f != tc.finishes {
				t.Fatalf("ceremony called %d/%d times, want %d/%d", b, f, tc.begins, tc.finishes)
			}
			if tc.closed && !s.closed(t) {
				t.Fatal("listener still open")
			}
			s.wantStatus(t, tc.state, tc.err)
			if tc.state == StateWaiting { // a refusal does not use the state up
				if code, body := s.post(t, "begin", "{}"); (code == 200) != (tc.begins == 0) {
					t.Fatalf("begin after refusal: %d %s", code, body)
				}
			}
		})
	}
}

// Two finishes at once: the second is refused while the first runs, and
// after it the listener is gone.
func TestFinishOnce(t *testing.T) {
	c := &fake{kind: KindGet, result: "token", block: make(chan struct{})}
	s := start(t, c)
	if code, _ := s.post(t, "begin", "{}"); code != 200 {
		t.Fatal(code)
	}
	first := make(chan int)
	go func() {
		code, _, _ := do(t, "POST", s.url+"/finish", s.origin, []byte(credential))
		first <- code
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		s.fs.mu.Lock()
		busy := s.fs.flows[s.id].busy
		s.fs.mu.Unlock()
		if busy {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("first finish never reached the ceremony")
		}
	}
	if code, _ := s.post(t, "finish", credential); code != 409 {
		t.Fatalf("second finish: %d, want 409", code)
	}
	s.clock.add(TTL) // a Finish that arrived in time is not expired under it
	s.wantStatus(t, StateWaiting, nil)
	close(c.block)
	if code := <-first; code != 200 {
		t.Fatalf("first finish: %d", code)
	}
	if !s.closed(t) {
		t.Fatal("listener still open")
	}
	s.wantStatus(t, StateDone, nil)
	if _, f := c.calls(); f != 1 {
		t.Fatalf("%d finishes", f)
	}
}

// After 2 minutes (injected clock) the page, begin and finish are refused,
// the listener is closed, and Status says expired once.
func TestExpiry(t *testing.T) {
	for _, tc := range []struct {
		name, method, action string
		begun                bool
		after                time.Duration
		code                 int
	}{
		{"page just in time", "GET", "", false, TTL - time.Second, 200},
		{"page late", "GET", "", false, TTL, 410},
		{"begin late", "POST", "begin", false, TTL + time.Second, 410},
		{"finish late", "POST", "finish", true, TTL + time.Hour, 410},
		{"finish just in time", "POST", "finish", true, TTL - time.Nanosecond, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &fake{kind: KindGet, result: "token"}
			s := start(t, c)
			if tc.begun {
				if code, _ := s.post(t, "begin", "{}"); code != 200 {
					t.Fatal(code)
				}
			}
			s.clock.add(tc.after)
			target := s.url
			if tc.action != "" {
				target += "/" + tc.action
			}
			if code, _, _ := do(t, tc.method, target, s.origin, []byte(credential)); code != tc.code {
				t.Fatalf("code %d, want %d", code, tc.code)
			}
			switch {
			case tc.code == 410:
				if !s.closed(t) {
					t.Fatal("listener still open")
				}
				s.wantStatus(t, StateExpired, nil)
				s.wantStatus(t, "", ErrUnknownFlow)
				if _, f := c.calls(); f != 0 {
					t.Fatal("late finish reached the ceremony")
				}
			case tc.action == "finish":
				s.wantStatus(t, StateDone, nil)
			default:
				s.wantStatus(t, StateWaiting, nil)
			}
		})
	}
}

// The sweep closes an expired flow nobody touched, and forgets ended flows
// nobody polled a TTL after they ended.
func TestSweep(t *testing.T) {
	s := start(t, &fake{kind: KindGet})
	other, _, err := s.fs.Start(&fake{kind: KindCreate, finishErr: errors.New("no")})
	if err != nil {
		t.Fatal(err)
	}
	s.clock.add(TTL)
	if !s.fs.sweep() {
		t.Fatal("sweep says no flows remain")
	}
	if !s.closed(t) {
		t.Fatal("expired listener still open")
	}
	s.wantStatus(t, StateExpired, nil)
	s.clock.add(TTL + time.Second)
	if s.fs.sweep() {
		t.Fatal("stale ended flow kept")
	}
	if st, _, err := s.fs.Status(other); st != "" || !errors.Is(err, ErrUnknownFlow) {
		t.Fatalf("forgotten flow: %q %v", st, err)
	}
}
