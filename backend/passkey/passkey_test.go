package passkey

import (
	"bytes"
	"errors"
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
	cred, out, err := s.FinishRegistration(id, a.Create(t, opts, testRP.Origin))
	if errors.Is(err, ErrNeedAssertion) {
		id, opts, err = s.FollowUp(testRP, cred)
		if err != nil {
			t.Fatal(err)
		}
		cred, out, err = s.FinishLogin(id, a.Get(t, opts, testRP.Origin), []Credential{cred})
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
		if !bytes.Equal(regOut, a.EvalPRF(cred.Salt)) {
			t.Fatalf("mode %d: registration PRF output is not the authenticator's", mode)
		}
		if !bytes.Equal(cred.ID, a.ID) || len(cred.PublicKey) == 0 || !bytes.Equal(cred.AAGUID, a.AAGUID) ||
			strings.Join(cred.Transports, ",") != "hybrid,internal" {
			t.Fatalf("mode %d: credential %+v", mode, cred)
		}
		for i := range 3 {
			id, opts, err := s.BeginLogin(testRP, []Credential{cred})
			if err != nil {
				t.Fatal(err)
			}
			got, out, err := s.FinishLogin(id, a.Get(t, opts, testRP.Origin), []Credential{cred})
			if err != nil {
				t.Fatalf("mode %d login %d: %v", mode, i, err)
			}
			if !bytes.Equal(out, regOut) {
				t.Fatalf("mode %d login %d: PRF output changed", mode, i)
			}
			if got.SignCount != a.Count || got.SignCount <= cred.SignCount {
				t.Fatalf("mode %d login %d: sign count %d, authenticator %d", mode, i, got.SignCount, a.Count)
			}
			cred = got
		}
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
	a.Origin = "http://other:1"
	id, opts, _ := s.BeginLogin(testRP, []Credential{cred})
	body := a.Get(t, opts, testRP.Origin)
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
			if _, o, err := s.FinishLogin(id, a.Get(t, opts, testRP.Origin), []Credential{cred}); err != nil || !bytes.Equal(o, out) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
