package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

const (
	infoPRF = "ward.vault.v1 prf slot"
	// PRFOutputSize is the size of a WebAuthn PRF extension output.
	PRFOutputSize = 32
	// maxCredentialID is WebAuthn's limit on credential id length.
	maxCredentialID = 1023
)

// PRF is a Wrapper and Unwrapper for passkey slots, using the output of the
// WebAuthn PRF extension (hmac-secret) of a platform authenticator.
//
// To add a passkey slot: input := NewPRFInput(); ask the authenticator for
// prf.eval.first = input; then keys.AddSlot(NewPRF(credentialID, input,
// output)). To sign in: for each prf slot, the slot's ID is the credential id
// (unpadded base64url) and its Salt is the input to send; then
// Unlock(vaultID, slots, NewPRF(credentialID, slot.Salt, output)).
//
// The wrapping key is HKDF-SHA256(output, salt = input, "ward.vault.v1 prf
// slot"). The slices passed in stay the caller's to zero.
type PRF struct {
	credentialID string // base64url, unpadded
	input        []byte
	output       []byte
	rand         io.Reader
}

// NewPRFInput returns a fresh random 32-byte PRF evaluation input for a new
// passkey slot.
func NewPRFInput() []byte {
	b := make([]byte, prfInputSize)
	rand.Read(b)
	return b
}

// NewPRF returns a PRF for the credential. input is the PRF evaluation input
// the output was made from (32 bytes) and output the 32-byte PRF output.
func NewPRF(credentialID, input, output []byte) (*PRF, error) {
	switch {
	case len(credentialID) == 0 || len(credentialID) > maxCredentialID:
		return nil, fmt.Errorf("vault: passkey credential id is %d bytes; it must be 1 to %d", len(credentialID), maxCredentialID)
	case len(input) != prfInputSize:
		return nil, fmt.Errorf("vault: passkey PRF input is %d bytes, want %d", len(input), prfInputSize)
	case len(output) != PRFOutputSize:
		return nil, fmt.Errorf("vault: passkey PRF output is %d bytes, want %d", len(output), PRFOutputSize)
	}
	return &PRF{
		credentialID: base64.RawURLEncoding.EncodeToString(credentialID),
		input:        input,
		output:       output,
	}, nil
}

// Wrap implements Wrapper.
func (p *PRF) Wrap(vaultID string, dataKey []byte) (Slot, error) {
	salt := bytes.Clone(p.input)
	return wrapHKDF(KindPRF, p.credentialID, p.output, salt, infoPRF, vaultID, dataKey, p.rand)
}

// Unwrap implements Unwrapper. Slots for other credentials, or made with a
// different PRF input, give ErrSlotMismatch.
func (p *PRF) Unwrap(vaultID string, s Slot) ([]byte, error) {
	if s.Kind == KindPRF && s.ID == p.credentialID && !bytes.Equal(s.Salt, p.input) {
		return nil, fmt.Errorf("%w: prf slot %s has a different PRF input", ErrSlotMismatch, s.ID)
	}
	if p.output == nil {
		return nil, errors.New("vault: no PRF output")
	}
	return unwrapHKDF(KindPRF, p.credentialID, p.output, infoPRF, vaultID, s)
}
