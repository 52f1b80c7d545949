package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/mail/mailpittest"
	"github.com/ward-health/ward/backend/serverkey"
)

// checkCookieFlags checks a cookie Ward sets on a server with accounts.
func checkCookieFlags(t *testing.T, c *http.Cookie, secure bool) {
	t.Helper()
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" {
		t.Errorf("cookie %s: HttpOnly %v, SameSite %v, Path %q, Domain %q; want HttpOnly, Strict, /, no domain (%s)",
			c.Name, c.HttpOnly, c.SameSite, c.Path, c.Domain, c.Raw)
	}
	if c.Secure != secure || strings.HasPrefix(c.Name, "__Host-") != secure {
		t.Errorf("cookie %s: Secure %v, want %v with the __Host- prefix exactly when secure", c.Name, c.Secure, secure)
	}
}

func cookieNamed(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		e := newAcctEnv(t, acctConfig{secure: secure})
		p := e.newPatient("Cora")
		e.must(http.StatusAccepted, p, "POST", "/api/account/sign-up", map[string]any{"email": p.email, "password": p.password}, nil)
		var v struct{ CSRF string }
		w := e.must(http.StatusOK, p, "POST", "/api/account/verify", map[string]string{"email": p.email, "code": e.code(p.email)}, &v)
		step := cookieNamed(w.Result().Cookies(), e.h.cookies.name(stepCookie))
		if step == nil {
			t.Fatalf("secure %v: verify set no step cookie: %v", secure, w.Result().Cookies())
		}
		checkCookieFlags(t, step, secure)
		if step.MaxAge != int(stepMaxAge/time.Second) {
			t.Errorf("step cookie Max-Age %d", step.MaxAge)
		}
		p.csrf = v.CSRF
		w = e.must(http.StatusOK, p, "POST", "/api/account/activate", map[string]any{"password": p.password, "inviteCode": p.invite}, nil)
		sess := cookieNamed(w.Result().Cookies(), e.h.cookies.name(sessionCookie))
		if sess == nil {
			t.Fatalf("secure %v: activate set no session cookie", secure)
		}
		checkCookieFlags(t, sess, secure)
		if sess.MaxAge != int(e.svc.Policy().Absolute/time.Second) {
			t.Errorf("session cookie Max-Age %d, want the absolute session time", sess.MaxAge)
		}
		if cleared := cookieNamed(w.Result().Cookies(), e.h.cookies.name(stepCookie)); cleared == nil || cleared.MaxAge >= 0 {
			t.Errorf("secure %v: activation did not clear the step cookie", secure)
		}
		var body map[string]any
		json.Unmarshal(w.Body.Bytes(), &body)
		if body["csrf"] == "" || strings.Contains(w.Body.String(), sess.Value) {
			t.Errorf("activation body: %s", w.Body)
		}
		if secure {
			// The same value under the name without the prefix is not read.
			plain := p.clone(p.remote)
			plain.jar["ward"] = &http.Cookie{Name: "ward", Value: sess.Value}
			e.signedOut(plain, "/api/summary")
		}
	}
}

// mailpitCode reads the newest code Mailpit holds for to.
func mailpitCode(mp *mailpittest.Server) func(t testing.TB, to string) string {
	return func(t testing.TB, to string) string {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			for _, m := range mp.Messages(t) { // newest first
				for _, a := range m.To {
					if a == to && strings.HasPrefix(m.Subject, "Your Ward code: ") {
						code := strings.TrimPrefix(m.Subject, "Your Ward code: ")
						if !strings.Contains(mp.Text(t, m.ID), code) {
							t.Fatalf("the email's text does not hold its code %s", code)
						}
						return code
					}
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("no code for %s in Mailpit", to)
		return ""
	}
}

// A real sign-up over TLS (a generated certificate) with the codes sent
// through a real Mailpit (when there is one): the browser's cookie jar keeps the __Host-
// cookies and sends them back.
func TestCookieOverTLS(t *testing.T) {
	cfg := acctConfig{secure: true}
	if mailpittest.Binary() != "" { // else the recording sender
		mp := mailpittest.New(t)
		host, port := mp.SMTPAddr()
		cfg.sender = &mail.SMTP{Settings: mail.Settings{Host: host, Port: port, Username: "ward", Password: "hunter2",
			From: "Ward <ward@example.org>", StartTLS: mail.StartTLSNone}, DialTimeout: time.Second}
		cfg.code = mailpitCode(mp)
	} else {
		t.Log("no mailpit (WARD_MAILPIT): codes read from a recording sender")
	}
	e := newAcctEnv(t, cfg)
	srv := httptest.NewTLSServer(e.h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := srv.Client()
	client.Jar = jar
	p := e.newPatient("Tess")

	csrf := ""
	send := func(method, path string, body any, want int) *http.Response {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, srv.URL+path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if method != "GET" {
			req.Header.Set("Origin", srv.URL)
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		return resp
	}
	decode := func(resp *http.Response, v any) {
		t.Helper()
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	send("POST", "/api/account/sign-up", map[string]string{"email": p.email, "password": p.password}, http.StatusAccepted).Body.Close()
	var v struct{ CSRF string }
	decode(send("POST", "/api/account/verify", map[string]string{"email": p.email, "code": e.code(p.email)}, http.StatusOK), &v)
	csrf = v.CSRF
	resp := send("POST", "/api/account/activate", map[string]any{"password": p.password, "inviteCode": p.invite}, http.StatusOK)
	var a struct{ CSRF string }
	decode(resp, &a)
	if resp.TLS == nil {
		t.Fatal("not over TLS")
	}
	var raw string
	for _, h := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "__Host-ward=") {
			raw = h
		}
	}
	for _, want := range []string{"Path=/", "HttpOnly", "Secure", "SameSite=Strict", "Max-Age="} {
		if !strings.Contains(raw, want) {
			t.Errorf("Set-Cookie %q lacks %s", raw, want)
		}
	}
	if strings.Contains(strings.ToLower(raw), "domain=") {
		t.Errorf("Set-Cookie %q has a Domain", raw)
	}
	csrf = a.CSRF
	var sum struct{ Patient *struct{ Name string } }
	decode(send("GET", "/api/summary", nil, http.StatusOK), &sum)
	if sum.Patient == nil || !strings.Contains(sum.Patient.Name, "Quintavalle") {
		t.Fatalf("summary over TLS = %+v", sum)
	}
	send("POST", "/api/account/sign-out", map[string]any{}, http.StatusNoContent).Body.Close()
	send("GET", "/api/summary", nil, http.StatusUnauthorized).Body.Close()
}

// Cookies that are not Ward's, or not whole, are signed out: 401, no panic.
func TestCookieMalformed(t *testing.T) {
	e := newAcctEnv(t, acctConfig{})
	a := e.newPatient("Mira")
	b := e.newPatient("Nils")
	e.signUp(a)
	e.signUp(b)
	good := e.sessionCookieOf(a).Value
	flip := []byte(good)
	i := len(flip) / 2
	if flip[i] == 'A' {
		flip[i] = 'B'
	} else {
		flip[i] = 'A'
	}
	values := map[string]string{
		"garbage":          "not a cookie at all",
		"truncated":        good[:len(good)/2],
		"one byte short":   good[:len(good)-1],
		"base64 of junk":   base64.URLEncoding.EncodeToString(bytes.Repeat([]byte("junk|"), 40)),
		"three parts junk": base64.URLEncoding.EncodeToString([]byte("1700000000|" + base64.URLEncoding.EncodeToString([]byte("x")) + "|" + "mac")),
		"10 KB":            strings.Repeat("A", 10<<10),
		"one byte flipped": string(flip),
		"empty":            "",
		"percent junk":     "%00%FF%E2%80%AE",
	}
	// Cookies made with Ward's own keys but holding what no sign-in gave:
	// another patient's vault token with A's session, and the other way.
	av, _ := e.h.cookies.getSession(requestWith(e.sessionCookieOf(a)))
	bv, _ := e.h.cookies.getSession(requestWith(e.sessionCookieOf(b)))
	for name, sv := range map[string]sessionValue{
		"A's session, B's token": {S: av.S, T: bv.T},
		"B's session, A's token": {S: bv.S, T: av.T},
		"no token":               {S: av.S},
		"no session":             {T: av.T},
		"made-up session":        {S: "bWFkZS11cA", T: av.T},
	} {
		w := httptest.NewRecorder()
		if err := e.h.cookies.setSession(w, sv); err != nil {
			t.Fatal(err)
		}
		values[name] = w.Result().Cookies()[0].Value
	}
	for name, v := range values {
		p := a.clone("10.8.0.1")
		p.jar[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: v}
		p.csrf = a.csrf
		for _, req := range []struct{ method, path string }{{"GET", "/api/summary"}, {"GET", "/api/account/sessions"}, {"POST", "/api/security/auto-lock"}} {
			w := e.do(p, req.method, req.path, map[string]int{"minutes": 15})
			if w.Code != http.StatusUnauthorized || acctErr(w) != "signed_out" {
				t.Errorf("%s cookie: %s %s = %d %s, want 401 signed_out", name, req.method, req.path, w.Code, w.Body)
			}
		}
		// Public routes still answer.
		if w := e.do(p, "GET", "/api/config", nil); w.Code != http.StatusOK {
			t.Errorf("%s cookie: config = %d", name, w.Code)
		}
	}
	// None of that signed anyone out (except where Ward ends a session
	// whose token does not match: A's or B's session then ended).
	for _, p := range []*patient{a, b} {
		if w := e.do(p, "GET", "/api/summary", nil); w.Code != http.StatusOK && w.Code != http.StatusUnauthorized {
			t.Errorf("%s after the bad cookies = %d", p.email, w.Code)
		}
	}
	// A fresh sign-in works after all of it.
	e.signIn(a)
	e.signedInAs(a)
}

func requestWith(c *http.Cookie) *http.Request {
	r := httptest.NewRequest("GET", "/api/summary", nil)
	r.AddCookie(c)
	return r
}

// A cookie signed with the key before the current one still works after
// `ward admin rotate-cookie-key`; one signed with a key rotated out does not.
func TestCookieRotation(t *testing.T) {
	e := newAcctEnv(t, acctConfig{})
	a := e.newPatient("Rosa")
	b := e.newPatient("Sven")
	e.signUp(a) // cookie made with key 1

	k2, err := serverkey.RotateCookie(e.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(k2.Cookie) != 2 {
		t.Fatalf("after one rotation %d keys", len(k2.Cookie))
	}
	e.rebuild(k2.Cookie)
	e.signedInAs(a) // key 1, now the old one
	e.signUp(b)     // key 2
	e.signedInAs(b)

	k3, err := serverkey.RotateCookie(e.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	e.rebuild(k3.Cookie)
	e.signedOut(a, "/api/summary") // key 1 is gone
	e.signedInAs(b)                // key 2 is the old one now
	e.signIn(a)                    // key 3
	e.signedInAs(a)

	// Loading the file gives the same keys.
	k, err := serverkey.Load(e.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	e.rebuild(k.Cookie)
	e.signedInAs(a)
	e.signedInAs(b)
}

// Sessions end after the idle time without a request, and after the
// absolute time however busy.
func TestCookieSessionExpiry(t *testing.T) {
	e := newAcctEnv(t, acctConfig{})
	a := e.newPatient("Ida")
	e.signUp(a)
	// Busy: a request every 10 minutes keeps the session.
	for range 3 {
		e.clock.Add(10 * time.Minute)
		e.signedInAs(a)
	}
	// Idle: 15 minutes and a little.
	e.clock.Add(15*time.Minute + time.Second)
	old := e.sessionCookieOf(a)
	w := e.do(a, "GET", "/api/summary", nil)
	if w.Code != http.StatusUnauthorized || acctErr(w) != "signed_out" {
		t.Fatalf("idle: %d %s", w.Code, w.Body)
	}
	if c := cookieNamed(w.Result().Cookies(), sessionCookie); c == nil || c.MaxAge >= 0 {
		t.Errorf("idle: the signed-out answer does not clear the cookie")
	}
	a.jar[sessionCookie] = old
	e.signedOut(a, "/api/summary") // and it stays ended

	// Absolute: 12 hours, however busy.
	e.signIn(a)
	start := e.clock.Now()
	for {
		e.clock.Add(10 * time.Minute)
		w := e.do(a, "GET", "/api/summary", nil)
		age := e.clock.Now().Sub(start)
		if age <= 12*time.Hour-10*time.Minute {
			if w.Code != http.StatusOK {
				t.Fatalf("busy session at %v: %d %s", age, w.Code, w.Body)
			}
			continue
		}
		if age > 12*time.Hour {
			if w.Code != http.StatusUnauthorized || acctErr(w) != "signed_out" {
				t.Fatalf("session at %v: %d %s, want signed_out", age, w.Code, w.Body)
			}
			break
		}
	}
}
