package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// Sender hands one message to a mail server (or a fake in tests). A nil
// error means the server accepted it.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Default timeouts of SMTP.
const (
	DefaultDialTimeout = 10 * time.Second
	// DefaultSendTimeout bounds one whole SMTP conversation when ctx has no
	// earlier deadline.
	DefaultSendTimeout = time.Minute
)

// ErrNoStartTLS is returned when Settings.StartTLS is "required" and the
// server does not offer STARTTLS.
var ErrNoStartTLS = errors.New("mail: server does not offer STARTTLS")

// SMTP sends through one SMTP server with net/smtp, one connection per
// message (Ward sends few).
type SMTP struct {
	Settings
	// DialTimeout bounds the TCP connect; 0 means DefaultDialTimeout.
	DialTimeout time.Duration
	// TLSConfig, if set, is used for STARTTLS (its ServerName defaults to
	// Host); nil means the system roots and TLS 1.2 or later.
	TLSConfig *tls.Config
}

// Send delivers m: connect, EHLO, STARTTLS per Settings.StartTLS, AUTH
// PLAIN when Username is set (net/smtp allows that only over TLS or to
// localhost), MAIL, RCPT, DATA, QUIT. Errors do not quote the address.
func (c *SMTP) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := c.Settings.Validate(); err != nil {
		return err
	}
	from, _ := mail.ParseAddress(c.From)
	to, _ := mail.ParseAddress(m.To)
	body, err := compose(from, to, m, time.Now())
	if err != nil {
		return err
	}

	dt := c.DialTimeout
	if dt <= 0 {
		dt = DefaultDialTimeout
	}
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	d := net.Dialer{Timeout: dt}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("mail: connect: %w", err)
	}
	deadline := time.Now().Add(DefaultSendTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	conn.SetDeadline(deadline)
	// Cancelling ctx aborts the conversation.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: greeting: %w", err)
	}
	defer cl.Close()
	if err := cl.Hello("localhost"); err != nil {
		return fmt.Errorf("mail: EHLO: %w", err)
	}
	if mode := c.startTLS(); mode != StartTLSNone {
		if ok, _ := cl.Extension("STARTTLS"); ok {
			cfg := &tls.Config{MinVersion: tls.VersionTLS12}
			if c.TLSConfig != nil {
				cfg = c.TLSConfig.Clone()
			}
			if cfg.ServerName == "" {
				cfg.ServerName = c.Host
			}
			if err := cl.StartTLS(cfg); err != nil {
				return fmt.Errorf("mail: STARTTLS: %w", err)
			}
		} else if mode == StartTLSRequired {
			return ErrNoStartTLS
		}
	}
	if c.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return fmt.Errorf("mail: AUTH: %w", err)
		}
	}
	if err := cl.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := cl.Rcpt(to.Address); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		w.Close()
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if err := w.Close(); err != nil { // the server's verdict on the message
		return fmt.Errorf("mail: DATA: %w", err)
	}
	_ = cl.Quit() // accepted already; a failed QUIT changes nothing
	return nil
}

// compose renders the headers and the quoted-printable body, lines ending
// in CRLF.
func compose(from, to *mail.Address, m Message, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	domain := "ward.invalid"
	if i := strings.LastIndexByte(from.Address, '@'); i >= 0 {
		domain = from.Address[i+1:]
	}
	id := make([]byte, 16)
	rand.Read(id)
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from.String())
	h("To", to.String())
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(m.Text)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}
