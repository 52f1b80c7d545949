package share

// Sealing a share under its code, and the keyed hash that finds it.

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Sealing a share
//
// The shared Payload is sealed with XChaCha20-Poly1305 under
// HKDF-SHA256(code secret, the share's random 32-byte salt,
// "ward.share.v1 key"), the associated data binding the share's id, so a
// ciphertext moved to another share's row does not open. The code has 100
// random bits, so no slow derivation is needed.
//
// The database finds a share by LookupHash: HMAC-SHA256, keyed with a
// server secret, of a label and the code secret. Without that secret the
// database alone cannot test a guessed code; with it, a guess can be
// tested, but the hash opens nothing: the sealing key comes from the code
// by another derivation, and neither the database nor the server key holds
// the code.
const (
	infoKey     = "ward.share.v1 key"
	lookupLabel = "ward.share.v1 lookup\x00"
	adLabel     = "ward.share.v1 payload\x00"
	saltSize    = 32
	// MaxSealed bounds what Open reads: a share's ciphertext beyond it is
	// refused before any work.
	MaxSealed = 64 << 20
)

// ErrOpen is a ciphertext that did not open: the wrong code, salt or share.
var ErrOpen = errors.New("share: sealed payload does not open")

// ErrTooLarge is a payload over MaxSealed.
var ErrTooLarge = errors.New("share: shared records are too large (over 64 MiB)")

func (c *Code) key(salt []byte) ([]byte, error) {
	if c == nil || c.secret == nil {
		return nil, errDestroyed
	}
	return hkdf.Key(sha256.New, c.secret, salt, infoKey, chacha20poly1305.KeySize)
}

// NewSalt makes a share's random salt.
func NewSalt() []byte {
	s := make([]byte, saltSize)
	rand.Read(s) // crypto/rand.Read never fails (Go 1.24+)
	return s
}

// Seal encrypts plain for share id under code and salt.
func Seal(c *Code, salt []byte, id string, plain []byte) ([]byte, error) {
	if len(plain)+24+16 > MaxSealed {
		return nil, ErrTooLarge
	}
	k, err := c.key(salt)
	if err != nil {
		return nil, err
	}
	defer clear(k)
	aead, err := chacha20poly1305.NewX(k)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, []byte(adLabel+id)), nil
}

// Open decrypts what Seal sealed. Anything that does not open gives
// ErrOpen; a ciphertext over MaxSealed gives ErrTooLarge at once.
func Open(c *Code, salt []byte, id string, sealed []byte) ([]byte, error) {
	if len(sealed) > MaxSealed {
		return nil, ErrTooLarge
	}
	k, err := c.key(salt)
	if err != nil {
		return nil, err
	}
	defer clear(k)
	aead, err := chacha20poly1305.NewX(k)
	if err != nil {
		return nil, err
	}
	n := aead.NonceSize()
	if len(sealed) < n+aead.Overhead() {
		return nil, ErrOpen
	}
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], []byte(adLabel+id))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// LookupHash is how the accounts database finds the share for code:
// HMAC-SHA256(lookupKey, "ward.share.v1 lookup" 0x00 secret), 32 bytes.
func LookupHash(lookupKey []byte, c *Code) []byte {
	if c == nil || c.secret == nil {
		return nil
	}
	m := hmac.New(sha256.New, lookupKey)
	m.Write([]byte(lookupLabel))
	m.Write(c.secret)
	return m.Sum(nil)
}

func errf(format string, a ...any) error { return fmt.Errorf("share: "+format, a...) }
