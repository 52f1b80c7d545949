package api

// SMART Health Links for shares (docs/security.md, "Sharing"). A share's
// link carries a manifest id and a file key; the server must hand out the
// shared records, encrypted under that key, while the patient is away.
// The link has flag P: its passcode is the share's code (the link and the
// code travel apart: the QR code from the patient, the code by email), kept
// only as an Argon2id hash inside the sealed copy.
// So at creation, while the patient's vault is open, Ward seals the file
// key, the label and the shared records as a FHIR Bundle under a key
// derived (HKDF-SHA256) from the link's manifest id, and stores that
// ciphertext with a keyed hash of the id (HMAC-SHA256 under a key from
// the server's key file) to find it. The id is 256 random bits that exist
// only in the link: neither the accounts database nor the key file, nor
// both, open the copy. Revoking the share deletes the ciphertext, and
// expiry stops it (and the purge deletes it).

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/share"
	"github.com/ward-health/ward/backend/shl"
)

// linkSealed is what a share's link seals.
type linkSealed struct {
	Key   []byte `json:"key"`
	Label string `json:"label"`
	// Passcode is the Argon2id hash (shl.HashPasscode) of the share's
	// code in share.CanonicalCode form; nil on links made before flag P.
	Passcode []byte          `json:"passcode,omitempty"`
	Updated  time.Time       `json:"updated"`
	Bundle   json.RawMessage `json:"bundle"`
}

func linkLookup(key []byte, id string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("ward.shl.v1 lookup\x00" + id))
	return m.Sum(nil)
}

func linkAEAD(id string) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, []byte(id), nil, "ward.shl.v1 seal", 32)
	if err != nil {
		return nil, err
	}
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func sealLink(id, shareID string, v linkSealed) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	a, err := linkAEAD(id)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, a.NonceSize())
	rand.Read(nonce) //nolint:errcheck // crypto/rand does not fail (Go 1.24+)
	return a.Seal(nonce, nonce, plain, []byte("ward.shl.v1 "+shareID)), nil
}

func openLink(id, shareID string, sealed []byte) (linkSealed, error) {
	a, err := linkAEAD(id)
	if err != nil {
		return linkSealed{}, err
	}
	if len(sealed) < a.NonceSize() {
		return linkSealed{}, errors.New("shl: sealed link too short")
	}
	plain, err := a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], []byte("ward.shl.v1 "+shareID))
	if err != nil {
		return linkSealed{}, fmt.Errorf("shl: sealed link does not open: %w", err)
	}
	defer clear(plain)
	var v linkSealed
	err = json.Unmarshal(plain, &v)
	return v, err
}

// bundleOf is a payload's resources as a FHIR R4 Bundle of type
// collection.
func bundleOf(p share.Payload) ([]byte, time.Time) {
	type entry struct {
		FullURL  string          `json:"fullUrl,omitempty"`
		Resource json.RawMessage `json:"resource"`
	}
	var updated time.Time
	entries := []entry{}
	for _, s := range p.Sources {
		if s.LastUpdated.After(updated) {
			updated = s.LastUpdated
		}
		for _, raw := range s.Resources {
			var id struct{ ResourceType, ID string }
			_ = json.Unmarshal(raw, &id)
			e := entry{Resource: raw}
			if id.ResourceType != "" && id.ID != "" {
				e.FullURL = "urn:ward:" + id.ResourceType + "/" + id.ID
			}
			entries = append(entries, e)
		}
	}
	b, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "collection",
		"timestamp": time.Now().UTC().Format(time.RFC3339), "entry": entries})
	return b, updated
}

// putLink keeps share s's link l for the records of p, opened with the
// share's code.
func (h *handler) putLink(ctx context.Context, s share.Share, l *shl.Link, p share.Payload, code string) error {
	hash, err := shl.HashPasscode(share.CanonicalCode(code))
	if err != nil {
		return err
	}
	b, updated := bundleOf(p)
	sealed, err := sealLink(l.ID, s.ID, linkSealed{Key: l.Key, Label: l.Label, Passcode: hash, Updated: updated, Bundle: b})
	clear(b)
	if err != nil {
		return err
	}
	return h.opt.Sharing.Accounts.SetShareLink(ctx, s.ID, linkLookup(h.opt.Sharing.LookupKey, l.ID), sealed, shl.DefaultAttempts)
}

// linkStore is the shl.Store over the shares table.
type linkStore struct {
	db  *accounts.DB
	key []byte
	now func() time.Time
}

func (st *linkStore) find(ctx context.Context, id string) (accounts.ShareLink, linkSealed, error) {
	if len(id) != 43 { // base64url of shl.IDSize bytes
		return accounts.ShareLink{}, linkSealed{}, shl.ErrNotFound
	}
	l, err := st.db.ShareLinkByLookup(ctx, linkLookup(st.key, id))
	if errors.Is(err, accounts.ErrNotFound) {
		return l, linkSealed{}, shl.ErrNotFound
	}
	if err != nil {
		return l, linkSealed{}, err
	}
	if l.Sealed == nil || !l.Share.Live(st.now()) {
		return l, linkSealed{}, shl.ErrNotFound
	}
	v, err := openLink(id, l.Share.ID, l.Sealed)
	if err != nil {
		return l, linkSealed{}, shl.ErrNotFound
	}
	return l, v, nil
}

func (st *linkStore) Lookup(ctx context.Context, id string) (shl.Entry, error) {
	l, v, err := st.find(ctx, id)
	if err != nil {
		return shl.Entry{}, err
	}
	clear(v.Bundle)
	return shl.Entry{Expires: l.Share.Expires, Key: v.Key, Label: v.Label, PasscodeHash: v.Passcode,
		RemainingAttempts: int(l.Attempts)}, nil
}

func (st *linkStore) Attempt(ctx context.Context, id string) (int, error) {
	n, err := st.db.ShareLinkAttempt(ctx, linkLookup(st.key, id))
	if errors.Is(err, accounts.ErrNotFound) {
		return 0, shl.ErrNotFound
	}
	return int(n), err
}

func (st *linkStore) Refund(ctx context.Context, id string) error {
	return st.db.ShareLinkRefund(ctx, linkLookup(st.key, id))
}

func (st *linkStore) Files(ctx context.Context, id string) ([]shl.File, error) {
	_, v, err := st.find(ctx, id)
	if err != nil {
		return nil, err
	}
	return []shl.File{{ContentType: shl.ContentTypeFHIR, Body: v.Bundle, LastUpdated: v.Updated, FHIRVersion: "4.0.1"}}, nil
}

// Log writes the request to the share's access log, which the patient
// reads.
func (st *linkStore) Log(ctx context.Context, id string, ev shl.Event) {
	l, err := st.db.ShareLinkByLookup(ctx, linkLookup(st.key, id))
	if err != nil {
		return
	}
	page := "SMART Health Link " + ev.Kind
	if ev.Status != 200 {
		page += fmt.Sprintf(" (refused, %d)", ev.Status)
	}
	_ = st.db.LogShareAccess(ctx, accounts.ShareAccess{Share: l.Share.ID, At: ev.Time, Address: ev.Address,
		UserAgent: "", Page: page, Clinician: ev.Recipient})
}
