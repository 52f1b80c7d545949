package passkey

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// Sign-in with one prompt (a server with accounts).
//
// The page asks for a discoverable credential with no allowCredentials:
// the person picks their passkey, verifies with face, fingerprint or PIN,
// and the assertion carries the user handle the credential was made with,
// which names the account. User verification is required, so the one
// prompt is both factors: something held (the credential's private key)
// and something they are or know (what unlocked it on the device).
//
// # One PRF input for every credential
//
// A login with allowCredentials evaluates the PRF per credential over its
// slot's own random salt (evalByCredential). A discoverable login cannot:
// the server does not know which credential will answer until it has. So
// passkeys made for discoverable sign-in (Config.Discoverable) use one
// fixed input, AccountPRFInput, at registration and at every sign-in.
//
// That is sound because the PRF (CTAP hmac-secret) is keyed by a secret
// each credential generates for itself and never exports: the output is
// HMAC-SHA256(credential secret, SHA-256("WebAuthn PRF" || 0 || input)).
// Two credentials give unrelated outputs over the same input, and no one
// without the authenticator can compute either, so the input needs no
// secrecy and no randomness; it only separates this use of the PRF from
// others (another input, another purpose, another output). The vault's
// HKDF still binds the wrapping key to the slot's credential id and the
// vault id (package vault), and the WebAuthn client already scopes the
// PRF to the relying party.

// accountPRFInput is SHA-256("ward.passkey.v1 account prf input").
var accountPRFInput = sha256.Sum256([]byte("ward.passkey.v1 account prf input"))

// AccountPRFInput is the PRF evaluation input of every passkey made for
// discoverable sign-in: SHA-256("ward.passkey.v1 account prf input"). It is
// a fresh copy each call.
func AccountPRFInput() []byte { return bytes.Clone(accountPRFInput[:]) }

// BeginDiscoverableLogin starts a sign-in with whichever passkey the person
// picks. options is the PublicKeyCredentialRequestOptionsJSON for
// navigator.credentials.get: no allowCredentials, user verification
// required, and the PRF extension evaluated over AccountPRFInput
// (eval.first). The Service need not be any one vault's: ceremonies of a
// server-wide Service hold no user.
func (s *Service) BeginDiscoverableLogin(rp RP) (ceremonyID string, options json.RawMessage, err error) {
	w, err := s.relyingParty(rp)
	if err != nil {
		return "", nil, err
	}
	assertion, session, err := w.BeginDiscoverableLogin(
		webauthn.WithLoginOrigin(rp.Origin),
		webauthn.WithUserVerification(protocol.VerificationRequired),
		webauthn.WithAssertionExtensions(webauthn.WithExtensionPRF(protocol.PRFValues{First: AccountPRFInput()})),
	)
	if err != nil {
		return "", nil, fmt.Errorf("passkey: begin discoverable login: %w", err)
	}
	assertion.Response.Timeout = int(s.ttl.Milliseconds())
	if options, err = json.Marshal(assertion.Response); err != nil {
		return "", nil, fmt.Errorf("passkey: discoverable login options: %w", err)
	}
	c := &ceremony{kind: kindDiscoverable, rp: rp, challenge: session.Challenge}
	if ceremonyID, err = s.put(c); err != nil {
		return "", nil, err
	}
	return ceremonyID, options, nil
}

// UserHandleOf reads the user handle of a posted assertion WITHOUT
// verifying anything: only to find which account's credentials to hand
// FinishDiscoverableLogin, which checks it all. nil when there is none or
// the body cannot be read.
func UserHandleOf(body []byte) []byte {
	if len(body) > MaxBody {
		return nil
	}
	var v struct {
		Response struct {
			UserHandle protocol.URLEncodedBase64 `json:"userHandle"`
		} `json:"response"`
	}
	if json.Unmarshal(body, &v) != nil || len(v.Response.UserHandle) == 0 || len(v.Response.UserHandle) > maxUserID {
		return nil
	}
	return []byte(v.Response.UserHandle)
}

// FinishDiscoverableLogin verifies the assertion posted for a ceremony of
// BeginDiscoverableLogin. lookup gets the assertion's user handle and
// returns that user's credentials (an error, or none matching, for an
// unknown user: the signature is then still checked, against a decoy key,
// so an unknown user costs about what a wrong passkey does). The checks
// are FinishLogin's: the credential is among lookup's, its slot was made
// for discoverable sign-in (Salt is AccountPRFInput), challenge, origin,
// type, rpIdHash, signature, user verification, a sign count that
// increased, and a 32-byte PRF output. It returns the credential with its
// new sign count, the user handle and the PRF output. The ceremony is used
// up whatever the outcome.
func (s *Service) FinishDiscoverableLogin(ceremonyID string, body []byte, lookup func(userHandle []byte) ([]Credential, error)) (Credential, []byte, []byte, error) {
	c, err := s.finish(ceremonyID, kindDiscoverable, body)
	if err != nil {
		return Credential{}, nil, nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil {
		return Credential{}, nil, nil, invalid("parse assertion", err)
	}
	handle := bytes.Clone(parsed.Response.UserHandle)
	var (
		cred    Credential
		found   bool
		lookErr error
	)
	if len(handle) == 0 {
		lookErr = invalid("no user handle: not a discoverable credential", nil)
	} else {
		var creds []Credential
		creds, lookErr = lookup(bytes.Clone(handle))
		for _, cr := range creds {
			if lookErr == nil && bytes.Equal(cr.ID, parsed.RawID) {
				cred, found = cr, true
				break
			}
		}
	}
	key := cred.PublicKey
	if !found {
		key = decoyKey()
	}
	// User verification is checked below, once the signature is known good.
	verr := parsed.Verify(c.challenge, c.rp.ID, "", []string{c.rp.Origin}, nil, nil,
		s.policy.RPTopOriginVerificationMode, false, false, true, key, s.policy.Signature)
	switch {
	case lookErr != nil && len(handle) == 0:
		return Credential{}, nil, nil, lookErr
	case lookErr != nil:
		return Credential{}, nil, nil, fmt.Errorf("%w: unknown user: %w", ErrInvalid, lookErr)
	case !found:
		return Credential{}, nil, nil, invalid("unknown credential", nil)
	case verr != nil:
		return Credential{}, nil, nil, invalid("verify assertion", verr)
	case !bytes.Equal(cred.Salt, accountPRFInput[:]):
		return Credential{}, nil, nil, invalid("credential's slot was not made for discoverable sign-in", nil)
	}
	flags := parsed.Response.AuthenticatorData.Flags
	if !flags.HasBackupEligible() && flags.HasBackupState() {
		return Credential{}, nil, nil, invalid("backup state without backup eligibility", nil)
	}
	if !flags.HasUserVerified() {
		return Credential{}, nil, nil, fmt.Errorf("%w: at sign-in", ErrNoUserVerification)
	}
	a := webauthn.Authenticator{SignCount: cred.SignCount}
	a.UpdateCounter(parsed.Response.AuthenticatorData.Counter)
	if a.CloneWarning {
		return Credential{}, nil, nil, fmt.Errorf("%w: stored %d, got %d", ErrCloned, cred.SignCount, parsed.Response.AuthenticatorData.Counter)
	}
	out, err := prfOutput(parsed.ClientExtensionResults, false)
	if err != nil {
		return Credential{}, nil, nil, err
	}
	cred.SignCount = a.SignCount
	cred.UserVerified = true
	return cloneCredential(cred), handle, out, nil
}

// decoyKey is a COSE_Key (EC2, ES256) no credential has, to verify an
// unknown user's assertion against.
var decoyKey = sync.OnceValue(func() []byte {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("passkey: decoy key: %v", err))
	}
	pub, err := k.PublicKey.ECDH()
	if err != nil {
		panic(fmt.Sprintf("passkey: decoy key: %v", err))
	}
	xy := pub.Bytes()[1:] // 0x04 || x || y
	// {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}, canonical CBOR.
	b := []byte{0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20}
	b = append(b, xy[:32]...)
	b = append(b, 0x22, 0x58, 0x20)
	return append(b, xy[32:]...)
})
