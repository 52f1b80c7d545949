package signin

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/session"
)

// Forgot emails a code that proves the address. Unknown addresses get the
// same answer and no email.
func (s *Service) Forgot(ctx context.Context, email, from string) error {
	e, err := accounts.NormaliseEmail(email)
	if err != nil {
		return err
	}
	if err := s.throttle(ctx, s.opt.Accounts.EmailKey(e), addrKey(from)); err != nil {
		return err
	}
	a, err := s.opt.Accounts.ByEmail(ctx, e)
	if errors.Is(err, accounts.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if a.State != "active" {
		return nil
	}
	code, err := s.opt.Accounts.NewCode(ctx, "reset", a.ID, CodeTTL)
	if err != nil {
		return err
	}
	return s.sendForgot(ctx, e, code)
}

// ForgotVerify checks the emailed code and gives the account it proves.
func (s *Service) ForgotVerify(ctx context.Context, email, code, from string) (string, error) {
	e, err := accounts.NormaliseEmail(email)
	if err != nil {
		return "", ErrWrongCode
	}
	if err := s.throttle(ctx, s.opt.Accounts.EmailKey(e), addrKey(from)); err != nil {
		return "", err
	}
	a, err := s.opt.Accounts.ByEmail(ctx, e)
	if err != nil || a.State != "active" {
		return "", ErrWrongCode
	}
	if err := s.opt.Accounts.UseCode(ctx, "reset", a.ID, code); err != nil {
		if errors.Is(err, accounts.ErrBadCode) {
			return "", ErrWrongCode
		}
		return "", err
	}
	// A right code gives its try back, as Verify's does: a person who
	// forgot their password has often just tried a few, and must not be
	// made to wait (or warned of a guesser) for proving their address.
	s.refund(ctx, s.opt.Accounts.EmailKey(e), addrKey(from))
	return a.ID, nil
}

// Recover opens the account's vault with its recovery key, sets a new
// password and a new recovery key (returned, to show once), ends every
// other session and signs this one in.
func (s *Service) Recover(ctx context.Context, account, recoveryKey, password, from, ua string) (Grant, string, error) {
	a, err := s.opt.Accounts.ByID(ctx, account)
	if err != nil || a.State != "active" {
		return Grant{}, "", ErrSignedOut
	}
	if err := passwords.Check(password, a.Email); err != nil {
		return Grant{}, "", err
	}
	m, err := s.manager(a)
	if err != nil {
		return Grant{}, "", err
	}
	tok, err := m.Unlock(ctx, session.Secret{RecoveryKey: recoveryKey, From: from})
	if err != nil {
		return Grant{}, "", err
	}
	// The key is right: now end every way in that came before it. The
	// old sessions' rows are ended below, but their vault tokens (and any
	// half-finished sign-in's) would still open the record to whoever
	// holds one, so lock the vault and open it again for this session
	// alone.
	s.dropPendingOf(a.ID)
	m.Lock()
	if tok, err = m.Unlock(ctx, session.Secret{RecoveryKey: recoveryKey, From: from}); err != nil {
		return Grant{}, "", err
	}
	if err := m.SetPassword(ctx, tok, []byte(password)); err != nil {
		m.Revoke(tok)
		return Grant{}, "", err
	}
	rk, err := m.NewRecoveryKey(ctx, tok)
	if err != nil {
		m.Revoke(tok)
		return Grant{}, "", err
	}
	if _, err := s.opt.Accounts.EndAllSessions(ctx, a.ID, "password-reset"); err != nil {
		return Grant{}, "", err
	}
	s.opt.Accounts.Audit(ctx, "patient", "recover", a.ID, "recovery key") //nolint:errcheck
	g, err := s.grant(ctx, a.ID, tok, ua, from)
	return g, rk, err
}

// Reset empties the account's record and gives it a new one under a new
// password, where the organisation allows it (it fills the record again
// from its own source). Everything the patient imported is gone.
func (s *Service) Reset(ctx context.Context, account, password, from, ua string) (Grant, string, error) {
	if !s.opt.Policy.OrgReset {
		return Grant{}, "", ErrNoRecovery
	}
	a, err := s.opt.Accounts.ByID(ctx, account)
	if err != nil || a.State != "active" {
		return Grant{}, "", ErrSignedOut
	}
	if err := passwords.Check(password, a.Email); err != nil {
		return Grant{}, "", err
	}
	if _, err := s.opt.Accounts.EndAllSessions(ctx, a.ID, "reset"); err != nil {
		return Grant{}, "", err
	}
	if err := s.opt.Vaults.Forget(a.ID); err != nil {
		return Grant{}, "", err
	}
	dir := s.vaultPath(a.VaultDir)
	if err := os.RemoveAll(dir); err != nil {
		return Grant{}, "", fmt.Errorf("reset: remove old record: %w", err)
	}
	m, err := s.opt.Vaults.Manager(a.ID, dir)
	if err != nil {
		return Grant{}, "", err
	}
	tok, rk, err := m.Create(ctx, []byte(password))
	if err != nil {
		return Grant{}, "", err
	}
	if err := s.organisationKey(ctx, m, tok); err != nil {
		return Grant{}, "", err
	}
	s.opt.Accounts.Audit(ctx, "patient", "reset", a.ID, "empty record") //nolint:errcheck
	g, err := s.grant(ctx, a.ID, tok, ua, from)
	return g, rk, err
}

// dropPendingOf drops the account's half-finished sign-ins, revoking their
// vault tokens.
func (s *Service) dropPendingOf(account string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, p := range s.pending {
		if p.account == account {
			delete(s.pending, id)
			s.revoke(p.account, p.token)
		}
	}
}
