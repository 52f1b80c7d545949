package share

// The Service: creating, listing, revoking and redeeming shares.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/store"
)

// Limits on a share's life.
const (
	MinTTL     = 15 * time.Minute
	MaxTTL     = 7 * 24 * time.Hour
	DefaultTTL = time.Hour
)

// Throttle keys: every redemption is counted against the client's address
// before any work, and every failure against everyone (tries.go). The
// count for everyone waits only after every globalPer failures
// (accounts.DB.ThrottleWait), so a few clinicians' typos do not stop
// every clinician.
const (
	throttleIP  = "share-ip:"
	throttleAll = "share-all"
	globalPer   = 20
	// dummySize is the size of what is opened for a code with no share,
	// or a revoked one: a share of typical size.
	dummySize = 1 << 20
)

// ErrNotRight is every refusal of Redeem once a code is well formed: no
// such code, the wrong date of birth, an expired, revoked or locked share.
var ErrNotRight = errors.New("the code or date of birth is not right, or the share has ended")

// Errors for bad input to Create.
var (
	ErrBadTTL       = errors.New("share: a share lasts from 15 minutes to 7 days")
	ErrBadRecipient = errors.New("share: the recipient needs a usable email address, and a name and organisation of at most 200 characters")
	ErrBadAccount   = errors.New("share: no account")
	ErrBadDate      = errors.New("share: enter the date of birth as YYYY-MM-DD or DD/MM/YYYY")
	ErrNotFound     = errors.New("share: no such share")
	ErrBadUpload    = errors.New("share: the sealed share sent is not one Ward can keep")
	// ErrSectionsDiffer is a sealed copy holding other sections than its
	// share was listed with: it is not opened.
	ErrSectionsDiffer = errors.New("share: the sealed copy does not match the sections shared")
)

// ThrottledError is a redemption refused before any work because there
// were too many wrong tries: from this address, or from everyone.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many tries: wait %s before trying again", e.Wait.Round(time.Second))
}

// Recipient is who a share is sent to.
type Recipient = accounts.ShareRecipient

// Options configure a Service.
type Options struct {
	Accounts *accounts.DB
	// LookupKey keys the hash that finds a share by its code (at least 32
	// bytes, from the server's key file).
	LookupKey []byte
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Service makes, lists, revokes and redeems shares.
type Service struct {
	db        *accounts.DB
	lookupKey []byte
	now       func() time.Time
	dummy     []byte // opened in place of a share for an unknown code
	dummyCode *Code
	dummySalt []byte
	viewers   *Viewers
	triesMu   sync.Mutex // take: check and count a try in one step
	dobMu     sync.Mutex // checkBirth: read, compare and count in one step
}

// New makes a Service.
func New(opt Options) (*Service, error) {
	if opt.Accounts == nil {
		return nil, errors.New("share: no accounts database")
	}
	if len(opt.LookupKey) < 32 {
		return nil, errors.New("share: lookup key shorter than 32 bytes")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	s := &Service{db: opt.Accounts, lookupKey: append([]byte(nil), opt.LookupKey...), now: opt.Now}
	// The dummy opens (under a code only this process knows) to a header
	// no date matches and records of a typical size, so an unknown code
	// does the work of a wrong date: derive, decrypt, read the header.
	s.dummyCode, _ = NewCode()
	s.dummySalt = NewSalt()
	plain, err := encodeSealed(Payload{V: PayloadVersion, Patient: PatientSummary{BirthDate: "0000-00-00"},
		Sources: []Source{{Resources: []json.RawMessage{json.RawMessage(`"` + strings.Repeat("x", dummySize) + `"`)}}}})
	if err != nil {
		return nil, err
	}
	if s.dummy, err = Seal(s.dummyCode, s.dummySalt, "dummy", plain); err != nil {
		return nil, err
	}
	s.viewers = newViewers(s)
	return s, nil
}

// Share is one share as its patient's list shows it.
type Share struct {
	ID        string    `json:"id"`
	Label     string    `json:"label"`
	Recipient Recipient `json:"recipient"`
	Sections  []string  `json:"sections"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Revoked   time.Time `json:"revoked,omitzero"`
	FirstUsed time.Time `json:"firstUsed,omitzero"`
	// State is "active", "expired", "revoked" or "locked" (five wrong
	// dates of birth).
	State string `json:"state"`
	// Notify: the patient is emailed when the share is first opened.
	Notify bool `json:"notify"`
}

func (s *Service) fromRow(r accounts.Share) Share {
	state := "active"
	switch {
	case !r.Revoked.IsZero():
		state = "revoked"
	case r.Locked():
		state = "locked"
	case !s.now().Before(r.Expires):
		state = "expired"
	}
	return Share{ID: r.ID, Label: label(r.Sections), Recipient: r.Recipient, Sections: r.Sections,
		Created: r.Created, Expires: r.Expires, Revoked: r.Revoked, FirstUsed: r.FirstUsed, State: state,
		Notify: !r.Quiet}
}

func checkRecipient(r Recipient) (Recipient, error) {
	e, err := accounts.NormaliseEmail(r.Email)
	if err != nil {
		return Recipient{}, ErrBadRecipient
	}
	r.Email = e
	r.Name, r.Organisation = strings.TrimSpace(r.Name), strings.TrimSpace(r.Organisation)
	for _, f := range []string{r.Name, r.Organisation} {
		if !utf8.ValidString(f) || utf8.RuneCountInString(f) > 200 || strings.ContainsAny(f, "\r\n") {
			return Recipient{}, ErrBadRecipient
		}
	}
	return r, nil
}

// Create shares sections of c (the patient's open vault) with to for ttl
// (0: DefaultTTL) and gives the share and the code to send, once. Ward
// keeps only the sealed copy.
func (s *Service) Create(ctx context.Context, account string, c *store.Contents, to Recipient, sections []string, ttl time.Duration) (Share, string, error) {
	if account == "" || c == nil {
		return Share{}, "", ErrBadAccount
	}
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < MinTTL || ttl > MaxTTL {
		return Share{}, "", ErrBadTTL
	}
	to, err := checkRecipient(to)
	if err != nil {
		return Share{}, "", err
	}
	up, code, err := Prepare(c, sections)
	if err != nil {
		return Share{}, "", err
	}
	sh, err := s.Publish(ctx, account, up, code, to, ttl)
	if err != nil {
		return Share{}, "", err
	}
	return sh, code, nil
}

// Quiet stops account's share id from emailing the patient when it is
// first opened.
func (s *Service) Quiet(ctx context.Context, account, id string) error {
	if err := s.db.SetShareQuiet(ctx, account, id); err != nil {
		if errors.Is(err, accounts.ErrNotFound) {
			return ErrNotFound
		}
		return errf("quiet: %w", err)
	}
	return nil
}

// List gives account's shares, newest first.
func (s *Service) List(ctx context.Context, account string) ([]Share, error) {
	rows, err := s.db.SharesOf(ctx, account)
	if err != nil {
		return nil, errf("list: %w", err)
	}
	out := make([]Share, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.fromRow(r))
	}
	return out, nil
}

// Revoke ends account's share id at once: its ciphertext is deleted and
// the clinician's next request is refused. ErrNotFound if it is not
// account's.
func (s *Service) Revoke(ctx context.Context, account, id string) error {
	if err := s.db.RevokeShare(ctx, account, id); err != nil {
		if errors.Is(err, accounts.ErrNotFound) {
			return ErrNotFound
		}
		return errf("revoke: %w", err)
	}
	s.viewers.endShare(id)
	return nil
}

// Access gives the access log of account's share id, oldest first.
func (s *Service) Access(ctx context.Context, account, id string) ([]accounts.ShareAccess, error) {
	a, err := s.db.ShareAccess(ctx, account, id)
	if errors.Is(err, accounts.ErrNotFound) {
		return nil, ErrNotFound
	}
	return a, err
}

// Viewer is a clinician's view of a share they redeemed.
type Viewer struct {
	ShareID     string
	Account     string
	Label       string
	PatientName string
	Sections    []string
	Expires     time.Time
	Clinician   string
	Record      *records.Record
	// FirstUse is set the first time the share is opened (the patient may
	// be told).
	FirstUse bool
	// Quiet: the patient asked not to be told.
	Quiet bool
}

// Redeem opens the share for code if birthDate is the patient's. A code
// that is malformed gives ErrBadCode and a date that is not a date
// ErrBadDate, before anything is counted; too many tries give a
// *ThrottledError before any work. Every other refusal is ErrNotRight,
// after the same work (for a code with no share, or a revoked one, a
// dummy of a typical size is decrypted in its place and its header read)
// and no sooner than refusalTime.
func (s *Service) Redeem(ctx context.Context, code, birthDate, clinician, from, ua string) (*Viewer, error) {
	start := time.Now()
	c, err := ParseCode(code)
	if err != nil {
		return nil, err
	}
	defer c.Destroy()
	dob, ok := normaliseDate(birthDate)
	if !ok {
		return nil, ErrBadDate
	}
	ipKey := throttleIP + from
	if err := s.take(ctx, ipKey); err != nil {
		return nil, err
	}

	row, err := s.db.ShareByLookup(ctx, LookupHash(s.lookupKey, c))
	found := err == nil
	if err != nil && !errors.Is(err, accounts.ErrNotFound) {
		return nil, errf("redeem: %w", err)
	}
	now := s.now()
	var p Payload
	var plain, body []byte
	opened := false
	if found && row.Sealed != nil {
		plain, err = Open(c, row.Salt, row.ID, row.Sealed)
	} else {
		plain, err = Open(s.dummyCode, s.dummySalt, "dummy", s.dummy)
	}
	defer clear(plain)
	if err == nil {
		p, body, err = decodeHeader(plain)
		opened = err == nil
	}
	want, _ := normaliseDate(p.Patient.BirthDate)
	if len(want) != len(dob) {
		want = "0000-00-00"
	}
	dobRight := subtle.ConstantTimeCompare([]byte(want), []byte(dob)) == 1
	live := found && opened && row.Live(now)
	id := "-"
	if found {
		id = row.ID
	}
	right, err := s.checkBirth(ctx, id, dobRight && live)
	if err == nil {
		err = s.settle(ctx, ipKey, right)
	}
	if err != nil {
		return nil, err
	}
	if !right {
		return nil, refuse(ctx, start)
	}
	if p, err = decodePayload(body); err != nil {
		return nil, errf("redeem: %w", err)
	}
	// A share sealed on the patient's computer was listed here with the
	// sections its upload named: the clinician sees no more than that.
	if !slices.Equal(p.Sections, row.Sections) {
		return nil, errf("redeem: %w", ErrSectionsDiffer)
	}
	first, err := s.db.MarkShareUsed(ctx, row.ID)
	if err != nil {
		return nil, errf("redeem: %w", err)
	}
	clinician = strings.TrimSpace(clinician)
	if utf8.RuneCountInString(clinician) > 200 {
		clinician = string([]rune(clinician)[:200])
	}
	if err := s.db.LogShareAccess(ctx, accounts.ShareAccess{Share: row.ID, At: now, Address: from,
		UserAgent: ua, Page: "opened", Clinician: clinician}); err != nil {
		return nil, errf("redeem: %w", err)
	}
	return &Viewer{ShareID: row.ID, Account: row.Account, Label: p.Label, PatientName: p.Patient.Name,
		Sections: p.Sections, Expires: row.Expires, Clinician: clinician, Record: Record(p, now), FirstUse: first,
		Quiet: row.Quiet}, nil
}

// normaliseDate reads YYYY-MM-DD or DD/MM/YYYY (also D/M/YYYY, and with
// - or . between day, month and year) and gives YYYY-MM-DD; a partial or
// impossible date is not ok.
func normaliseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 10 {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			s = t.Format(time.DateOnly) // a FHIR dateTime in a birthDate extension
		}
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format(time.DateOnly), true
	}
	r := strings.NewReplacer("-", "/", ".", "/")
	for _, layout := range []string{"2/1/2006", "02/01/2006"} {
		if t, err := time.Parse(layout, r.Replace(s)); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
