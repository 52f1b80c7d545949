package passkey

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"testing"

	"github.com/fxamacker/cbor/v2"
	"github.com/go-webauthn/webauthn/protocol"
)

// fuzzChallenge is the challenge every fuzzed ceremony is given, so that
// seeds made once stay answers to the ceremonies of later iterations.
var fuzzChallenge = b64.EncodeToString([]byte("ward fuzz challenge, 32 bytes ok"))

// setChallenge replaces the challenge of a pending ceremony.
func setChallenge(s *Service, id, challenge string) {
	s.mu.Lock()
	s.pending[id].challenge = challenge
	s.mu.Unlock()
}

// withChallenge returns options with their challenge replaced.
func withChallenge(t testing.TB, options []byte, challenge string) []byte {
	var m map[string]any
	if err := json.Unmarshal(options, &m); err != nil {
		t.Fatal(err)
	}
	m["challenge"] = challenge
	return mustJSON(t, m)
}

// posted is what an independent reading of a posted body finds.
type posted struct {
	RawID    protocol.URLEncodedBase64 `json:"rawId"`
	Response struct {
		ClientDataJSON    protocol.URLEncodedBase64 `json:"clientDataJSON"`
		AuthenticatorData protocol.URLEncodedBase64 `json:"authenticatorData"`
		AttestationObject protocol.URLEncodedBase64 `json:"attestationObject"`
		Signature         protocol.URLEncodedBase64 `json:"signature"`
	} `json:"response"`
}

// checkClientData reports what is wrong with clientDataJSON, or "".
func checkClientData(raw []byte, typ string) string {
	var cd struct{ Type, Challenge, Origin string }
	if err := json.Unmarshal(raw, &cd); err != nil {
		return "client data: " + err.Error()
	}
	if cd.Type != typ || cd.Challenge != fuzzChallenge || cd.Origin != testRP.Origin {
		return "client data of another ceremony"
	}
	return ""
}

// checkAuthData reports what is wrong with authenticator data, or "".
func checkAuthData(d []byte, minCount uint32) string {
	h := sha256.Sum256([]byte(testRP.ID))
	switch {
	case len(d) < 37:
		return "short authenticator data"
	case !bytes.Equal(d[:32], h[:]):
		return "rpIdHash of another RP"
	case d[32]&0x05 != 0x05:
		return "UP or UV missing"
	case binary.BigEndian.Uint32(d[33:37]) < minCount:
		return "sign count did not increase"
	}
	return ""
}

func FuzzFinishLogin(f *testing.F) {
	s, _ := newService(f)
	a := newSoftAuth(f)
	cred, _ := register(f, s, a)
	// One sign-in first, so that the stored sign count is not zero.
	id, opts, _ := s.BeginLogin(testRP, []Credential{cred})
	cred, _, err := s.FinishLogin(id, a.Get(f, opts, testRP.Origin), []Credential{cred})
	if err != nil {
		f.Fatal(err)
	}
	creds := []Credential{cred}
	_, opts, _ = s.BeginLogin(testRP, creds)
	opts = withChallenge(f, opts, fuzzChallenge)
	honest := a.Get(f, opts, testRP.Origin)
	f.Add(honest)
	for _, knob := range []func(*softAuth){
		func(a *softAuth) { a.NoUV = true },
		func(a *softAuth) { a.Origin = "http://evil:1" },
		func(a *softAuth) { a.RPID = "evil" },
		func(a *softAuth) { a.PRFLen = 31 },
		func(a *softAuth) { a.PRF = prfNone },
		func(a *softAuth) { a.UserHandle = testUser },
		func(a *softAuth) { a.FrozenCount = true },
	} {
		b := *a
		knob(&b)
		f.Add(b.Get(f, opts, testRP.Origin))
	}
	f.Add(newSoftAuth(f).Get(f, opts, testRP.Origin))
	f.Add([]byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{}}`))
	f.Add([]byte(`null`))

	f.Fuzz(func(t *testing.T, body []byte) {
		id, _, err := s.BeginLogin(testRP, creds)
		if err != nil {
			t.Fatal(err)
		}
		setChallenge(s, id, fuzzChallenge)
		got, out, err := s.FinishLogin(id, body, creds)
		if err != nil {
			return
		}
		var p posted
		if e := json.Unmarshal(body, &p); e != nil {
			t.Fatalf("accepted a body that is not JSON: %v", e)
		}
		r := p.Response
		msg := checkClientData(r.ClientDataJSON, "webauthn.get")
		if msg == "" {
			msg = checkAuthData(r.AuthenticatorData, cred.SignCount+1)
		}
		cdh := sha256.Sum256(r.ClientDataJSON)
		digest := sha256.Sum256(append(append([]byte(nil), r.AuthenticatorData...), cdh[:]...))
		switch {
		case msg != "":
		case !bytes.Equal(p.RawID, a.ID) || !bytes.Equal(got.ID, a.ID):
			msg = "another credential"
		case !ecdsa.VerifyASN1(&a.Key.PublicKey, digest[:], r.Signature):
			msg = "signature not the authenticator's"
		case len(out) != PRFSize:
			msg = "PRF output not 32 bytes"
		case got.SignCount != binary.BigEndian.Uint32(r.AuthenticatorData[33:37]):
			msg = "sign count not the asserted one"
		}
		if msg != "" {
			t.Fatalf("accepted: %s", msg)
		}
	})
}

func FuzzFinishRegistration(f *testing.F) {
	s, _ := newService(f)
	_, opts, _ := s.BeginRegistration(testRP, "patient", nil)
	opts = withChallenge(f, opts, fuzzChallenge)
	for _, knob := range []func(*softAuth){
		func(*softAuth) {},
		func(a *softAuth) { a.PRF = prfEnabledOnly },
		func(a *softAuth) { a.PRF = prfNone },
		func(a *softAuth) { a.NoUV = true },
		func(a *softAuth) { a.Origin = "http://evil:1" },
		func(a *softAuth) { a.RPID = "evil" },
		func(a *softAuth) { a.PRFLen = 31 },
	} {
		a := newSoftAuth(f)
		knob(a)
		f.Add(a.Create(f, opts, testRP.Origin))
	}
	f.Add([]byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{"attestationObject":"oA"}}`))

	f.Fuzz(func(t *testing.T, body []byte) {
		id, _, err := s.BeginRegistration(testRP, "patient", nil)
		if err != nil {
			t.Fatal(err)
		}
		setChallenge(s, id, fuzzChallenge)
		cred, out, err := s.FinishRegistration(id, body)
		if err != nil && !errors.Is(err, ErrNeedAssertion) {
			return
		}
		var p posted
		if e := json.Unmarshal(body, &p); e != nil {
			t.Fatalf("accepted a body that is not JSON: %v", e)
		}
		var att struct {
			Fmt      string `cbor:"fmt"`
			AuthData []byte `cbor:"authData"`
		}
		msg := checkClientData(p.Response.ClientDataJSON, "webauthn.create")
		if msg == "" {
			if e := cbor.Unmarshal(p.Response.AttestationObject, &att); e != nil {
				msg = "attestation object: " + e.Error()
			} else {
				msg = checkAuthData(att.AuthData, 0)
			}
		}
		d := att.AuthData
		switch {
		case msg != "":
		case att.Fmt != "none":
			msg = "attestation format " + att.Fmt
		case d[32]&0x40 == 0 || len(d) < 55:
			msg = "no attested credential data"
		case !bytes.Equal(cred.ID, p.RawID) || !bytes.Equal(d[55:55+len(cred.ID)], cred.ID):
			msg = "credential id not the attested one"
		case !bytes.HasPrefix(d[55+len(cred.ID):], cred.PublicKey):
			msg = "public key not the attested one"
		case err == nil && len(out) != PRFSize:
			msg = "PRF output not 32 bytes"
		case len(cred.Salt) != SaltSize:
			msg = "no salt"
		}
		if msg != "" {
			t.Fatalf("accepted: %s", msg)
		}
	})
}
