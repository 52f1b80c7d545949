package signin

import (
	"context"
	"net/url"
	"strings"

	"github.com/ward-health/ward/backend/mail"
)

// The emails Ward sends. Plain text, plain English, no health information:
// an email may be read by anyone with the mailbox.

func (s *Service) link(fragment string) string {
	if s.opt.Policy.PublicURL == "" {
		return ""
	}
	return strings.TrimSuffix(s.opt.Policy.PublicURL, "/") + "/#/" + fragment
}

func (s *Service) org() string {
	if s.opt.Policy.Organisation != "" {
		return s.opt.Policy.Organisation
	}
	return "Ward"
}

func (s *Service) send(ctx context.Context, to, subject, text string) error {
	if s.opt.Outbox == nil {
		return nil
	}
	return s.opt.Outbox.Enqueue(ctx, mail.Message{To: to, Subject: subject, Text: text})
}

func (s *Service) sendVerify(ctx context.Context, to, code string) error {
	text := "Your code to confirm your email address for " + s.org() + "'s Ward is:\n\n    " + code + "\n\n" +
		"It works once, for 15 minutes.\n"
	if l := s.link("activate?email=" + url.QueryEscape(to) + "&code=" + url.QueryEscape(code)); l != "" {
		text += "\nOr open this link: " + l + "\n"
	}
	text += "\nIf you did not ask for this, you can ignore this email: nothing happens without the code.\n"
	return s.send(ctx, to, "Your Ward code: "+code, text)
}

func (s *Service) sendAlreadyHave(ctx context.Context, to string) error {
	text := "Someone asked to sign up to " + s.org() + "'s Ward with this email address, which already has an account.\n\n" +
		"If it was you, sign in instead. If you have forgotten your password, choose \"Forgot your password?\" on the sign-in page.\n\n" +
		"If it was not you, you need do nothing: your account has not changed.\n"
	return s.send(ctx, to, "Someone tried to sign up with your email address", text)
}

func (s *Service) sendTwoStepCode(ctx context.Context, to, code string) error {
	text := "Your sign-in code for " + s.org() + "'s Ward is:\n\n    " + code + "\n\n" +
		"It works once, for 15 minutes. Someone who has your password asked for it: if it was not you, change your password.\n"
	return s.send(ctx, to, "Your Ward sign-in code: "+code, text)
}

func (s *Service) sendGuessing(ctx context.Context, to string) error {
	text := "Someone has tried many times to sign in to your account at " + s.org() + "'s Ward with the wrong password.\n\n" +
		"Ward is making them wait longer after each try. You can still sign in with your face or fingerprint, or with your password after a short wait.\n\n" +
		"If it was not you, your record is still safe as long as your password is one you use nowhere else. If you are not sure, change it in Security settings.\n"
	return s.send(ctx, to, "Someone is trying to sign in to your Ward account", text)
}

func (s *Service) sendForgot(ctx context.Context, to, code string) error {
	text := "Your code to reset your password for " + s.org() + "'s Ward is:\n\n    " + code + "\n\n" +
		"It works once, for 15 minutes. You will also need your recovery key.\n\n" +
		"If you did not ask for this, you can ignore this email: nothing changes without the code.\n"
	return s.send(ctx, to, "Reset your Ward password", text)
}
