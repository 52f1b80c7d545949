package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// lockedVault makes a real vault with a password and a recovery key, holding
// a few demo records, and returns a handler on it and the recovery key.
func lockedVault(t *testing.T, idle time.Duration) (http.Handler, string) {
	t.Helper()
	dir := t.TempDir()
	pw, err := vault.NewPasswordWithParams([]byte("correct horse"), vault.Argon2Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	rk, display := vault.NewRecoveryKey()
	db, keys, err := store.Create(dir, pw, rk)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	keys.Destroy()
	m, err := session.Open(dir, idle)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return New(Options{Vault: m}), display
}

type reply struct {
	code  int
	body  map[string]any
	retry string
}

func call(t *testing.T, h http.Handler, method, path, token, body string) reply {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	out := reply{code: w.Code, body: map[string]any{}, retry: w.Header().Get("Retry-After")}
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &out.body); err != nil {
			t.Fatalf("%s %s: body is not JSON: %s", method, path, w.Body)
		}
	}
	return out
}

func errCode(r reply) string {
	e, _ := r.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func errMessage(r reply) string {
	e, _ := r.body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func TestLockedVault(t *testing.T) {
	h, recovery := lockedVault(t, time.Minute)

	if r := call(t, h, "GET", "/api/vault", "", ""); r.body["state"] != "locked" || r.body["demo"] != false {
		t.Fatalf("status = %v", r.body)
	}
	for _, path := range []string{"/api/summary", "/api/results", "/api/results/x"} {
		if r := call(t, h, "GET", path, "", ""); r.code != http.StatusUnauthorized || errCode(r) != "locked" {
			t.Fatalf("GET %s while locked = %d %v", path, r.code, r.body)
		}
	}

	r := call(t, h, "POST", "/api/vault/unlock", "", `{"password":"wrong horse"}`)
	if r.code != http.StatusUnauthorized || errMessage(r) != "That password is not right." {
		t.Fatalf("wrong password = %d %v", r.code, r.body)
	}
	if r := call(t, h, "POST", "/api/vault/unlock", "", `{"password":""}`); r.code != http.StatusBadRequest {
		t.Fatalf("empty password = %d", r.code)
	}
	if r := call(t, h, "POST", "/api/vault/unlock", "", `not json`); r.code != http.StatusBadRequest {
		t.Fatalf("not JSON = %d", r.code)
	}

	r = call(t, h, "POST", "/api/vault/unlock", "", `{"password":"correct horse"}`)
	tok, _ := r.body["token"].(string)
	if r.code != 200 || len(tok) < 40 {
		t.Fatalf("unlock = %d %v", r.code, r.body)
	}
	if r := call(t, h, "GET", "/api/summary", tok, ""); r.code != 200 {
		t.Fatalf("summary with token = %d %v", r.code, r.body)
	}
	if r := call(t, h, "GET", "/api/vault", tok, ""); r.body["state"] != "unlocked" {
		t.Fatalf("status with token = %v", r.body)
	}
	// Another browser without the token sees it locked and gets nothing.
	if r := call(t, h, "GET", "/api/summary", "", ""); r.code != http.StatusUnauthorized {
		t.Fatalf("summary without token while unlocked = %d", r.code)
	}
	if r := call(t, h, "GET", "/api/summary", tok+"x", ""); r.code != http.StatusUnauthorized {
		t.Fatalf("summary with a wrong token = %d", r.code)
	}
	if r := call(t, h, "GET", "/api/vault", "", ""); r.body["state"] != "locked" {
		t.Fatalf("status without token = %v", r.body)
	}

	if r := call(t, h, "POST", "/api/vault/lock", tok, ""); r.code != http.StatusNoContent {
		t.Fatalf("lock = %d", r.code)
	}
	if r := call(t, h, "GET", "/api/summary", tok, ""); r.code != http.StatusUnauthorized {
		t.Fatalf("summary after lock = %d", r.code)
	}

	// Recovery key: a typo is caught before any key work, the right key opens.
	typo := []byte(recovery)
	typo[3] = map[bool]byte{true: 'B', false: 'A'}[typo[3] == 'A']
	if r := call(t, h, "POST", "/api/vault/unlock", "", `{"recoveryKey":"`+string(typo)+`"}`); r.code != http.StatusBadRequest || errCode(r) != "recovery_key_typo" {
		t.Fatalf("recovery key typo = %d %v", r.code, r.body)
	}
	if r := call(t, h, "POST", "/api/vault/unlock", "", `{"recoveryKey":"`+strings.ToLower(recovery)+`"}`); r.code != 200 {
		t.Fatalf("recovery key = %d %v", r.code, r.body)
	}
}

func TestWrongPasswordsSlowDown(t *testing.T) {
	h, _ := lockedVault(t, time.Minute)
	var last reply
	for i := 0; i < 6; i++ {
		last = call(t, h, "POST", "/api/vault/unlock", "", `{"password":"guess"}`)
	}
	if last.code != http.StatusTooManyRequests || last.retry == "" || !strings.Contains(errMessage(last), "Wait") {
		t.Fatalf("sixth wrong password = %d %v (Retry-After %q)", last.code, last.body, last.retry)
	}
	// Even the right password waits now.
	if r := call(t, h, "POST", "/api/vault/unlock", "", `{"password":"correct horse"}`); r.code != http.StatusTooManyRequests {
		t.Fatalf("right password during the wait = %d", r.code)
	}
}

func TestAutoLock(t *testing.T) {
	h, _ := lockedVault(t, 50*time.Millisecond)
	r := call(t, h, "POST", "/api/vault/unlock", "", `{"password":"correct horse"}`)
	tok, _ := r.body["token"].(string)
	if r := call(t, h, "GET", "/api/results", tok, ""); r.code != 200 {
		t.Fatalf("results = %d", r.code)
	}
	deadline := time.Now().Add(5 * time.Second)
	for call(t, h, "GET", "/api/vault", tok, "").body["state"] != "locked" {
		if time.Now().After(deadline) {
			t.Fatal("the vault did not lock itself when idle")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := call(t, h, "GET", "/api/results", tok, ""); r.code != http.StatusUnauthorized {
		t.Fatalf("results after auto-lock = %d", r.code)
	}
}

func TestNoVaultYet(t *testing.T) {
	h := New(Options{Vault: emptyVault(t)})
	if r := call(t, h, "GET", "/api/vault", "", ""); r.body["state"] != "none" {
		t.Fatalf("status = %v", r.body)
	}
	if r := call(t, h, "POST", "/api/vault/unlock", "", `{"password":"x"}`); r.code != http.StatusConflict {
		t.Fatalf("unlock with no vault = %d", r.code)
	}
}

func TestCreateVault(t *testing.T) {
	if r := call(t, New(Options{Vault: emptyVault(t)}), "POST", "/api/vault/create", "", `{"password":"a good long password"}`); r.code != http.StatusForbidden {
		t.Fatalf("create on a server that does not allow set-up = %d", r.code)
	}
	h := New(Options{Vault: emptyVault(t), AllowSetup: true})
	if r := call(t, h, "POST", "/api/vault/create", "", `{"password":"short"}`); r.code != http.StatusBadRequest || errCode(r) != "short_password" {
		t.Fatalf("short password = %d %v", r.code, r.body)
	}
	r := call(t, h, "POST", "/api/vault/create", "", `{"password":"a good long password"}`)
	tok, _ := r.body["token"].(string)
	recovery, _ := r.body["recoveryKey"].(string)
	if r.code != 200 || tok == "" || len(recovery) != 41 {
		t.Fatalf("create = %d %v", r.code, r.body)
	}
	if r := call(t, h, "GET", "/api/vault", tok, ""); r.body["state"] != "unlocked" {
		t.Fatalf("status after create = %v", r.body)
	}
	if r := call(t, h, "GET", "/api/summary", tok, ""); r.code != 200 {
		t.Fatalf("summary after create = %d", r.code)
	}
	if r := call(t, h, "POST", "/api/vault/create", "", `{"password":"another long password"}`); r.code != http.StatusConflict {
		t.Fatalf("second create = %d", r.code)
	}
	call(t, h, "POST", "/api/vault/lock", tok, "")
	if r := call(t, h, "POST", "/api/vault/unlock", "", `{"recoveryKey":"`+recovery+`"}`); r.code != 200 {
		t.Fatalf("unlock with the recovery key shown at set-up = %d %v", r.code, r.body)
	}
}
