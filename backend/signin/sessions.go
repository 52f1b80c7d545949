package signin

import (
	"context"
	"errors"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/session"
)

// Caller is a signed-in request's patient: their account, session and
// vault.
type Caller struct {
	Account accounts.Account
	Session accounts.Session
	Vault   *session.Manager
}

// Resolve finds the live session with id (ending it if idle or too old)
// and the vault it reads. ErrSignedOut when there is none, or the account
// is no longer active.
func (s *Service) Resolve(ctx context.Context, id string) (Caller, error) {
	if id == "" {
		return Caller{}, ErrSignedOut
	}
	sess, err := s.opt.Accounts.SessionByID(ctx, id, s.opt.Policy.Idle, s.opt.Policy.Absolute)
	if errors.Is(err, accounts.ErrNoSession) {
		return Caller{}, ErrSignedOut
	}
	if err != nil {
		return Caller{}, err
	}
	a, err := s.opt.Accounts.ByID(ctx, sess.Account)
	if err != nil && !errors.Is(err, accounts.ErrNotFound) {
		return Caller{}, err // a fault, not a verdict on the session
	}
	if err != nil || a.State != "active" {
		// Disabled or deleted (by "ward admin", perhaps in another
		// process): end every session, and lock and drop the vault, so
		// no token of it, nor a half-finished sign-in, keeps it open.
		s.opt.Accounts.EndAllSessions(ctx, sess.Account, "account not active") //nolint:errcheck // refused either way
		s.opt.Vaults.Forget(sess.Account)                                      //nolint:errcheck
		return Caller{}, ErrSignedOut
	}
	m, err := s.manager(a)
	if err != nil {
		return Caller{}, err
	}
	return Caller{Account: a, Session: sess, Vault: m}, nil
}

// SignOut ends one session and takes its token from the vault; the vault
// locks when that was its last.
func (s *Service) SignOut(ctx context.Context, id string, c Caller, tok string) error {
	if c.Vault != nil {
		c.Vault.Revoke(tok)
	}
	return s.opt.Accounts.EndSession(ctx, id)
}

// SignOutEverywhere ends every session of the account and locks its vault.
func (s *Service) SignOutEverywhere(ctx context.Context, c Caller) error {
	if _, err := s.opt.Accounts.EndAllSessions(ctx, c.Account.ID, "signed-out-everywhere"); err != nil {
		return err
	}
	if c.Vault != nil {
		c.Vault.Lock()
	}
	return nil
}

// Sessions are the account's live sessions and recent sign-ins.
func (s *Service) Sessions(ctx context.Context, account string) ([]accounts.SessionInfo, []accounts.SignIn, error) {
	live, err := s.opt.Accounts.Sessions(ctx, account)
	if err != nil {
		return nil, nil, err
	}
	recent, err := s.opt.Accounts.RecentSignIns(ctx, account, 20)
	return live, recent, err
}

// EndSession ends one of the account's sessions by its public handle. Its
// vault token dies with it at its next use: a session no longer found
// signs out (see Resolve), and the token is never handed out again.
func (s *Service) EndSession(ctx context.Context, account, handle string) error {
	err := s.opt.Accounts.EndSessionByHandle(ctx, account, handle)
	if errors.Is(err, accounts.ErrNoSession) {
		return ErrSignedOut
	}
	return err
}
