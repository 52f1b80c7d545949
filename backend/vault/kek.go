package vault

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

const (
	// KEKSize is the size of a server key-encryption key.
	KEKSize = 32

	infoKEK   = "ward.vault.v1 kek slot"
	infoKEKID = "ward.vault.v1 kek id"
)

// KEK is the server's key-encryption key for serve mode, and a Wrapper and
// Unwrapper for kek slots: it wraps each patient's data key so the server can
// open vaults without the patient present. Whoever holds the KEK and the
// database can read every vault wrapped with it; keep it outside the
// database's backups.
//
// A kek slot's ID is the KEK's fingerprint (ID), so a server holding several
// KEKs during rotation finds the right slot; its wrapping key is
// HKDF-SHA256(KEK, slot salt, "ward.vault.v1 kek slot").
type KEK struct {
	key  []byte
	id   string
	rand io.Reader
}

func newKEK(key []byte) *KEK {
	fp := hkdfKey(key, nil, infoKEKID)
	defer clear(fp)
	return &KEK{key: key, id: hex.EncodeToString(fp[:8])}
}

// ID returns the KEK's fingerprint: 16 hex characters that identify it
// without revealing it.
func (k *KEK) ID() string { return k.id }

// String implements fmt.Stringer without revealing the key.
func (k *KEK) String() string { return "vault.KEK(" + k.id + ")" }

// GoString implements fmt.GoStringer without revealing the key.
func (k *KEK) GoString() string { return k.String() }

// Destroy zeroes the key. Later Wrap and Unwrap calls fail with ErrLocked.
func (k *KEK) Destroy() {
	clear(k.key)
	k.key = nil
}

// Wrap implements Wrapper.
func (k *KEK) Wrap(vaultID string, dataKey []byte) (Slot, error) {
	if k.key == nil {
		return Slot{}, ErrLocked
	}
	return wrapHKDF(KindKEK, k.id, k.key, nil, infoKEK, vaultID, dataKey, k.rand)
}

// Unwrap implements Unwrapper. A kek slot made with a different KEK gives
// ErrSlotMismatch.
func (k *KEK) Unwrap(vaultID string, s Slot) ([]byte, error) {
	if k.key == nil {
		return nil, ErrLocked
	}
	return unwrapHKDF(KindKEK, k.id, k.key, infoKEK, vaultID, s)
}

// KEKFromEnv reads a KEK from an environment variable's value: 32 bytes in
// standard or URL-safe base64 (padding optional, surrounding space ignored).
func KEKFromEnv(value string) (*KEK, error) {
	v := strings.TrimRight(strings.TrimSpace(value), "=")
	var key []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err = enc.DecodeString(v); err == nil {
			break
		}
	}
	if err != nil || len(key) != KEKSize {
		clear(key)
		return nil, errors.New("the server key must be 32 random bytes written in base64 " +
			"(make one with: head -c 32 /dev/urandom | base64)")
	}
	return newKEK(key), nil
}

// LoadOrCreateKEK reads the 32-byte KEK at path, or creates it with random
// bytes and mode 0600 if it does not exist. It refuses a file that other
// users could read or write, or that is not exactly 32 bytes.
func LoadOrCreateKEK(path string) (*KEK, error) {
	return loadOrCreateKEK(path, rand.Reader)
}

func loadOrCreateKEK(path string, r io.Reader) (*KEK, error) {
	k, err := loadKEK(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating the folder for the server key: %w", err)
	}
	key := make([]byte, KEKSize)
	if _, err := io.ReadFull(r, key); err != nil {
		return nil, fmt.Errorf("making the server key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		clear(key) // another process made it first; use theirs
		return loadKEK(path)
	}
	if err != nil {
		clear(key)
		return nil, fmt.Errorf("creating the server key file: %w", err)
	}
	_, err = f.Write(key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		clear(key)
		os.Remove(path)
		return nil, fmt.Errorf("writing the server key file %s: %w", path, err)
	}
	return newKEK(key), nil
}

func loadKEK(path string) (*KEK, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("the server key %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, fmt.Errorf("the server key %s can be read or changed by other users (mode %04o); "+
			"make it private with: chmod 600 %s", path, perm, path)
	}
	if st.Size() != KEKSize {
		return nil, fmt.Errorf("the server key %s is %d bytes, not %d: it is damaged or not a Ward key", path, st.Size(), KEKSize)
	}
	key := make([]byte, KEKSize)
	if _, err := io.ReadFull(f, key); err != nil {
		clear(key)
		return nil, fmt.Errorf("reading the server key %s: %w", path, err)
	}
	return newKEK(key), nil
}
