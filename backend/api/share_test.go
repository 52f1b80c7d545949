package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/mail/mailpittest"
	"github.com/ward-health/ward/backend/share"
	"github.com/ward-health/ward/backend/shl"
	"github.com/ward-health/ward/backend/signin"
)

// shareEnv is an accounts server with sharing, reachable over plain HTTP
// on loopback too (for SMART Health Link receivers), its mail sent to a
// real Mailpit when there is one.
type shareEnv struct {
	*acctEnv
	srv *httptest.Server
	mp  *mailpittest.Server
}

// withSharing turns sharing on in e (a new handler on the same service).
func withSharing(e *acctEnv) {
	svc, err := share.New(share.Options{Accounts: e.db, LookupKey: e.keys.ShareLookup(), Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	e.opt.Sharing = &Sharing{Service: svc, Accounts: e.db, Outbox: e.outbox, Dir: e.dir, LookupKey: e.keys.ShareLookup()}
	e.h = New(e.opt).(*handler)
}

func newShareEnv(t testing.TB, mailpit bool) *shareEnv {
	t.Helper()
	se := &shareEnv{}
	se.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { se.h.ServeHTTP(w, r) }))
	t.Cleanup(se.srv.Close)
	cfg := acctConfig{policy: signin.Policy{PublicURL: se.srv.URL, Organisation: "Testshire Health"}}
	if mailpit && mailpittest.Binary() != "" {
		se.mp = mailpittest.New(t)
		host, port := se.mp.SMTPAddr()
		cfg.sender = &mail.SMTP{Settings: mail.Settings{Host: host, Port: port, Username: "ward", Password: "hunter2",
			From: "Ward <ward@example.org>", StartTLS: mail.StartTLSNone}, DialTimeout: time.Second}
		cfg.code = mailpitCode(se.mp)
	} else if mailpit {
		t.Log("no mailpit (WARD_MAILPIT): mail read from a recording sender")
	}
	se.acctEnv = newAcctEnv(t, cfg)
	withSharing(se.acctEnv)
	return se
}

// mailTo sends the outbox and gives the text of the newest message to
// `to` whose subject holds subject.
func (se *shareEnv) mailTo(to, subject string) string {
	se.t.Helper()
	if _, err := se.outbox.Flush(context.Background()); err != nil {
		se.t.Fatalf("flush outbox: %v", err)
	}
	if se.mp == nil {
		se.sender.mu.Lock()
		defer se.sender.mu.Unlock()
		for i := len(se.sender.msgs) - 1; i >= 0; i-- {
			if m := se.sender.msgs[i]; m.To == to && strings.Contains(m.Subject, subject) {
				return m.Subject + "\n" + m.Text
			}
		}
		se.t.Fatalf("no mail to %s about %q", to, subject)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range se.mp.Messages(se.t) {
			for _, a := range m.To {
				if a == to && strings.Contains(m.Subject, subject) {
					return m.Subject + "\n" + se.mp.Text(se.t, m.ID)
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	se.t.Fatalf("no mail to %s about %q in Mailpit", to, subject)
	return ""
}

var shareCodeRE = regexp.MustCompile(`\n    ([0-9A-Z]{4}(?:-[0-9A-Z]{1,4}){4,5})\s*\n`)

type created struct {
	Share struct {
		ID       string
		State    string
		Sections any
		Email    struct{ State string }
	}
	Code, QRPng, URL, Link string
}

const clinicianEmail = "rowan.pike@clinic.example"

func (se *shareEnv) share(p *patient, sections any, minutes int) created {
	se.t.Helper()
	var c created
	se.must(http.StatusCreated, p, "POST", "/api/shares", map[string]any{
		"recipient": map[string]string{"name": "Dr Rowan Pike", "email": clinicianEmail, "organisation": "Riverside Clinic"},
		"sections":  sections, "minutes": minutes}, &c)
	return c
}

// clinician is a browser with no account.
func clinician(remote string) *patient {
	return &patient{remote: remote, jar: map[string]*http.Cookie{}}
}

func (se *shareEnv) open(doc *patient, code, dob string) *httptest.ResponseRecorder {
	se.t.Helper()
	w := se.do(doc, "POST", "/api/share/open", map[string]string{"code": code, "birthDate": dob, "name": "Dr Rowan Pike"})
	if w.Code == http.StatusOK {
		var v struct{ CSRF string }
		_ = json.Unmarshal(w.Body.Bytes(), &v)
		doc.csrf = v.CSRF
	}
	return w
}

func TestShareFlow(t *testing.T) {
	se := newShareEnv(t, true)
	a := se.newPatient("Alma")
	se.signUp(a)

	var cfg struct {
		Sharing struct {
			Enabled                                bool
			MinMinutes, MaxMinutes, DefaultMinutes int
		}
	}
	se.must(http.StatusOK, a, "GET", "/api/config", nil, &cfg)
	if !cfg.Sharing.Enabled || cfg.Sharing.MinMinutes != 15 || cfg.Sharing.MaxMinutes != 10080 || cfg.Sharing.DefaultMinutes != 60 {
		t.Fatalf("config sharing = %+v", cfg.Sharing)
	}

	for _, bad := range []struct {
		body map[string]any
		code string
	}{
		{map[string]any{"recipient": map[string]string{"name": "X", "email": "not an address"}, "sections": "all", "minutes": 60}, "bad_recipient"},
		{map[string]any{"recipient": map[string]string{"email": "x@example.org"}, "sections": "all", "minutes": 60}, "bad_recipient"},
		{map[string]any{"recipient": map[string]string{"name": "X", "email": "x@example.org"}, "sections": []string{"dreams"}, "minutes": 60}, "bad_sections"},
		{map[string]any{"recipient": map[string]string{"name": "X", "email": "x@example.org"}, "sections": []string{}, "minutes": 60}, "bad_sections"},
		{map[string]any{"recipient": map[string]string{"name": "X", "email": "x@example.org"}, "sections": "some", "minutes": 60}, "bad_sections"},
		{map[string]any{"recipient": map[string]string{"name": "X", "email": "x@example.org"}, "sections": "all", "minutes": 5}, "bad_duration"},
		{map[string]any{"recipient": map[string]string{"name": "X", "email": "x@example.org"}, "sections": "all", "minutes": 10081}, "bad_duration"},
	} {
		w := se.do(a, "POST", "/api/shares", bad.body)
		if w.Code != http.StatusBadRequest || acctErr(w) != bad.code {
			t.Errorf("create %v = %d %s, want 400 %s", bad.body, w.Code, w.Body, bad.code)
		}
	}
	if w := se.do(a, "POST", "/api/shares", map[string]any{}, noCSRF); w.Code != http.StatusForbidden {
		t.Errorf("create without CSRF = %d", w.Code)
	}

	c := se.share(a, []string{"results"}, 60)
	if c.Code == "" || c.Share.State != "active" || c.URL != se.srv.URL+"/#/share" || !strings.HasPrefix(c.Link, "shlink:/") ||
		!strings.HasPrefix(c.QRPng, "data:image/png;base64,") || c.Share.Email.State != "queued" {
		t.Fatalf("create = %+v", c)
	}
	if strings.Contains(c.Link, c.Code) {
		t.Fatalf("the link holds the code")
	}

	// The email: the code, who and until when, no health information.
	text := se.mailTo(clinicianEmail, "shared their health record")
	m := shareCodeRE.FindStringSubmatch(text)
	if m == nil || m[1] != c.Code {
		t.Fatalf("the email does not hold the code %s: %s", c.Code, text)
	}
	for _, want := range []string{"Alma", "date of birth", se.srv.URL + "/#/share", "until"} {
		if !strings.Contains(text, want) {
			t.Errorf("the email does not say %q: %s", want, text)
		}
	}
	for _, secret := range []string{a.obsText, a.docText, "1970"} {
		if strings.Contains(text, secret) {
			t.Errorf("the email holds %q", secret)
		}
	}
	var list struct {
		Shares []struct {
			ID, State string
			Recipient struct{ Name, Email, Organisation string }
			Sections  []string
			FirstUsed *time.Time
			Email     struct{ State, Class string }
		}
	}
	se.must(http.StatusOK, a, "GET", "/api/shares", nil, &list)
	if len(list.Shares) != 1 || list.Shares[0].ID != c.Share.ID || list.Shares[0].State != "active" ||
		list.Shares[0].Recipient.Organisation != "Riverside Clinic" || list.Shares[0].FirstUsed != nil ||
		list.Shares[0].Email.State != "sent" || len(list.Shares[0].Sections) != 1 {
		t.Fatalf("list = %+v", list)
	}

	// The clinician: a wrong date of birth, then the right one.
	doc := clinician("10.77.0.1")
	if w := se.open(doc, c.Code, "1971-01-01"); w.Code != http.StatusUnauthorized || acctErr(w) != "not_right" {
		t.Fatalf("open with a wrong date = %d %s", w.Code, w.Body)
	}
	if w := se.do(doc, "POST", "/api/share/open", map[string]string{"code": c.Code, "birthDate": "1970-01-01"}, noOrigin); w.Code != http.StatusForbidden {
		t.Fatalf("open without Origin = %d", w.Code)
	}
	w := se.open(doc, c.Code, "01/01/1970")
	if w.Code != http.StatusOK || doc.csrf == "" {
		t.Fatalf("open = %d %s", w.Code, w.Body)
	}
	ck := doc.jar[shareCookie]
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Fatalf("share cookie = %+v", ck)
	}
	var view struct {
		CSRF, Label, PatientName string
		Sections                 []string
	}
	se.must(http.StatusOK, doc, "GET", "/api/share", nil, &view)
	if !strings.Contains(view.PatientName, "Alma") || len(view.Sections) != 1 || view.Sections[0] != "results" {
		t.Fatalf("share view = %+v", view)
	}
	// A reloaded page gets the share's CSRF token again (it has no other).
	if view.CSRF == "" || view.CSRF != doc.csrf {
		t.Fatalf("GET /api/share csrf %q, the opening gave %q", view.CSRF, doc.csrf)
	}

	// Only the shared sections.
	var results struct{ Reports []struct{ ID string } }
	se.must(http.StatusOK, doc, "GET", "/api/results", nil, &results)
	if len(results.Reports) == 0 {
		t.Fatalf("the clinician sees no results")
	}
	for path, want := range map[string]int{
		"/api/summary": 200,
		"/api/results": 200,
		"/api/results/" + url.PathEscape(results.Reports[0].ID): 200,
		"/api/timeline":                         200,
		"/api/search?q=zirconium":               200,
		"/api/details":                          200,
		"/api/sources":                          200,
		"/api/documents":                        404,
		"/api/documents/doc-alma":               404,
		"/api/documents/doc-alma/attachments/0": 404,
		"/api/visits":                           404,
		"/api/health":                           404,
		"/api/other":                            404,
		"/api/other/Goal":                       404,
		"/api/shares":                           404,
		"/api/account":                          404,
		"/api/account/sessions":                 404,
		"/api/security":                         404,
		"/api/vault":                            404,
		"/api/imports/x":                        404,
		"/api/shares/" + c.Share.ID + "/access": 404,
	} {
		w := se.do(doc, "GET", path, nil)
		if w.Code != want {
			t.Errorf("clinician GET %s = %d, want %d: %s", path, w.Code, want, w.Body)
		}
		if strings.Contains(w.Body.String(), a.docText) {
			t.Errorf("clinician GET %s shows the unshared letter", path)
		}
	}
	if w := se.must(http.StatusOK, doc, "GET", "/api/results", nil, nil); !strings.Contains(w.Body.String(), "zirconium") {
		t.Errorf("the shared results do not show: %s", w.Body)
	}
	for _, post := range []string{"/api/shares", "/api/imports?id=x&name=x.json", "/api/account/sign-out", "/api/security/password"} {
		if w := se.do(doc, "POST", post, map[string]any{}); w.Code != http.StatusNotFound {
			t.Errorf("clinician POST %s = %d, want 404", post, w.Code)
		}
	}

	// The patient is told, once, with no health information.
	told := se.mailTo(a.email, "opened")
	if !strings.Contains(told, "Dr Rowan Pike") || strings.Contains(told, "zirconium") {
		t.Errorf("the patient's email: %s", told)
	}

	// A note: CSRF needed; then it is in the patient's inbox.
	if w := se.do(doc, "POST", "/api/share/note", map[string]string{"text": "Seen"}, noCSRF); w.Code != http.StatusForbidden {
		t.Errorf("note without CSRF = %d", w.Code)
	}
	if w := se.do(doc, "POST", "/api/share/note", map[string]string{"text": strings.Repeat("x", 2001)}); w.Code != http.StatusBadRequest {
		t.Errorf("a long note = %d", w.Code)
	}
	se.must(http.StatusAccepted, doc, "POST", "/api/share/note", map[string]string{"text": "Potassium fine; recheck in 3 months."}, nil)

	var access struct {
		Access []struct{ At, Address, Browser, Page, Clinician string }
	}
	se.must(http.StatusOK, a, "GET", "/api/shares/"+c.Share.ID+"/access", nil, &access)
	pages := map[string]bool{}
	for _, l := range access.Access {
		pages[l.Page] = true
		if l.Clinician != "Dr Rowan Pike" || l.Address != "10.77.0.1" || l.Browser != "Firefox on Linux" {
			t.Errorf("access line %+v", l)
		}
	}
	for _, p := range []string{"opened", "/api/results", "/api/summary", "note left"} {
		if !pages[p] {
			t.Errorf("the access log has no %s: %+v", p, access)
		}
	}
	if pages["/api/documents"] || pages["/api/shares"] {
		t.Errorf("refused pages are logged as read: %+v", access)
	}

	// Revoke: the clinician's next request is refused.
	se.must(http.StatusNoContent, a, "POST", "/api/shares/"+c.Share.ID+"/revoke", map[string]any{}, nil)
	if w := se.do(doc, "GET", "/api/results", nil); w.Code != http.StatusUnauthorized || acctErr(w) != "share_ended" {
		t.Fatalf("after revoke = %d %s", w.Code, w.Body)
	}
	if w := se.do(doc, "GET", "/api/share", nil); w.Code != http.StatusUnauthorized || acctErr(w) != "share_ended" {
		t.Fatalf("share view after revoke = %d %s", w.Code, w.Body)
	}
	se.must(http.StatusOK, a, "GET", "/api/shares", nil, &list)
	if list.Shares[0].State != "revoked" || list.Shares[0].FirstUsed == nil {
		t.Fatalf("after revoke, list = %+v", list)
	}

	// The note is a letter in the record at the next sign-in.
	se.must(http.StatusNoContent, a, "POST", "/api/account/sign-out", map[string]any{}, nil)
	se.signIn(a)
	w = se.must(http.StatusOK, a, "GET", "/api/documents", nil, nil)
	if !strings.Contains(w.Body.String(), "through a share") {
		t.Fatalf("the note is not among the patient's documents: %s", w.Body)
	}
}

// Every refusal of a code reads the same.
func TestShareNotRightIsOneAnswer(t *testing.T) {
	se := newShareEnv(t, false)
	a := se.newPatient("Alma")
	se.signUp(a)
	live := se.share(a, "all", 15)
	gone := se.share(a, "all", 60)
	se.must(http.StatusNoContent, a, "POST", "/api/shares/"+gone.Share.ID+"/revoke", map[string]any{}, nil)
	_, unknown := share.NewCode()

	n := 0
	try := func(code, dob string) *httptest.ResponseRecorder {
		n++
		return se.open(clinician("10.66.0."+string(rune('0'+n))), code, dob)
	}
	answers := map[string]*httptest.ResponseRecorder{
		"unknown":    try(unknown, "1970-01-01"),
		"wrong date": try(live.Code, "1980-02-02"),
		"revoked":    try(gone.Code, "1970-01-01"),
		"malformed":  try("ABCD", "1970-01-01"),
		"not a date": try(live.Code, "yesterday"),
	}
	se.clock.Add(16 * time.Minute)
	answers["expired"] = try(live.Code, "1970-01-01")
	want := answers["unknown"]
	if want.Code != http.StatusUnauthorized || acctErr(want) != "not_right" {
		t.Fatalf("unknown code = %d %s", want.Code, want.Body)
	}
	for k, w := range answers {
		if w.Code != want.Code || w.Body.String() != want.Body.String() {
			t.Errorf("%s = %d %s; unknown = %d %s", k, w.Code, w.Body, want.Code, want.Body)
		}
	}
}

// A patient cannot revoke, or read the log of, another's share.
func TestShareOtherPatient(t *testing.T) {
	se := newShareEnv(t, false)
	a, b := se.newPatient("Alma"), se.newPatient("Bertil")
	se.signUp(a)
	se.signUp(b)
	c := se.share(a, []string{"results", "documents"}, 60)
	for _, r := range []struct{ method, path string }{
		{"POST", "/api/shares/" + c.Share.ID + "/revoke"},
		{"GET", "/api/shares/" + c.Share.ID + "/access"},
	} {
		w := se.do(b, r.method, r.path, map[string]any{})
		made := se.do(b, r.method, strings.Replace(r.path, c.Share.ID, "00112233445566778899aabbccddeeff", 1), map[string]any{})
		if w.Code != http.StatusNotFound || w.Body.String() != made.Body.String() {
			t.Errorf("B %s %s = %d %s; made-up id %s", r.method, r.path, w.Code, w.Body, made.Body)
		}
	}
	var list struct{ Shares []any }
	se.must(http.StatusOK, b, "GET", "/api/shares", nil, &list)
	if len(list.Shares) != 0 {
		t.Fatalf("B lists A's shares: %+v", list)
	}
	doc := clinician("10.55.0.1")
	if w := se.open(doc, c.Code, "1970-01-01"); w.Code != http.StatusOK {
		t.Fatalf("A's share does not open after B's tries: %d %s", w.Code, w.Body)
	}
}

// An independent SMART Health Link receiver: plain HTTP and go-jose.
func TestShareSMARTHealthLink(t *testing.T) {
	se := newShareEnv(t, false)
	a := se.newPatient("Alma")
	se.signUp(a)
	c := se.share(a, []string{"results"}, 60)

	// The link: shlink:/ + base64url JSON.
	raw := strings.TrimPrefix(c.Link, "shlink:/")
	var payload struct {
		URL, Key, Label, Flag string
		Exp                   int64
	}
	if err := json.Unmarshal(mustB64(t, raw), &payload); err != nil {
		t.Fatal(err)
	}
	if payload.Flag != "P" || payload.Label != "Record shared by Alma" || payload.Exp == 0 || !strings.HasPrefix(payload.URL, se.srv.URL+"/shl/") {
		t.Fatalf("link payload = %+v", payload)
	}
	key := mustB64(t, payload.Key)

	post := func(url, passcode string) (*http.Response, []byte) {
		body, _ := json.Marshal(map[string]string{"recipient": "Riverside Clinic EHR", "passcode": passcode})
		resp, err := http.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	manifest := func() (*http.Response, []byte) { return post(payload.URL, c.Code) }
	// The passcode is the share's code: none, or a wrong one, is refused
	// with the tries left; the code as a person types it is forgiven.
	if resp, body := post(payload.URL, ""); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"remainingAttempts":10`) {
		t.Fatalf("manifest without a passcode = %d %s", resp.StatusCode, body)
	}
	if resp, body := post(payload.URL, "ABCD-EFGH-JKMN-PQRS-TVWX-Y"); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"remainingAttempts":9`) {
		t.Fatalf("manifest with a wrong passcode = %d %s", resp.StatusCode, body)
	}
	if resp, body := post(payload.URL, strings.ToLower(strings.ReplaceAll(c.Code, "-", " "))); resp.StatusCode != http.StatusOK {
		t.Fatalf("manifest with the code typed loosely = %d %s", resp.StatusCode, body)
	}
	resp, body := manifest()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("manifest = %d %s", resp.StatusCode, body)
	}
	var mf struct {
		Files []struct{ ContentType, Location, Embedded string }
	}
	if err := json.Unmarshal(body, &mf); err != nil || len(mf.Files) != 1 || mf.Files[0].ContentType != "application/fhir+json" {
		t.Fatalf("manifest %s (%v)", body, err)
	}
	compact := mf.Files[0].Embedded
	if compact == "" {
		r, err := http.Get(mf.Files[0].Location)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		compact = string(b)
	}
	obj, err := jose.ParseEncrypted(compact, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := obj.Decrypt(key)
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		ResourceType, Type string
		Entry              []struct{ Resource struct{ ResourceType string } }
	}
	if err := json.Unmarshal(plain, &bundle); err != nil || bundle.ResourceType != "Bundle" || bundle.Type != "collection" {
		t.Fatalf("bundle %s (%v)", plain, err)
	}
	types := map[string]bool{}
	for _, e := range bundle.Entry {
		types[e.Resource.ResourceType] = true
	}
	if !types["Observation"] || !types["Patient"] || types["DocumentReference"] || !bytes.Contains(plain, []byte("zirconium")) {
		t.Fatalf("bundle types %v", types)
	}
	// The server's copy does not open with the key file and database
	// alone: the sealed column is not the bundle.
	var sealed []byte
	if err := se.db.SQL().QueryRow(`SELECT shl_sealed FROM shares WHERE id = ?`, c.Share.ID).Scan(&sealed); err != nil || bytes.Contains(sealed, []byte("zirconium")) {
		t.Fatalf("stored copy: %v", err)
	}
	var access struct {
		Access []struct{ Page, Clinician string }
	}
	se.must(http.StatusOK, a, "GET", "/api/shares/"+c.Share.ID+"/access", nil, &access)
	if len(access.Access) == 0 || !strings.Contains(access.Access[0].Page, "SMART Health Link") || access.Access[0].Clinician != "Riverside Clinic EHR" {
		t.Fatalf("access after SHL = %+v", access)
	}

	se.must(http.StatusNoContent, a, "POST", "/api/shares/"+c.Share.ID+"/revoke", map[string]any{}, nil)
	if resp, body := manifest(); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("manifest after revoke = %d %s", resp.StatusCode, body)
	}
	if err := se.db.SQL().QueryRow(`SELECT shl_sealed FROM shares WHERE id = ?`, c.Share.ID).Scan(&sealed); err != nil || sealed != nil {
		t.Fatalf("after revoke the sealed link is %d bytes (%v)", len(sealed), err)
	}
	if _, err := shl.Parse(c.Link); err != nil {
		t.Fatalf("shl.Parse: %v", err)
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := b64url(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func BenchmarkShareCreate(b *testing.B) {
	se := newShareEnv(b, false)
	a := se.newPatient("Alma")
	se.signUp(a)
	b.ResetTimer()
	for b.Loop() {
		se.share(a, "all", 60)
	}
}

func BenchmarkShareOpenFirstPage(b *testing.B) {
	se := newShareEnv(b, false)
	a := se.newPatient("Alma")
	se.signUp(a)
	c := se.share(a, "all", 60)
	b.ResetTimer()
	for b.Loop() {
		doc := clinician("10.44.0.1")
		if w := se.open(doc, c.Code, "1970-01-01"); w.Code != http.StatusOK {
			b.Fatalf("open = %d %s", w.Code, w.Body)
		}
		se.must(http.StatusOK, doc, "GET", "/api/summary", nil, nil)
	}
}

func b64url(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// Wrong tries from one address are slowed: 429 with how long to wait.
func TestShareOpenThrottled(t *testing.T) {
	se := newShareEnv(t, false)
	doc := clinician("10.33.0.1")
	for i := 0; i < 12; i++ {
		_, code := share.NewCode()
		w := se.open(doc, code, "1970-01-01")
		if w.Code == http.StatusTooManyRequests {
			var body struct{ Error apiError }
			_ = json.Unmarshal(w.Body.Bytes(), &body)
			if body.Error.Code != "too_many_tries" || body.Error.RetryAfterSeconds <= 0 || w.Header().Get("Retry-After") == "" {
				t.Fatalf("throttled = %s", w.Body)
			}
			return
		}
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("try %d = %d %s", i, w.Code, w.Body)
		}
	}
	t.Fatalf("12 wrong codes from one address were never slowed")
}

// TestShareLinkPasscodeLimitInParallel: wrong passcodes sent at once spend
// the link's lifetime budget exactly, never past it, and then the link is
// closed even to the right code (the share itself still opens with the
// code and date of birth).
func TestShareLinkPasscodeLimitInParallel(t *testing.T) {
	se := newShareEnv(t, false)
	a := se.newPatient("Alma")
	se.signUp(a)
	c := se.share(a, "all", 60)
	l, err := shl.Parse(c.Link)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3 * shl.DefaultAttempts
	codes := make(chan int, n)
	remaining := make(chan int, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		go func() {
			<-start
			resp, err := http.Post(l.URL, "application/json", strings.NewReader(`{"recipient":"Guesser","passcode":"0000-0000-0000-0000-0000-0"}`))
			if err != nil {
				codes <- 0
				remaining <- -1
				return
			}
			var v struct{ RemainingAttempts *int }
			_ = json.NewDecoder(resp.Body).Decode(&v)
			resp.Body.Close()
			codes <- resp.StatusCode
			if v.RemainingAttempts != nil {
				remaining <- *v.RemainingAttempts
			} else {
				remaining <- -1
			}
		}()
	}
	close(start)
	wrong, closed := 0, 0
	seen := map[int]bool{}
	for i := 0; i < n; i++ {
		switch code, r := <-codes, <-remaining; code {
		case http.StatusUnauthorized:
			wrong++
			if r < 0 || seen[r] {
				t.Errorf("remainingAttempts %d given twice or not at all", r)
			}
			seen[r] = true
		case http.StatusNotFound:
			closed++
		default:
			t.Errorf("a wrong passcode = %d", code)
		}
	}
	if wrong != shl.DefaultAttempts || closed != n-shl.DefaultAttempts {
		t.Fatalf("%d wrong passcodes at once: %d refused as wrong, %d as closed; want %d and %d", n, wrong, closed, shl.DefaultAttempts, n-shl.DefaultAttempts)
	}
	resp, err := http.Post(l.URL, "application/json", strings.NewReader(`{"recipient":"Riverside","passcode":"`+c.Code+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the right passcode after the limit = %d, want 404", resp.StatusCode)
	}
	if w := se.open(clinician("10.77.0.5"), c.Code, "1970-01-01"); w.Code != http.StatusOK {
		t.Fatalf("the share itself after the link closed = %d %s", w.Code, w.Body)
	}
}

// TestShareQuiet: the patient is emailed when a share is first opened
// unless they asked not to be, for that share only.
func TestShareQuiet(t *testing.T) {
	se := newShareEnv(t, false)
	a := se.newPatient("Alma")
	se.signUp(a)
	var quiet, loud created
	se.must(http.StatusCreated, a, "POST", "/api/shares", map[string]any{
		"recipient": map[string]string{"name": "Dr Rowan Pike", "email": clinicianEmail},
		"sections":  "all", "minutes": 60, "notify": false}, &quiet)
	se.must(http.StatusCreated, a, "POST", "/api/shares", map[string]any{
		"recipient": map[string]string{"name": "Dr Sam Lee", "email": "sam.lee@clinic.example"},
		"sections":  "all", "minutes": 60, "notify": true}, &loud)
	var list struct {
		Shares []struct {
			ID     string
			Notify bool
		}
	}
	se.must(http.StatusOK, a, "GET", "/api/shares", nil, &list)
	notify := map[string]bool{}
	for _, s := range list.Shares {
		notify[s.ID] = s.Notify
	}
	if notify[quiet.Share.ID] || !notify[loud.Share.ID] {
		t.Fatalf("notify in the list = %v", notify)
	}
	told := func() int {
		if _, err := se.outbox.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		se.sender.mu.Lock()
		defer se.sender.mu.Unlock()
		n := 0
		for _, m := range se.sender.msgs {
			if m.To == a.email && strings.Contains(m.Subject, "opened") {
				n++
			}
		}
		return n
	}
	if w := se.open(clinician("10.77.0.2"), quiet.Code, "1970-01-01"); w.Code != http.StatusOK {
		t.Fatalf("open quiet = %d", w.Code)
	}
	if n := told(); n != 0 {
		t.Fatalf("the patient was emailed %d times about a share they asked to be quiet", n)
	}
	if w := se.open(clinician("10.77.0.3"), loud.Code, "1970-01-01"); w.Code != http.StatusOK {
		t.Fatalf("open = %d", w.Code)
	}
	se.open(clinician("10.77.0.4"), loud.Code, "1970-01-01")
	if n := told(); n != 1 {
		t.Fatalf("the patient was emailed %d times about the first opening, want 1", n)
	}
}
