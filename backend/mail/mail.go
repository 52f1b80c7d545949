// Package mail sends Ward's emails (sign-up verification, sign-in codes,
// warnings) through a durable outbox so a mail server that is down loses
// nothing.
//
// A Message is validated when it is enqueued (one recipient, no header
// injection, a bounded size), written to an outbox table in a SQLite
// database the caller owns, and handed to a Sender (normally SMTP) by
// Outbox.Run or Outbox.Flush. A row is deleted as soon as the Sender
// accepted it, so only unsent mail is ever on disk; unsent mail is stored
// as given (not sealed), which is why it should not stay there long.
package mail

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Limits on a Message.
const (
	MaxText    = 64 << 10 // bytes of body text
	MaxSubject = 256      // bytes of subject, so the encoded header stays on one SMTP line
)

// ErrBadMessage is returned (wrapped) for a message that cannot be sent as
// given: not exactly one valid recipient, a CR or LF in a header field
// (header injection), text that is not UTF-8 or is too long.
var ErrBadMessage = errors.New("mail: bad message")

// Message is one plain-text email to one recipient.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// Validate reports whether m can be sent; every error wraps ErrBadMessage.
// Errors never quote the address or the text.
func (m Message) Validate() error {
	if strings.ContainsAny(m.To, "\r\n") {
		return fmt.Errorf("%w: line break in recipient", ErrBadMessage)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("%w: line break in subject", ErrBadMessage)
	}
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("%w: recipient is not one valid address", ErrBadMessage)
	}
	if len(m.Subject) > MaxSubject {
		return fmt.Errorf("%w: subject longer than %d bytes", ErrBadMessage, MaxSubject)
	}
	if len(m.Text) > MaxText {
		return fmt.Errorf("%w: text longer than %d bytes", ErrBadMessage, MaxText)
	}
	if !utf8.ValidString(m.Subject) || !utf8.ValidString(m.Text) {
		return fmt.Errorf("%w: not UTF-8", ErrBadMessage)
	}
	return nil
}

// StartTLS values for Settings.StartTLS.
const (
	StartTLSRequired      = "required"      // refuse to send unless STARTTLS succeeds (the default)
	StartTLSOpportunistic = "opportunistic" // use STARTTLS when the server offers it
	StartTLSNone          = "none"          // never use STARTTLS (a local relay or a test server)
)

// Settings say how to reach the mail server.
type Settings struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// From is the sender, e.g. "Ward <ward@example.org>".
	From string `json:"from"`
	// StartTLS is "required" (also when empty), "opportunistic" or "none".
	StartTLS string `json:"startTLS,omitempty"`
}

// Validate checks the settings before any connection is made.
func (s Settings) Validate() error {
	if s.Host == "" || strings.ContainsAny(s.Host, " \r\n/") {
		return errors.New("mail: settings: host missing or malformed")
	}
	if s.Port < 1 || s.Port > 65535 {
		return errors.New("mail: settings: port must be 1-65535")
	}
	if strings.ContainsAny(s.From, "\r\n") {
		return errors.New("mail: settings: line break in from")
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return errors.New("mail: settings: from is not one valid address")
	}
	switch s.StartTLS {
	case "", StartTLSRequired, StartTLSOpportunistic, StartTLSNone:
	default:
		return fmt.Errorf("mail: settings: startTLS must be %q, %q or %q", StartTLSRequired, StartTLSOpportunistic, StartTLSNone)
	}
	return nil
}

func (s Settings) startTLS() string {
	if s.StartTLS == "" {
		return StartTLSRequired
	}
	return s.StartTLS
}

// String describes the settings with the password redacted; %v, %+v and
// %s print this.
func (s Settings) String() string {
	pw := ""
	if s.Password != "" {
		pw = "[redacted]"
	}
	return fmt.Sprintf("{Host:%s Port:%d Username:%s Password:%s From:%s StartTLS:%s}",
		s.Host, s.Port, s.Username, pw, s.From, s.startTLS())
}

// GoString is String, so %#v does not print the password either.
func (s Settings) GoString() string { return "mail.Settings" + s.String() }
