package passkey

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// BeginLogin starts an assertion with one of creds. options is the
// PublicKeyCredentialRequestOptionsJSON for navigator.credentials.get
// (PublicKeyCredential.parseRequestOptionsFromJSON): allowCredentials of
// creds, user verification required, and the PRF extension evaluated for
// each credential over its slot's salt (evalByCredential).
func (s *Service) BeginLogin(rp RP, creds []Credential) (ceremonyID string, options json.RawMessage, err error) {
	if len(creds) == 0 {
		return "", nil, fmt.Errorf("passkey: begin login: no credentials")
	}
	w, err := s.relyingParty(rp)
	if err != nil {
		return "", nil, err
	}
	c := &ceremony{kind: kindLogin, rp: rp, salts: make(map[string][]byte, len(creds))}
	byCred := make(map[string]protocol.PRFValues, len(creds))
	for _, cr := range creds {
		if len(cr.ID) == 0 || len(cr.Salt) != SaltSize {
			return "", nil, fmt.Errorf("passkey: begin login: credential without id or 32-byte salt")
		}
		salt := append([]byte(nil), cr.Salt...)
		byCred[base64.RawURLEncoding.EncodeToString(cr.ID)] = protocol.PRFValues{First: salt}
		c.salts[string(cr.ID)] = salt
	}
	assertion, session, err := w.BeginDiscoverableLogin(
		webauthn.WithLoginOrigin(rp.Origin),
		webauthn.WithAllowedCredentials(descriptors(creds)),
		webauthn.WithUserVerification(protocol.VerificationRequired),
		webauthn.WithAssertionExtensions(webauthn.WithExtensionPRFByCredential(byCred, nil)),
	)
	if err != nil {
		return "", nil, fmt.Errorf("passkey: begin login: %w", err)
	}
	assertion.Response.Timeout = int(s.ttl.Milliseconds())
	if options, err = json.Marshal(assertion.Response); err != nil {
		return "", nil, fmt.Errorf("passkey: login options: %w", err)
	}
	c.challenge = session.Challenge
	if ceremonyID, err = s.put(c); err != nil {
		return "", nil, err
	}
	return ceremonyID, options, nil
}

// FinishLogin verifies the assertion the page posted for the ceremony: that
// it names a credential the ceremony allowed and that is among creds, its
// challenge, origin, type, rpIdHash, signature, user verification, and that
// the sign count increased (both zero is allowed, as the spec says). It
// returns the credential with its new sign count and the 32-byte PRF output.
// The ceremony is used up whatever the outcome.
func (s *Service) FinishLogin(ceremonyID string, body []byte, creds []Credential) (Credential, []byte, error) {
	c, err := s.finish(ceremonyID, kindLogin, body)
	if err != nil {
		return Credential{}, nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil {
		return Credential{}, nil, invalid("parse assertion", err)
	}
	salt, allowed := c.salts[string(parsed.RawID)]
	var cred Credential
	found := false
	for _, cr := range creds {
		if bytes.Equal(cr.ID, parsed.RawID) {
			cred, found = cr, true
			break
		}
	}
	if !allowed || !found {
		return Credential{}, nil, invalid("unknown credential", nil)
	}
	if !bytes.Equal(cred.Salt, salt) {
		return Credential{}, nil, invalid("credential salt changed during the ceremony", nil)
	}
	if h := parsed.Response.UserHandle; len(h) != 0 && !bytes.Equal(h, s.userID) {
		return Credential{}, nil, invalid("user handle of another vault", nil)
	}
	// User verification is checked below, once the signature is known good.
	err = parsed.Verify(c.challenge, c.rp.ID, "", []string{c.rp.Origin}, nil, nil,
		s.policy.RPTopOriginVerificationMode, false, false, true, cred.PublicKey, s.policy.Signature)
	if err != nil {
		return Credential{}, nil, invalid("verify assertion", err)
	}
	flags := parsed.Response.AuthenticatorData.Flags
	if !flags.HasBackupEligible() && flags.HasBackupState() {
		return Credential{}, nil, invalid("backup state without backup eligibility", nil)
	}
	if !flags.HasUserVerified() {
		return Credential{}, nil, fmt.Errorf("%w: at sign-in", ErrNoUserVerification)
	}
	a := webauthn.Authenticator{SignCount: cred.SignCount}
	a.UpdateCounter(parsed.Response.AuthenticatorData.Counter)
	if a.CloneWarning {
		return Credential{}, nil, fmt.Errorf("%w: stored %d, got %d", ErrCloned, cred.SignCount, parsed.Response.AuthenticatorData.Counter)
	}
	out, err := prfOutput(parsed.ClientExtensionResults, false)
	if err != nil {
		return Credential{}, nil, err
	}
	cred.SignCount = a.SignCount
	cred.UserVerified = true
	return cloneCredential(cred), out, nil
}

func cloneCredential(c Credential) Credential {
	c.ID = bytes.Clone(c.ID)
	c.PublicKey = bytes.Clone(c.PublicKey)
	c.AAGUID = bytes.Clone(c.AAGUID)
	c.Salt = bytes.Clone(c.Salt)
	c.Transports = append([]string(nil), c.Transports...)
	return c
}
