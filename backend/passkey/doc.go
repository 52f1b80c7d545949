// Package passkey holds Ward's WebAuthn ceremonies: registering a passkey
// (face, fingerprint, Windows Hello, a phone or a security key) and asserting
// with one, verified by github.com/go-webauthn/webauthn. It does nothing else:
// it stores no credential, unwraps no key and knows nothing of HTTP.
//
// # Why PRF
//
// A passkey in Ward does not just open a session, it unwraps the key that
// decrypts the record. Every ceremony therefore asks the authenticator for
// the WebAuthn PRF extension (CTAP hmac-secret) evaluated over the 32-byte
// salt of the credential's vault slot; the 32-byte output is returned to the
// caller, which feeds it through HKDF into the slot's wrapping key (see
// backend/vault). An authenticator that signs but cannot evaluate the PRF is
// refused with ErrNoPRF: it could sign the patient in but could not protect
// the record's key. Some authenticators only give PRF output on get(), so a
// registration can end with ErrNeedAssertion and a FollowUp assertion.
//
// # Ceremonies
//
// Ceremony state (challenge, relying party, salts, allowed credentials) lives
// only in the memory of a Service, keyed by a random ceremony id the page
// echoes back. Each ceremony is single use: the first Finish call removes it,
// whatever its outcome, so a replayed response meets ErrUnknownCeremony. A
// ceremony expires after Config.TTL (2 minutes), at most 64 are pending (the
// oldest is dropped) and expired ones are swept. User verification is always
// required and a sign count that did not increase is refused (ErrCloned).
//
// The PRF output and the posted bodies are secrets: they are never logged
// and never put in an error string. Errors wrap one of the exported Err
// values; match them with errors.Is.
package passkey
