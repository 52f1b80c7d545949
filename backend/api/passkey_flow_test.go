package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/passkey/passkeytest"
	"github.com/ward-health/ward/backend/vault"
)

// Face and fingerprint unlock end to end through the real handler, on a
// real vault, with the software authenticator of passkey/passkeytest
// playing the browser's navigator.credentials.

// pageHost is where these tests' page is opened: a name, as WebAuthn
// wants (an IP address is no RP ID).
const (
	pageHost   = "localhost:8080"
	pageOrigin = "http://" + pageHost
)

// page is the Ward page in one browser: a client address, at pageHost.
type page struct {
	t    testing.TB
	h    http.Handler
	addr string        // RemoteAddr, which the unlock throttle counts against
	log  *bytes.Buffer // the handler's security log, when passkeyVault made it
}

// send sends body (nil, a string, []byte or a value to encode as JSON).
func (p page) send(method, path, token string, body any) reply {
	p.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		rd = bytes.NewReader(passkeytest.MustJSON(p.t, b))
	}
	r := httptest.NewRequest(method, path, rd)
	r.Host, r.RemoteAddr = pageHost, p.addr
	r.Header.Set("Origin", pageOrigin)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, r)
	out := reply{code: w.Code, body: map[string]any{}, retry: w.Header().Get("Retry-After")}
	if w.Body.Len() > 0 && json.Unmarshal(w.Body.Bytes(), &out.body) != nil {
		p.t.Fatalf("%s %s: body is not JSON: %s", method, path, w.Body)
	}
	return out
}

// must is send, failing unless the answer is 200.
func (p page) must(method, path, token string, body any) reply {
	p.t.Helper()
	r := p.send(method, path, token, body)
	if r.code != http.StatusOK {
		p.t.Fatalf("%s %s = %d %v", method, path, r.code, r.body)
	}
	return r
}

// ceremony is a begin's answer: its id and the options for the authenticator.
func ceremony(t testing.TB, r reply) (string, []byte) {
	t.Helper()
	id, _ := r.body["ceremony"].(string)
	if id == "" || r.body["publicKey"] == nil {
		t.Fatalf("no ceremony in %v", r.body)
	}
	return id, passkeytest.MustJSON(t, r.body["publicKey"])
}

// finishBody is what the page posts to a finish endpoint.
func finishBody(t testing.TB, id string, credential []byte) []byte {
	return passkeytest.MustJSON(t, map[string]any{"ceremony": id, "credential": json.RawMessage(credential)})
}

// assertion begins an unlock and has a answer it: the finish body.
func (p page) assertion(a *passkeytest.Authenticator) []byte {
	p.t.Helper()
	id, opts := ceremony(p.t, p.must("POST", "/api/vault/passkey/begin", "", "{}"))
	return finishBody(p.t, id, a.Get(p.t, opts, pageOrigin))
}

// unlockWith unlocks with a passkey; the finish's answer.
func (p page) unlockWith(a *passkeytest.Authenticator) reply {
	p.t.Helper()
	return p.send("POST", "/api/vault/passkey/finish", "", p.assertion(a))
}

// tokenOf is an unlock's token, failing unless it is one.
func tokenOf(t testing.TB, r reply) string {
	t.Helper()
	tok, _ := r.body["token"].(string)
	if r.code != http.StatusOK || len(tok) < 40 || r.body["autoLockMinutes"] == nil {
		t.Fatalf("unlock = %d %v", r.code, r.body)
	}
	return tok
}

// password unlocks with the password: the token.
func (p page) password() string {
	p.t.Helper()
	return tokenOf(p.t, p.send("POST", "/api/vault/unlock", "", `{"password":"`+rightPassword+`"}`))
}

// addPasskey registers a as "name" (with the follow-up assertion when a
// gives its PRF output only on get) and returns the last finish's answer.
func (p page) addPasskey(tok, name string, a *passkeytest.Authenticator) reply {
	p.t.Helper()
	id, opts := ceremony(p.t, p.must("POST", "/api/security/passkeys/begin", tok, map[string]string{"name": name}))
	r := p.send("POST", "/api/security/passkeys/finish", tok, finishBody(p.t, id, a.Create(p.t, opts, pageOrigin)))
	if r.body["needsAssertion"] == true {
		id, opts = ceremony(p.t, r)
		r = p.send("POST", "/api/security/passkeys/finish", tok, finishBody(p.t, id, a.Get(p.t, opts, pageOrigin)))
	}
	return r
}

// mustAdd is addPasskey, failing unless the passkey was added: its id.
func (p page) mustAdd(tok, name string, a *passkeytest.Authenticator) string {
	p.t.Helper()
	r := p.addPasskey(tok, name, a)
	m, _ := r.body["passkey"].(map[string]any)
	if r.code != http.StatusOK || m["kind"] != "passkey" || m["name"] != name || m["id"] != b64(a.ID) {
		p.t.Fatalf("add passkey %q = %d %v", name, r.code, r.body)
	}
	return m["id"].(string)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// methods lists the unlock methods GET /api/security shows, as
// "kind" or "passkey:name", sorted.
func (p page) methods(tok string) []string {
	p.t.Helper()
	r := p.must("GET", "/api/security", tok, nil)
	var out []string
	ms, _ := r.body["methods"].([]any)
	for _, m := range ms {
		m, _ := m.(map[string]any)
		s, _ := m["kind"].(string)
		if s == "passkey" {
			s += ":" + m["name"].(string)
			if m["id"] == "" || m["added"] == "" {
				p.t.Fatalf("a passkey method without its id or date: %v", m)
			}
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func (p page) lock(tok string) {
	p.t.Helper()
	if r := p.send("POST", "/api/vault/lock", tok, nil); r.code != http.StatusNoContent {
		p.t.Fatalf("lock = %d %v", r.code, r.body)
	}
}

// readable checks that tok reads the record.
func (p page) readable(tok string) {
	p.t.Helper()
	if r := p.send("GET", "/api/summary", tok, nil); r.code != http.StatusOK {
		p.t.Fatalf("summary = %d %v", r.code, r.body)
	}
}

// passkeyVault is a locked real vault with a password and a recovery key
// and its handler (with opt, when given), seen from the owner's page, and
// the recovery key.
func passkeyVault(t *testing.T, opt ...Options) (page, string) {
	t.Helper()
	m, recovery := vaultWith(t, cheapKDF, time.Hour)
	log := &bytes.Buffer{}
	o := Options{}
	if len(opt) > 0 {
		o = opt[0]
	}
	o.Vault, o.Logger = m, slog.New(slog.NewTextHandler(log, nil))
	h := New(o)
	return page{t: t, h: h, addr: "192.0.2.1:50000", log: log}, recovery
}

// wantWrongPasskey fails unless r is the one answer a refused passkey gets.
func wantWrongPasskey(t testing.TB, what string, r reply) {
	t.Helper()
	if r.code != http.StatusUnauthorized || errCode(r) != "wrong_passkey" ||
		errMessage(r) != "That face or fingerprint did not unlock your record. Try again, or use your password." {
		t.Fatalf("%s = %d %v; want 401 wrong_passkey", what, r.code, r.body)
	}
}

func TestPasskeyUnlockFlow(t *testing.T) {
	p, _ := passkeyVault(t)
	tok := p.password()
	laptop := passkeytest.New(t)
	key := passkeytest.New(t, passkeytest.PRFOnlyOnGet()) // a security key: PRF output on a second touch

	// Registration: begin asks for UV and PRF, finish writes the slot.
	r := p.must("POST", "/api/security/passkeys/begin", tok, `{"name":"This laptop"}`)
	id, opts := ceremony(t, r)
	var o struct {
		RP                     struct{ ID string }
		AuthenticatorSelection struct{ UserVerification, ResidentKey string }
		Extensions             struct {
			PRF struct{ Eval struct{ First string } }
		}
	}
	if err := json.Unmarshal(opts, &o); err != nil {
		t.Fatal(err)
	}
	if o.RP.ID != "localhost" || o.AuthenticatorSelection.UserVerification != "required" ||
		o.AuthenticatorSelection.ResidentKey != "preferred" || len(o.Extensions.PRF.Eval.First) != 43 {
		t.Fatalf("creation options: %s", opts)
	}
	r = p.must("POST", "/api/security/passkeys/finish", tok, finishBody(t, id, laptop.Create(t, opts, pageOrigin)))
	if m, _ := r.body["passkey"].(map[string]any); m["name"] != "This laptop" || m["id"] != b64(laptop.ID) || m["added"] == "" {
		t.Fatalf("finish: %v", r.body)
	}

	// The follow-up path: the security key enables PRF at create but gives
	// its output only on get, so finish asks for an assertion first.
	id, opts = ceremony(t, p.must("POST", "/api/security/passkeys/begin", tok, `{"name":"Blue key"}`))
	r = p.must("POST", "/api/security/passkeys/finish", tok, finishBody(t, id, key.Create(t, opts, pageOrigin)))
	if r.body["needsAssertion"] != true {
		t.Fatalf("finish with PRF only on get: %v; want needsAssertion", r.body)
	}
	if got := p.methods(tok); strings.Join(got, ",") != "passkey:This laptop,password,recovery" {
		t.Fatalf("methods before the follow-up: %v", got)
	}
	id, opts = ceremony(t, r)
	r = p.must("POST", "/api/security/passkeys/finish", tok, finishBody(t, id, key.Get(t, opts, pageOrigin)))
	if m, _ := r.body["passkey"].(map[string]any); m["name"] != "Blue key" || m["id"] != b64(key.ID) {
		t.Fatalf("follow-up finish: %v", r.body)
	}
	if got := p.methods(tok); strings.Join(got, ",") != "passkey:Blue key,passkey:This laptop,password,recovery" {
		t.Fatalf("methods: %v", got)
	}
	p.lock(tok)

	// Unlock: begin names every passkey, with its own PRF input.
	r = p.must("POST", "/api/vault/passkey/begin", "", "{}")
	id, opts = ceremony(t, r)
	var ro struct {
		RPID             string `json:"rpId"`
		UserVerification string
		AllowCredentials []struct{ ID string }
		Extensions       struct {
			PRF struct {
				EvalByCredential map[string]struct{ First string }
			}
		}
	}
	if err := json.Unmarshal(opts, &ro); err != nil {
		t.Fatal(err)
	}
	if ro.RPID != "localhost" || ro.UserVerification != "required" || len(ro.AllowCredentials) != 2 ||
		len(ro.Extensions.PRF.EvalByCredential) != 2 || ro.Extensions.PRF.EvalByCredential[b64(laptop.ID)].First == "" {
		t.Fatalf("request options: %s", opts)
	}
	assertion := laptop.Get(t, opts, pageOrigin)
	tok = tokenOf(t, p.send("POST", "/api/vault/passkey/finish", "", finishBody(t, id, assertion)))
	p.readable(tok)
	// Neither the PRF output nor the assertion reaches the log.
	salt, _ := base64.RawURLEncoding.DecodeString(ro.Extensions.PRF.EvalByCredential[b64(laptop.ID)].First)
	var posted struct {
		Response struct{ Signature, ClientDataJSON string }
	}
	json.Unmarshal(assertion, &posted)
	for _, secret := range []string{b64(laptop.EvalPRF(salt)), posted.Response.Signature, posted.Response.ClientDataJSON} {
		if secret == "" || strings.Contains(p.log.String(), secret) {
			t.Fatalf("the log holds %q (or it is empty)", secret)
		}
	}
	if r := p.must("GET", "/api/vault", tok, nil); r.body["state"] != "unlocked" || r.body["passkeys"] != float64(2) {
		t.Fatalf("vault after a passkey unlock: %v", r.body)
	}
	// The unlock counts as fresh, and the passkey was last used now.
	r = p.must("GET", "/api/security", tok, nil)
	if r.body["freshUntil"] == "" {
		t.Fatalf("not fresh after a passkey unlock: %v", r.body)
	}
	for _, m := range r.body["methods"].([]any) {
		m := m.(map[string]any)
		if m["name"] == "This laptop" && m["lastUsed"] == "" {
			t.Fatalf("last used not kept: %v", m)
		}
	}
	p.lock(tok)
	p.readable(tokenOf(t, p.unlockWith(key)))
	p.readable(tokenOf(t, p.unlockWith(laptop))) // its sign count was kept: a second unlock works
}

// Every refused passkey answers 401 wrong_passkey and is counted like a
// wrong password: after five, that client waits (429, Retry-After) even
// with the right passkey, and the owner at another address does not.
func TestPasskeyRefusals(t *testing.T) {
	for _, tt := range []struct {
		name string
		// why the security log says each try was refused (never anything
		// from the request)
		reasons []string
		// setup runs unlocked, with a fresh token; try makes one refused finish.
		setup func(p page, tok string, a *passkeytest.Authenticator) (try func(stranger page) reply)
	}{
		{"replayed finish body", []string{"unknown_or_used_ceremony", "invalid"}, func(p page, tok string, a *passkeytest.Authenticator) func(page) reply {
			body := p.assertion(a)
			tokenOf(p.t, p.send("POST", "/api/vault/passkey/finish", "", body))
			n := 0
			return func(s page) reply {
				n++
				if n%2 == 0 { // the old credential in a new ceremony: its challenge is not this one's
					var old ceremonyBody
					json.Unmarshal(body, &old)
					id, _ := ceremony(p.t, s.must("POST", "/api/vault/passkey/begin", "", "{}"))
					return s.send("POST", "/api/vault/passkey/finish", "", finishBody(p.t, id, old.Credential))
				}
				return s.send("POST", "/api/vault/passkey/finish", "", body)
			}
		}},
		{"user verification off", []string{"no_user_verification"}, func(_ page, _ string, a *passkeytest.Authenticator) func(page) reply {
			return func(s page) reply {
				a.NoUV = true
				defer func() { a.NoUV = false }()
				return s.unlockWith(a)
			}
		}},
		{"sign count frozen", []string{"sign_count"}, func(p page, _ string, a *passkeytest.Authenticator) func(page) reply {
			tokenOf(p.t, p.unlockWith(a)) // the vault keeps count 1
			return func(s page) reply {
				a.FrozenCount = true
				defer func() { a.FrozenCount = false }()
				return s.unlockWith(a)
			}
		}},
		{"wrong origin in clientData", []string{"invalid"}, func(_ page, _ string, a *passkeytest.Authenticator) func(page) reply {
			return func(s page) reply {
				a.Origin = "http://evil.localhost:8080"
				defer func() { a.Origin = "" }()
				return s.unlockWith(a)
			}
		}},
		{"removed credential", []string{"invalid"}, func(p page, tok string, a *passkeytest.Authenticator) func(page) reply {
			old := passkeytest.New(p.t)
			id := p.mustAdd(tok, "Old phone", old)
			if r := p.send("DELETE", "/api/security/passkeys/"+id, tok, nil); r.code != http.StatusOK {
				p.t.Fatalf("remove = %d %v", r.code, r.body)
			}
			if got := strings.Join(p.methods(tok), ","); got != "passkey:This laptop,password,recovery" {
				p.t.Fatalf("methods after remove: %s", got)
			}
			return func(s page) reply { return s.unlockWith(old) }
		}},
		{"PRF output that does not unwrap", []string{"prf_did_not_unwrap"}, func(p page, _ string, a *passkeytest.Authenticator) func(page) reply {
			return func(s page) reply {
				// The same credential and key, signing properly, with another PRF secret.
				return s.unlockWith(a.WithSecret(bytes.Repeat([]byte{7}, 32)))
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := passkeyVault(t)
			tok := p.password()
			a := passkeytest.New(t)
			p.mustAdd(tok, "This laptop", a)
			try := tt.setup(p, tok, a)
			p.lock(p.password()) // the setup may have unlocked it

			stranger := page{t: t, h: p.h, addr: "198.51.100.7:40000"}
			for i := range 5 {
				p.log.Reset()
				wantWrongPasskey(t, tt.name+" #"+string(rune('1'+i)), try(stranger))
				want := tt.reasons[i%len(tt.reasons)]
				if !hasLine(p.log.String(), "msg=unlock", "client=198.51.100.7", "outcome=wrong_passkey", "reason="+want) {
					t.Fatalf("try %d: security log %q; want reason=%s", i+1, p.log, want)
				}
			}
			// Counted: the stranger now waits, even with the right passkey.
			r := stranger.send("POST", "/api/vault/passkey/begin", "", "{}")
			if r.code != http.StatusTooManyRequests || r.retry == "" || errCode(r) != "too_many_attempts" {
				t.Fatalf("begin after five refusals = %d %v (Retry-After %q)", r.code, r.body, r.retry)
			}
			// Nothing was spoilt: the owner, elsewhere, unlocks with the passkey.
			p.readable(tokenOf(t, p.unlockWith(a)))
		})
	}
}

// An authenticator without PRF can sign but not protect the key: 422
// no_prf, and no slot is written.
func TestPasskeyWithoutPRFRefused(t *testing.T) {
	p, _ := passkeyVault(t)
	tok := p.password()
	before := p.must("GET", "/api/security", tok, nil).body
	r := p.addPasskey(tok, "Old phone", passkeytest.New(t, passkeytest.NoPRF()))
	if r.code != http.StatusUnprocessableEntity || errCode(r) != "no_prf" ||
		errMessage(r) != "This device can sign you in but cannot protect your record's key; use your password on this device." {
		t.Fatalf("add a passkey without PRF = %d %v", r.code, r.body)
	}
	after := p.must("GET", "/api/security", tok, nil).body
	if string(passkeytest.MustJSON(t, before["methods"])) != string(passkeytest.MustJSON(t, after["methods"])) {
		t.Fatalf("methods changed: %v, then %v", before["methods"], after["methods"])
	}
	if r := p.must("GET", "/api/vault", tok, nil); r.body["passkeys"] != float64(0) {
		t.Fatalf("vault: %v", r.body)
	}
	p.lock(tok)
	if r := p.send("POST", "/api/vault/passkey/begin", "", "{}"); r.code != http.StatusNotFound || errCode(r) != "no_passkey" {
		t.Fatalf("begin with no passkey = %d %v", r.code, r.body)
	}
}

// A vault whose password was removed opens with its passkey and with its
// recovery key, and with nothing else.
func TestPasskeyVaultWithoutPassword(t *testing.T) {
	p, recovery := passkeyVault(t)
	tok := p.password()
	a := passkeytest.New(t)
	p.mustAdd(tok, "This laptop", a)
	if r := p.send("DELETE", "/api/security/password", tok, nil); r.code != http.StatusOK {
		t.Fatalf("remove the password = %d %v", r.code, r.body)
	}
	if got := strings.Join(p.methods(tok), ","); got != "passkey:This laptop,recovery" {
		t.Fatalf("methods: %s", got)
	}
	p.lock(tok)

	// Nothing else, each from its own address so none is made to wait.
	other := func(n int) page { return page{t: t, h: p.h, addr: "203.0.113." + string(rune('0'+n)) + ":1"} }
	if r := other(1).send("POST", "/api/vault/unlock", "", `{"password":"`+rightPassword+`"}`); r.code != http.StatusUnauthorized {
		t.Fatalf("the removed password = %d %v", r.code, r.body)
	}
	_, otherKey := vault.NewRecoveryKey() // well formed, of no slot here
	if r := other(2).send("POST", "/api/vault/unlock", "", `{"recoveryKey":"`+otherKey+`"}`); r.code != http.StatusUnauthorized || errCode(r) != "wrong_recovery_key" {
		t.Fatalf("another recovery key = %d %v", r.code, r.body)
	}
	wantWrongPasskey(t, "an unregistered authenticator", other(3).unlockWith(passkeytest.New(t)))
	wantWrongPasskey(t, "the passkey's twin without its PRF secret", other(4).unlockWith(a.WithSecret(make([]byte, 32))))
	if r := other(5).send("GET", "/api/summary", "", nil); r.code != http.StatusUnauthorized {
		t.Fatalf("summary with no token = %d", r.code)
	}

	tok = tokenOf(t, p.unlockWith(a))
	p.readable(tok)
	// With no password, a change is confirmed with the passkey.
	confirm := func(a *passkeytest.Authenticator) reply {
		id, opts := ceremony(t, p.must("POST", "/api/security/confirm/passkey/begin", tok, "{}"))
		return p.send("POST", "/api/security/confirm/passkey/finish", tok, finishBody(t, id, a.Get(t, opts, pageOrigin)))
	}
	if r := confirm(a); r.code != http.StatusOK || r.body["freshUntil"] == "" {
		t.Fatalf("confirm with the passkey = %d %v", r.code, r.body)
	}
	wantWrongPasskey(t, "confirm with an unregistered authenticator", confirm(passkeytest.New(t)))
	p.lock(tok)
	tok = tokenOf(t, p.send("POST", "/api/vault/unlock", "", `{"recoveryKey":"`+recovery+`"}`))
	p.readable(tok)
}
