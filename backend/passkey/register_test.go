package passkey

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

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
		Timeout                int
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
		o.User.Name != "patient", o.Attestation != "none", len(salt) != 32, o.Timeout != 120000,
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

func TestFinishRegistrationRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		auth func(*softAuth)
		body func([]byte) []byte
		want error
	}{
		{name: "no PRF", auth: func(a *softAuth) { a.PRF = prfNone }, want: ErrNoPRF},
		{name: "enabled only", auth: func(a *softAuth) { a.PRF = prfEnabledOnly }, want: ErrNeedAssertion},
		{name: "no user verification", auth: func(a *softAuth) { a.NoUV = true }, want: ErrNoUserVerification},
		{name: "wrong origin", auth: func(a *softAuth) { a.Origin = "http://evil.localhost:8123" }, want: ErrInvalid},
		{name: "wrong rp id", auth: func(a *softAuth) { a.RPID = "example.org" }, want: ErrInvalid},
		{name: "PRF of 31 bytes", auth: func(a *softAuth) { a.PRFLen = 31 }, want: ErrBadPRF},
		{name: "PRF of 64 bytes", auth: func(a *softAuth) { a.PRFLen = 64 }, want: ErrBadPRF},
		{name: "10 MB clientDataJSON", auth: func(a *softAuth) { a.ClientPad = 10 << 20 }, want: ErrInvalid},
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
			body := a.Create(t, opts, testRP.Origin)
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
	if _, _, err := s.FinishRegistration(id, a.Create(t, opts, testRP.Origin)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v", err)
	}
}
