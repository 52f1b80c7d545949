package passkey

import (
	"bytes"
	"encoding/json"
	"errors"
	"runtime"
	"testing"
	"time"
)

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
		{name: "no user verification", auth: func(a *softAuth) { a.NoUV = true }, want: ErrNoUserVerification},
		{name: "sign count repeated", auth: func(a *softAuth) { a.FrozenCount, a.Count = true, 3 },
			creds: withCount(3), want: ErrCloned},
		{name: "sign count went back", auth: func(a *softAuth) { a.FrozenCount, a.Count = true, 4 },
			creds: withCount(10), want: ErrCloned},
		{name: "sign count reset to zero", auth: func(a *softAuth) { a.FrozenCount, a.Count = true, 0 },
			creds: withCount(10), want: ErrCloned},
		{name: "wrong origin", auth: func(a *softAuth) { a.Origin = "https://localhost:8123" }, want: ErrInvalid},
		{name: "wrong rp id", auth: func(a *softAuth) { a.RPID = "ward.example.org" }, want: ErrInvalid},
		{name: "unknown credential", other: true, want: ErrInvalid},
		{name: "credential removed", creds: func(Credential) []Credential { return nil }, want: ErrInvalid},
		{name: "credential salt changed", creds: func(c Credential) []Credential {
			c.Salt = make([]byte, 32)
			return []Credential{c}
		}, want: ErrInvalid},
		{name: "wrong public key", creds: func(c Credential) []Credential {
			c.PublicKey = newSoftAuth(t).COSEKey(t)
			return []Credential{c}
		}, want: ErrInvalid},
		{name: "user handle of another vault", auth: func(a *softAuth) { a.UserHandle = []byte("someone else") }, want: ErrInvalid},
		{name: "no PRF output", auth: func(a *softAuth) { a.PRF = prfNone }, want: ErrNoPRF},
		{name: "PRF of 31 bytes", auth: func(a *softAuth) { a.PRFLen = 31 }, want: ErrBadPRF},
		{name: "10 MB clientDataJSON", auth: func(a *softAuth) { a.ClientPad = 10 << 20 }, want: ErrInvalid},
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
			a, cred, _ := registered(t, s, tc.auth)
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
			body := answer.Get(t, opts, testRP.Origin)
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

// registered registers an honest soft authenticator, then turns its knobs.
func registered(t *testing.T, s *Service, knobs func(*softAuth)) (*softAuth, Credential, []byte) {
	a := newSoftAuth(t)
	cred, out := register(t, s, a)
	if knobs != nil {
		knobs(a)
	}
	return a, cred, out
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
	a.FrozenCount = true // an authenticator without a counter (many platform ones)
	cred, _ := register(t, s, a)
	for range 2 {
		id, opts, _ := s.BeginLogin(testRP, []Credential{cred})
		got, _, err := s.FinishLogin(id, a.Get(t, opts, testRP.Origin), []Credential{cred})
		if err != nil || got.SignCount != 0 {
			t.Fatalf("zero counters: %v, %d", err, got.SignCount)
		}
	}
}

func TestOversizedBodyIsCheap(t *testing.T) {
	s, _ := newService(t)
	a := newSoftAuth(t)
	cred, _ := register(t, s, a)
	a.ClientPad = 10 << 20
	id, opts, _ := s.BeginLogin(testRP, []Credential{cred})
	body := a.Get(t, opts, testRP.Origin)
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
	body := a.Get(t, opts, testRP.Origin)
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

func TestFinishLoginAccepts(t *testing.T) {
	for _, tc := range []struct {
		name string
		auth func(*softAuth)
		body func([]byte) []byte
	}{
		{name: "plain"},
		{name: "user handle of this vault", auth: func(a *softAuth) { a.UserHandle = testUser }},
		{name: "user handle null", body: func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"signature"`), []byte(`"userHandle":null,"signature"`), 1)
		}},
		{name: "unrequested credProps output", body: func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"clientExtensionResults":{`), []byte(`"clientExtensionResults":{"credProps":{"rk":true},`), 1)
		}},
		{name: "no authenticatorAttachment", body: func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"authenticatorAttachment":"platform",`), nil, 1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newService(t)
			a, cred, want := registered(t, s, tc.auth)
			id, opts, _ := s.BeginLogin(testRP, []Credential{cred})
			body := a.Get(t, opts, testRP.Origin)
			if tc.body != nil {
				changed := tc.body(bytes.Clone(body))
				if bytes.Equal(changed, body) {
					t.Fatal("the case did not change the body")
				}
				body = changed
			}
			_, out, err := s.FinishLogin(id, body, []Credential{cred})
			if err != nil || !bytes.Equal(out, want) {
				t.Fatalf("refused: %v", err)
			}
		})
	}
}
