// Package signin is how patients get into their own record on a Ward
// server with many accounts: sign-up with a personal email address,
// verification, activation (an invite from the organisation, or an empty
// record on a household server), sign-in with a password and two-step
// verification, sessions, and a forgotten password.
//
// A patient's password is the only check of who they are: signing in IS
// unlocking their vault (one Argon2id, in package vault), so nothing the
// server stores allows a cheaper offline guess. Every try is counted before
// that work, per email address and per client address, and unknown
// addresses cost the same work (passwords.Dummy) and get the same answer.
//
// Errors are typed; the words a person sees are chosen at the edge
// (package api with backend/words).
package signin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/twostep"
	"github.com/ward-health/ward/backend/vault"
)

// Errors the API turns into words.
var (
	ErrSharedAddress = errors.New("signin: the address looks shared")
	ErrWrongSignIn   = errors.New("signin: wrong email address or password")
	ErrWrongCode     = errors.New("signin: wrong, used or expired code")
	ErrWrongInvite   = errors.New("signin: wrong, used or expired activation code")
	ErrSignedOut     = errors.New("signin: not signed in")
	ErrNotAllowed    = errors.New("signin: this server does not allow that")
	ErrTwoStepNeeded = errors.New("signin: the organisation requires two-step verification")
	ErrNoRecovery    = errors.New("signin: the record cannot be recovered without its recovery key")
)

// ThrottledError says how long the client must wait.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("signin: too many tries; wait %s", e.Wait.Round(time.Second))
}

// Policy is the organisation's choice of rules (its config file).
type Policy struct {
	// Organisation names the server's owner, in emails and the TOTP app.
	Organisation string
	// EmptyRecordAllowed lets a verified patient without an invite start an
	// empty record of their own (a household server).
	EmptyRecordAllowed bool
	// OrgReset lets a patient who lost password and recovery key reset
	// their account to an empty record, to be filled again from the
	// organisation's own source. Off means: cannot be recovered.
	OrgReset bool
	// TwoStepRequired makes everyone use two-step verification.
	TwoStepRequired bool
	// Idle and Absolute bound a session (15 minutes, 12 hours).
	Idle, Absolute time.Duration
	// PublicURL is where patients reach Ward, for links in emails.
	PublicURL string
}

// Defaults for Policy's durations.
const (
	DefaultIdle     = 15 * time.Minute
	DefaultAbsolute = session.MaxSessionAge
	// CodeTTL is how long an emailed code works.
	CodeTTL = 15 * time.Minute
	// PendingTTL is how long a half-finished sign-in (password done,
	// second step not yet) waits.
	PendingTTL = 5 * time.Minute
	// MaxPending bounds half-finished sign-ins held in memory.
	MaxPending = 1024
	// pendingTries is how many second-step codes one half-finished
	// sign-in may try.
	pendingTries = 5
	// warnAt is the count of tries on one address at which its owner is
	// told by email that someone is guessing (and again at each tenfold).
	warnAt = 10
)

// Options wire a Service.
type Options struct {
	Accounts *accounts.DB
	Vaults   *session.Registry
	// Dir is the data folder; accounts' vault folders are relative to it.
	Dir     string
	Outbox  *mail.Outbox
	Limiter *passwords.Limiter
	Policy  Policy
	// RecordsKey, when the organisation chose to read records at rest
	// (the config's accounts.serverKeySlot), is wrapped around each
	// vault's key too; nil (the default) means only the patient's own
	// factors open their record.
	RecordsKey *vault.KEK
	Now        func() time.Time
	Logger     *slog.Logger
}

// Service runs the flows. It is safe for concurrent use.
type Service struct {
	opt Options
	now func() time.Time
	log *slog.Logger

	// throttleMu makes a try's check and count one step, so that many
	// tries at once cannot all pass the check before any is counted.
	throttleMu sync.Mutex

	mu      sync.Mutex
	pending map[string]*pending // half-finished sign-ins, by their id
	// twostep serialises read-modify-write of one account's two-step state,
	// so a code cannot be used twice by two requests at once.
	twostep map[string]*sync.Mutex
	enrol   map[string]twostep.State // secrets shown, not yet confirmed
}

// New returns a Service.
func New(opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Policy.Idle <= 0 {
		opt.Policy.Idle = DefaultIdle
	}
	if opt.Policy.Absolute <= 0 {
		opt.Policy.Absolute = DefaultAbsolute
	}
	return &Service{opt: opt, now: opt.Now, log: opt.Logger, pending: map[string]*pending{}, twostep: map[string]*sync.Mutex{}}
}

// Policy is the service's policy.
func (s *Service) Policy() Policy { return s.opt.Policy }

// Grant is a new signed-in session: the session row's id, the vault token
// it reads the record with, and the CSRF token the page must send back.
// The API puts the first two in the session cookie.
type Grant struct {
	Account, SessionID, Token, CSRF string
}

// manager is the account's vault.
func (s *Service) manager(a accounts.Account) (*session.Manager, error) {
	if a.VaultDir == "" {
		return nil, fmt.Errorf("signin: account has no vault yet")
	}
	return s.opt.Vaults.Manager(a.ID, s.vaultPath(a.VaultDir))
}

func (s *Service) vaultPath(rel string) string {
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(s.opt.Dir, rel)
}

// organisationKey adds the organisation's records key to a vault just
// opened for tok, where the organisation chose to have one.
func (s *Service) organisationKey(ctx context.Context, m *session.Manager, tok string) error {
	if s.opt.RecordsKey == nil {
		return nil
	}
	return m.AddOrganisationKey(ctx, tok, s.opt.RecordsKey)
}

// grant starts a session for an account whose vault is open to tok.
func (s *Service) grant(ctx context.Context, account, tok, ua, from string) (Grant, error) {
	sess, id, err := s.opt.Accounts.StartSession(ctx, account, clip(ua, 200), from)
	if err != nil {
		return Grant{}, err
	}
	return Grant{Account: account, SessionID: id, Token: tok, CSRF: sess.CSRF}, nil
}

// throttle counts one try against each key before any work, and refuses if
// any of them must still wait.
func (s *Service) throttle(ctx context.Context, keys ...string) error {
	_, err := s.count(ctx, keys...)
	return err
}

// count is throttle, giving the first key's count of tries with this one.
// The check and the count are one step (throttleMu): checked apart, tries
// arriving together would all pass the check before any was counted, and
// a burst would get as many guesses as it had requests.
func (s *Service) count(ctx context.Context, keys ...string) (int64, error) {
	s.throttleMu.Lock()
	defer s.throttleMu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		w, err := s.opt.Accounts.Check(ctx, k)
		if err != nil {
			return 0, err
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return 0, &ThrottledError{Wait: wait}
	}
	var first int64
	for i, k := range keys {
		n, err := s.opt.Accounts.Fail(ctx, k)
		if err != nil {
			return 0, err
		}
		if i == 0 {
			first = n
		}
	}
	return first, nil
}

// refund gives back a successful try (see accounts.DB.Refund).
func (s *Service) refund(ctx context.Context, keys ...string) {
	for _, k := range keys {
		if err := s.opt.Accounts.Refund(ctx, k); err != nil {
			s.log.Warn("signin: refund failed", "err", err)
		}
	}
}

func addrKey(from string) string { return "ip:" + from }

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
