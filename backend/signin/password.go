package signin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/twostep"
	"github.com/ward-health/ward/backend/vault"
)

// Methods of the second step.
const (
	MethodTOTP     = "totp"
	MethodRecovery = "recovery"
	MethodEmail    = "email"
)

// Outcome is how a sign-in went: a Grant, or a half-finished sign-in
// waiting for its second step.
type Outcome struct {
	Grant   Grant
	Pending string // id of the half-finished sign-in ("" when signed in)
}

// pending is a sign-in whose password was right and whose second step is
// still to come. The vault is open to Token already; the token is not
// handed out until the second step, and is revoked if that never comes.
type pending struct {
	account, email, token, from, ua string
	created                         time.Time
	tries                           int
}

// SignIn checks email and password. Unknown, pending and disabled accounts
// cost the same Argon2id and get ErrWrongSignIn, like a wrong password.
func (s *Service) SignIn(ctx context.Context, email, password, from, ua string) (Outcome, error) {
	keys := []string{s.opt.Accounts.EmailKey(email), addrKey(from)}
	tries, err := s.count(ctx, keys...)
	if err != nil {
		if a, aerr := s.opt.Accounts.ByEmail(ctx, email); aerr == nil {
			s.noteThrottled(ctx, a.ID, from, ua)
		}
		return Outcome{}, err
	}
	pw := []byte(password)
	defer clear(pw)
	a, err := s.opt.Accounts.ByEmail(ctx, email)
	// An active account without a record (made active by hand) answers as
	// an unknown one does, not with a fault that would tell it apart.
	if err != nil || a.State != "active" || a.VaultDir == "" {
		if err != nil && !errors.Is(err, accounts.ErrNotFound) && !errors.Is(err, accounts.ErrBadEmail) {
			return Outcome{}, err
		}
		if err := passwords.Dummy(ctx, s.opt.Limiter, pw); err != nil {
			return Outcome{}, err
		}
		return Outcome{}, ErrWrongSignIn
	}
	m, err := s.manager(a)
	if err != nil {
		return Outcome{}, err
	}
	var tok string
	var uerr error
	if err := s.opt.Limiter.Do(ctx, func() {
		tok, uerr = m.Unlock(ctx, session.Secret{Password: pw, From: from})
	}); err != nil {
		return Outcome{}, err
	}
	if uerr != nil {
		if errors.Is(uerr, vault.ErrWrongSecret) || errors.Is(uerr, vault.ErrNoSlot) {
			s.opt.Accounts.RecordSignIn(ctx, a.ID, from, clip(ua, 200), "wrong_password") //nolint:errcheck
			s.warnOwner(ctx, a, tries)
			return Outcome{}, ErrWrongSignIn
		}
		// The vault's own count of guesses from this client: worded as
		// this package's, which an unknown address meets at the same try
		// (see accounts.Delay), so the two cannot be told apart.
		var wait *store.WaitError
		if errors.As(uerr, &wait) {
			return Outcome{}, &ThrottledError{Wait: wait.Wait}
		}
		return Outcome{}, uerr
	}
	s.refund(ctx, keys...)
	// A password slot wrapped with weaker Argon2id parameters than today's
	// is rewrapped now, while the password is at hand (one more Argon2id,
	// once). A failure leaves the old slot, which still works.
	if err := s.opt.Limiter.Do(ctx, func() {
		if _, err := m.RehashPassword(ctx, tok, pw); err != nil {
			s.log.Warn("signin: rehash failed", "err", err)
		}
	}); err != nil {
		m.Revoke(tok)
		return Outcome{}, err
	}
	st, err := s.twoStepState(ctx, a.ID)
	if err != nil {
		m.Revoke(tok)
		return Outcome{}, err
	}
	if st.Enabled {
		id, err := s.hold(&pending{account: a.ID, email: a.Email, token: tok, from: from, ua: ua, created: s.now()})
		if err != nil {
			m.Revoke(tok)
			return Outcome{}, err
		}
		return Outcome{Pending: id}, nil
	}
	s.opt.Accounts.RecordSignIn(ctx, a.ID, from, clip(ua, 200), "ok") //nolint:errcheck
	g, err := s.grant(ctx, a.ID, tok, ua, from)
	if err != nil {
		m.Revoke(tok)
	}
	return Outcome{Grant: g}, err
}

// warnOwner emails the owner when their address reaches warnAt tries, and
// at each tenfold after (10, 100, 1,000 …), so a flood sends a handful of
// emails, not thousands. n is the address's count with this try, as the
// throttle gave it: one try sees each count, so one email goes at each.
func (s *Service) warnOwner(ctx context.Context, a accounts.Account, n int64) {
	for w := int64(warnAt); w <= n; w *= 10 {
		if n == w {
			if err := s.sendGuessing(ctx, a.Email); err != nil {
				s.log.Warn("signin: could not queue the guessing warning", "err", err)
			}
			return
		}
	}
}

// noteThrottled records a refused try in the account's recent sign-ins,
// once per run of them: a flood of refused tries (no work done, nothing
// learnt) must not grow the table by a row each, nor push every real
// sign-in off the account page's list.
func (s *Service) noteThrottled(ctx context.Context, account, from, ua string) {
	if last, err := s.opt.Accounts.RecentSignIns(ctx, account, 1); err == nil && len(last) == 1 && last[0].Outcome == "throttled" {
		return
	}
	s.opt.Accounts.RecordSignIn(ctx, account, from, clip(ua, 200), "throttled") //nolint:errcheck // best effort
}

// hold keeps a half-finished sign-in and gives its id.
func (s *Service) hold(p *pending) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("signin: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	if len(s.pending) >= MaxPending {
		return "", &ThrottledError{Wait: time.Minute}
	}
	s.pending[id] = p
	return id, nil
}

// sweepLocked drops expired half-finished sign-ins, revoking their tokens.
func (s *Service) sweepLocked() {
	now := s.now()
	for id, p := range s.pending {
		if now.Sub(p.created) > PendingTTL {
			delete(s.pending, id)
			s.revoke(p.account, p.token)
		}
	}
}

func (s *Service) revoke(account, tok string) {
	if m, ok := s.opt.Vaults.Peek(account); ok {
		m.Revoke(tok)
	}
}

// take finds a half-finished sign-in and counts one try of it; after
// pendingTries it is dropped and must start again with the password.
func (s *Service) take(id string) (*pending, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked()
	p := s.pending[id]
	if p == nil {
		return nil, ErrSignedOut
	}
	p.tries++
	if p.tries > pendingTries {
		delete(s.pending, id)
		s.revoke(p.account, p.token)
		return nil, ErrSignedOut
	}
	return p, nil
}

// dropSpent drops a half-finished sign-in that has used its last try, at
// once: its vault token must not outlive it until someone calls again.
func (s *Service) dropSpent(id string, p *pending) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending[id] == p && p.tries >= pendingTries {
		delete(s.pending, id)
		s.revoke(p.account, p.token)
	}
}

func (s *Service) finishPending(id string) (*pending, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pending[id]
	delete(s.pending, id)
	return p, p != nil
}

// SecondStep finishes a half-finished sign-in with a code.
func (s *Service) SecondStep(ctx context.Context, id, method, code string) (Grant, error) {
	p, err := s.take(id)
	if err != nil {
		return Grant{}, err
	}
	switch method {
	case MethodTOTP, MethodRecovery:
		err = s.useTwoStep(ctx, p.account, func(st *twostep.State) error {
			if method == MethodTOTP {
				return st.Verify(code, s.now())
			}
			return st.UseRecovery(code)
		})
	case MethodEmail:
		if err = s.opt.Accounts.UseCode(ctx, "twostep-email", p.account, code); errors.Is(err, accounts.ErrBadCode) {
			err = ErrWrongCode
		}
	default:
		err = ErrWrongCode
	}
	if err != nil {
		if errors.Is(err, twostep.ErrWrongCode) || errors.Is(err, twostep.ErrReplay) || errors.Is(err, twostep.ErrNotEnrolled) {
			err = ErrWrongCode
		}
		s.opt.Accounts.RecordSignIn(ctx, p.account, p.from, clip(p.ua, 200), "wrong_code") //nolint:errcheck
		s.dropSpent(id, p)
		return Grant{}, err
	}
	if _, ok := s.finishPending(id); !ok {
		return Grant{}, ErrSignedOut // a parallel request finished or dropped it
	}
	s.opt.Accounts.RecordSignIn(ctx, p.account, p.from, clip(p.ua, 200), "ok") //nolint:errcheck
	return s.grant(ctx, p.account, p.token, p.ua, p.from)
}

// EmailCode sends a second-step code to the half-finished sign-in's address.
func (s *Service) EmailCode(ctx context.Context, id string) error {
	s.mu.Lock()
	p := s.pending[id]
	s.mu.Unlock()
	if p == nil {
		return ErrSignedOut
	}
	if err := s.throttle(ctx, "mail:"+p.account); err != nil {
		return err
	}
	code, err := s.opt.Accounts.NewCode(ctx, "twostep-email", p.account, CodeTTL)
	if err != nil {
		return err
	}
	return s.sendTwoStepCode(ctx, p.email, code)
}
