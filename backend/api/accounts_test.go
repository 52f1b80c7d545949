package api

// Helpers for tests of a Ward with accounts: a real accounts database,
// server key file, vault registry, sign-in service and mail outbox in a
// temporary folder, with an injected clock, and patients signed in through
// the HTTP API itself (sign-up, the emailed code, activation with an
// invite), each with their own cookies and CSRF token.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/config"
	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/serverkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/vault"
)

// acctClock is a settable clock shared by the accounts database, the vault
// registry and the sign-in service.
type acctClock struct {
	mu sync.Mutex
	t  time.Time
}

func newAcctClock() *acctClock {
	return &acctClock{t: time.Now().UTC().Truncate(time.Second)}
}

func (c *acctClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *acctClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// recordingSender is a mail.Sender that keeps what it is given.
type recordingSender struct {
	mu   sync.Mutex
	msgs []mail.Message
}

func (s *recordingSender) Send(_ context.Context, m mail.Message) error {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	return nil
}

var codeRE = regexp.MustCompile(`\n    ([23456789A-HJKMNP-Z]{8})\n`)

// lastCode is the code in the newest message to addr.
func (s *recordingSender) lastCode(t testing.TB, to string) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.msgs) - 1; i >= 0; i-- {
		if s.msgs[i].To == to {
			if m := codeRE.FindStringSubmatch(s.msgs[i].Text); m != nil {
				return m[1]
			}
		}
	}
	t.Fatalf("no code emailed to %s (%d messages)", to, len(s.msgs))
	return ""
}

// acctEnv is one accounts server under test.
type acctEnv struct {
	t       testing.TB
	dir     string
	clock   *acctClock
	db      *accounts.DB
	keyPath string
	keys    *serverkey.Keys
	vaults  *session.Registry
	outbox  *mail.Outbox
	sender  *recordingSender // nil when the outbox sends elsewhere (Mailpit)
	svc     *signin.Service
	opt     Options
	h       *handler
	// origin is what a browser on the server's page sends as Origin.
	origin string
	// code finds the code last emailed to an address.
	code func(to string) string
	ips  int
}

type acctConfig struct {
	policy signin.Policy
	secure bool
	// sender replaces the recording sender (Mailpit's SMTP); code then
	// reads the codes from it.
	sender mail.Sender
	code   func(t testing.TB, to string) string
}

func newAcctEnv(t testing.TB, cfg acctConfig) *acctEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	clock := newAcctClock()
	keyPath := filepath.Join(dir, "accounts.key")
	keys, err := serverkey.Create(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := accounts.Open(filepath.Join(dir, "accounts.db"), keys.Accounts(), clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	e := &acctEnv{t: t, dir: dir, clock: clock, db: db, keyPath: keyPath, keys: keys, origin: "http://example.com"}
	var sender mail.Sender = cfg.sender
	if sender == nil {
		e.sender = &recordingSender{}
		sender = e.sender
		e.code = func(to string) string {
			if _, err := e.outbox.Flush(ctx); err != nil {
				t.Fatalf("flush outbox: %v", err)
			}
			return e.sender.lastCode(t, to)
		}
	} else {
		e.code = func(to string) string {
			if _, err := e.outbox.Flush(ctx); err != nil {
				t.Fatalf("flush outbox: %v", err)
			}
			return cfg.code(t, to)
		}
	}
	e.outbox, err = mail.NewOutbox(db.SQL(), sender, clock.Now, mail.WithSealer(db.Sealer("mail")))
	if err != nil {
		t.Fatal(err)
	}
	policy := cfg.policy
	if policy.Idle <= 0 {
		policy.Idle = signin.DefaultIdle
	}
	e.vaults = session.NewRegistry(session.RegistryOptions{Idle: policy.Idle, Now: clock.Now})
	e.svc = signin.New(signin.Options{
		Accounts: db, Vaults: e.vaults, Dir: dir, Outbox: e.outbox,
		Limiter: passwords.NewLimiter(0), Policy: policy, Now: clock.Now,
	})
	e.opt = Options{
		Config: config.Config{}, Version: "test",
		Accounts: e.svc, CookieKeys: keys.Cookie, SecureCookies: cfg.secure,
	}
	e.h = New(e.opt).(*handler)
	t.Cleanup(func() {
		e.vaults.Close()
		db.Close()
	})
	return e
}

// rebuild makes a new handler on the same service with other cookie keys
// (as a restart after ward admin rotate-cookie-key does).
func (e *acctEnv) rebuild(keys []serverkey.CookieKey) {
	e.opt.CookieKeys = keys
	e.h = New(e.opt).(*handler)
}

// patient is one person with an account, as their browser sees it.
type patient struct {
	email, password string
	remote          string // the browser's address
	jar             map[string]*http.Cookie
	csrf            string
	invite          string
	// Strings found only in this patient's record.
	name, obsText, docText, otherText string
	// otherType is the type of a record kept under "Other records" ("":
	// none).
	otherType string
}

// clone is the same patient in a second browser (no cookies).
func (p *patient) clone(remote string) *patient {
	q := *p
	q.remote = remote
	q.jar = map[string]*http.Cookie{}
	q.csrf = ""
	return &q
}

// reqOpt changes one request.
type reqOpt func(*http.Request)

func noCSRF(r *http.Request)   { r.Header.Del("X-CSRF-Token") }
func noOrigin(r *http.Request) { r.Header.Del("Origin") }
func withHeader(k, v string) reqOpt {
	return func(r *http.Request) { r.Header.Set(k, v) }
}

// do sends one request as p (nil: a browser with no cookies), keeping the
// cookies the answer sets.
func (e *acctEnv) do(p *patient, method, path string, body any, opts ...reqOpt) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	r := httptest.NewRequest(method, path, rd)
	if rd != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
	if method != http.MethodGet && method != http.MethodHead {
		r.Header.Set("Origin", e.origin)
	}
	if p != nil {
		r.RemoteAddr = p.remote + ":40000"
		for _, c := range p.jar {
			r.AddCookie(c)
		}
		if p.csrf != "" {
			r.Header.Set("X-CSRF-Token", p.csrf)
		}
	}
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if p != nil {
		for _, c := range w.Result().Cookies() {
			if c.MaxAge < 0 || c.Value == "" {
				delete(p.jar, c.Name)
			} else {
				p.jar[c.Name] = c
			}
		}
	}
	return w
}

// must is do, failing unless the answer has status want; it decodes the
// JSON answer into out when out is not nil.
func (e *acctEnv) must(want int, p *patient, method, path string, body, out any, opts ...reqOpt) *httptest.ResponseRecorder {
	e.t.Helper()
	w := e.do(p, method, path, body, opts...)
	if w.Code != want {
		e.t.Fatalf("%s %s = %d, want %d: %s", method, path, w.Code, want, w.Body)
	}
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, w.Body)
		}
	}
	return w
}

func acctErr(w *httptest.ResponseRecorder) string {
	var e struct{ Error apiError }
	_ = json.Unmarshal(w.Body.Bytes(), &e)
	return e.Error.Code
}

// patientBundle is a small FHIR R4 record for a person: a Patient, an
// Observation, a DocumentReference with a text attachment and, with
// otherType, a record filed under "Other records", each carrying text found
// only here. Resource ids carry the patient's name, so no two records share
// an id.
func patientBundle(p *patient) []byte {
	given, family, _ := strings.Cut(p.name, " ")
	tag := strings.ToLower(given)
	res := []map[string]any{
		{"resourceType": "Patient", "id": "pt-" + tag, "name": []map[string]any{{"given": []string{given}, "family": family}},
			"birthDate": "1970-01-01", "gender": "unknown"},
		{"resourceType": "Observation", "id": "obs-" + tag, "status": "final",
			"code":              map[string]any{"text": p.obsText},
			"subject":           map[string]string{"reference": "Patient/pt-" + tag},
			"effectiveDateTime": "2026-01-02T09:00:00Z",
			"valueQuantity":     map[string]any{"value": 5.5, "unit": "mmol/L"}},
		{"resourceType": "DocumentReference", "id": "doc-" + tag, "status": "current", "date": "2026-01-03T10:00:00Z",
			"description": p.docText,
			"subject":     map[string]string{"reference": "Patient/pt-" + tag},
			"content": []map[string]any{{"attachment": map[string]any{
				"contentType": "text/plain", "title": p.docText,
				"data": base64.StdEncoding.EncodeToString([]byte("Letter for " + p.name + ": " + p.docText)),
			}}}},
	}
	if p.otherType != "" {
		res = append(res, map[string]any{"resourceType": p.otherType, "id": "other-" + tag, "status": "active",
			"description": p.otherText, "code": map[string]any{"text": p.otherText},
			"subject": map[string]string{"reference": "Patient/pt-" + tag}})
	}
	var entries []map[string]any
	for _, r := range res {
		entries = append(entries, map[string]any{"fullUrl": "urn:uuid:" + r["id"].(string), "resource": r})
	}
	b, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "collection", "entry": entries})
	return b
}

// newPatient makes an invited vault holding the patient's own record and
// returns the patient, not yet signed up.
func (e *acctEnv) newPatient(tag string, opts ...func(*patient)) *patient {
	e.t.Helper()
	ctx := context.Background()
	e.ips++
	p := &patient{
		email:     strings.ToLower(tag) + "@example.org",
		password:  "quiet " + strings.ToLower(tag) + " lantern orbit 9 kettle",
		remote:    fmt.Sprintf("10.0.%d.%d", e.ips/250, e.ips%250+1),
		jar:       map[string]*http.Cookie{},
		name:      tag + " Quintavalle" + tag,
		obsText:   "Serum " + tag + "zirconium level",
		docText:   "Clinic letter " + tag + "marigold",
		otherText: "Walk to " + tag + "lighthouse daily",
	}
	for _, o := range opts {
		o(p)
	}
	rel := "vaults/" + strings.ToLower(tag)
	inv, code := vault.NewInvite()
	vdir := filepath.Join(e.dir, rel)
	if _, err := session.CreateInvited(ctx, vdir, inv); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.PutInvite(ctx, inv.LookupHash(), rel, e.clock.Now().Add(24*time.Hour)); err != nil {
		e.t.Fatal(err)
	}
	if err := session.Deliver(ctx, vdir, "record.json", bytes.NewReader(patientBundle(p))); err != nil {
		e.t.Fatal(err)
	}
	p.invite = code
	return p
}

// signUp takes p through sign-up, the emailed code and activation, and
// leaves p signed in.
func (e *acctEnv) signUp(p *patient) {
	e.t.Helper()
	e.must(http.StatusAccepted, p, "POST", "/api/account/sign-up", map[string]any{"email": p.email, "password": p.password}, nil)
	code := e.code(p.email)
	var v struct{ CSRF string }
	e.must(http.StatusOK, p, "POST", "/api/account/verify", map[string]string{"email": p.email, "code": code}, &v)
	p.csrf = v.CSRF
	var a struct {
		CSRF        string
		RecoveryKey string
	}
	e.must(http.StatusOK, p, "POST", "/api/account/activate", map[string]any{"password": p.password, "inviteCode": p.invite}, &a)
	if a.CSRF == "" || a.RecoveryKey == "" {
		e.t.Fatalf("activate gave %+v", a)
	}
	p.csrf = a.CSRF
}

// signIn signs p in with the password (p is left with the new session).
func (e *acctEnv) signIn(p *patient) {
	e.t.Helper()
	p.csrf = ""
	var out struct {
		CSRF    string
		TwoStep any
	}
	e.must(http.StatusOK, p, "POST", "/api/account/sign-in", map[string]string{"email": p.email, "password": p.password}, &out)
	if out.TwoStep != nil {
		e.t.Fatalf("sign-in asks for a second step")
	}
	p.csrf = out.CSRF
}

// sessionCookieOf is p's session cookie.
func (e *acctEnv) sessionCookieOf(p *patient) *http.Cookie {
	e.t.Helper()
	c := p.jar[e.h.cookies.name(sessionCookie)]
	if c == nil {
		e.t.Fatalf("%s has no session cookie (%v)", p.email, p.jar)
	}
	return c
}

// signedInAs checks that p's cookie reads p's own record.
func (e *acctEnv) signedInAs(p *patient) {
	e.t.Helper()
	w := e.must(http.StatusOK, p, "GET", "/api/summary", nil, nil)
	if !strings.Contains(w.Body.String(), p.name[strings.Index(p.name, " ")+1:]) {
		e.t.Fatalf("summary of %s does not name them: %s", p.email, w.Body)
	}
}

// signedOut checks that p's request is answered 401 signed_out.
func (e *acctEnv) signedOut(p *patient, path string) {
	e.t.Helper()
	w := e.do(p, "GET", path, nil)
	if w.Code != http.StatusUnauthorized || acctErr(w) != "signed_out" {
		e.t.Fatalf("GET %s = %d %s, want 401 signed_out", path, w.Code, w.Body)
	}
}

func TestAccountsSignUpAndRecord(t *testing.T) {
	e := newAcctEnv(t, acctConfig{})
	a := e.newPatient("Alma")
	e.signUp(a)
	e.signedInAs(a)
	var doc struct{ Documents []struct{ ID string } }
	e.must(http.StatusOK, a, "GET", "/api/documents", nil, &doc)
	if len(doc.Documents) != 1 {
		t.Fatalf("documents = %+v", doc)
	}
	w := e.must(http.StatusOK, a, "GET", "/api/documents/"+doc.Documents[0].ID+"/attachments/0", nil, nil)
	if !strings.Contains(w.Body.String(), a.docText) {
		t.Fatalf("attachment = %q", w.Body)
	}
	// The same patient, a second browser: a password sign-in.
	a2 := a.clone(a.remote)
	e.signIn(a2)
	e.signedInAs(a2)
	e.signedInAs(a)
}

// A request that changes something needs the page's Origin and the
// session's CSRF token; reading needs neither.
func TestAccountsCSRF(t *testing.T) {
	e := newAcctEnv(t, acctConfig{})
	a := e.newPatient("Cleo")
	b := e.newPatient("Dov")
	e.signUp(a)
	e.signUp(b)
	change := func(opts ...reqOpt) *httptest.ResponseRecorder {
		return e.do(a, "POST", "/api/security/auto-lock", map[string]int{"minutes": 10}, opts...)
	}
	if w := change(); w.Code != http.StatusOK {
		t.Fatalf("with token and origin: %d %s", w.Code, w.Body)
	}
	for name, tc := range map[string]struct {
		opts []reqOpt
		code string
	}{
		"no token":              {[]reqOpt{noCSRF}, "csrf"},
		"empty token":           {[]reqOpt{withHeader("X-CSRF-Token", "")}, "csrf"},
		"wrong token":           {[]reqOpt{withHeader("X-CSRF-Token", "x"+a.csrf[1:])}, "csrf"},
		"another patient's":     {[]reqOpt{withHeader("X-CSRF-Token", b.csrf)}, "csrf"},
		"token in a cookie":     {[]reqOpt{noCSRF, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "X-CSRF-Token", Value: a.csrf}) }}, "csrf"},
		"no origin":             {[]reqOpt{noOrigin}, "cross_origin"},
		"other site":            {[]reqOpt{withHeader("Origin", "https://evil.example")}, "cross_origin"},
		"other port":            {[]reqOpt{withHeader("Origin", "http://example.com:8080")}, "cross_origin"},
		"null origin":           {[]reqOpt{withHeader("Origin", "null")}, "cross_origin"},
		"desktop window origin": {[]reqOpt{withHeader("Origin", "wails://wails")}, "cross_origin"},
		"window, localhost":     {[]reqOpt{withHeader("Origin", "wails://wails.localhost")}, "cross_origin"},
		"fetch metadata cross":  {[]reqOpt{withHeader("Sec-Fetch-Site", "cross-site")}, "cross_origin"},
		"other site, no token":  {[]reqOpt{noCSRF, withHeader("Origin", "https://evil.example")}, "cross_origin"},
		"no origin, no token":   {[]reqOpt{noCSRF, noOrigin}, "cross_origin"},
		"same-site subdomain":   {[]reqOpt{withHeader("Origin", "http://evil.example.com")}, "cross_origin"},
		"origin with a path":    {[]reqOpt{withHeader("Origin", "http://example.com/x")}, "cross_origin"},
		"origin, wrong scheme?": {[]reqOpt{withHeader("Origin", "ftp://example.com")}, "cross_origin"},
	} {
		w := change(tc.opts...)
		if w.Code != http.StatusForbidden || acctErr(w) != tc.code {
			t.Errorf("%s: %d %s, want 403 %s", name, w.Code, w.Body, tc.code)
		}
	}
	// Every method that changes something, on several routes.
	for _, r := range []struct{ method, path string }{
		{"POST", "/api/account/sign-out"}, {"POST", "/api/account/sign-out-everywhere"},
		{"DELETE", "/api/account/sessions/00000000"}, {"POST", "/api/account/two-step/enrol"},
		{"DELETE", "/api/security/password"}, {"POST", "/api/imports?name=x.json"}, {"PUT", "/api/summary"},
		{"PATCH", "/api/security/auto-lock"},
	} {
		if w := e.do(a, r.method, r.path, map[string]any{}, noCSRF); w.Code != http.StatusForbidden || acctErr(w) != "csrf" {
			t.Errorf("%s %s without a token: %d %s", r.method, r.path, w.Code, w.Body)
		}
	}
	// A was not signed out by any of that.
	e.signedInAs(a)
	// Reads need no token.
	a.csrf = ""
	e.signedInAs(a)
	e.must(http.StatusOK, a, "GET", "/api/account", nil, nil)
	e.must(http.StatusOK, a, "HEAD", "/api/summary", nil, nil)

	// A half-done sign-up's step needs its own token.
	c := e.newPatient("Emil")
	e.must(http.StatusAccepted, c, "POST", "/api/account/sign-up", map[string]any{"email": c.email, "password": c.password}, nil)
	var v struct{ CSRF string }
	e.must(http.StatusOK, c, "POST", "/api/account/verify", map[string]string{"email": c.email, "code": e.code(c.email)}, &v)
	activate := map[string]any{"password": c.password, "inviteCode": c.invite}
	// Another token of the same shape: its first character changed (to
	// one it is not already).
	other := "x" + v.CSRF[1:]
	if v.CSRF[0] == 'x' {
		other = "y" + v.CSRF[1:]
	}
	for _, tok := range []string{"", other, b.csrf} {
		c.csrf = tok
		if w := e.do(c, "POST", "/api/account/activate", activate); w.Code != http.StatusUnauthorized || acctErr(w) != "signed_out" {
			t.Errorf("activate with step token %q: %d %s", tok, w.Code, w.Body)
		}
	}
	c.csrf = v.CSRF
	if w := e.do(c, "POST", "/api/account/activate", activate, noOrigin); w.Code != http.StatusForbidden {
		t.Errorf("activate without Origin: %d %s", w.Code, w.Body)
	}
	e.must(http.StatusOK, c, "POST", "/api/account/activate", activate, nil)
}

// Signing out ends this browser's session (its old cookie no longer
// works); signing out everywhere ends the others too.
func TestAccountsSignOut(t *testing.T) {
	e := newAcctEnv(t, acctConfig{})
	a := e.newPatient("Flora")
	e.signUp(a)
	phone := a.clone("10.7.0.1")
	e.signIn(phone)
	laptop := a.clone("10.7.0.2")
	e.signIn(laptop)

	old := e.sessionCookieOf(a)
	w := e.must(http.StatusNoContent, a, "POST", "/api/account/sign-out", map[string]any{}, nil)
	if c := cookieNamed(w.Result().Cookies(), sessionCookie); c == nil || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("sign-out does not clear the cookie: %v", w.Result().Cookies())
	}
	if _, ok := a.jar[sessionCookie]; ok {
		t.Fatal("cookie kept after sign-out")
	}
	a.jar[sessionCookie] = old // a copy kept by someone
	e.signedOut(a, "/api/summary")
	if w := e.do(a, "POST", "/api/security/auto-lock", map[string]int{"minutes": 10}); w.Code != http.StatusUnauthorized {
		t.Errorf("old cookie after sign-out, a change: %d", w.Code)
	}
	e.signedInAs(phone) // the other browsers carry on
	e.signedInAs(laptop)

	// Ending one other session by its handle.
	var sess struct {
		Sessions []struct {
			Handle  string
			Current bool
			Address string
		}
	}
	e.must(http.StatusOK, phone, "GET", "/api/account/sessions", nil, &sess)
	if len(sess.Sessions) != 2 {
		t.Fatalf("sessions = %+v", sess)
	}
	for _, s := range sess.Sessions {
		if s.Address == laptop.remote {
			e.must(http.StatusNoContent, phone, "DELETE", "/api/account/sessions/"+s.Handle, nil, nil)
		}
	}
	e.signedOut(laptop, "/api/summary")
	e.signedInAs(phone)

	laptop = a.clone("10.7.0.2")
	e.signIn(laptop)
	e.must(http.StatusNoContent, phone, "POST", "/api/account/sign-out-everywhere", map[string]any{}, nil)
	e.signedOut(phone, "/api/summary")
	e.signedOut(laptop, "/api/summary")
	if m, ok := e.vaults.Peek(a.email); ok && m.Holds("") {
		t.Fatal("vault still open")
	}
	// And signing in again works.
	e.signIn(laptop)
	e.signedInAs(laptop)
}

// With two-step verification required, a patient who has not set it up
// reaches only the account pages until they do.
func TestAccountsTwoStepGate(t *testing.T) {
	e := newAcctEnv(t, acctConfig{policy: signin.Policy{TwoStepRequired: true}})
	a := e.newPatient("Greta")
	e.signUp(a)
	for _, path := range []string{"/api/summary", "/api/results", "/api/documents", "/api/vault", "/api/security", "/api/other"} {
		w := e.do(a, "GET", path, nil)
		if w.Code != http.StatusForbidden || acctErr(w) != "two_step_required" {
			t.Errorf("GET %s before enrolling: %d %s", path, w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), a.obsText) || strings.Contains(w.Body.String(), "Quintavalle") {
			t.Errorf("GET %s before enrolling shows the record", path)
		}
	}
	if w := e.do(a, "POST", "/api/imports?name=x.json", patientBundle(a)); w.Code != http.StatusForbidden || acctErr(w) != "two_step_required" {
		t.Errorf("import before enrolling: %d %s", w.Code, w.Body)
	}
	// Paths that only look like the account's.
	for _, path := range []string{"/api/account/../summary", "/api/account/%2e%2e/summary", "/api/account%2F..%2Fsummary", "/api/config/../summary"} {
		w := e.do(a, "GET", path, nil)
		if w.Code == http.StatusOK || strings.Contains(w.Body.String(), "Quintavalle") {
			t.Errorf("GET %s before enrolling: %d %s", path, w.Code, w.Body)
		}
	}
	var acct struct {
		TwoStep struct{ Enabled, Required bool }
	}
	e.must(http.StatusOK, a, "GET", "/api/account", nil, &acct)
	if acct.TwoStep.Enabled || !acct.TwoStep.Required {
		t.Fatalf("account = %+v", acct)
	}
	var en struct{ Secret, OtpauthURL string }
	e.must(http.StatusOK, a, "POST", "/api/account/two-step/enrol", map[string]any{}, &en)
	if en.Secret == "" || !strings.HasPrefix(en.OtpauthURL, "otpauth://totp/") {
		t.Fatalf("enrol = %+v", en)
	}
	u, err := url.Parse(en.OtpauthURL)
	if err != nil {
		t.Fatal(err)
	}
	secret := u.Query().Get("secret")
	if secret == "" || strings.ReplaceAll(en.Secret, " ", "") != strings.TrimRight(secret, "=") {
		t.Fatalf("the secret shown %q is not the one in the URL %q", en.Secret, secret)
	}
	if w := e.do(a, "POST", "/api/account/two-step/confirm", map[string]string{"code": "000000"}); w.Code != http.StatusUnauthorized {
		t.Errorf("confirm with a wrong code: %d %s", w.Code, w.Body)
	}
	e.signedOutOr403(a)
	code, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var conf struct{ RecoveryCodes []string }
	e.must(http.StatusOK, a, "POST", "/api/account/two-step/confirm", map[string]string{"code": code}, &conf)
	if len(conf.RecoveryCodes) == 0 {
		t.Fatalf("confirm = %+v", conf)
	}
	e.signedInAs(a)
	e.must(http.StatusOK, a, "GET", "/api/vault", nil, nil)
	// Turning it off is refused where it is required.
	if w := e.do(a, "DELETE", "/api/account/two-step", nil); w.Code != http.StatusForbidden {
		t.Errorf("disable when required: %d %s", w.Code, w.Body)
	}

	// The next sign-in asks for the second step.
	a2 := a.clone("10.6.0.1")
	var out struct {
		CSRF    string
		TwoStep *struct{ Methods []string }
	}
	e.must(http.StatusOK, a2, "POST", "/api/account/sign-in", map[string]string{"email": a.email, "password": a.password}, &out)
	if out.TwoStep == nil {
		t.Fatalf("sign-in with two-step on gave no second step")
	}
	if _, ok := a2.jar[sessionCookie]; ok {
		t.Fatal("a session cookie before the second step")
	}
	a2.csrf = out.CSRF
	e.signedOut(a2, "/api/summary")
	e.clock.Add(30 * time.Second) // a new code: the last one is spent
	code, _ = totp.GenerateCode(secret, e.clock.Now())
	var done struct{ CSRF string }
	e.must(http.StatusOK, a2, "POST", "/api/account/sign-in/two-step", map[string]string{"method": "totp", "code": code}, &done)
	a2.csrf = done.CSRF
	e.signedInAs(a2)
	// A recovery code works once.
	a3 := a.clone("10.6.0.2")
	e.must(http.StatusOK, a3, "POST", "/api/account/sign-in", map[string]string{"email": a.email, "password": a.password}, &out)
	a3.csrf = out.CSRF
	e.must(http.StatusOK, a3, "POST", "/api/account/sign-in/two-step", map[string]string{"method": "recovery", "code": conf.RecoveryCodes[0]}, &done)
	a3.csrf = done.CSRF
	e.signedInAs(a3)
}

// signedOutOr403 checks p still cannot read the record (not yet enrolled).
func (e *acctEnv) signedOutOr403(p *patient) {
	e.t.Helper()
	if w := e.do(p, "GET", "/api/summary", nil); w.Code != http.StatusForbidden {
		e.t.Fatalf("summary = %d %s", w.Code, w.Body)
	}
}

// Wrong passwords are answered wrong_sign_in, then too_many_tries with
// how long to wait; an unknown address gets the same answers after the
// same work.
func TestAccountsThrottle(t *testing.T) {
	e := newAcctEnv(t, acctConfig{})
	a := e.newPatient("Hugo")
	e.signUp(a)
	// Signing up counted one try against the address (each sends an
	// email) and nothing refunds it, so for a day the address is throttled
	// one wrong password sooner than an unknown one (see the report): the
	// comparison starts once that count has gone.
	e.clock.Add(25 * time.Hour)
	try := func(email, from string) (*httptest.ResponseRecorder, time.Duration) {
		p := &patient{remote: from, jar: map[string]*http.Cookie{}}
		start := time.Now()
		w := e.do(p, "POST", "/api/account/sign-in", map[string]string{"email": email, "password": "wrong but long enough 123"})
		return w, time.Since(start)
	}
	type answer struct {
		status         int
		code, retry    string
		retryAfterSecs int
		body           string
	}
	answerOf := func(w *httptest.ResponseRecorder) answer {
		var body struct {
			Error struct{ RetryAfterSeconds int }
		}
		json.Unmarshal(w.Body.Bytes(), &body)
		return answer{w.Code, acctErr(w), w.Header().Get("Retry-After"), body.Error.RetryAfterSeconds, w.Body.String()}
	}
	var knownTime, unknownTime time.Duration
	wrong := 0
	var differ []string
	throttled := map[string]bool{}
	for i := 1; i <= 12 && !(throttled["known"] && throttled["unknown"]); i++ {
		wk, dk := try(a.email, "10.5.0.1")
		wu, du := try("nobody-here@example.org", "10.5.0.2")
		k, u := answerOf(wk), answerOf(wu)
		if k != u {
			differ = append(differ, fmt.Sprintf("try %d: known %d %s; unknown %d %s", i, k.status, k.body, u.status, u.body))
		}
		for who, x := range map[string]answer{"known": k, "unknown": u} {
			switch x.status {
			case http.StatusUnauthorized:
				if x.code != "wrong_sign_in" || throttled[who] && x.code == "wrong_sign_in" && i > 8 {
					t.Errorf("try %d, %s address: %s", i, who, x.body)
				}
			case http.StatusTooManyRequests:
				throttled[who] = true
				if x.retryAfterSecs <= 0 || x.retry != fmt.Sprint(x.retryAfterSecs) {
					t.Errorf("try %d, %s address: Retry-After %q, body %s", i, who, x.retry, x.body)
				}
				if i <= 5 {
					t.Errorf("try %d, %s address: throttled within the free tries", i, who)
				}
			default:
				t.Errorf("try %d, %s address: %d %s", i, who, x.status, x.body)
			}
		}
		if k.status == http.StatusUnauthorized && u.status == http.StatusUnauthorized {
			wrong++
			knownTime, unknownTime = knownTime+dk, unknownTime+du
		}
	}
	if !throttled["known"] || !throttled["unknown"] {
		t.Fatalf("not throttled after 12 wrong passwords: %v", throttled)
	}
	t.Logf("%d wrong answers took %v (known address) and %v (unknown address)", wrong, knownTime, unknownTime)
	// Both ran an Argon2id: the same order of time.
	if unknownTime < knownTime/4 || knownTime < unknownTime/4 {
		t.Errorf("wrong passwords took %v for a known address, %v for an unknown one", knownTime, unknownTime)
	}
	if wrong == 0 || unknownTime < time.Duration(wrong)*10*time.Millisecond {
		t.Errorf("%d tries on an unknown address took %v: no Argon2id behind them?", wrong, unknownTime)
	}
	if len(differ) > 0 {
		t.Errorf("known and unknown addresses are told apart:\n%s", strings.Join(differ, "\n"))
	}
	// After the wait the right password works, from a new address too.
	e.clock.Add(time.Hour)
	a.remote = "10.5.0.3"
	e.signIn(a)
	e.signedInAs(a)
}

// BenchmarkAccountsRecordPage: a server with 1,000 accounts, of which
// 100 are signed in with small records; GET /api/summary from random
// signed-in patients, in parallel. It reports requests per second and the
// heap each signed-in patient holds (after signing in, and after the
// run: the registry keeps at most session.DefaultMaxViews decrypted views,
// so with more patients than that views are shed and rebuilt).
func BenchmarkAccountsRecordPage(b *testing.B) {
	const accountsN, signedIn = 1000, 100
	e := newAcctEnv(b, acctConfig{})
	ctx := context.Background()
	for i := range accountsN - signedIn {
		if _, err := e.db.Create(ctx, fmt.Sprintf("inactive%04d@example.org", i), ""); err != nil {
			b.Fatal(err)
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	cookies := make([]string, signedIn)
	remotes := make([]string, signedIn)
	for i := range signedIn {
		p := e.newPatient(fmt.Sprintf("Pat%03d", i))
		e.signUp(p)
		var parts []string
		for _, c := range p.jar {
			parts = append(parts, c.Name+"="+c.Value)
		}
		cookies[i], remotes[i] = strings.Join(parts, "; "), p.remote+":40000"
	}
	setup := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	perPatient := float64(int64(after.HeapInuse)-int64(before.HeapInuse)) / signedIn
	b.Logf("%d accounts, %d signed in (setup %v): heap in use %.1f MiB → %.1f MiB, %.0f KiB per signed-in patient",
		accountsN, signedIn, setup.Round(time.Millisecond), float64(before.HeapInuse)/(1<<20), float64(after.HeapInuse)/(1<<20), perPatient/1024)

	b.Run("summary", func(b *testing.B) {
		b.ReportAllocs()
		var seed atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			rng := mrand.New(mrand.NewPCG(seed.Add(1), 7))
			for pb.Next() {
				i := rng.IntN(signedIn)
				r := httptest.NewRequest("GET", "/api/summary", nil)
				r.Header.Set("Cookie", cookies[i])
				r.RemoteAddr = remotes[i]
				w := httptest.NewRecorder()
				e.h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Errorf("patient %d: %d %s", i, w.Code, w.Body)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		var run runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&run)
		b.ReportMetric(perPatient, "heap-B/patient")
		b.ReportMetric(float64(int64(run.HeapInuse)-int64(before.HeapInuse))/signedIn, "heap-B/patient-after")
	})
}
