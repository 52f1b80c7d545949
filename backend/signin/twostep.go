package signin

import (
	"context"
	"sync"

	"github.com/ward-health/ward/backend/twostep"
)

// TwoStepStatus is what the account page shows.
type TwoStepStatus struct {
	Enabled           bool
	RecoveryCodesLeft int
	Required          bool
}

// twoStepState reads the account's two-step state (empty when none).
func (s *Service) twoStepState(ctx context.Context, account string) (twostep.State, error) {
	b, err := s.opt.Accounts.TwoStep(ctx, account)
	if err != nil || b == nil {
		return twostep.State{}, err
	}
	defer clear(b)
	return twostep.Parse(b)
}

func (s *Service) accountLock(account string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.twostep[account]
	if l == nil {
		l = &sync.Mutex{}
		s.twostep[account] = l
	}
	return l
}

// useTwoStep runs fn on the account's state and stores what it changed,
// one request per account at a time.
func (s *Service) useTwoStep(ctx context.Context, account string, fn func(*twostep.State) error) error {
	l := s.accountLock(account)
	l.Lock()
	defer l.Unlock()
	st, err := s.twoStepState(ctx, account)
	if err != nil {
		return err
	}
	ferr := fn(&st)
	// Verify notes the step it accepted even when it fails later; store
	// whatever fn left, so a replay stays refused.
	b, err := st.Marshal()
	if err != nil {
		return err
	}
	defer clear(b)
	if err := s.opt.Accounts.SetTwoStep(ctx, account, b); err != nil {
		return err
	}
	return ferr
}

// TwoStep reports the account's two-step status.
func (s *Service) TwoStep(ctx context.Context, account string) (TwoStepStatus, error) {
	st, err := s.twoStepState(ctx, account)
	if err != nil {
		return TwoStepStatus{}, err
	}
	return TwoStepStatus{Enabled: st.Enabled, RecoveryCodesLeft: st.RecoveryLeft(), Required: s.opt.Policy.TwoStepRequired}, nil
}

// Enrolment is a new authenticator-app secret to show.
type Enrolment struct {
	URL, Secret string
	QR          []byte // PNG
}

// Enrol starts (or restarts) enrolment: a new secret, not yet in use.
// An enabled two-step stays as it is until Confirm replaces it.
func (s *Service) Enrol(ctx context.Context, account, email string) (Enrolment, error) {
	st, url, png, err := twostep.Enrol(email, s.org())
	if err != nil {
		return Enrolment{}, err
	}
	s.mu.Lock()
	s.enrolling()[account] = st
	s.mu.Unlock()
	return Enrolment{URL: url, Secret: secretText(st.Secret), QR: png}, nil
}

// Confirm checks a code from the new secret, makes it the account's, and
// gives 10 new recovery codes to show once.
func (s *Service) Confirm(ctx context.Context, account, code string) ([]string, error) {
	s.mu.Lock()
	st, ok := s.enrolling()[account]
	s.mu.Unlock()
	if !ok {
		return nil, twostep.ErrNotEnrolled
	}
	if err := st.Confirm(code, s.now()); err != nil {
		return nil, ErrWrongCode
	}
	codes, err := st.NewRecoveryCodes()
	if err != nil {
		return nil, err
	}
	l := s.accountLock(account)
	l.Lock()
	defer l.Unlock()
	b, err := st.Marshal()
	if err != nil {
		return nil, err
	}
	defer clear(b)
	if err := s.opt.Accounts.SetTwoStep(ctx, account, b); err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.enrolling(), account)
	s.mu.Unlock()
	s.opt.Accounts.Audit(ctx, "patient", "two-step on", account, "") //nolint:errcheck
	return codes, nil
}

// NewRecoveryCodes replaces the recovery codes.
func (s *Service) NewRecoveryCodes(ctx context.Context, account string) ([]string, error) {
	var codes []string
	err := s.useTwoStep(ctx, account, func(st *twostep.State) error {
		if !st.Enabled {
			return twostep.ErrNotEnrolled
		}
		var err error
		codes, err = st.NewRecoveryCodes()
		return err
	})
	return codes, err
}

// DisableTwoStep turns two-step off, unless the organisation requires it.
func (s *Service) DisableTwoStep(ctx context.Context, account string) error {
	if s.opt.Policy.TwoStepRequired {
		return ErrTwoStepNeeded
	}
	l := s.accountLock(account)
	l.Lock()
	defer l.Unlock()
	if err := s.opt.Accounts.SetTwoStep(ctx, account, nil); err != nil {
		return err
	}
	s.opt.Accounts.Audit(ctx, "patient", "two-step off", account, "") //nolint:errcheck
	return nil
}

// enrolling holds secrets shown but not yet confirmed; the caller holds mu.
func (s *Service) enrolling() map[string]twostep.State {
	if s.enrol == nil {
		s.enrol = map[string]twostep.State{}
	}
	return s.enrol
}

// NeedsEnrolment reports whether the organisation requires two-step and
// the account has not set it up: such a session may only enrol.
func (s *Service) NeedsEnrolment(ctx context.Context, account string) (bool, error) {
	if !s.opt.Policy.TwoStepRequired {
		return false, nil
	}
	st, err := s.twoStepState(ctx, account)
	if err != nil {
		return false, err
	}
	return !st.Enabled, nil
}

func secretText(b []byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var out []byte
	var buf uint64
	bits := 0
	for _, c := range b {
		buf = buf<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			out = append(out, alphabet[(buf>>(bits-5))&31])
			bits -= 5
		}
	}
	if bits > 0 {
		out = append(out, alphabet[(buf<<(5-bits))&31])
	}
	// groups of four, as authenticator apps show them
	var g []byte
	for i, c := range out {
		if i > 0 && i%4 == 0 {
			g = append(g, ' ')
		}
		g = append(g, c)
	}
	return string(g)
}
