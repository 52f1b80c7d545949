package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

const rightPassword = "correct horse"

// vaultWith makes a real vault whose password slot uses params, and opens
// it in a Manager, locked. It returns the Manager and the recovery key.
func vaultWith(t *testing.T, params vault.Argon2Params, idle time.Duration) (*session.Manager, string) {
	t.Helper()
	dir := t.TempDir()
	pw, err := vault.NewPasswordWithParams([]byte(rightPassword), params)
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
	return m, display
}

var cheapKDF = vault.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

// callFrom is call from a client at addr (host:port), with extra headers
// given as name, value pairs.
func callFrom(t *testing.T, h http.Handler, addr, method, path, token, body string, header ...string) reply {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.RemoteAddr = addr
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
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

// A client that sends a guess and hangs up (half-closing its side and
// still reading the answer, or dropping the connection) while the key
// derivation runs cancels its request's context. The guess must be counted
// all the same, so the wait after five wrong guesses still comes.
func TestUnlockGuessesCountedWhenTheClientHangsUp(t *testing.T) {
	halfClose := func(c net.Conn) { c.(*net.TCPConn).CloseWrite() }
	abort := func(c net.Conn) { c.Close() }
	for _, tt := range []struct {
		name   string
		hangUp func(net.Conn)
		read   bool // read the answer after hanging up
		open   bool // the owner has the record open meanwhile
	}{
		{"half-closed, answer read, record locked", halfClose, true, false},
		{"half-closed, answer read, record open to its owner", halfClose, true, true},
		{"dropped, record locked", abort, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// A key derivation of some milliseconds, like the real one's
			// hundreds: long enough for the hang-up to land during it.
			m, _ := vaultWith(t, vault.Argon2Params{Memory: 8 << 10, Time: 2, Threads: 1}, time.Minute)
			if tt.open {
				if _, err := m.Unlock(context.Background(), session.Secret{Password: []byte(rightPassword)}); err != nil {
					t.Fatal(err)
				}
			}
			h := New(Options{Vault: m})
			done := make(chan struct{}, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer func() { done <- struct{}{} }()
				h.ServeHTTP(w, r)
			}))
			defer srv.Close()
			var answers []int
			for i := range 8 {
				conn, err := net.Dial("tcp", srv.Listener.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				body := fmt.Sprintf(`{"password":"guess %d"}`, i)
				fmt.Fprintf(conn, "POST /api/vault/unlock HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
					srv.Listener.Addr(), len(body), body)
				tt.hangUp(conn)
				if tt.read {
					res, err := http.ReadResponse(bufio.NewReader(conn), nil)
					if err != nil {
						t.Fatalf("guess %d: no answer after half-closing: %v", i, err)
					}
					res.Body.Close()
					answers = append(answers, res.StatusCode)
				}
				select {
				case <-done: // the handler is finished with this guess
				case <-time.After(30 * time.Second):
					t.Fatal("the unlock handler did not finish")
				}
				conn.Close()
			}
			for i, code := range answers {
				if want := map[bool]int{true: 401, false: 429}[i < 5]; code != want {
					t.Errorf("half-closed guess %d answered %d, want %d (answers %v)", i+1, code, want, answers)
				}
			}
			res, err := http.Post(srv.URL+"/api/vault/unlock", "application/json", strings.NewReader(`{"password":"one more"}`))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("after 8 guesses whose clients hung up, the next answered %d, want 429: the guesses were not counted", res.StatusCode)
			}
		})
	}
}

// A stranger's wrong guesses slow the stranger down, not the owner on
// another address: forged X-Forwarded-For headers and addresses in one
// IPv6 /64 count as the one client they are.
func TestOneStrangerCannotLockOutTheOwner(t *testing.T) {
	for _, tt := range []struct {
		name, owner string
		stranger    func(i int) (addr string, header []string)
	}{
		{"one address", "203.0.113.9:4444", func(i int) (string, []string) { return "198.51.100.7:5555", nil }},
		{"forged X-Forwarded-For", "203.0.113.9:4444", func(i int) (string, []string) {
			return "198.51.100.7:5555", []string{"X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i)}
		}},
		{"addresses in one IPv6 /64", "[2001:db8:2::9]:4444", func(i int) (string, []string) {
			return fmt.Sprintf("[2001:db8:1::%x]:5555", i+1), nil
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, recovery := vaultWith(t, cheapKDF, time.Minute)
			h := New(Options{Vault: m})
			for i := range 9 {
				addr, hd := tt.stranger(i)
				r := callFrom(t, h, addr, "POST", "/api/vault/unlock", "", `{"password":"guess"}`, hd...)
				if want := map[bool]int{true: 401, false: 429}[i < 5]; r.code != want {
					t.Fatalf("stranger's guess %d = %d %v, want %d", i+1, r.code, r.body, want)
				}
			}
			r := callFrom(t, h, tt.owner, "POST", "/api/vault/unlock", "", `{"password":"`+rightPassword+`"}`)
			if r.code != 200 {
				t.Fatalf("the owner's password after a stranger's guesses = %d %v", r.code, r.body)
			}
			m.Lock()
			if r := callFrom(t, h, tt.owner, "POST", "/api/vault/unlock", "", `{"recoveryKey":"`+recovery+`"}`); r.code != 200 {
				t.Fatalf("the owner's recovery key after a stranger's guesses = %d %v", r.code, r.body)
			}
		})
	}
}

// Guesses from many addresses add up: past the far higher limit for all
// clients together, everyone waits.
func TestManyStrangersSlowEveryone(t *testing.T) {
	m, _ := vaultWith(t, cheapKDF, time.Minute)
	h := New(Options{Vault: m})
	for i := range 100 {
		addr := fmt.Sprintf("198.51.%d.%d:5555", 100+i/200, 1+i%200)
		if r := callFrom(t, h, addr, "POST", "/api/vault/unlock", "", `{"password":"guess"}`); r.code != 401 {
			t.Fatalf("guess %d, from its own address = %d %v, want 401", i+1, r.code, r.body)
		}
	}
	r := callFrom(t, h, "203.0.113.9:4444", "POST", "/api/vault/unlock", "", `{"password":"`+rightPassword+`"}`)
	if r.code != http.StatusTooManyRequests || r.retry == "" || !strings.Contains(errMessage(r), "Wait") {
		t.Fatalf("after 100 wrong guesses from 100 addresses = %d %v", r.code, r.body)
	}
}

func TestLockNeedsASessionToken(t *testing.T) {
	m, _ := vaultWith(t, cheapKDF, time.Minute)
	h := New(Options{Vault: m})
	r := call(t, h, "POST", "/api/vault/unlock", "", `{"password":"`+rightPassword+`"}`)
	tok, _ := r.body["token"].(string)
	for _, stranger := range []string{"", "not-a-token", tok + "x"} {
		if r := call(t, h, "POST", "/api/vault/lock", stranger, ""); r.code != http.StatusUnauthorized {
			t.Fatalf("lock with token %q = %d, want 401", stranger, r.code)
		}
		if r := call(t, h, "GET", "/api/summary", tok, ""); r.code != 200 {
			t.Fatalf("after a stranger's lock, the owner's record = %d", r.code)
		}
	}
	if r := call(t, h, "POST", "/api/vault/lock", tok, ""); r.code != http.StatusNoContent {
		t.Fatalf("lock with the token = %d", r.code)
	}
	if r := call(t, h, "GET", "/api/vault", tok, ""); r.body["state"] != "locked" {
		t.Fatalf("after lock: %v", r.body)
	}
}

// Whether the record is locked, or open to someone else, a request without
// a valid token gets the very same answer, so a stranger cannot tell when
// the owner is signed in.
func TestNoValidTokenGetsOneAnswer(t *testing.T) {
	m, _ := vaultWith(t, cheapKDF, time.Minute)
	h := New(Options{Vault: m})
	answer := func(token string) string {
		r := httptest.NewRequest("GET", "/api/summary", nil)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return fmt.Sprintf("%d %s", w.Code, bytes.TrimSpace(w.Body.Bytes()))
	}
	locked := answer("")
	if !strings.HasPrefix(locked, "401 ") {
		t.Fatalf("locked, no token: %s", locked)
	}
	r := call(t, h, "POST", "/api/vault/unlock", "", `{"password":"`+rightPassword+`"}`)
	tok, _ := r.body["token"].(string)
	for name, got := range map[string]string{
		"locked, a made-up token":      answer("made-up"),
		"open to another, no token":    answer(""),
		"open to another, a bad token": answer(tok + "x"),
	} {
		if got != locked {
			t.Errorf("%s: %s, want the locked answer %s", name, got, locked)
		}
	}
	call(t, h, "POST", "/api/vault/lock", tok, "")
	if got := answer(tok); got != locked {
		t.Errorf("locked, the old token: %s, want %s", got, locked)
	}
}

// Unlocks, lockouts, locks and imports are logged at Info with the client's
// address and the outcome, and never with a secret, a token, a file's name
// or a query string.
func TestSecurityLog(t *testing.T) {
	var buf bytes.Buffer
	m, recovery := vaultWith(t, cheapKDF, time.Minute)
	h := New(Options{Vault: m, Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	owner, stranger := "203.0.113.9:4444", "198.51.100.7:5555"

	callFrom(t, h, owner, "POST", "/api/vault/unlock", "", `{"password":"my typo password"}`)
	r := callFrom(t, h, owner, "POST", "/api/vault/unlock", "", `{"password":"`+rightPassword+`"}`)
	tok, _ := r.body["token"].(string)
	if tok == "" {
		t.Fatalf("unlock: %d %v", r.code, r.body)
	}
	body := demoBundle(t, 3)
	q := httptest.NewRequest("POST", "/api/imports?name=Jane+Doe+discharge+letter.json&source=Secret+Clinic&id=log-test-1", bytes.NewReader(body))
	q.RemoteAddr = owner
	q.Header.Set("Content-Type", "application/fhir+json")
	q.Header.Set("Authorization", "Bearer "+tok)
	h.ServeHTTP(httptest.NewRecorder(), q)
	callFrom(t, h, stranger, "POST", "/api/vault/lock", "", "")
	callFrom(t, h, owner, "POST", "/api/vault/lock", tok, "")
	callFrom(t, h, owner, "POST", "/api/vault/unlock", "", `{"recoveryKey":"`+recovery+`"}`)
	for range 6 {
		callFrom(t, h, stranger, "POST", "/api/vault/unlock", "", `{"password":"stranger's guess"}`)
	}

	log := buf.String()
	for _, want := range [][]string{
		{"msg=unlock", "client=203.0.113.9", "outcome=wrong_password"},
		{"msg=unlock", "client=198.51.100.7", "outcome=throttled"},
		{"msg=lock", "client=198.51.100.7", "outcome=refused"},
		{"msg=unlock", "client=203.0.113.9", "outcome=ok"},
		{"msg=import", "client=203.0.113.9", "outcome=done", fmt.Sprintf("bytes=%d", len(body))},
		{"msg=lock", "client=203.0.113.9", "outcome=locked"},
		{"msg=unlock", "client=203.0.113.9", "outcome=ok", "with=recovery_key"},
	} {
		if !hasLine(log, want...) {
			t.Errorf("no log line with %v in:\n%s", want, log)
		}
	}
	for _, secret := range []string{rightPassword, "my typo password", "guess", recovery, recovery[:5], tok, tok[:12],
		"Jane", "discharge", "Secret Clinic", "Secret+Clinic", "log-test-1", "?"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q:\n%s", secret, log)
		}
	}
}

func hasLine(log string, parts ...string) bool {
	for _, line := range strings.Split(log, "\n") {
		found := true
		for _, p := range parts {
			found = found && strings.Contains(line, p)
		}
		if found && strings.Contains(line, "level=INFO") {
			return true
		}
	}
	return false
}
