package passkey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/ward-health/ward/backend/vault"
)

// user is the one account of a vault, as go-webauthn wants it.
type user struct {
	id   []byte
	name string
}

func (u user) WebAuthnID() []byte                         { return u.id }
func (u user) WebAuthnName() string                       { return u.name }
func (u user) WebAuthnDisplayName() string                { return u.name }
func (u user) WebAuthnCredentials() []webauthn.Credential { return nil }

// BeginRegistration starts adding a passkey. options is the
// PublicKeyCredentialCreationOptionsJSON for navigator.credentials.create
// (PublicKeyCredential.parseCreationOptionsFromJSON): user verification
// required, resident key preferred, attestation "none", a platform
// authenticator hinted but not required, existing credentials excluded, and
// the PRF extension evaluated over a fresh 32-byte salt. With
// Config.Discoverable the resident key is required and the PRF input is
// AccountPRFInput.
func (s *Service) BeginRegistration(rp RP, userName string, existing []Credential) (ceremonyID string, options json.RawMessage, err error) {
	w, err := s.relyingParty(rp)
	if err != nil {
		return "", nil, err
	}
	if userName == "" {
		userName = s.name
	}
	salt, resident := vault.NewPRFInput(), protocol.ResidentKeyRequirementPreferred
	if s.discoverable {
		salt, resident = AccountPRFInput(), protocol.ResidentKeyRequirementRequired
	}
	creation, session, err := w.BeginRegistration(user{id: s.userID, name: userName},
		webauthn.WithRegistrationOrigin(rp.Origin),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey:      resident,
			UserVerification: protocol.VerificationRequired,
		}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		webauthn.WithExclusions(descriptors(existing)),
		webauthn.WithExtensions(webauthn.WithExtensionPRF(protocol.PRFValues{First: salt})),
	)
	if err != nil {
		return "", nil, fmt.Errorf("passkey: begin registration: %w", err)
	}
	// Hints are set after BeginRegistration, which would otherwise turn the
	// first one into a platform-only attachment and lock out security keys.
	creation.Response.Hints = []protocol.PublicKeyCredentialHints{
		protocol.PublicKeyCredentialHintClientDevice,
		protocol.PublicKeyCredentialHintSecurityKey,
		protocol.PublicKeyCredentialHintHybrid,
	}
	creation.Response.Timeout = int(s.ttl.Milliseconds()) // the browser gives up when the ceremony does
	if options, err = json.Marshal(creation.Response); err != nil {
		return "", nil, fmt.Errorf("passkey: registration options: %w", err)
	}
	c := &ceremony{
		kind:       kindRegister,
		rp:         rp,
		challenge:  session.Challenge,
		salt:       salt,
		credParams: session.CredParams,
	}
	for _, e := range existing {
		c.existing = append(c.existing, append([]byte(nil), e.ID...))
	}
	if ceremonyID, err = s.put(c); err != nil {
		return "", nil, err
	}
	return ceremonyID, options, nil
}

// FinishRegistration verifies the attestation the page posted for the
// ceremony (challenge, origin, rpIdHash, user verification, type, attested
// key) and returns the new credential, with Salt set, and its 32-byte PRF
// output.
//
// When the authenticator reports PRF as enabled but gave no output at
// creation, the returned error wraps ErrNeedAssertion and the Credential is
// valid: pass it to FollowUp, whose FinishLogin yields the output. No slot
// should be written before then.
func (s *Service) FinishRegistration(ceremonyID string, body []byte) (Credential, []byte, error) {
	c, err := s.finish(ceremonyID, kindRegister, body)
	if err != nil {
		return Credential{}, nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(body)
	if err != nil {
		return Credential{}, nil, invalid("parse registration", err)
	}
	// User verification is checked below, after everything else, so that
	// its absence is reported as such rather than as a bad response.
	hash, err := parsed.Verify(c.challenge, c.rp.ID, []string{c.rp.Origin}, nil, nil,
		s.policy.RPTopOriginVerificationMode, false, false, true, nil, c.credParams, s.policy.Attestation, s.policy.Signature)
	if err != nil {
		return Credential{}, nil, invalid("verify registration", err)
	}
	flags := parsed.Response.AttestationObject.AuthData.Flags
	if !flags.HasBackupEligible() && flags.HasBackupState() {
		return Credential{}, nil, invalid("backup state without backup eligibility", nil)
	}
	if !flags.HasUserVerified() {
		return Credential{}, nil, fmt.Errorf("%w: at registration", ErrNoUserVerification)
	}
	wc, err := webauthn.NewCredential(hash, parsed)
	if err != nil {
		return Credential{}, nil, invalid("credential", err)
	}
	for _, id := range c.existing {
		if bytes.Equal(id, wc.ID) {
			return Credential{}, nil, invalid("credential already registered", nil)
		}
	}
	cred := Credential{
		ID:           wc.ID,
		PublicKey:    wc.PublicKey,
		SignCount:    wc.Authenticator.SignCount,
		AAGUID:       wc.Authenticator.AAGUID,
		Salt:         c.salt,
		UserVerified: true,
	}
	for _, t := range wc.Transport {
		cred.Transports = append(cred.Transports, string(t))
	}
	out, err := prfOutput(parsed.ClientExtensionResults, true)
	if errors.Is(err, ErrNeedAssertion) {
		return cred, nil, err
	}
	if err != nil {
		return Credential{}, nil, err
	}
	return cred, out, nil
}

// FollowUp starts an assertion for a credential FinishRegistration has just
// returned with ErrNeedAssertion, to obtain its PRF output (some
// authenticators give it only on get()). Its FinishLogin, with c among the
// credentials, returns the output.
func (s *Service) FollowUp(rp RP, c Credential) (ceremonyID string, options json.RawMessage, err error) {
	return s.BeginLogin(rp, []Credential{c})
}
