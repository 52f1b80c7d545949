package browserauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/ward-health/ward/backend/passkey"
	"github.com/ward-health/ward/backend/passkey/passkeytest"
)

// register and unlock are Ceremonies over the real passkey.Service, as the
// API wires them (without the vault).
type register struct {
	svc  *passkey.Service
	rp   passkey.RP
	cred *passkey.Credential
	prf  []byte
}

func (r *register) Kind() string { return KindCreate }

func (r *register) Begin(_ context.Context, rp passkey.RP) (string, json.RawMessage, error) {
	r.rp = rp
	return r.svc.BeginRegistration(rp, "Ward test", nil)
}

func (r *register) Finish(_ context.Context, id string, body []byte) (any, error) {
	if r.cred != nil { // the follow-up assertion
		c, out, err := r.svc.FinishLogin(id, body, []passkey.Credential{*r.cred})
		r.cred, r.prf = &c, out
		return "registered", err
	}
	c, out, err := r.svc.FinishRegistration(id, body)
	if errors.Is(err, passkey.ErrNeedAssertion) {
		r.cred = &c
		next, options, err := r.svc.FollowUp(r.rp, c)
		return Next{CeremonyID: next, Kind: KindGet, Options: options}, err
	}
	r.cred, r.prf = &c, out
	return "registered", err
}

type unlock struct {
	svc  *passkey.Service
	cred passkey.Credential
	prf  []byte
}

func (u *unlock) Kind() string { return KindGet }

func (u *unlock) Begin(_ context.Context, rp passkey.RP) (string, json.RawMessage, error) {
	return u.svc.BeginLogin(rp, []passkey.Credential{u.cred})
}

func (u *unlock) Finish(_ context.Context, id string, body []byte) (any, error) {
	_, out, err := u.svc.FinishLogin(id, body, []passkey.Credential{u.cred})
	u.prf = out
	return "unlocked", err
}

// play is the page: begin, then the authenticator for each step the flow
// asks for, posted to finish.
func play(t *testing.T, s *started, a *passkeytest.Authenticator) {
	t.Helper()
	code, body := s.post(t, "begin", "{}")
	for range maxSteps {
		var step struct {
			Kind      string          `json:"kind"`
			PublicKey json.RawMessage `json:"publicKey"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &step) != nil || step.Kind == "" {
			return // done, or refused: the caller checks Status
		}
		var cred []byte
		if step.Kind == KindCreate {
			cred = a.Create(t, step.PublicKey, s.origin)
		} else {
			cred = a.Get(t, step.PublicKey, s.origin)
		}
		code, body = s.post(t, "finish", string(cred))
	}
}

// Real ceremonies (go-webauthn through passkey.Service, a software
// authenticator) over the loopback page's endpoints: registration, with and
// without the follow-up assertion, then unlocking with the same PRF output;
// an authenticator answering for another origin fails the flow.
func TestRealCeremonies(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []passkeytest.Option
	}{
		{"PRF at create", nil},
		{"PRF only on get", []passkeytest.Option{passkeytest.PRFOnlyOnGet()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, err := passkey.New(passkey.Config{Name: "Ward", UserID: bytes.Repeat([]byte{7}, 16)})
			if err != nil {
				t.Fatal(err)
			}
			a := passkeytest.New(t, tc.opts...)
			reg := &register{svc: svc}
			s := start(t, reg)
			play(t, s, a)
			s.wantStatus(t, StateDone, nil)
			if len(reg.prf) != passkey.PRFSize {
				t.Fatalf("registration PRF output of %d bytes", len(reg.prf))
			}

			u := &unlock{svc: svc, cred: *reg.cred}
			s = start(t, u) // another port: the same RP ID, another origin
			play(t, s, a)
			s.wantStatus(t, StateDone, nil)
			if !bytes.Equal(u.prf, reg.prf) {
				t.Fatal("unlock gave another PRF output")
			}

			wrong := *a
			wrong.Origin = "http://localhost:1"
			s = start(t, &unlock{svc: svc, cred: *reg.cred})
			play(t, s, &wrong)
			s.wantStatus(t, StateFailed, passkey.ErrInvalid)
		})
	}
}
