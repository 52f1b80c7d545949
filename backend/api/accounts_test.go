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
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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
