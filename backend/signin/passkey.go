package signin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/session"
)

// Sign-in with face or fingerprint: one discoverable passkey, with user
// verification, whose user handle names the account and whose PRF output
// unwraps the vault. It is both factors at once (the device's key, and the
// face, fingerprint or PIN that unlocked it), so there is no second step.
//
// Its tries are throttled apart from the password's. A password can be
// guessed and is throttled per email address and per client address; a
// passkey assertion cannot be guessed (it must be signed by a key only the
// authenticator holds), so a stranger flooding the password must not lock
// the owner out of their passkey. A passkey try therefore counts against
// neither of the password's keys, only against its own per-address key
// here, and, inside the vault, against a client name of its own
// (passkeyClient) rather than the address the password's tries count
// under.

// ErrPasskeyTooMany is what a PasskeyThrottledError unwraps to.
var ErrPasskeyTooMany = errors.New("signin: too many face or fingerprint tries")

// PasskeyThrottledError says how long a client must wait before its next
// passkey sign-in, after too many that failed.
type PasskeyThrottledError struct{ Wait time.Duration }

func (e *PasskeyThrottledError) Error() string {
	return fmt.Sprintf("signin: too many face or fingerprint tries; wait %s", e.Wait.Round(time.Second))
}

func (e *PasskeyThrottledError) Unwrap() error { return ErrPasskeyTooMany }

// passkeyKey is the accounts throttle's key for passkey tries from an
// address, apart from the password's addrKey.
func passkeyKey(from string) string { return "passkey:ip:" + from }

// passkeyClient is the name a passkey try from an address counts under in
// the vault's own throttle, apart from the password's tries from it.
func passkeyClient(from string) string { return "passkey " + from }

// CheckPasskey says whether a client may begin a passkey sign-in now,
// without counting a try: a client made to wait is not shown a challenge.
func (s *Service) CheckPasskey(ctx context.Context, from string) error {
	w, err := s.opt.Accounts.Check(ctx, passkeyKey(from))
	if err != nil {
		return err
	}
	if w > 0 {
		return &PasskeyThrottledError{Wait: w}
	}
	return nil
}

// SignInPasskey signs in to account (named by the assertion's user handle,
// not yet verified) with prove, which checks the assertion against the
// vault's passkey slots (session.Proof). The try is counted before any
// work. An unknown, pending or disabled account gets the same refusal as a
// wrong passkey (session.ErrWrongPasskey), after the same assertion checks
// against no slots (prove(nil), which also uses the ceremony up).
func (s *Service) SignInPasskey(ctx context.Context, account, from, ua string, prove session.Proof) (Grant, error) {
	key := passkeyKey(from)
	if err := s.throttle(ctx, key); err != nil {
		var slow *ThrottledError
		if errors.As(err, &slow) {
			err = &PasskeyThrottledError{Wait: slow.Wait}
		}
		return Grant{}, err
	}
	a, err := s.opt.Accounts.ByID(ctx, account)
	if account == "" {
		err = accounts.ErrNotFound
	}
	if err != nil || a.State != "active" || a.VaultDir == "" {
		if err != nil && !errors.Is(err, accounts.ErrNotFound) {
			return Grant{}, err
		}
		_, _, perr := prove(nil)
		if perr == nil {
			perr = errors.New("no slots")
		}
		return Grant{}, fmt.Errorf("%w: no active account for the user handle: %w", session.ErrWrongPasskey, perr)
	}
	m, err := s.manager(a)
	if err != nil {
		return Grant{}, err
	}
	tok, err := m.UnlockPasskey(ctx, passkeyClient(from), prove)
	if err != nil {
		if errors.Is(err, session.ErrWrongPasskey) {
			s.opt.Accounts.RecordSignIn(ctx, a.ID, from, clip(ua, 200), "wrong_passkey") //nolint:errcheck // best effort
		}
		return Grant{}, err // a wrong passkey, the vault's own throttle, or a fault: the API says which
	}
	s.refund(ctx, key)
	s.opt.Accounts.RecordSignIn(ctx, a.ID, from, clip(ua, 200), "passkey") //nolint:errcheck // best effort
	g, err := s.grant(ctx, a.ID, tok, ua, from)
	if err != nil {
		m.Revoke(tok)
	}
	return g, err
}
