package signin

import (
	"context"
	"errors"
	"fmt"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/vault"
)

// SignUp starts an account for email. The answer is the same whether or
// not the address already has one (no enumeration): an existing owner is
// told by email instead, and a pending account gets a fresh code.
func (s *Service) SignUp(ctx context.Context, email, password string, sharedOK bool, from string) error {
	e, err := accounts.NormaliseEmail(email)
	if err != nil {
		return err
	}
	if accounts.LooksShared(e) && !sharedOK {
		return ErrSharedAddress
	}
	if err := passwords.Check(password, e); err != nil {
		return err
	}
	// Each sign-up sends an email: bounded per address and per client so
	// Ward cannot be used to flood a mailbox.
	// Counted apart from sign-ins ("signup:"), so an address that just
	// signed up is slowed at sign-in exactly as one that never did.
	if err := s.throttle(ctx, "signup:"+s.opt.Accounts.EmailKey(e), "signup:"+addrKey(from)); err != nil {
		return err
	}
	a, err := s.opt.Accounts.Create(ctx, e, "")
	if errors.Is(err, accounts.ErrEmailTaken) {
		a, err = s.opt.Accounts.ByEmail(ctx, e)
		if err != nil {
			return err
		}
		if a.State != "pending" {
			return s.sendAlreadyHave(ctx, e)
		}
	} else if err != nil {
		return err
	}
	code, err := s.opt.Accounts.NewCode(ctx, "verify", a.ID, CodeTTL)
	if err != nil {
		return err
	}
	return s.sendVerify(ctx, e, code)
}

// Verify checks the emailed code and gives the account it confirms.
func (s *Service) Verify(ctx context.Context, email, code, from string) (string, error) {
	e, err := accounts.NormaliseEmail(email)
	if err != nil {
		return "", ErrWrongCode
	}
	if err := s.throttle(ctx, s.opt.Accounts.EmailKey(e), addrKey(from)); err != nil {
		return "", err
	}
	a, err := s.opt.Accounts.ByEmail(ctx, e)
	if errors.Is(err, accounts.ErrNotFound) {
		return "", ErrWrongCode
	}
	if err != nil {
		return "", err
	}
	if err := s.opt.Accounts.UseCode(ctx, "verify", a.ID, code); err != nil {
		if errors.Is(err, accounts.ErrBadCode) {
			return "", ErrWrongCode
		}
		return "", err
	}
	if a.State != "pending" { // already active: the code proves the address, nothing more
		return "", ErrWrongCode
	}
	if err := s.opt.Accounts.MarkVerified(ctx, a.ID); err != nil {
		return "", err
	}
	s.refund(ctx, s.opt.Accounts.EmailKey(e), addrKey(from))
	return a.ID, nil
}

// Activate gives a verified account its record: the invited vault (opened
// with the activation code, whose slot is then replaced by the password
// and a new recovery key), or, where the policy allows, a new empty one.
// It returns the session and the recovery key to show once.
func (s *Service) Activate(ctx context.Context, account, password, invite string, empty bool, from, ua string) (Grant, string, error) {
	a, err := s.opt.Accounts.ByID(ctx, account)
	if err != nil {
		return Grant{}, "", ErrSignedOut
	}
	if a.State != "pending" || a.Verified.IsZero() {
		return Grant{}, "", ErrSignedOut
	}
	if err := passwords.Check(password, a.Email); err != nil {
		return Grant{}, "", err
	}
	if err := s.throttle(ctx, "a:"+a.ID, addrKey(from)); err != nil {
		return Grant{}, "", err
	}
	var tok, recovery, dir string
	var m *session.Manager
	switch {
	case invite != "":
		inv, err := vault.ParseInvite(invite)
		if err != nil {
			return Grant{}, "", ErrWrongInvite
		}
		hash := inv.LookupHash()
		inv.Destroy()
		dir, err = s.opt.Accounts.Invite(ctx, hash)
		if err != nil {
			return Grant{}, "", ErrWrongInvite
		}
		m, err = s.opt.Vaults.Manager(a.ID, s.vaultPath(dir))
		if err != nil {
			return Grant{}, "", err
		}
		tok, recovery, err = m.Activate(ctx, invite, []byte(password), from)
		if err != nil {
			s.opt.Vaults.Forget(a.ID) //nolint:errcheck // the account has no vault until this works
			if errors.Is(err, vault.ErrWrongSecret) || errors.Is(err, vault.ErrNoSlot) || errors.Is(err, vault.ErrBadInvite) {
				return Grant{}, "", ErrWrongInvite
			}
			return Grant{}, "", err
		}
		if _, err := s.opt.Accounts.TakeInvite(ctx, hash); err != nil {
			return Grant{}, "", fmt.Errorf("activate: spend invite: %w", err)
		}
	case empty:
		if !s.opt.Policy.EmptyRecordAllowed {
			return Grant{}, "", ErrNotAllowed
		}
		dir = "vaults/" + a.ID
		var err error
		m, err = s.opt.Vaults.Manager(a.ID, s.vaultPath(dir))
		if err != nil {
			return Grant{}, "", err
		}
		tok, recovery, err = m.Create(ctx, []byte(password))
		if err != nil && !errors.Is(err, session.ErrExists) {
			return Grant{}, "", err
		}
		if errors.Is(err, session.ErrExists) {
			return Grant{}, "", ErrNotAllowed
		}
	default:
		return Grant{}, "", ErrWrongInvite
	}
	if err := s.organisationKey(ctx, m, tok); err != nil {
		return Grant{}, "", err
	}
	if err := s.opt.Accounts.SetVaultDir(ctx, a.ID, dir); err != nil {
		return Grant{}, "", err
	}
	if err := s.opt.Accounts.SetState(ctx, a.ID, "active"); err != nil {
		return Grant{}, "", err
	}
	s.refund(ctx, "a:"+a.ID, addrKey(from))
	if err := s.opt.Accounts.Audit(ctx, "patient", "activate", a.ID, map[bool]string{true: "invite", false: "empty record"}[invite != ""]); err != nil {
		return Grant{}, "", err
	}
	g, err := s.grant(ctx, a.ID, tok, ua, from)
	return g, recovery, err
}
