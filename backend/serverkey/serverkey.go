// Package serverkey is an accounts server's key file: one random secret
// from which the accounts database's sealing and look-up keys are derived
// (labelled HKDF), plus the session-cookie keys, newest first, so a rotated
// key still decodes the cookies it signed until they expire.
//
// The file opens no patient's record: vaults are wrapped only by each
// patient's own password, passkeys and recovery key (docs/security.md).
// It does reveal who has an account, so keep it out of the backups of the
// data folder it sits in, and readable only by Ward (0600).
package serverkey

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/ward-health/ward/backend/accounts"
)

// Size is the size of every secret in the file.
const Size = 32

// MaxCookieKeys is how many cookie keys are kept: the current one and the
// one before, which only decodes.
const MaxCookieKeys = 2

// Errors.
var (
	ErrMissing = errors.New("serverkey: no key file")
	ErrBad     = errors.New("serverkey: the key file is damaged or not Ward's")
	ErrExists  = errors.New("serverkey: a key file already exists")
)

// Keys are the secrets of the file.
type Keys struct {
	master []byte
	// Cookie are the cookie keys, newest first: each a hash key (HMAC)
	// and a block key (AES-256) for gorilla/securecookie.
	Cookie []CookieKey
}

// CookieKey is one generation of session-cookie keys.
type CookieKey struct {
	Hash, Block []byte
}

type file struct {
	V      int      `json:"v"`
	Master []byte   `json:"master"`
	Cookie [][]byte `json:"cookie"` // each Size bytes; both keys derive from it
}

// Accounts are the accounts database's keys.
func (k *Keys) Accounts() accounts.Keys {
	var out accounts.Keys
	copy(out.Seal[:], derive(k.master, "ward.accounts.v1 seal"))
	copy(out.Lookup[:], derive(k.master, "ward.accounts.v1 lookup"))
	return out
}

// ShareLookup is the key of the keyed hash that finds a share by its code
// (package share) and a SMART Health Link by its manifest id. It finds a
// share; it opens none.
func (k *Keys) ShareLookup() []byte {
	return derive(k.master, "ward.share.v1 lookup")
}

func derive(secret []byte, label string) []byte {
	b, err := hkdf.Key(sha256.New, secret, nil, label, Size)
	if err != nil {
		panic(err) // only for a length HKDF cannot give; Size is fine
	}
	return b
}

func cookieKey(secret []byte) CookieKey {
	return CookieKey{Hash: derive(secret, "ward.cookie.v1 hash"), Block: derive(secret, "ward.cookie.v1 block")}
}

func random() []byte {
	b := make([]byte, Size)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return b
}

// Create writes a new key file at path; it refuses to replace one.
func Create(path string) (*Keys, error) {
	f := file{V: 1, Master: random(), Cookie: [][]byte{random()}}
	if err := write(path, f, false); err != nil {
		return nil, err
	}
	return keysOf(f), nil
}

// Load reads the key file at path.
func Load(path string) (*Keys, error) {
	f, err := read(path)
	if err != nil {
		return nil, err
	}
	return keysOf(f), nil
}

// RotateCookie makes a new current cookie key, keeping the last one for
// decoding only, and drops any older: sessions signed with those end.
func RotateCookie(path string) (*Keys, error) {
	f, err := read(path)
	if err != nil {
		return nil, err
	}
	f.Cookie = append([][]byte{random()}, f.Cookie...)
	if len(f.Cookie) > MaxCookieKeys {
		f.Cookie = f.Cookie[:MaxCookieKeys]
	}
	if err := write(path, f, true); err != nil {
		return nil, err
	}
	return keysOf(f), nil
}

func keysOf(f file) *Keys {
	k := &Keys{master: f.Master}
	for _, c := range f.Cookie {
		k.Cookie = append(k.Cookie, cookieKey(c))
	}
	return k
}

func read(path string) (file, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return file{}, fmt.Errorf("%w at %s", ErrMissing, path)
	}
	if err != nil {
		return file{}, fmt.Errorf("serverkey: %w", err)
	}
	if len(b) > 4096 {
		return file{}, ErrBad
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil || f.V != 1 || len(f.Master) != Size || len(f.Cookie) == 0 || len(f.Cookie) > MaxCookieKeys {
		return file{}, ErrBad
	}
	for _, c := range f.Cookie {
		if len(c) != Size {
			return file{}, ErrBad
		}
	}
	return f, nil
}

// write writes f atomically (temporary file, then rename) with mode 0600.
func write(path string, f file, replace bool) error {
	if !replace {
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%w at %s", ErrExists, path)
		}
	}
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("serverkey: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".server-key-*")
	if err != nil {
		return fmt.Errorf("serverkey: %w", err)
	}
	defer os.Remove(tmp.Name())
	if runtime.GOOS != "windows" {
		if err := tmp.Chmod(0o600); err != nil {
			tmp.Close()
			return fmt.Errorf("serverkey: %w", err)
		}
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("serverkey: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("serverkey: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("serverkey: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("serverkey: %w", err)
	}
	return nil
}
