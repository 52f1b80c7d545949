package vault

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

const (
	// DataKeySize is the size of a vault's data key in bytes.
	DataKeySize = 32

	// RecordVersion is the version byte that starts every sealed value.
	RecordVersion byte = 1

	// NonceSize is the size of the random nonce in every sealed value.
	NonceSize = chacha20poly1305.NonceSizeX

	// Overhead is how many bytes longer a sealed value is than its plaintext:
	// one version byte, the nonce and the Poly1305 tag.
	Overhead = 1 + NonceSize + chacha20poly1305.Overhead

	// IndexSize is the length of a value returned by Keys.Index.
	IndexSize = sha256.Size

	infoSeal  = "ward.vault.v1 seal"
	infoIndex = "ward.vault.v1 index"
)

// Domain-separation prefixes for the associated data and the index input.
var (
	recordADPrefix = appendLP(nil, "ward.vault.record")
	indexPrefix    = appendLP(nil, "ward.vault.index")
)

// AD is the associated data that binds a sealed value to where it lives.
// Every field is authenticated but not encrypted and not stored in the
// ciphertext: the store supplies the same AD to Open that it gave to Seal.
// It is encoded unambiguously as
//
//	lp("ward.vault.record") | 0x01 | lp(VaultID) | lp(Table) | lp(RowKey) |
//	Version (8 bytes, big endian)
//
// where lp(x) is len(x) as 4 bytes big endian followed by x.
type AD struct {
	VaultID string // the vault the row belongs to; must match the Keys' vault
	Table   string // table (or column family) name
	RowKey  []byte // the row's key, usually from Keys.Index
	Version uint64 // the row's version; bump it on every update
}

// appendTo appends the unambiguous encoding of ad to b:
//
//	lp("ward.vault.record") | format version (1 byte) |
//	lp(VaultID) | lp(Table) | lp(RowKey) | Version (8 bytes, big endian)
//
// where lp(x) is len(x) as 4 bytes big endian followed by x.
func (ad *AD) appendTo(b []byte, version byte) []byte {
	b = append(b, recordADPrefix...)
	b = append(b, version)
	b = appendLP(b, ad.VaultID)
	b = appendLP(b, ad.Table)
	b = appendLP(b, ad.RowKey)
	return binary.BigEndian.AppendUint64(b, ad.Version)
}

// appendLP appends len(s) as a 4-byte big-endian integer, then s.
func appendLP[T ~string | ~[]byte](b []byte, s T) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// Keys are an unlocked vault's keys: the data key and the sealing and index
// keys derived from it. They are safe for concurrent use. Call Destroy when
// the vault is locked; after that every method returns ErrLocked.
type Keys struct {
	mu       sync.RWMutex
	vaultID  string
	dataKey  []byte // nil once destroyed
	indexKey []byte
	aead     cipher.AEAD
	rand     io.Reader
	adPool   sync.Pool // *[]byte scratch space for encoded AD
}

// New makes a fresh random data key for a new vault. Store at least one slot
// from keys.AddSlot before sealing anything, or the records are lost.
func New(vaultID string) (*Keys, error) {
	return newKeys(vaultID, rand.Reader)
}

func newKeys(vaultID string, r io.Reader) (*Keys, error) {
	dk := make([]byte, DataKeySize)
	if _, err := io.ReadFull(r, dk); err != nil {
		return nil, fmt.Errorf("vault: making data key: %w", err)
	}
	return keysFromDataKey(vaultID, dk, r)
}

// keysFromDataKey takes ownership of dk.
func keysFromDataKey(vaultID string, dk []byte, r io.Reader) (*Keys, error) {
	if len(dk) != DataKeySize {
		clear(dk)
		return nil, fmt.Errorf("vault: data key is %d bytes, want %d", len(dk), DataKeySize)
	}
	if vaultID == "" {
		clear(dk)
		return nil, errors.New("vault: empty vault id")
	}
	sealKey := hkdfKey(dk, nil, infoSeal)
	defer clear(sealKey)
	aead, err := chacha20poly1305.NewX(sealKey)
	if err != nil {
		clear(dk)
		return nil, fmt.Errorf("vault: %w", err)
	}
	return &Keys{
		vaultID:  vaultID,
		dataKey:  dk,
		indexKey: hkdfKey(dk, nil, infoIndex),
		aead:     aead,
		rand:     r,
	}, nil
}

// hkdfKey derives a 32-byte key with HKDF-SHA256.
func hkdfKey(secret, salt []byte, info string) []byte {
	k := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, salt, []byte(info)), k); err != nil {
		panic("vault: hkdf: " + err.Error()) // unreachable: 32 bytes is far below the HKDF limit
	}
	return k
}

// VaultID returns the vault id the keys were made or unlocked for.
func (k *Keys) VaultID() string { return k.vaultID }

// Destroy zeroes the keys this package holds and locks k: later calls return
// ErrLocked. It is safe to call more than once and concurrently with other
// methods. (The AEAD's internal copy of the sealing key, inside x/crypto,
// cannot be zeroed; it is dropped for the garbage collector.)
func (k *Keys) Destroy() {
	k.mu.Lock()
	defer k.mu.Unlock()
	clear(k.dataKey)
	clear(k.indexKey)
	k.dataKey, k.indexKey, k.aead = nil, nil, nil
}

// Seal encrypts plaintext for the row described by ad and returns
// version | nonce | ciphertext.
func (k *Keys) Seal(ad AD, plaintext []byte) ([]byte, error) {
	return k.SealTo(make([]byte, 0, len(plaintext)+Overhead), ad, plaintext)
}

// SealTo is Seal, appending the sealed value to dst and returning the
// extended slice. dst and plaintext must not overlap.
func (k *Keys) SealTo(dst []byte, ad AD, plaintext []byte) ([]byte, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.dataKey == nil {
		return nil, ErrLocked
	}
	if ad.VaultID != k.vaultID {
		return nil, fmt.Errorf("vault: sealing with AD for vault %q using keys for vault %q", ad.VaultID, k.vaultID)
	}
	ret, out := sliceForAppend(dst, Overhead+len(plaintext))
	out[0] = RecordVersion
	nonce := out[1 : 1+NonceSize]
	if _, err := io.ReadFull(k.rand, nonce); err != nil {
		return nil, fmt.Errorf("vault: making nonce: %w", err)
	}
	adb := k.getAD()
	*adb = ad.appendTo((*adb)[:0], RecordVersion)
	k.aead.Seal(out[1+NonceSize:1+NonceSize], nonce, plaintext, *adb)
	k.putAD(adb)
	return ret, nil
}

// Open checks and decrypts a value made by Seal with the same AD. A value
// that was changed, truncated or moved fails with an error wrapping
// ErrIntegrity; one from a newer Ward fails with ErrUnsupportedVersion.
func (k *Keys) Open(ad AD, sealed []byte) ([]byte, error) {
	n := len(sealed) - Overhead
	if n < 0 {
		n = 0
	}
	return k.OpenTo(make([]byte, 0, n), ad, sealed)
}

// OpenTo is Open, appending the plaintext to dst and returning the extended
// slice. dst and sealed must not overlap.
func (k *Keys) OpenTo(dst []byte, ad AD, sealed []byte) ([]byte, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.dataKey == nil {
		return nil, ErrLocked
	}
	if len(sealed) == 0 {
		return nil, fmt.Errorf("%w: empty value", ErrIntegrity)
	}
	switch v := sealed[0]; {
	case v > RecordVersion:
		return nil, fmt.Errorf("%w: record format %d", ErrUnsupportedVersion, v)
	case v != RecordVersion:
		return nil, fmt.Errorf("%w: bad record format byte %d", ErrIntegrity, v)
	}
	if len(sealed) < Overhead {
		return nil, fmt.Errorf("%w: value truncated to %d bytes", ErrIntegrity, len(sealed))
	}
	if ad.VaultID != k.vaultID {
		return nil, fmt.Errorf("%w: value is for vault %q, keys are for vault %q", ErrIntegrity, ad.VaultID, k.vaultID)
	}
	adb := k.getAD()
	*adb = ad.appendTo((*adb)[:0], RecordVersion)
	out, err := k.aead.Open(dst, sealed[1:1+NonceSize], sealed[1+NonceSize:], *adb)
	k.putAD(adb)
	if err != nil {
		return nil, fmt.Errorf("%w: %s row does not authenticate", ErrIntegrity, ad.Table)
	}
	return out, nil
}

func (k *Keys) getAD() *[]byte {
	if b, ok := k.adPool.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 256)
	return &b
}

func (k *Keys) putAD(b *[]byte) {
	if cap(*b) <= 4096 { // don't keep huge buffers around
		k.adPool.Put(b)
	}
}

// Index returns HMAC-SHA256 under the vault's index key of the parts,
// encoded unambiguously, so ("ab","c") and ("a","bc") differ:
//
//	HMAC-SHA256(index key, lp("ward.vault.index") | count (4 bytes, big endian) | lp(part)...)
//
// The store uses it to address records, for
// example Index("org-id", "Observation", fhirID), and for coarse keyed index
// values, without storing the plaintext. The result is IndexSize bytes.
func (k *Keys) Index(parts ...string) ([]byte, error) {
	return k.IndexTo(make([]byte, 0, IndexSize), parts...)
}

// IndexTo is Index, appending the result to dst.
func (k *Keys) IndexTo(dst []byte, parts ...string) ([]byte, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.indexKey == nil {
		return nil, ErrLocked
	}
	m := hmac.New(sha256.New, k.indexKey)
	var b [4]byte
	m.Write(indexPrefix)
	binary.BigEndian.PutUint32(b[:], uint32(len(parts)))
	m.Write(b[:])
	for _, p := range parts {
		binary.BigEndian.PutUint32(b[:], uint32(len(p)))
		m.Write(b[:])
		io.WriteString(m, p)
	}
	return m.Sum(dst), nil
}

// AddSlot wraps the data key with w and returns the new slot for the store
// to save. Existing slots and records are unchanged.
func (k *Keys) AddSlot(w Wrapper) (Slot, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.dataKey == nil {
		return Slot{}, ErrLocked
	}
	return w.Wrap(k.vaultID, k.dataKey)
}

// Unlock tries u against each slot in turn and returns the vault's keys from
// the first slot it opens. Slots that are not for u (ErrSlotMismatch) are
// skipped. If u fits some slot but opens none, the error wraps
// ErrWrongSecret; if it fits none, ErrNoSlot.
func Unlock(vaultID string, slots []Slot, u Unwrapper) (*Keys, error) {
	var firstErr error
	for _, s := range slots {
		dk, err := u.Unwrap(vaultID, s)
		if errors.Is(err, ErrSlotMismatch) {
			continue
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		return keysFromDataKey(vaultID, dk, rand.Reader)
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return nil, ErrNoSlot
}

// sliceForAppend extends in by n bytes, returning the whole slice and the
// new tail (as in the standard library's AEADs).
func sliceForAppend(in []byte, n int) (head, tail []byte) {
	if total := len(in) + n; cap(in) >= total {
		head = in[:total]
	} else {
		head = make([]byte, total)
		copy(head, in)
	}
	tail = head[len(in):]
	return
}
