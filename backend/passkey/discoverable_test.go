package passkey

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol/webauthncose"

	"github.com/ward-health/ward/backend/passkey/passkeytest"
)

// newAccountService is the per-vault Service of a server with accounts:
// its registrations are discoverable, with the account's user handle.
func newAccountService(t testing.TB, c *clock, user []byte) *Service {
	t.Helper()
	s, err := New(Config{Name: "Ward", Now: c.now, UserID: user, Discoverable: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// discoverableSetup registers a resident credential with an account
// Service and returns a server-wide Service to sign in with.
func discoverableSetup(t testing.TB, knobs ...passkeytest.Option) (signIn *Service, a *softAuth, cred Credential, c *clock) {
	t.Helper()
	signIn, c = newService(t)
	acct := newAccountService(t, c, testUser)
	a = passkeytest.New(t, append([]passkeytest.Option{passkeytest.Resident()}, knobs...)...)
	cred, _ = register(t, acct, a)
	return signIn, a, cred, c
}

func lookupOf(creds ...Credential) func([]byte) ([]Credential, error) {
	return func(h []byte) ([]Credential, error) {
		if !bytes.Equal(h, testUser) {
			return nil, errors.New("no such user")
		}
		return creds, nil
	}
}

func TestAccountPRFInput(t *testing.T) {
	want := sha256.Sum256([]byte("ward.passkey.v1 account prf input"))
	got := AccountPRFInput()
	if !bytes.Equal(got, want[:]) || len(got) != SaltSize {
		t.Fatalf("input %x", got)
	}
	got[0] ^= 1
	if !bytes.Equal(AccountPRFInput(), want[:]) {
		t.Fatal("AccountPRFInput hands out its own array")
	}
}

func TestDiscoverableRegistrationOptions(t *testing.T) {
	s, c := newService(t)
	for _, tc := range []struct {
		svc      *Service
		resident string
		fixed    bool
	}{{s, "preferred", false}, {newAccountService(t, c, testUser), "required", true}} {
		_, opts, err := tc.svc.BeginRegistration(testRP, "patient", nil)
		if err != nil {
			t.Fatal(err)
		}
		var o struct {
			User                   struct{ ID string }
			AuthenticatorSelection struct{ ResidentKey, UserVerification string }
			Extensions             struct {
				PRF struct{ Eval struct{ First string } }
			}
		}
		if err := json.Unmarshal(opts, &o); err != nil {
			t.Fatal(err)
		}
		fixed := o.Extensions.PRF.Eval.First == b64.EncodeToString(AccountPRFInput())
		if o.AuthenticatorSelection.ResidentKey != tc.resident || o.AuthenticatorSelection.UserVerification != "required" ||
			fixed != tc.fixed || o.User.ID != b64.EncodeToString(testUser) {
			t.Fatalf("options: %s", opts)
		}
	}
}

func TestDiscoverableLoginOptions(t *testing.T) {
	s, _ := newService(t)
	_, opts, err := s.BeginDiscoverableLogin(testRP)
	if err != nil {
		t.Fatal(err)
	}
	var o map[string]any
	if err := json.Unmarshal(opts, &o); err != nil {
		t.Fatal(err)
	}
	if _, ok := o["allowCredentials"]; ok {
		t.Fatalf("allowCredentials sent: %s", opts)
	}
	var p struct {
		RPID             string
		UserVerification string
		Timeout          int
		Extensions       struct {
			PRF struct {
				Eval             struct{ First string }
				EvalByCredential map[string]any
			}
		}
	}
	if err := json.Unmarshal(opts, &p); err != nil {
		t.Fatal(err)
	}
	if p.RPID != "localhost" || p.UserVerification != "required" || p.Timeout != int(DefaultTTL.Milliseconds()) ||
		p.Extensions.PRF.Eval.First != b64.EncodeToString(AccountPRFInput()) || p.Extensions.PRF.EvalByCredential != nil {
		t.Fatalf("options: %s", opts)
	}
	if _, _, err := s.BeginDiscoverableLogin(RP{}); err == nil {
		t.Fatal("began without a relying party")
	}
}

func TestDiscoverableRoundTrip(t *testing.T) {
	for _, mode := range []prfMode{prfAtCreate, prfEnabledOnly} {
		s, a, cred, _ := discoverableSetup(t, func(a *softAuth) { a.PRF = mode })
		if !bytes.Equal(cred.Salt, AccountPRFInput()) {
			t.Fatalf("mode %d: slot salt %x is not the account input", mode, cred.Salt)
		}
		for i := range 3 {
			id, opts, err := s.BeginDiscoverableLogin(testRP)
			if err != nil {
				t.Fatal(err)
			}
			body := a.Get(t, opts, testRP.Origin)
			if h := UserHandleOf(body); !bytes.Equal(h, testUser) {
				t.Fatalf("UserHandleOf = %x", h)
			}
			got, handle, out, err := s.FinishDiscoverableLogin(id, body, lookupOf(cred))
			if err != nil {
				t.Fatalf("mode %d, sign-in %d: %v", mode, i, err)
			}
			if !bytes.Equal(handle, testUser) || !bytes.Equal(out, a.EvalPRF(AccountPRFInput())) ||
				got.SignCount != a.Count || !bytes.Equal(got.ID, a.ID) || !got.UserVerified {
				t.Fatalf("mode %d: got %+v handle %x", mode, got, handle)
			}
			cred.SignCount = got.SignCount
		}
	}
}

func TestFinishDiscoverableLoginRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		auth   func(*softAuth)
		lookup func(Credential) func([]byte) ([]Credential, error)
		wait   time.Duration
		want   error
	}{
		{name: "no user verification", auth: func(a *softAuth) { a.NoUV = true }, want: ErrNoUserVerification},
		{name: "sign count repeated", auth: func(a *softAuth) { a.FrozenCount = true }, lookup: func(c Credential) func([]byte) ([]Credential, error) {
			c.SignCount = 5
			return lookupOf(c)
		}, want: ErrCloned},
		{name: "no user handle", auth: func(a *softAuth) { a.Resident = false }, want: ErrInvalid},
		{name: "unknown user handle", auth: func(a *softAuth) { a.UserHandle = []byte("someone else") }, want: ErrInvalid},
		{name: "credential not the user's", lookup: func(Credential) func([]byte) ([]Credential, error) { return lookupOf() }, want: ErrInvalid},
		{name: "slot with its own salt", lookup: func(c Credential) func([]byte) ([]Credential, error) {
			c.Salt = bytes.Repeat([]byte{7}, SaltSize)
			return lookupOf(c)
		}, want: ErrInvalid},
		{name: "wrong public key", lookup: func(c Credential) func([]byte) ([]Credential, error) {
			c.PublicKey = newSoftAuth(t).COSEKey(t)
			return lookupOf(c)
		}, want: ErrInvalid},
		{name: "wrong origin", auth: func(a *softAuth) { a.Origin = "https://evil.example" }, want: ErrInvalid},
		{name: "wrong rp id", auth: func(a *softAuth) { a.RPID = "ward.example.org" }, want: ErrInvalid},
		{name: "no PRF output", auth: func(a *softAuth) { a.PRF = prfNone }, want: ErrNoPRF},
		{name: "PRF of 31 bytes", auth: func(a *softAuth) { a.PRFLen = 31 }, want: ErrBadPRF},
		{name: "body over 64 KiB", auth: func(a *softAuth) { a.ClientPad = MaxBody }, want: ErrInvalid},
		{name: "expired", wait: DefaultTTL + time.Second, want: ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, a, cred, c := discoverableSetup(t)
			if tc.auth != nil {
				tc.auth(a)
			}
			lookup := lookupOf(cred)
			if tc.lookup != nil {
				lookup = tc.lookup(cred)
			}
			id, opts, err := s.BeginDiscoverableLogin(testRP)
			if err != nil {
				t.Fatal(err)
			}
			body := a.Get(t, opts, testRP.Origin)
			c.advance(tc.wait)
			_, _, out, err := s.FinishDiscoverableLogin(id, body, lookup)
			if !errors.Is(err, tc.want) || out != nil {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			// Used up whatever the outcome.
			if _, _, _, err := s.FinishDiscoverableLogin(id, body, lookupOf(cred)); !errors.Is(err, ErrUnknownCeremony) {
				t.Fatalf("second finish: %v", err)
			}
		})
	}
}

func TestDiscoverableReplayAndKinds(t *testing.T) {
	s, a, cred, _ := discoverableSetup(t)
	id, opts, _ := s.BeginDiscoverableLogin(testRP)
	body := a.Get(t, opts, testRP.Origin)
	if _, _, _, err := s.FinishDiscoverableLogin(id, body, lookupOf(cred)); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.FinishDiscoverableLogin(id, body, lookupOf(cred)); !errors.Is(err, ErrUnknownCeremony) {
		t.Fatalf("replay: %v", err)
	}
	// The same body under a new ceremony: another challenge.
	id2, _, _ := s.BeginDiscoverableLogin(testRP)
	if _, _, _, err := s.FinishDiscoverableLogin(id2, body, lookupOf(cred)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("replay on a new ceremony: %v", err)
	}
	// A ceremony of the other kind cannot be finished here, nor this one there.
	lid, lopts, _ := s.BeginLogin(testRP, []Credential{cred})
	if _, _, _, err := s.FinishDiscoverableLogin(lid, a.Get(t, lopts, testRP.Origin), lookupOf(cred)); !errors.Is(err, ErrUnknownCeremony) {
		t.Fatalf("login ceremony finished as discoverable: %v", err)
	}
	did, dopts, _ := s.BeginDiscoverableLogin(testRP)
	if _, _, err := s.FinishLogin(did, a.Get(t, dopts, testRP.Origin), []Credential{cred}); !errors.Is(err, ErrUnknownCeremony) {
		t.Fatalf("discoverable ceremony finished as a login: %v", err)
	}
}

func TestDiscoverablePendingBounded(t *testing.T) {
	s, a, cred, c := discoverableSetup(t)
	first, opts, _ := s.BeginDiscoverableLogin(testRP)
	for range MaxPending {
		c.advance(time.Millisecond)
		if _, _, err := s.BeginDiscoverableLogin(testRP); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Pending(); n != MaxPending {
		t.Fatalf("%d pending", n)
	}
	if _, _, _, err := s.FinishDiscoverableLogin(first, a.Get(t, opts, testRP.Origin), lookupOf(cred)); !errors.Is(err, ErrUnknownCeremony) {
		t.Fatalf("oldest ceremony kept: %v", err)
	}
}

func TestUserHandleOf(t *testing.T) {
	for _, body := range []string{``, `{`, `{"response":{}}`, `{"response":{"userHandle":"!!"}}`, `{"response":{"userHandle":""}}`} {
		if h := UserHandleOf([]byte(body)); h != nil {
			t.Fatalf("%q: %x", body, h)
		}
	}
	if h := UserHandleOf([]byte(`{"response":{"userHandle":"` + b64.EncodeToString(testUser) + `"}}`)); !bytes.Equal(h, testUser) {
		t.Fatalf("handle %x", h)
	}
}

func TestDecoyKeyIsCOSE(t *testing.T) {
	// The decoy must parse like a real key, so that an unknown user's
	// assertion costs a signature check, not a parse error.
	k, err := webauthncose.ParsePublicKey(decoyKey())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k.(webauthncose.EC2PublicKeyData); !ok {
		t.Fatalf("decoy key is %T", k)
	}
}

// BenchmarkDiscoverableLogin is one whole sign-in ceremony on the server
// side and the software authenticator: begin, the authenticator's answer
// (an ECDSA signature and the PRF), and finish.
func BenchmarkDiscoverableLogin(b *testing.B) {
	s, a, cred, _ := discoverableSetup(b)
	lookup := lookupOf(cred)
	b.ReportAllocs()
	for b.Loop() {
		id, opts, err := s.BeginDiscoverableLogin(testRP)
		if err != nil {
			b.Fatal(err)
		}
		got, _, _, err := s.FinishDiscoverableLogin(id, a.Get(b, opts, testRP.Origin), lookup)
		if err != nil {
			b.Fatal(err)
		}
		cred.SignCount = got.SignCount
		lookup = lookupOf(cred)
	}
}
