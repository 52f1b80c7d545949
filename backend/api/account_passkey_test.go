package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/config"
	"github.com/ward-health/ward/backend/passkey"
	"github.com/ward-health/ward/backend/passkey/passkeytest"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/serverkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/signin"
)

// pksOrigin is where the test's browsers run Ward's page: a name, as
// WebAuthn needs, on loopback so http is a secure context.
const pksOrigin = "http://localhost:8123"

// pksEnv is an accounts server for the passkey sign-in tests.
type pksEnv struct {
	dir string
	db  *accounts.DB
	reg *session.Registry
	h   http.Handler
}

func newPKSEnv(t testing.TB) *pksEnv {
	t.Helper()
	dir := t.TempDir()
	keys, err := serverkey.Create(filepath.Join(dir, "accounts.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := accounts.Open(filepath.Join(dir, "accounts.db"), keys.Accounts(), nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := session.NewRegistry(session.RegistryOptions{Idle: signin.DefaultIdle})
	t.Cleanup(func() { reg.Close(); db.Close() })
	svc := signin.New(signin.Options{Accounts: db, Vaults: reg, Dir: dir, Limiter: passwords.NewLimiter(0)})
	h := New(Options{Config: config.Config{}, Version: "test", Accounts: svc, CookieKeys: keys.Cookie})
	return &pksEnv{dir: dir, db: db, reg: reg, h: h}
}

// pksBrowser is one browser: its address, cookies and CSRF token.
type pksBrowser struct {
	remote  string
	cookies map[string]*http.Cookie
	csrf    string
}

func pksBrowserAt(remote string) *pksBrowser {
	return &pksBrowser{remote: remote, cookies: map[string]*http.Cookie{}}
}

func (e *pksEnv) do(t testing.TB, b *pksBrowser, method, path string, body any) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, ok := body.([]byte)
		if !ok {
			var err error
			if raw, err = json.Marshal(body); err != nil {
				t.Fatal(err)
			}
		}
		rd = bytes.NewReader(raw)
	}
	r := httptest.NewRequest(method, pksOrigin+path, rd)
	r.Host = "localhost:8123"
	r.RemoteAddr = b.remote + ":40000"
	r.Header.Set("Origin", pksOrigin)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if b.csrf != "" {
		r.Header.Set("X-CSRF-Token", b.csrf)
	}
	for _, c := range b.cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return w
}

func (e *pksEnv) must(t testing.TB, want int, b *pksBrowser, method, path string, body, out any) {
	t.Helper()
	w := e.do(t, b, method, path, body)
	if w.Code != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, w.Code, w.Body, want)
	}
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

func pksCode(w *httptest.ResponseRecorder) string {
	var v struct{ Error struct{ Code string } }
	json.Unmarshal(w.Body.Bytes(), &v) //nolint:errcheck // "" when not an error
	return v.Error.Code
}

// pksAccount is an active account with a password and an empty record.
type pksAccount struct{ id, email, password string }

func (e *pksEnv) account(t testing.TB, email string) pksAccount {
	t.Helper()
	ctx := context.Background()
	a := pksAccount{email: email, password: "a long and private pass phrase"}
	acct, err := e.db.Create(ctx, email, "")
	if err != nil {
		t.Fatal(err)
	}
	a.id = acct.ID
	rel := "vaults/" + a.id
	m, err := e.reg.Manager(a.id, filepath.Join(e.dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := m.Create(ctx, []byte(a.password))
	if err != nil {
		t.Fatal(err)
	}
	m.Revoke(tok)
	for _, err := range []error{e.db.SetVaultDir(ctx, a.id, rel), e.db.MarkVerified(ctx, a.id), e.db.SetState(ctx, a.id, "active")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func (e *pksEnv) signInPassword(t testing.TB, b *pksBrowser, a pksAccount) {
	t.Helper()
	var out struct{ CSRF string }
	e.must(t, http.StatusOK, b, "POST", "/api/account/sign-in", map[string]string{"email": a.email, "password": a.password}, &out)
	b.csrf = out.CSRF
}

func (e *pksEnv) signOut(t testing.TB, b *pksBrowser) {
	t.Helper()
	e.must(t, http.StatusNoContent, b, "POST", "/api/account/sign-out", nil, nil)
	b.csrf = ""
}

// addPasskey adds auth's credential in Security settings, as the page
// does, and returns the registration options the server sent.
func (e *pksEnv) addPasskey(t testing.TB, b *pksBrowser, a pksAccount, auth *passkeytest.Authenticator) json.RawMessage {
	t.Helper()
	e.must(t, http.StatusOK, b, "POST", "/api/security/confirm", map[string]string{"password": a.password}, nil)
	var begin struct {
		Ceremony  string
		PublicKey json.RawMessage
	}
	e.must(t, http.StatusOK, b, "POST", "/api/security/passkeys/begin", map[string]string{"name": "Phone"}, &begin)
	cred := auth.Create(t, begin.PublicKey, pksOrigin)
	var fin struct{ Passkey session.Method }
	e.must(t, http.StatusOK, b, "POST", "/api/security/passkeys/finish", map[string]any{"ceremony": begin.Ceremony, "credential": json.RawMessage(cred)}, &fin)
	if fin.Passkey.Kind != "passkey" || fin.Passkey.ID != base64.RawURLEncoding.EncodeToString(auth.ID) {
		t.Fatalf("added %+v", fin.Passkey)
	}
	return begin.PublicKey
}

// passkeySignIn runs begin, the authenticator, and finish; it returns the
// finish answer and the body posted (to replay).
func (e *pksEnv) passkeySignIn(t testing.TB, b *pksBrowser, auth *passkeytest.Authenticator) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	var begin struct {
		CeremonyID string
		PublicKey  json.RawMessage
	}
	e.must(t, http.StatusOK, b, "POST", "/api/account/sign-in/passkey/begin", map[string]any{}, &begin)
	body := map[string]any{"ceremonyId": begin.CeremonyID, "credential": json.RawMessage(auth.Get(t, begin.PublicKey, pksOrigin))}
	w := e.do(t, b, "POST", "/api/account/sign-in/passkey/finish", body)
	if w.Code == http.StatusOK {
		var out struct{ CSRF string }
		json.Unmarshal(w.Body.Bytes(), &out) //nolint:errcheck // checked by the caller
		b.csrf = out.CSRF
	}
	return w, body
}

// setUp makes an account that has added a resident passkey over HTTP and
// signed out.
func (e *pksEnv) setUp(t testing.TB, email, remote string) (pksAccount, *passkeytest.Authenticator, json.RawMessage) {
	t.Helper()
	a := e.account(t, email)
	b := pksBrowserAt(remote)
	e.signInPassword(t, b, a)
	auth := passkeytest.New(t, passkeytest.Resident())
	opts := e.addPasskey(t, b, a, auth)
	e.signOut(t, b)
	return a, auth, opts
}

func TestAccountPasskeySignIn(t *testing.T) {
	e := newPKSEnv(t)
	a, auth, regOpts := e.setUp(t, "ada@example.org", "203.0.113.10")

	// Registration asked for a discoverable credential with the account's
	// user handle and the one account PRF input.
	var ro struct {
		User                   struct{ ID string }
		AuthenticatorSelection struct{ ResidentKey, UserVerification string }
		Extensions             struct {
			PRF struct{ Eval struct{ First string } }
		}
	}
	if err := json.Unmarshal(regOpts, &ro); err != nil {
		t.Fatal(err)
	}
	idBytes, _ := hex.DecodeString(a.id)
	if ro.User.ID != base64.RawURLEncoding.EncodeToString(idBytes) || len(idBytes) != 16 ||
		ro.AuthenticatorSelection.ResidentKey != "required" || ro.AuthenticatorSelection.UserVerification != "required" ||
		ro.Extensions.PRF.Eval.First != base64.RawURLEncoding.EncodeToString(passkey.AccountPRFInput()) {
		t.Fatalf("registration options: %s", regOpts)
	}

	b := pksBrowserAt("203.0.113.10")
	if w := e.do(t, b, "GET", "/api/account", nil); w.Code != http.StatusUnauthorized {
		t.Fatalf("signed out: %d", w.Code)
	}
	w, body := e.passkeySignIn(t, b, auth)
	if w.Code != http.StatusOK || b.csrf == "" || len(b.cookies) == 0 {
		t.Fatalf("passkey sign-in: %d %s", w.Code, w.Body)
	}
	var acct struct {
		Email    string
		Passkeys int
	}
	e.must(t, http.StatusOK, b, "GET", "/api/account", nil, &acct)
	if acct.Email != a.email || acct.Passkeys != 1 {
		t.Fatalf("account %+v", acct)
	}
	e.must(t, http.StatusOK, b, "GET", "/api/summary", nil, nil)
	var hist struct{ SignIns []struct{ Outcome string } }
	e.must(t, http.StatusOK, b, "GET", "/api/account/sessions", nil, &hist)
	if len(hist.SignIns) == 0 || hist.SignIns[0].Outcome != "passkey" {
		t.Fatalf("sign-ins %+v", hist.SignIns)
	}

	// The same assertion again, from another browser: the ceremony is
	// used up. And under a fresh ceremony: the challenge differs.
	other := pksBrowserAt("198.51.100.20")
	if w := e.do(t, other, "POST", "/api/account/sign-in/passkey/finish", body); w.Code != http.StatusUnauthorized || pksCode(w) != "wrong_passkey" || len(other.cookies) != 0 {
		t.Fatalf("replay: %d %s", w.Code, w.Body)
	}
	var begin struct{ CeremonyID string }
	e.must(t, http.StatusOK, other, "POST", "/api/account/sign-in/passkey/begin", map[string]any{}, &begin)
	body["ceremonyId"] = begin.CeremonyID
	if w := e.do(t, other, "POST", "/api/account/sign-in/passkey/finish", body); w.Code != http.StatusUnauthorized || pksCode(w) != "wrong_passkey" {
		t.Fatalf("replay on a new ceremony: %d %s", w.Code, w.Body)
	}
}

func TestAccountPasskeyWrongAccount(t *testing.T) {
	e := newPKSEnv(t)
	a, authA, _ := e.setUp(t, "ada@example.org", "203.0.113.10")
	bAcct, authB, _ := e.setUp(t, "bob@example.org", "203.0.113.11")
	idA, _ := hex.DecodeString(a.id)
	idB, _ := hex.DecodeString(bAcct.id)
	for _, tc := range []struct {
		name   string
		auth   *passkeytest.Authenticator
		handle []byte
	}{
		{"unknown user handle", authA, bytes.Repeat([]byte{0x42}, 16)},
		{"user handle not an account id", authA, []byte("someone")},
		{"B's passkey naming A", authB, idA},
		{"A's passkey naming B", authA, idB},
	} {
		br := pksBrowserAt("198.51.100.30")
		saved := tc.auth.UserHandle
		tc.auth.UserHandle = tc.handle
		w, _ := e.passkeySignIn(t, br, tc.auth)
		tc.auth.UserHandle = saved
		if w.Code != http.StatusUnauthorized || pksCode(w) != "wrong_passkey" || len(br.cookies) != 0 {
			t.Fatalf("%s: %d %s", tc.name, w.Code, w.Body)
		}
	}
	// No user handle at all (not a discoverable credential), and a body
	// that is not an assertion.
	br := pksBrowserAt("198.51.100.31")
	authA.Resident = false
	if w, _ := e.passkeySignIn(t, br, authA); w.Code != http.StatusUnauthorized || pksCode(w) != "wrong_passkey" {
		t.Fatalf("no user handle: %d %s", w.Code, w.Body)
	}
	authA.Resident = true
	var begin struct{ CeremonyID string }
	e.must(t, http.StatusOK, br, "POST", "/api/account/sign-in/passkey/begin", map[string]any{}, &begin)
	if w := e.do(t, br, "POST", "/api/account/sign-in/passkey/finish", map[string]any{"ceremonyId": begin.CeremonyID, "credential": map[string]any{"id": "x"}}); w.Code != http.StatusUnauthorized || pksCode(w) != "wrong_passkey" {
		t.Fatalf("junk: %d %s", w.Code, w.Body)
	}
	// Each passkey still signs in as its own account.
	for _, c := range []struct {
		auth  *passkeytest.Authenticator
		email string
	}{{authA, a.email}, {authB, bAcct.email}} {
		br := pksBrowserAt("203.0.113.12")
		if w, _ := e.passkeySignIn(t, br, c.auth); w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", c.email, w.Code, w.Body)
		}
		var acct struct{ Email string }
		e.must(t, http.StatusOK, br, "GET", "/api/account", nil, &acct)
		if acct.Email != c.email {
			t.Fatalf("signed in as %s, want %s", acct.Email, c.email)
		}
	}
}

// 100 wrong passwords, half from the owner's own address (a shared
// network), make the password wait but not the passkey.
func TestAccountPasskeyAfterPasswordFlood(t *testing.T) {
	e := newPKSEnv(t)
	const owner = "203.0.113.10"
	a, auth, _ := e.setUp(t, "ada@example.org", owner)
	limited := 0
	for i := range 100 {
		from := fmt.Sprintf("192.0.2.%d", i%50+1)
		if i < 10 || i%2 == 0 {
			from = owner
		}
		w := e.do(t, pksBrowserAt(from), "POST", "/api/account/sign-in", map[string]string{"email": a.email, "password": "not the password at all"})
		switch {
		case w.Code == http.StatusTooManyRequests:
			limited++
		case w.Code != http.StatusUnauthorized:
			t.Fatalf("try %d: %d %s", i, w.Code, w.Body)
		}
	}
	if limited < 90 {
		t.Fatalf("only %d of 100 wrong passwords were made to wait", limited)
	}
	b := pksBrowserAt(owner)
	if w := e.do(t, b, "POST", "/api/account/sign-in", map[string]string{"email": a.email, "password": a.password}); w.Code != http.StatusTooManyRequests {
		t.Fatalf("the password is not waiting: %d", w.Code)
	}
	if w, _ := e.passkeySignIn(t, b, auth); w.Code != http.StatusOK {
		t.Fatalf("passkey after the flood: %d %s", w.Code, w.Body)
	}
	e.must(t, http.StatusOK, b, "GET", "/api/summary", nil, nil)
}

// Failed passkey tries from an address make it wait (429, Retry-After)
// before it is shown another challenge.
func TestAccountPasskeyThrottled(t *testing.T) {
	e := newPKSEnv(t)
	_, auth, _ := e.setUp(t, "ada@example.org", "203.0.113.10")
	b := pksBrowserAt("198.51.100.40")
	auth.UserHandle = bytes.Repeat([]byte{1}, 16)
	for i := range 5 { // the free tries (accounts.Delay)
		if w, _ := e.passkeySignIn(t, b, auth); w.Code != http.StatusUnauthorized {
			t.Fatalf("try %d: %d %s", i, w.Code, w.Body)
		}
	}
	w := e.do(t, b, "POST", "/api/account/sign-in/passkey/begin", map[string]any{})
	var out struct {
		Error struct{ RetryAfterSeconds int }
	}
	json.Unmarshal(w.Body.Bytes(), &out) //nolint:errcheck
	if w.Code != http.StatusTooManyRequests || pksCode(w) != "too_many_tries" || w.Header().Get("Retry-After") == "" || out.Error.RetryAfterSeconds <= 0 ||
		!strings.Contains(w.Body.String(), "face or fingerprint") {
		t.Fatalf("begin after 5 failures: %d %s", w.Code, w.Body)
	}
}

func TestAccountPasskeyBodyLimit(t *testing.T) {
	e := newPKSEnv(t)
	b := pksBrowserAt("198.51.100.50")
	big := []byte(`{"ceremonyId":"x","credential":"` + strings.Repeat("a", passkey.MaxBody) + `"}`)
	if w := e.do(t, b, "POST", "/api/account/sign-in/passkey/finish", big); w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w := e.do(t, b, "POST", "/api/account/sign-in/passkey/begin", nil); w.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("begin without a body: %d", w.Code)
	}
}

// BenchmarkAccountPasskeySignIn is one whole passkey sign-in over HTTP:
// begin, the software authenticator's answer, finish (assertion, vault
// unlock through the PRF slot, session). Signing out after each is not
// timed.
func BenchmarkAccountPasskeySignIn(b *testing.B) {
	e := newPKSEnv(b)
	_, auth, _ := e.setUp(b, "ada@example.org", "203.0.113.10")
	b.ReportAllocs()
	for b.Loop() {
		br := pksBrowserAt("203.0.113.10")
		if w, _ := e.passkeySignIn(b, br, auth); w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
		b.StopTimer()
		e.signOut(b, br)
		b.StartTimer()
	}
}
