package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/browserauth"
	"github.com/ward-health/ward/backend/passkey/passkeytest"
)

// The desktop window's ceremony in the system browser, end to end: the
// window asks the handler to start it, the test plays the browser against
// the one-time loopback page Ward asked to open, with net/http and the
// software authenticator, and the window's poll gets the result.

// flowClock is the system-browser flows' time: the real one, moved on
// by hand.
type flowClock struct{ skew atomic.Int64 }

func (c *flowClock) now() time.Time { return time.Now().Add(time.Duration(c.skew.Load())) }

func (c *flowClock) add(d time.Duration) { c.skew.Add(int64(d)) }

// browserWindow is a handler whose OpenURL records the URLs it is asked
// to open and whose system-browser flows run on a clock of the test's.
type browserWindow struct {
	page
	clock  *flowClock
	mu     sync.Mutex
	opened []string
}

func newBrowserWindow(t *testing.T) (*browserWindow, string) {
	t.Helper()
	w := &browserWindow{clock: &flowClock{}}
	p, recovery := passkeyVault(t, Options{OpenURL: func(u string) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.opened = append(w.opened, u)
		return nil
	}})
	w.page = p
	// api.Options has no clock: the flows are made again, as New makes
	// them, on the test's clock (before any is started).
	h := p.h.(*handler)
	h.browser = browserauth.New(h.opt.OpenURL, w.clock.now)
	return w, recovery
}

// start is the window's POST /api/vault/passkey/browser: the flow's id and
// its page, which Ward must have asked OpenURL to open.
func (w *browserWindow) start(tok, body string) (string, *tab) {
	w.t.Helper()
	r := w.must("POST", "/api/vault/passkey/browser", tok, body)
	id, _ := r.body["id"].(string)
	u, _ := r.body["url"].(string)
	w.mu.Lock()
	opened := append([]string(nil), w.opened...)
	w.mu.Unlock()
	pu, err := url.Parse(u)
	if err != nil || id == "" || r.body["opened"] != true || len(opened) == 0 || opened[len(opened)-1] != u ||
		pu.Scheme != "http" || pu.Hostname() != "localhost" || pu.Port() == "" || !strings.HasPrefix(pu.Path, "/passkey/") {
		w.t.Fatalf("start %s = %v; opened %v", body, r.body, opened)
	}
	return id, &tab{t: w.t, url: u, origin: "http://" + pu.Host}
}

// poll is the window's GET /api/vault/passkey/browser/{id} until the flow
// is no longer waiting.
func (w *browserWindow) poll(id string) reply {
	w.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := w.send("GET", "/api/vault/passkey/browser/"+id, "", nil)
		if r.code != http.StatusOK || r.body["state"] != "waiting" {
			return r
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("flow %s still waiting", id)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// loopback is the system browser's HTTP client: "localhost" as the
// system resolves it, a connection a request.
var loopback = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// tab is the system browser's tab on the one-time page.
type tab struct {
	t      testing.TB
	url    string // http://localhost:PORT/passkey/<state>
	origin string // http://localhost:PORT
}

// do sends a request from the page (Origin origin, none when ""); err is
// set when the listener is gone.
func (b *tab) do(method, path, origin string, body []byte) (code int, answer reply, err error) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.url+path, strings.NewReader(string(body)))
	if err != nil {
		b.t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := loopback.Do(req)
	if err != nil {
		return 0, reply{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	answer = reply{code: res.StatusCode, body: map[string]any{}}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &answer.body); err != nil {
			b.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	} else {
		answer.body["text"] = string(raw)
	}
	return res.StatusCode, answer, nil
}

// step posts begin or finish from the page's own origin, failing unless
// it answers 200: the answer.
func (b *tab) step(action string, body []byte) reply {
	b.t.Helper()
	code, r, err := b.do("POST", "/"+action, b.origin, body)
	if err != nil || code != http.StatusOK {
		b.t.Fatalf("POST %s = %d %v %v", action, code, r.body, err)
	}
	return r
}

// run plays the whole page: GET it, begin, the authenticator's create or
// get (and a follow-up step when Ward asks), finish.
func (b *tab) run(a *passkeytest.Authenticator) {
	b.t.Helper()
	if code, r, err := b.do("GET", "", "", nil); err != nil || code != http.StatusOK || !strings.Contains(r.body["text"].(string), "<html") {
		b.t.Fatalf("GET the page = %d %v %v", code, r.body, err)
	}
	r := b.step("begin", []byte("{}"))
	for range 2 {
		opts := passkeytest.MustJSON(b.t, r.body["publicKey"])
		var cred []byte
		switch r.body["kind"] {
		case "create":
			cred = a.Create(b.t, opts, b.origin)
		case "get":
			cred = a.Get(b.t, opts, b.origin)
		default:
			b.t.Fatalf("step %v", r.body)
		}
		if r = b.step("finish", cred); r.body["done"] == true {
			return
		}
	}
	b.t.Fatalf("no end after two steps: %v", r.body)
}

// gone checks that the page refuses a use: its listener closed, or a 4xx.
func (b *tab) gone(what, method, path string) {
	b.t.Helper()
	code, r, err := b.do(method, path, b.origin, []byte("{}"))
	if err == nil && (code < 400 || code >= 500) {
		b.t.Fatalf("%s: %s %s = %d %v; want it refused", what, method, path, code, r.body)
	}
}

// windowWithPasskey is a locked vault with a passkey (added in the page),
// seen from the window, and the passkey's authenticator.
func windowWithPasskey(t *testing.T) (*browserWindow, *passkeytest.Authenticator) {
	t.Helper()
	w, _ := newBrowserWindow(t)
	a := passkeytest.New(t)
	tok := w.password()
	w.mustAdd(tok, "This laptop", a)
	w.lock(tok)
	return w, a
}

func TestBrowserPasskeyUnlock(t *testing.T) {
	w, a := windowWithPasskey(t)

	id, b := w.start("", `{"purpose":"unlock"}`)
	if r := w.send("GET", "/api/vault/passkey/browser/"+id, "", nil); r.body["state"] != "waiting" {
		t.Fatalf("status before the browser = %v", r.body)
	}
	// Another origin is refused (and spoils nothing).
	for _, action := range []string{"begin", "finish"} {
		for _, origin := range []string{"", "http://localhost:1", "http://127.0.0.1" + strings.TrimPrefix(b.origin, "http://localhost"), "null"} {
			if code, r, err := b.do("POST", "/"+action, origin, []byte("{}")); err != nil || code != http.StatusForbidden {
				t.Fatalf("%s from %q = %d %v %v; want 403", action, origin, code, r.body, err)
			}
		}
	}
	if code, _, err := b.do("GET", "/../../api/summary", "", nil); err == nil && code == http.StatusOK {
		t.Fatal("the loopback page serves more than itself")
	}
	b.run(a)

	r := w.poll(id)
	tok, _ := r.body["token"].(string)
	if r.body["state"] != "done" || tok == "" || r.body["autoLockMinutes"] == nil {
		t.Fatalf("poll = %v", r.body)
	}
	w.readable(tok)
	// One use: the state is spent, the listener closed, the poll forgotten.
	b.gone("the page again", "GET", "")
	b.gone("begin again", "POST", "/begin")
	b.gone("finish again", "POST", "/finish")
	if r := w.send("GET", "/api/vault/passkey/browser/"+id, "", nil); r.code != http.StatusNotFound {
		t.Fatalf("poll after done = %d %v", r.code, r.body)
	}
	w.lock(tok)

	// A second begin on the same state is refused while the flow waits;
	// the first goes on.
	id, b = w.start("", `{"purpose":"unlock"}`)
	r = b.step("begin", []byte("{}"))
	if code, r, err := b.do("POST", "/begin", b.origin, []byte("{}")); err != nil || code != http.StatusConflict {
		t.Fatalf("second begin = %d %v %v", code, r.body, err)
	}
	b.step("finish", a.Get(t, passkeytest.MustJSON(t, r.body["publicKey"]), b.origin))
	if r := w.poll(id); r.body["state"] != "done" {
		t.Fatalf("poll after a refused second begin = %v", r.body)
	}
}

func TestBrowserPasskeyLate(t *testing.T) {
	w, a := windowWithPasskey(t)

	// Opened after two minutes: the page and begin are refused.
	id, b := w.start("", `{"purpose":"unlock"}`)
	w.clock.add(browserauth.TTL + time.Second)
	b.gone("the page after two minutes", "GET", "")
	b.gone("begin after two minutes", "POST", "/begin")
	if r := w.poll(id); r.body["state"] != "expired" {
		t.Fatalf("poll of a late flow = %v", r.body)
	}

	// Begun in time, finished late.
	id, b = w.start("", `{"purpose":"unlock"}`)
	r := b.step("begin", []byte("{}"))
	cred := a.Get(t, passkeytest.MustJSON(t, r.body["publicKey"]), b.origin)
	w.clock.add(browserauth.TTL)
	if code, r, err := b.do("POST", "/finish", b.origin, cred); err == nil && code != http.StatusGone {
		t.Fatalf("finish after two minutes = %d %v", code, r.body)
	}
	if r := w.poll(id); r.body["state"] != "expired" {
		t.Fatalf("poll of a late finish = %v", r.body)
	}
	if r := w.must("GET", "/api/vault", "", nil); r.body["state"] != "locked" {
		t.Fatalf("vault after a late finish = %v", r.body)
	}
	// In time, it still works.
	id, b = w.start("", `{"purpose":"unlock"}`)
	w.clock.add(browserauth.TTL - time.Second)
	b.run(a)
	if r := w.poll(id); r.body["state"] != "done" {
		t.Fatalf("poll just in time = %v", r.body)
	}
}

func TestBrowserPasskeyRegister(t *testing.T) {
	w, _ := newBrowserWindow(t)
	if r := w.send("POST", "/api/vault/passkey/browser", "", `{"purpose":"register","name":"This laptop"}`); r.code != http.StatusUnauthorized {
		t.Fatalf("register without a token = %d %v", r.code, r.body)
	}
	tok := w.password()
	laptop := passkeytest.New(t)
	key := passkeytest.New(t, passkeytest.PRFOnlyOnGet())
	for _, tt := range []struct {
		name string
		a    *passkeytest.Authenticator
	}{{"This laptop", laptop}, {"Blue key", key}} {
		id, b := w.start(tok, `{"purpose":"register","name":"`+tt.name+`"}`)
		b.run(tt.a) // the key: create, then the follow-up get
		r := w.poll(id)
		m, _ := r.body["passkey"].(map[string]any)
		if r.body["state"] != "done" || m["name"] != tt.name || m["id"] != b64(tt.a.ID) || r.body["token"] != nil {
			t.Fatalf("poll after registering %s = %v", tt.name, r.body)
		}
	}
	// Without PRF: failed, in words, and nothing written.
	id, b := w.start(tok, `{"purpose":"register","name":"Old phone"}`)
	r := b.step("begin", []byte("{}"))
	cred := passkeytest.New(t, passkeytest.NoPRF()).Create(t, passkeytest.MustJSON(t, r.body["publicKey"]), b.origin)
	if code, r, err := b.do("POST", "/finish", b.origin, cred); err != nil || code != http.StatusBadRequest || strings.Contains(r.body["error"].(string), "key") {
		t.Fatalf("finish without PRF = %d %v %v; want 400 and no details", code, r.body, err)
	}
	if r := w.poll(id); r.body["state"] != "failed" || r.body["code"] != "no_prf" ||
		r.body["message"] != "This device can sign you in but cannot protect your record's key; use your password on this device." {
		t.Fatalf("poll after a registration without PRF = %v", r.body)
	}
	if got := strings.Join(w.methods(tok), ","); got != "passkey:Blue key,passkey:This laptop,password,recovery" {
		t.Fatalf("methods = %s", got)
	}
	// A confirmation in the browser, for the next change.
	id, b = w.start(tok, `{"purpose":"confirm"}`)
	b.run(key)
	if r := w.poll(id); r.body["state"] != "done" || r.body["freshUntil"] == nil || r.body["token"] != nil {
		t.Fatalf("poll after confirming = %v", r.body)
	}
	w.lock(tok)
	for _, a := range []*passkeytest.Authenticator{laptop, key} {
		id, b := w.start("", `{"purpose":"unlock"}`)
		b.run(a)
		r := w.poll(id)
		tok, _ := r.body["token"].(string)
		if r.body["state"] != "done" || tok == "" {
			t.Fatalf("unlock with a passkey made in the browser = %v", r.body)
		}
		w.readable(tok)
		w.lock(tok)
	}
	// And in the page (ward serve at localhost): the RP ID is the same.
	w.readable(tokenOf(t, w.unlockWith(laptop)))
}
