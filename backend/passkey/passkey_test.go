package passkey

import (
	"bytes"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	testRP   = RP{ID: "localhost", Origin: "http://localhost:8123"}
	testUser = []byte("0123456789abcdef0123456789abcdef")
)

// clock is an injectable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newService(t testing.TB) (*Service, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s, err := New(Config{Name: "Ward", Now: c.now, UserID: testUser})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// register adds a's credential with a full ceremony, following up with an
// assertion when the authenticator asks for one.
func register(t testing.TB, s *Service, a *softAuth) (Credential, []byte) {
	t.Helper()
	id, opts, err := s.BeginRegistration(testRP, "patient", nil)
	if err != nil {
		t.Fatal(err)
	}
	cred, out, err := s.FinishRegistration(id, a.create(t, opts, testRP.Origin))
	if errors.Is(err, ErrNeedAssertion) {
		id, opts, err = s.FollowUp(testRP, cred)
		if err != nil {
			t.Fatal(err)
		}
		cred, out, err = s.FinishLogin(id, a.get(t, opts, testRP.Origin), []Credential{cred})
	}
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return cred, out
}

func TestRegisterLoginRoundTrip(t *testing.T) {
	for _, mode := range []prfMode{prfAtCreate, prfEnabledOnly} {
		s, _ := newService(t)
		a := newSoftAuth(t)
		cred, regOut := register(t, s, a)
		if len(regOut) != PRFSize || len(cred.Salt) != SaltSize || !cred.UserVerified {
			t.Fatalf("mode %d: output %d bytes, salt %d bytes", mode, len(regOut), len(cred.Salt))
		}
		if !bytes.Equal(regOut, a.evalPRF(cred.Salt)) {
			t.Fatalf("mode %d: registration PRF output is not the authenticator's", mode)
		}
		if !bytes.Equal(cred.ID, a.id) || len(cred.PublicKey) == 0 || !bytes.Equal(cred.AAGUID, a.aaguid) ||
			strings.Join(cred.Transports, ",") != "hybrid,internal" {
			t.Fatalf("mode %d: credential %+v", mode, cred)
		}
		for i := range 3 {
			id, opts, err := s.BeginLogin(testRP, []Credential{cred})
			if err != nil {
				t.Fatal(err)
			}
			got, out, err := s.FinishLogin(id, a.get(t, opts, testRP.Origin), []Credential{cred})
			if err != nil {
				t.Fatalf("mode %d login %d: %v", mode, i, err)
			}
			if !bytes.Equal(out, regOut) {
				t.Fatalf("mode %d login %d: PRF output changed", mode, i)
			}
			if got.SignCount != a.count || got.SignCount <= cred.SignCount {
				t.Fatalf("mode %d login %d: sign count %d, authenticator %d", mode, i, got.SignCount, a.count)
			}
			cred = got
		}
	}
}

func TestRegistrationOptions(t *testing.T) {
	s, _ := newService(t)
	existing := Credential{ID: []byte("old-credential"), Transports: []string{"usb"}, Salt: make([]byte, 32)}
	_, opts, err := s.BeginRegistration(testRP, "patient", []Credential{existing})
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		Challenge              string
		RP                     struct{ ID, Name string }
		User                   struct{ ID, Name, DisplayName string }
		Hints                  []string
		Attestation            string
		ExcludeCredentials     []struct{ ID, Type string }
		AuthenticatorSelection map[string]any
		Extensions             struct {
			PRF struct{ Eval struct{ First string } }
		}
	}
	if err := json.Unmarshal(opts, &o); err != nil {
		t.Fatal(err)
	}
	salt, _ := b64.DecodeString(o.Extensions.PRF.Eval.First)
	ch, _ := b64.DecodeString(o.Challenge)
	sel := o.AuthenticatorSelection
	switch {
	case len(ch) < 16, o.RP.ID != "localhost", o.RP.Name != "Ward", o.User.ID != b64.EncodeToString(testUser),
		o.User.Name != "patient", o.Attestation != "none", len(salt) != 32,
		len(o.ExcludeCredentials) != 1 || o.ExcludeCredentials[0].ID != b64.EncodeToString(existing.ID),
		sel["residentKey"] != "preferred", sel["userVerification"] != "required", sel["authenticatorAttachment"] != nil,
		len(o.Hints) == 0 || o.Hints[0] != "client-device":
		t.Fatalf("options: %s", opts)
	}
	_, opts2, _ := s.BeginRegistration(testRP, "patient", nil)
	if bytes.Contains(opts2, []byte(o.Extensions.PRF.Eval.First)) {
		t.Fatal("the PRF salt is reused across registrations")
	}
}

func TestLoginOptions(t *testing.T) {
	s, _ := newService(t)
	a, b := newSoftAuth(t), newSoftAuth(t)
	ca, _ := register(t, s, a)
	cb, _ := register(t, s, b)
	_, opts, err := s.BeginLogin(testRP, []Credential{ca, cb})
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		RPID             string
		UserVerification string
		AllowCredentials []struct{ ID string }
		Extensions       struct {
			PRF struct {
				EvalByCredential map[string]struct{ First string }
			}
		}
	}
	if err := json.Unmarshal(opts, &o); err != nil {
		t.Fatal(err)
	}
	ev := o.Extensions.PRF.EvalByCredential
	if o.RPID != "localhost" || o.UserVerification != "required" || len(o.AllowCredentials) != 2 ||
		ev[b64.EncodeToString(ca.ID)].First != b64.EncodeToString(ca.Salt) ||
		ev[b64.EncodeToString(cb.ID)].First != b64.EncodeToString(cb.Salt) {
		t.Fatalf("options: %s", opts)
	}
	if _, _, err := s.BeginLogin(testRP, nil); err == nil {
		t.Fatal("a login with no credentials began")
	}
}

func TestFinishRegistrationRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		auth func(*softAuth)
		body func([]byte) []byte
		want error
	}{
		{name: "no PRF", auth: func(a *softAuth) { a.prf = prfNone }, want: ErrNoPRF},
		{name: "enabled only", auth: func(a *softAuth) { a.prf = prfEnabledOnly }, want: ErrNeedAssertion},
		{name: "no user verification", auth: func(a *softAuth) { a.noUV = true }, want: ErrNoUserVerification},
		{name: "wrong origin", auth: func(a *softAuth) { a.origin = "http://evil.localhost:8123" }, want: ErrInvalid},
		{name: "wrong rp id", auth: func(a *softAuth) { a.rpID = "example.org" }, want: ErrInvalid},
		{name: "PRF of 31 bytes", auth: func(a *softAuth) { a.prfLen = 31 }, want: ErrBadPRF},
		{name: "PRF of 64 bytes", auth: func(a *softAuth) { a.prfLen = 64 }, want: ErrBadPRF},
		{name: "10 MB clientDataJSON", auth: func(a *softAuth) { a.clientPad = 10 << 20 }, want: ErrInvalid},
		{name: "not JSON", body: func([]byte) []byte { return []byte("{") }, want: ErrInvalid},
		{name: "empty", body: func([]byte) []byte { return nil }, want: ErrInvalid},
		{name: "assertion type", body: func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"public-key"`), []byte(`"password"`), 1)
		}, want: ErrInvalid},
		{name: "trailing data", body: func(b []byte) []byte { return append(b, "{}"...) }, want: ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newService(t)
			a := newSoftAuth(t)
			if tc.auth != nil {
				tc.auth(a)
			}
			id, opts, err := s.BeginRegistration(testRP, "patient", nil)
			if err != nil {
				t.Fatal(err)
			}
			body := a.create(t, opts, testRP.Origin)
			if tc.body != nil {
				body = tc.body(body)
			}
			_, out, err := s.FinishRegistration(id, body)
			if !errors.Is(err, tc.want) || out != nil {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if _, _, err := s.FinishRegistration(id, body); !errors.Is(err, ErrUnknownCeremony) {
				t.Fatalf("second use: %v", err)
			}
		})
	}
}

func TestFinishRegistrationAlreadyRegistered(t *testing.T) {
	s, _ := newService(t)
	a := newSoftAuth(t)
	cred, _ := register(t, s, a)
	id, opts, _ := s.BeginRegistration(testRP, "patient", []Credential{cred})
	if _, _, err := s.FinishRegistration(id, a.create(t, opts, testRP.Origin)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v", err)
	}
}

func TestFinishLoginRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		auth  func(*softAuth)
		creds func(Credential) []Credential
		other bool // answered by another authenticator
		body  func([]byte) []byte
		wait  time.Duration
		want  error
	}{
		{name: "no user verification", auth: func(a *softAuth) { a.noUV = true }, want: ErrNoUserVerification},
		{name: "sign count repeated", auth: func(a *softAuth) { a.fixedCount, a.count = true, 3 },
			creds: withCount(3), want: ErrCloned},
		{name: "sign count went back", auth: func(a *softAuth) { a.fixedCount, a.count = true, 4 },
			creds: withCount(10), want: ErrCloned},
		{name: "sign count reset to zero", auth: func(a *softAuth) { a.fixedCount, a.count = true, 0 },
			creds: withCount(10), want: ErrCloned},
		{name: "wrong origin", auth: func(a *softAuth) { a.origin = "https://localhost:8123" }, want: ErrInvalid},
		{name: "wrong rp id", auth: func(a *softAuth) { a.rpID = "ward.example.org" }, want: ErrInvalid},
		{name: "unknown credential", other: true, want: ErrInvalid},
		{name: "credential removed", creds: func(Credential) []Credential { return nil }, want: ErrInvalid},
		{name: "credential salt changed", creds: func(c Credential) []Credential {
			c.Salt = make([]byte, 32)
			return []Credential{c}
		}, want: ErrInvalid},
		{name: "wrong public key", creds: func(c Credential) []Credential {
			c.PublicKey = newSoftAuth(t).coseKey(t)
			return []Credential{c}
		}, want: ErrInvalid},
		{name: "user handle of another vault", auth: func(a *softAuth) { a.userHandle = []byte("someone else") }, want: ErrInvalid},
		{name: "no PRF output", auth: func(a *softAuth) { a.prf = prfNone }, want: ErrNoPRF},
		{name: "PRF of 31 bytes", auth: func(a *softAuth) { a.prfLen = 31 }, want: ErrBadPRF},
		{name: "10 MB clientDataJSON", auth: func(a *softAuth) { a.clientPad = 10 << 20 }, want: ErrInvalid},
		{name: "expired", wait: DefaultTTL + time.Second, want: ErrExpired},
		{name: "bad signature", body: func(b []byte) []byte {
			var m map[string]any
			json.Unmarshal(b, &m)
			r := m["response"].(map[string]any)
			sig, _ := b64.DecodeString(r["signature"].(string))
			sig[len(sig)-1] ^= 1
			r["signature"] = b64.EncodeToString(sig)
			out, _ := json.Marshal(m)
			return out
		}, want: ErrInvalid},
		{name: "prf as a number", body: func(b []byte) []byte {
			i := bytes.Index(b, []byte(`"clientExtensionResults":`))
			return append(b[:i:i], `"clientExtensionResults":{"prf":{"results":{"first":7}}}}`...)
		}, want: ErrInvalid},
		{name: "not JSON", body: func([]byte) []byte { return []byte(`{"id":`) }, want: ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, clk := newService(t)
			a := newSoftAuth(t)
			cred, _ := register(t, s, a)
			if tc.auth != nil {
				tc.auth(a)
			}
			creds := []Credential{cred}
			if tc.creds != nil {
				creds = tc.creds(cred)
			}
			id, opts, err := s.BeginLogin(testRP, []Credential{cred})
			if err != nil {
				t.Fatal(err)
			}
			answer := a
			if tc.other {
				answer = newSoftAuth(t)
			}
			body := answer.get(t, opts, testRP.Origin)
			if tc.body != nil {
				body = tc.body(body)
			}
			clk.advance(tc.wait)
			start := time.Now()
			got, out, err := s.FinishLogin(id, body, creds)
			if !errors.Is(err, tc.want) || out != nil || got.ID != nil {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if d := time.Since(start); d > 50*time.Millisecond {
				t.Errorf("refusal took %v", d)
			}
			if _, _, err := s.FinishLogin(id, body, creds); !errors.Is(err, ErrUnknownCeremony) {
				t.Fatalf("second use: %v", err)
			}
		})
	}
}

func withCount(n uint32) func(Credential) []Credential {
	return func(c Credential) []Credential {
		c.SignCount = n
		return []Credential{c}
	}
}

func TestSignCountsBothZero(t *testing.T) {
	s, _ := newService(t)
	a := newSoftAuth(t)
	a.fixedCount = true // an authenticator without a counter (many platform ones)
	cred, _ := register(t, s, a)
	for range 2 {
		id, opts, _ := s.BeginLogin(testRP, []Credential{cred})
		got, _, err := s.FinishLogin(id, a.get(t, opts, testRP.Origin), []Credential{cred})
		if err != nil || got.SignCount != 0 {
			t.Fatalf("zero counters: %v, %d", err, got.SignCount)
		}
	}
}

func TestOversizedBodyIsCheap(t *testing.T) {
	s, _ := newService(t)
	a := newSoftAuth(t)
	cred, _ := register(t, s, a)
	a.clientPad = 10 << 20
	id, opts, _ := s.BeginLogin(testRP, []Credential{cred})
	body := a.get(t, opts, testRP.Origin)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := s.FinishLogin(id, body, []Credential{cred})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Fatalf("refusing a %d-byte body allocated %d bytes", len(body), n)
	}
}

func TestReplay(t *testing.T) {
	s, _ := newService(t)
	a := newSoftAuth(t)
	cred, _ := register(t, s, a)
	id, opts, _ := s.BeginLogin(testRP, []Credential{cred})
	body := a.get(t, opts, testRP.Origin)
	if _, _, err := s.FinishLogin(id, body, []Credential{cred}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.FinishLogin(id, body, []Credential{cred}); !errors.Is(err, ErrUnknownCeremony) {
		t.Fatalf("same ceremony twice: %v", err)
	}
	// The same assertion posted to a new ceremony has the old challenge.
	id2, _, _ := s.BeginLogin(testRP, []Credential{cred})
	if _, _, err := s.FinishLogin(id2, body, []Credential{cred}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("old assertion on a new ceremony: %v", err)
	}
	// A ceremony of the other kind is used up too.
	id3, _, _ := s.BeginLogin(testRP, []Credential{cred})
	if _, _, err := s.FinishRegistration(id3, body); !errors.Is(err, ErrUnknownCeremony) {
		t.Fatalf("login ceremony finished as a registration: %v", err)
	}
	if _, _, err := s.FinishLogin(id3, body, []Credential{cred}); !errors.Is(err, ErrUnknownCeremony) {
		t.Fatalf("after the wrong kind: %v", err)
	}
	if _, _, err := s.FinishLogin("nope", body, []Credential{cred}); !errors.Is(err, ErrUnknownCeremony) {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestPendingBounded(t *testing.T) {
	s, clk := newService(t)
	first, _, _ := s.BeginRegistration(testRP, "patient", nil)
	for range 2 * MaxPending {
		clk.advance(time.Millisecond)
		if _, _, err := s.BeginRegistration(testRP, "patient", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Pending(); n != MaxPending {
		t.Fatalf("%d pending", n)
	}
	if _, _, err := s.FinishRegistration(first, []byte("{}")); !errors.Is(err, ErrUnknownCeremony) {
		t.Fatalf("oldest not dropped: %v", err)
	}
	clk.advance(DefaultTTL + time.Second)
	s.BeginRegistration(testRP, "patient", nil)
	if n := s.Pending(); n != 1 {
		t.Fatalf("expired not swept: %d pending", n)
	}
}

func TestErrorsHoldNoSecrets(t *testing.T) {
	s, _ := newService(t)
	a := newSoftAuth(t)
	cred, out := register(t, s, a)
	secrets := []string{b64.EncodeToString(out), b64.EncodeToString(cred.Salt), string(out)}
	a.origin = "http://other:1"
	id, opts, _ := s.BeginLogin(testRP, []Credential{cred})
	body := a.get(t, opts, testRP.Origin)
	_, _, err := s.FinishLogin(id, body, []Credential{cred})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, sec := range secrets {
		if strings.Contains(err.Error(), sec) {
			t.Fatalf("error %q holds a secret", err)
		}
	}
	if strings.Contains(err.Error(), string(body[:40])) {
		t.Fatalf("error %q quotes the body", err)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, cfg := range []Config{
		{UserID: testUser},
		{Name: "Ward"},
		{Name: "Ward", UserID: make([]byte, 65)},
		{Name: "Ward", UserID: testUser, TTL: -time.Second},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	s, _ := newService(t)
	for _, rp := range []RP{{}, {ID: "localhost"}, {ID: "not a host", Origin: "http://x"}} {
		if _, _, err := s.BeginRegistration(rp, "p", nil); err == nil {
			t.Errorf("RP %+v accepted", rp)
		}
	}
}

func TestConcurrent(t *testing.T) {
	s, _ := newService(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := newSoftAuth(t)
			cred, out := register(t, s, a)
			id, opts, _ := s.BeginLogin(testRP, []Credential{cred})
			if _, o, err := s.FinishLogin(id, a.get(t, opts, testRP.Origin), []Credential{cred}); err != nil || !bytes.Equal(o, out) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
