package passkey

import (
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
)

// The errors a ceremony ends with. Every error returned by this package wraps
// exactly one of them (errors.Is), with context for logs that never includes
// a PRF output, a salt or the posted body.
var (
	// ErrUnknownCeremony: the ceremony id is unknown, already used (even by a
	// failed attempt), dropped, or belongs to the other kind of ceremony.
	ErrUnknownCeremony = errors.New("passkey: unknown or used ceremony")
	// ErrExpired: the ceremony is older than Config.TTL. It is used up too.
	ErrExpired = errors.New("passkey: ceremony expired")
	// ErrInvalid: the response is malformed, too large, of the wrong type,
	// badly signed, from another origin or relying party, for another
	// challenge, or names an unknown credential.
	ErrInvalid = errors.New("passkey: invalid response")
	// ErrNoUserVerification: the authenticator did not verify the user
	// (no face, fingerprint or PIN), only their presence.
	ErrNoUserVerification = errors.New("passkey: user not verified")
	// ErrCloned: the sign count did not increase; the credential may have
	// been copied.
	ErrCloned = errors.New("passkey: sign count did not increase")
	// ErrNoPRF: the authenticator gives no PRF output and does not say it
	// can. It can sign in but cannot protect the record's key.
	ErrNoPRF = errors.New("passkey: this device can sign you in but cannot protect your record's key")
	// ErrNeedAssertion: the credential was registered and supports PRF but
	// gave no output at creation; run FollowUp to get it.
	ErrNeedAssertion = errors.New("passkey: PRF output needs an assertion")
	// ErrBadPRF: the PRF output is not 32 bytes.
	ErrBadPRF = errors.New("passkey: PRF output is not 32 bytes")
)

// invalid wraps ErrInvalid with what failed. The go-webauthn error is kept
// (its Error() is only its Details, which name the failed check and hold no
// response data); any other cause, such as a JSON error quoting the body, is
// replaced by a fixed text.
func invalid(step string, cause error) error {
	if cause == nil {
		return fmt.Errorf("%w: %s", ErrInvalid, step)
	}
	var pe *protocol.Error
	if errors.As(cause, &pe) {
		return fmt.Errorf("%w: %s: %w", ErrInvalid, step, pe)
	}
	return fmt.Errorf("%w: %s: malformed", ErrInvalid, step)
}
