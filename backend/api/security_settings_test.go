package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// callHost is call with the Host the page was opened at.
func callHost(t *testing.T, h http.Handler, host, method, path, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Host = host
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestSecuritySettingsAPI(t *testing.T) {
	h, recovery := lockedVault(t, time.Hour)
	if r := call(t, h, "GET", "/api/security", "", ""); r.code != http.StatusUnauthorized || errCode(r) != "locked" {
		t.Fatalf("settings without a token: %d %v", r.code, r.body)
	}
	// No passkey yet: the unlock page's button has nothing to start.
	if w := callHost(t, h, "localhost:8080", "POST", "/api/vault/passkey/begin", "", "{}"); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "no_passkey") {
		t.Fatalf("begin with no passkey: %d %s", w.Code, w.Body)
	}
	// An IP address is no RP ID: the page says to use localhost.
	if w := callHost(t, h, "127.0.0.1:8080", "POST", "/api/vault/passkey/begin", "", "{}"); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "use_localhost") {
		t.Fatalf("begin at an IP: %d %s", w.Code, w.Body)
	}
	r := call(t, h, "POST", "/api/vault/unlock", "", `{"password":"correct horse"}`)
	tok, _ := r.body["token"].(string)
	if tok == "" {
		t.Fatalf("unlock: %v", r.body)
	}
	r = call(t, h, "GET", "/api/security", tok, "")
	if r.code != http.StatusOK || r.body["freshUntil"] == "" {
		t.Fatalf("settings: %d %v", r.code, r.body)
	}
	methods, _ := r.body["methods"].([]any)
	if len(methods) != 2 {
		t.Fatalf("methods = %v; want the password and the recovery key", methods)
	}
	// The password is the only way in besides the recovery key.
	if r := call(t, h, "DELETE", "/api/security/password", tok, ""); r.code != http.StatusConflict || errCode(r) != "last_way_in" {
		t.Fatalf("removing the only password: %d %v", r.code, r.body)
	}
	if r := call(t, h, "POST", "/api/security/auto-lock", tok, `{"minutes":500}`); r.code != http.StatusBadRequest || errCode(r) != "bad_auto_lock" {
		t.Fatalf("auto-lock 500: %d %v", r.code, r.body)
	}
	if r := call(t, h, "POST", "/api/security/auto-lock", tok, `{"minutes":30}`); r.code != http.StatusOK {
		t.Fatalf("auto-lock 30: %d %v", r.code, r.body)
	}
	if r := call(t, h, "GET", "/api/vault", tok, ""); r.body["autoLockMinutes"] != float64(30) || r.body["passkeys"] != float64(0) {
		t.Fatalf("vault after auto-lock 30: %v", r.body)
	}
	// A new recovery key: shown once; the old one stops working.
	r = call(t, h, "POST", "/api/security/recovery-key", tok, "")
	fresh, _ := r.body["recoveryKey"].(string)
	if r.code != http.StatusOK || fresh == "" || fresh == recovery {
		t.Fatalf("new recovery key: %d %v", r.code, r.body)
	}
	if r := call(t, h, "POST", "/api/security/password", tok, `{"password":"short"}`); r.code != http.StatusBadRequest || errCode(r) != "short_password" {
		t.Fatalf("short password: %d %v", r.code, r.body)
	}
	if r := call(t, h, "POST", "/api/security/password", tok, `{"password":"a new long password"}`); r.code != http.StatusOK {
		t.Fatalf("new password: %d %v", r.code, r.body)
	}
	// A passkey registration starts (its ceremony is tested with a real
	// browser and authenticator in e2e/passkey.spec.ts).
	w := callHost(t, h, "localhost:8080", "POST", "/api/security/passkeys/begin", tok, `{"name":"This laptop"}`)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"prf"`) || !strings.Contains(w.Body.String(), `"userVerification":"required"`) {
		t.Fatalf("passkey begin: %d %s", w.Code, w.Body)
	}
	if w := callHost(t, h, "localhost:8080", "POST", "/api/security/passkeys/finish", tok, `{"ceremony":"nope","credential":{}}`); w.Code != http.StatusGone {
		t.Fatalf("finish an unknown ceremony: %d %s", w.Code, w.Body)
	}
	call(t, h, "POST", "/api/vault/lock", tok, "")
	if r := call(t, h, "POST", "/api/vault/unlock", "", `{"recoveryKey":"`+recovery+`"}`); r.code != http.StatusUnauthorized {
		t.Fatalf("the old recovery key after a new one: %d %v", r.code, r.body)
	}
	if r := call(t, h, "POST", "/api/vault/unlock", "", `{"recoveryKey":"`+fresh+`"}`); r.code != http.StatusOK {
		t.Fatalf("the new recovery key: %d %v", r.code, r.body)
	}
	if r := call(t, h, "POST", "/api/vault/unlock", "", `{"password":"a new long password"}`); r.code != http.StatusOK {
		t.Fatalf("the new password: %d %v", r.code, r.body)
	}
}

func TestPasskeyFinishRefusesJunk(t *testing.T) {
	h, _ := lockedVault(t, time.Hour)
	for _, body := range []string{
		`{"ceremony":"x","credential":"not an object"}`,
		`{"ceremony":1}`,
		`{"ceremony":"x","credential":{"id":"AAAA","response":{"clientDataJSON":"` + strings.Repeat("A", 20000) + `"}}}`,
		`[]`,
	} {
		w := callHost(t, h, "localhost:8080", "POST", "/api/vault/passkey/finish", "", body)
		if w.Code < 400 || w.Code >= 500 {
			t.Errorf("finish %.60s…: %d %s; want a 4xx", body, w.Code, w.Body)
		}
	}
}
