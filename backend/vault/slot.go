package vault

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

// SlotKind names the kind of secret a slot is wrapped under.
type SlotKind string

// Slot kinds.
const (
	KindPassword SlotKind = "password" // Argon2id of a password
	KindRecovery SlotKind = "recovery" // HKDF of a recovery key
	KindPRF      SlotKind = "prf"      // HKDF of a passkey's WebAuthn PRF output
	KindKEK      SlotKind = "kek"      // HKDF of the server's key-encryption key
	KindInvite   SlotKind = "invite"   // HKDF of a one-time activation code
)

// SlotVersion is the current slot format version.
const SlotVersion = 1

// KDF names stored in slots.
const (
	KDFArgon2id   = "argon2id"
	KDFHKDFSHA256 = "hkdf-sha256"
)

const (
	slotIDBytes   = 8
	saltSize      = 16
	prfInputSize  = 32
	wrappedSize   = DataKeySize + chacha20poly1305.Overhead
	maxSlotIDLen  = 1400 // base64url of the longest WebAuthn credential id (1023 bytes)
	maxSlotJSONSz = 8192
)

// Slot is one wrapped copy of a vault's data key, in the spirit of a LUKS key
// slot. It holds no secret in the clear and is meant to be stored as JSON in
// the store's metadata table, for example:
//
//	{"v":1,"kind":"password","id":"8f1c0a3e5b7d9f21","kdf":"argon2id",
//	 "argon2":{"m":65536,"t":3,"p":4},"salt":"…","nonce":"…","wrapped":"…"}
//
// Byte fields are standard base64 in JSON. The wrapped key is the 32-byte
// data key sealed with XChaCha20-Poly1305 under the slot's wrapping key and
// Nonce, with associated data binding the slot to its vault:
//
//	lp("ward.vault.slot") | Version (1 byte) | lp(Kind) | lp(ID) | lp(vault id)
//
// (lp(x) is len(x) as 4 bytes big endian followed by x), so a slot copied to
// another vault, or relabelled, does not open.
type Slot struct {
	Version int      `json:"v"`
	Kind    SlotKind `json:"kind"`
	// ID is random hex for password, recovery and invite slots, the base64url
	// (unpadded) WebAuthn credential id for prf slots, and the server key's
	// fingerprint (KEK.ID) for kek slots.
	ID  string `json:"id"`
	KDF string `json:"kdf"`
	// Argon2 is set for password slots only.
	Argon2 *Argon2Params `json:"argon2,omitempty"`
	// Salt is the KDF salt: 16 random bytes, or for prf slots the 32-byte
	// WebAuthn PRF evaluation input ("first"), which is also the HKDF salt.
	Salt    []byte `json:"salt"`
	Nonce   []byte `json:"nonce"`
	Wrapped []byte `json:"wrapped"`
	// Passkey is set for prf slots: what the server needs to check the
	// passkey's assertions before the PRF output is tried. None of it is
	// secret (a public key, a counter, the name the patient gave it), and
	// none of it can open the slot: only the authenticator's PRF output can.
	Passkey *Passkey `json:"passkey,omitempty"`
}

// Passkey is a prf slot's WebAuthn credential.
type Passkey struct {
	PublicKey  []byte    `json:"publicKey"` // COSE_Key
	SignCount  uint32    `json:"signCount"`
	Transports []string  `json:"transports,omitempty"`
	AAGUID     []byte    `json:"aaguid,omitempty"`
	RPID       string    `json:"rpId"` // the relying party it was made for ("localhost")
	Name       string    `json:"name"` // "This laptop"
	Added      time.Time `json:"added"`
	LastUsed   time.Time `json:"lastUsed,omitzero"`
}

// MaxPasskeyName is the longest name a passkey may be given, in bytes.
const MaxPasskeyName = 100

// Wrapper wraps a data key into a new slot bound to vaultID. Wrap must not
// keep or change dataKey.
type Wrapper interface {
	Wrap(vaultID string, dataKey []byte) (Slot, error)
}

// Unwrapper recovers the data key from a slot. It returns an error wrapping
// ErrSlotMismatch for a slot that is not for it, and ErrWrongSecret when the
// slot is for it but does not open. The returned key belongs to the caller.
type Unwrapper interface {
	Unwrap(vaultID string, s Slot) ([]byte, error)
}

// MarshalSlot returns the slot's JSON.
func MarshalSlot(s Slot) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(s)
}

// ParseSlot decodes and checks a slot's JSON. A slot from a newer Ward
// (higher version or unknown kind) gives an error wrapping
// ErrUnsupportedVersion; a malformed one a plain error.
func ParseSlot(data []byte) (Slot, error) {
	if len(data) > maxSlotJSONSz {
		return Slot{}, fmt.Errorf("vault: slot is %d bytes, more than the %d allowed", len(data), maxSlotJSONSz)
	}
	var s Slot
	if err := json.Unmarshal(data, &s); err != nil {
		return Slot{}, fmt.Errorf("vault: reading slot: %w", err)
	}
	if err := s.validate(); err != nil {
		return Slot{}, err
	}
	return s, nil
}

// validate checks a slot's shape, before any key derivation. It guards
// against crafted slots (absurd Argon2 costs, odd lengths).
func (s *Slot) validate() error {
	if s.Version > SlotVersion {
		return fmt.Errorf("%w: slot version %d", ErrUnsupportedVersion, s.Version)
	}
	if s.Version != SlotVersion {
		return fmt.Errorf("vault: bad slot version %d", s.Version)
	}
	if s.ID == "" || len(s.ID) > maxSlotIDLen {
		return fmt.Errorf("vault: %s slot: bad id length %d", s.Kind, len(s.ID))
	}
	wantKDF, wantSalt := KDFHKDFSHA256, saltSize
	switch s.Kind {
	case KindPassword:
		wantKDF = KDFArgon2id
		if s.Argon2 == nil {
			return errors.New("vault: password slot has no Argon2id parameters")
		}
		if err := s.Argon2.check(); err != nil {
			return err
		}
	case KindPRF:
		wantSalt = prfInputSize
	case KindRecovery, KindKEK, KindInvite:
	default:
		return fmt.Errorf("%w: unknown slot kind %q", ErrUnsupportedVersion, s.Kind)
	}
	if (s.Kind == KindPRF) != (s.Passkey != nil) && s.Passkey != nil {
		return fmt.Errorf("vault: %s slot has passkey details", s.Kind)
	}
	if p := s.Passkey; p != nil && (len(p.PublicKey) == 0 || len(p.PublicKey) > 1024 || len(p.Name) > MaxPasskeyName || len(p.RPID) > 253 || len(p.Transports) > 8) {
		return fmt.Errorf("vault: %s slot: bad passkey details", s.Kind)
	}
	if s.Kind != KindPassword && s.Argon2 != nil {
		return fmt.Errorf("vault: %s slot has Argon2id parameters", s.Kind)
	}
	switch {
	case s.KDF != wantKDF:
		return fmt.Errorf("vault: %s slot: KDF %q, want %q", s.Kind, s.KDF, wantKDF)
	case len(s.Salt) != wantSalt:
		return fmt.Errorf("vault: %s slot: salt is %d bytes, want %d", s.Kind, len(s.Salt), wantSalt)
	case len(s.Nonce) != chacha20poly1305.NonceSizeX:
		return fmt.Errorf("vault: %s slot: nonce is %d bytes, want %d", s.Kind, len(s.Nonce), chacha20poly1305.NonceSizeX)
	case len(s.Wrapped) != wrappedSize:
		return fmt.Errorf("vault: %s slot: wrapped key is %d bytes, want %d", s.Kind, len(s.Wrapped), wrappedSize)
	}
	return nil
}

// slotAD is the associated data for wrapping a data key in s.
func slotAD(s *Slot, vaultID string) []byte {
	b := appendLP(make([]byte, 0, 64+len(s.Kind)+len(s.ID)+len(vaultID)), "ward.vault.slot")
	b = append(b, byte(s.Version))
	b = appendLP(b, s.Kind)
	b = appendLP(b, s.ID)
	return appendLP(b, vaultID)
}

// newSlotID returns 8 random bytes as hex.
func newSlotID(r io.Reader) (string, error) {
	var b [slotIDBytes]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("vault: making slot id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// sealSlot fills s.Nonce and s.Wrapped by wrapping dataKey under wrapKey.
// s.Kind, ID, KDF, Salt and Argon2 must already be set.
func sealSlot(s *Slot, vaultID string, wrapKey, dataKey []byte, r io.Reader) error {
	if len(dataKey) != DataKeySize {
		return fmt.Errorf("vault: data key is %d bytes, want %d", len(dataKey), DataKeySize)
	}
	if vaultID == "" {
		return errors.New("vault: empty vault id")
	}
	aead, err := chacha20poly1305.NewX(wrapKey)
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	s.Version = SlotVersion
	s.Nonce = make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := io.ReadFull(r, s.Nonce); err != nil {
		return fmt.Errorf("vault: making nonce: %w", err)
	}
	s.Wrapped = aead.Seal(nil, s.Nonce, dataKey, slotAD(s, vaultID))
	return s.validate()
}

// openSlot unwraps the data key from a validated slot.
func openSlot(s *Slot, vaultID string, wrapKey []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(wrapKey)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	dk, err := aead.Open(nil, s.Nonce, s.Wrapped, slotAD(s, vaultID))
	if err != nil {
		return nil, &wrongSecretError{kind: s.Kind}
	}
	return dk, nil
}

// checkSlot validates s and checks that it is of kind k.
func checkSlot(s *Slot, k SlotKind) error {
	if s.Kind != k {
		return fmt.Errorf("%w: %s slot, not %s", ErrSlotMismatch, s.Kind, k)
	}
	return s.validate()
}

// randReader returns r, or crypto/rand.Reader if r is nil.
func randReader(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}

// NeedsRehash reports whether a password slot's stored Argon2id cost is
// below DefaultArgon2Params (less memory, or less memory×passes), so the
// caller should wrap a new password slot with the current defaults the next
// time the person signs in with the password. It is false for other kinds.
func NeedsRehash(s Slot) bool {
	if s.Kind != KindPassword {
		return false
	}
	if s.Version < SlotVersion || s.Argon2 == nil {
		return true
	}
	d, p := DefaultArgon2Params, *s.Argon2
	return p.Memory < d.Memory || uint64(p.Memory)*uint64(p.Time) < uint64(d.Memory)*uint64(d.Time)
}
