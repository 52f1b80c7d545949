package share

// Sealing a share where the vault is, and publishing it where clinicians
// can reach it. On a server with accounts both happen in one process
// (Create). A Ward on the patient's own computer holds the vault itself:
// it seals the chosen sections there (Prepare) and uploads only the
// sealed copy, with the code for the server to email (Publish); the
// server never holds the vault, and keeps of the code only its keyed hash.

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/store"
)

// Sealed is a share sealed for publishing: what a computer uploads.
type Sealed struct {
	// ID is the share's id, bound into the ciphertext (32 hex digits).
	ID       string   `json:"id"`
	Salt     []byte   `json:"salt"`
	Sealed   []byte   `json:"sealed"`
	Sections []string `json:"sections"`
}

// Prepare copies sections of c (the patient's open vault), seals the copy
// under a new code, and gives it with the code's text (to send once). The
// record must hold the patient's date of birth: the clinician is asked
// for it.
func Prepare(c *store.Contents, sections []string) (Sealed, string, error) {
	if c == nil {
		return Sealed{}, "", ErrBadAccount
	}
	p, err := Subset(c, sections)
	if err != nil {
		return Sealed{}, "", err
	}
	if _, ok := normaliseDate(p.Patient.BirthDate); !ok {
		return Sealed{}, "", ErrNoBirthDate
	}
	p.Label = label(p.Sections)
	plain, err := encodeSealed(p)
	if err != nil {
		return Sealed{}, "", errf("encode payload: %w", err)
	}
	defer clear(plain)
	code, text := NewCode()
	defer code.Destroy()
	s := Sealed{ID: randomID(16), Salt: NewSalt(), Sections: p.Sections}
	if s.Sealed, err = Seal(code, s.Salt, s.ID, plain); err != nil {
		return Sealed{}, "", err
	}
	return s, text, nil
}

// Publish keeps a share sealed elsewhere (Prepare) for account, sent to
// to for ttl (0: DefaultTTL). code is the share's code, used here only
// for its keyed hash, so the server can find the share when a clinician
// types it; the caller may email it, and forgets it.
func (s *Service) Publish(ctx context.Context, account string, up Sealed, code string, to Recipient, ttl time.Duration) (Share, error) {
	if account == "" {
		return Share{}, ErrBadAccount
	}
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < MinTTL || ttl > MaxTTL {
		return Share{}, ErrBadTTL
	}
	to, err := checkRecipient(to)
	if err != nil {
		return Share{}, err
	}
	if b, err := hex.DecodeString(up.ID); err != nil || len(b) != 16 || hex.EncodeToString(b) != up.ID ||
		len(up.Salt) != saltSize || len(up.Sealed) == 0 {
		return Share{}, ErrBadUpload
	}
	if len(up.Sealed) > MaxSealed {
		return Share{}, ErrTooLarge
	}
	sections, err := NormaliseSections(up.Sections)
	if err != nil {
		return Share{}, err
	}
	c, err := ParseCode(code)
	if err != nil {
		return Share{}, err
	}
	defer c.Destroy()
	now := s.now()
	row := accounts.Share{ID: up.ID, Account: account, Lookup: LookupHash(s.lookupKey, c), Salt: up.Salt,
		Sealed: up.Sealed, Recipient: to, Sections: sections, Created: now, Expires: now.Add(ttl)}
	if err := s.db.PutShare(ctx, row); err != nil {
		return Share{}, errf("publish: %w", err)
	}
	return s.fromRow(row), nil
}
