package mail_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/mail/mailpittest"
	_ "modernc.org/sqlite"
)

func sender(mp *mailpittest.Server) *mail.SMTP {
	host, port := mp.SMTPAddr()
	return &mail.SMTP{Settings: mail.Settings{Host: host, Port: port, Username: "ward", Password: "hunter2",
		From: "Ward <ward@example.org>", StartTLS: mail.StartTLSNone}, DialTimeout: time.Second}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    mail.Message
		ok   bool
	}{
		{"plain", mail.Message{To: "a@example.org", Subject: "Hi", Text: "x"}, true},
		{"named", mail.Message{To: "Zoë <a@example.org>", Subject: "Café — 5 µmol/L", Text: "x"}, true},
		{"two recipients", mail.Message{To: "a@example.org, b@example.org", Subject: "Hi"}, false},
		{"no address", mail.Message{To: "nobody", Subject: "Hi"}, false},
		{"CRLF in subject", mail.Message{To: "a@example.org", Subject: "Hi\r\nBcc: evil@example.org"}, false},
		{"LF in subject", mail.Message{To: "a@example.org", Subject: "Hi\nBcc: evil@example.org"}, false},
		{"CR in to", mail.Message{To: "a@example.org\rBcc: evil@example.org", Subject: "Hi"}, false},
		{"LF in to", mail.Message{To: "a@example.org\nBcc: evil@example.org", Subject: "Hi"}, false},
		{"text at limit", mail.Message{To: "a@example.org", Text: strings.Repeat("a", mail.MaxText)}, true},
		{"text too long", mail.Message{To: "a@example.org", Text: strings.Repeat("a", mail.MaxText+1)}, false},
		{"not utf-8", mail.Message{To: "a@example.org", Text: "\xff"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.m.Validate()
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, mail.ErrBadMessage)) {
				t.Fatalf("Validate = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestSettingsRedacted(t *testing.T) {
	s := mail.Settings{Host: "smtp.example.org", Port: 587, Username: "u", Password: "hunter2", From: "w@example.org"}
	for _, f := range []string{"%v", "%+v", "%s", "%#v"} {
		if out := fmt.Sprintf(f, s); strings.Contains(out, "hunter2") || !strings.Contains(out, "smtp.example.org") {
			t.Errorf("%s: %s", f, out)
		}
	}
	if out := fmt.Sprintf("%+v", mail.SMTP{Settings: s}); strings.Contains(out, "hunter2") {
		t.Errorf("SMTP %%+v: %s", out)
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{1, 10 * time.Second}, {2, 20 * time.Second}, {3, 40 * time.Second}, {8, 1280 * time.Second}, {9, 30 * time.Minute}, {100, 30 * time.Minute}} {
		if got := mail.Backoff(tc.n); got != tc.want {
			t.Errorf("Backoff(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

func TestSendMailpit(t *testing.T) {
	mp := mailpittest.New(t)
	s := sender(mp)
	ctx := context.Background()
	body := "Your result: 5 µmol/L.\nA line that is long enough to need a soft break in quoted-printable, " + strings.Repeat("é", 60) + "\n.\nend"
	for _, tc := range []struct {
		name, subject, text string
	}{
		{"ascii", "Sign-in code", "123456"},
		{"non-ascii", "Café — 5 µmol/L", body},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Send(ctx, mail.Message{To: "Zoë <zoe@example.org>", Subject: tc.subject, Text: tc.text}); err != nil {
				t.Fatal(err)
			}
			var got *mailpittest.Msg
			for _, m := range mp.Wait(t, 1, 5*time.Second) {
				if m.Subject == tc.subject {
					got = &m
				}
			}
			if got == nil {
				t.Fatalf("no message with subject %q", tc.subject)
			}
			if len(got.To) != 1 || got.To[0] != "zoe@example.org" || got.From != "ward@example.org" {
				t.Errorf("from %q to %q", got.From, got.To)
			}
			if text := strings.ReplaceAll(mp.Text(t, got.ID), "\r\n", "\n"); strings.TrimRight(text, "\n") != tc.text {
				t.Errorf("text = %q, want %q", text, tc.text)
			}
		})
	}
	t.Run("header injection refused", func(t *testing.T) {
		n := len(mp.Messages(t))
		for _, m := range []mail.Message{
			{To: "a@example.org", Subject: "Hi\r\nBcc: evil@example.org", Text: "x"},
			{To: "a@example.org\r\nBcc: evil@example.org", Subject: "Hi", Text: "x"},
		} {
			if err := s.Send(ctx, m); !errors.Is(err, mail.ErrBadMessage) {
				t.Errorf("Send = %v, want ErrBadMessage", err)
			}
		}
		if got := len(mp.Messages(t)); got != n {
			t.Errorf("%d messages arrived, want none", got-n)
		}
	})
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestOutboxSurvivesDownServer(t *testing.T) {
	mp := mailpittest.New(t)
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "outbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var logs strings.Builder
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	ob, err := mail.NewOutbox(db, sender(mp), clk.now, mail.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := ob.Enqueue(ctx, mail.Message{To: "a@example.org", Subject: "bad\nBcc: x@example.org"}); !errors.Is(err, mail.ErrBadMessage) {
		t.Fatalf("Enqueue = %v", err)
	}
	const n = 5
	mp.Stop()
	for i := range n {
		if err := ob.Enqueue(ctx, mail.Message{To: "secret-patient@example.org", Subject: fmt.Sprintf("outbox %d µ", i), Text: "private body"}); err != nil {
			t.Fatal(err)
		}
	}
	type state struct{ attempts, nextTry int64 }
	read := func() state {
		var s state
		if err := db.QueryRow(`SELECT min(attempts), min(next_try) FROM outbox`).Scan(&s.attempts, &s.nextTry); err != nil {
			t.Fatal(err)
		}
		return s
	}
	prev := read()
	for round := 1; round <= 3; round++ {
		sent, err := ob.Flush(ctx)
		if err == nil || sent != 0 {
			t.Fatalf("round %d: Flush = %d, %v; want 0 and an error", round, sent, err)
		}
		if p, _ := ob.Pending(ctx); p != n {
			t.Fatalf("Pending = %d, want %d", p, n)
		}
		st := read()
		if st.attempts != int64(round) || st.nextTry <= prev.nextTry {
			t.Fatalf("round %d: attempts %d next_try %d (before %d)", round, st.attempts, st.nextTry, prev.nextTry)
		}
		// Not due yet: nothing is tried.
		if sent, err := ob.Flush(ctx); sent != 0 || err != nil {
			t.Fatalf("Flush before due = %d, %v", sent, err)
		}
		prev = st
		clk.add(mail.Backoff(round))
	}
	if strings.Contains(logs.String(), "secret-patient") || strings.Contains(logs.String(), "private body") || !strings.Contains(logs.String(), "class=connect") {
		t.Errorf("logs:\n%s", logs.String())
	}

	mp.Start()
	clk.add(mail.BackoffMax)
	sent, err := ob.Flush(ctx)
	if err != nil || sent != n {
		t.Fatalf("Flush = %d, %v; want %d", sent, err, n)
	}
	if sent, err := ob.Flush(ctx); sent != 0 || err != nil {
		t.Fatalf("second Flush = %d, %v", sent, err)
	}
	if p, err := ob.Pending(ctx); p != 0 || err != nil {
		t.Fatalf("Pending = %d, %v", p, err)
	}
	count := map[string]int{}
	for _, m := range mp.Wait(t, n, 5*time.Second) {
		count[m.Subject]++
	}
	for i := range n {
		if s := fmt.Sprintf("outbox %d µ", i); count[s] != 1 {
			t.Errorf("%q arrived %d times", s, count[s])
		}
	}
}

func TestRun(t *testing.T) {
	mp := mailpittest.New(t)
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "outbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ob, err := mail.NewOutbox(db, sender(mp), nil, mail.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ob.Run(ctx); close(done) }()
	if err := ob.Enqueue(ctx, mail.Message{To: "a@example.org", Subject: "run", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	mp.Wait(t, 1, 5*time.Second)
	cancel()
	<-done
	if p, _ := ob.Pending(context.Background()); p != 0 {
		t.Fatalf("Pending = %d", p)
	}
}

func BenchmarkSendMailpit(b *testing.B) {
	mp := mailpittest.New(b)
	s := sender(mp)
	m := mail.Message{To: "a@example.org", Subject: "Café — 5 µmol/L", Text: "Your sign-in code is 123456."}
	for b.Loop() {
		if err := s.Send(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
}
