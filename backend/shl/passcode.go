package shl

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Passcode hashing: Argon2id (RFC 9106) with the OWASP minimum parameters
// (19 MiB, 2 passes, 1 lane), a 16-byte random salt and a 32-byte tag,
// stored as a PHC string:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, unpadded base64>$<hash, unpadded base64>
//
// The hash is slow on purpose: SMART Health Link passcodes are often short
// PINs, and a leaked store must not give them up at hash-table speed. The
// online guessing rate is bounded separately by the lifetime attempt limit.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonSalt    = 16
	argonKeyLen  = 32

	// MaxPasscodeLength bounds the passcode accepted from clients (bytes).
	MaxPasscodeLength = 256
)

// ErrBadHash is returned for a PasscodeHash that is not a PHC string this
// package understands.
var ErrBadHash = errors.New("shl: unrecognised passcode hash")

// HashPasscode returns the Argon2id PHC string for passcode, for
// Entry.PasscodeHash.
func HashPasscode(passcode string) ([]byte, error) {
	if passcode == "" {
		return nil, errors.New("shl: empty passcode")
	}
	if len(passcode) > MaxPasscodeLength || !utf8.ValidString(passcode) {
		return nil, errors.New("shl: passcode too long or not UTF-8")
	}
	salt := make([]byte, argonSalt)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	sum := argon2.IDKey([]byte(passcode), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Appendf(nil, "$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

// CheckPasscode reports whether passcode matches hash (from HashPasscode).
// Parameters are read from the hash but capped (≤ 256 MiB, ≤ 10 passes,
// ≤ 16 lanes) so that a corrupt store cannot exhaust the server.
func CheckPasscode(hash []byte, passcode string) (bool, error) {
	parts := strings.Split(string(hash), "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, ErrBadHash
	}
	var m, t uint32
	var p uint8
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || n != 3 ||
		m < 8 || m > 256*1024 || t < 1 || t > 10 || p < 1 || p > 16 {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, ErrBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, ErrBadHash
	}
	if len(passcode) > MaxPasscodeLength {
		return false, nil
	}
	got := argon2.IDKey([]byte(passcode), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
