package shl

import (
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// Content types a SMART Health Link manifest may list.
const (
	ContentTypeFHIR      = "application/fhir+json"
	ContentTypeSHC       = "application/smart-health-card"
	ContentTypeAPIAccess = "application/smart-api-access"
)

// ErrDecrypt is returned by Decrypt for any malformed, tampered or
// wrongly-keyed JWE.
var ErrDecrypt = errors.New("shl: cannot decrypt file")

// Encrypt returns plaintext as a compact JWE with "alg":"dir",
// "enc":"A256GCM" and "cty":contentType, under the 32-byte key. go-jose
// draws a fresh random 96-bit IV for every call, as the specification
// requires (the same key is used for every file of a link, over time).
func Encrypt(key []byte, contentType string, plaintext []byte) (string, error) {
	if len(key) != KeySize {
		return "", fmt.Errorf("shl: key must be %d bytes", KeySize)
	}
	if contentType == "" {
		return "", errors.New("shl: content type required")
	}
	enc, err := jose.NewEncrypter(jose.A256GCM,
		jose.Recipient{Algorithm: jose.DIRECT, Key: key},
		(&jose.EncrypterOptions{}).WithContentType(jose.ContentType(contentType)))
	if err != nil {
		return "", err
	}
	obj, err := enc.Encrypt(plaintext)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// Decrypt opens a compact JWE made by Encrypt (or any conforming SMART Health
// Links sharer): only "alg":"dir" with "enc":"A256GCM" is accepted, a "zip":
// "DEF" payload is inflated (go-jose caps the inflated size). It returns the
// "cty" header and the plaintext.
func Decrypt(key []byte, compact string) (contentType string, plaintext []byte, err error) {
	if len(key) != KeySize {
		return "", nil, fmt.Errorf("shl: key must be %d bytes", KeySize)
	}
	obj, err := jose.ParseEncryptedCompact(compact,
		[]jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	// ParseEncryptedCompact already refuses other algorithms; check again so
	// that a change in the library cannot widen what is accepted.
	if obj.Header.Algorithm != string(jose.DIRECT) {
		return "", nil, fmt.Errorf("%w: alg %q", ErrDecrypt, obj.Header.Algorithm)
	}
	if enc, _ := obj.Header.ExtraHeaders[jose.HeaderKey("enc")].(string); enc != "" && enc != string(jose.A256GCM) {
		return "", nil, fmt.Errorf("%w: enc %q", ErrDecrypt, enc)
	}
	plaintext, err = obj.Decrypt(key)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	if cty, ok := obj.Header.ExtraHeaders[jose.HeaderContentType]; ok {
		s, isString := cty.(string)
		if !isString {
			return "", nil, fmt.Errorf("%w: cty is not a string", ErrDecrypt)
		}
		contentType = s
	}
	return contentType, plaintext, nil
}
