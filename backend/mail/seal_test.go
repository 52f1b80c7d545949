package mail_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/mail/mailpittest"
)

// xSealer is an XChaCha20-Poly1305 Sealer, like the accounts database's.
type xSealer struct{ key [32]byte }

func (s *xSealer) Seal(plain []byte, ad string) ([]byte, error) {
	a, _ := chacha20poly1305.NewX(s.key[:])
	nonce := make([]byte, a.NonceSize())
	rand.Read(nonce)
	return a.Seal(nonce, nonce, plain, []byte(ad)), nil
}

func (s *xSealer) Open(b []byte, ad string) ([]byte, error) {
	a, _ := chacha20poly1305.NewX(s.key[:])
	return a.Open(nil, b[:a.NonceSize()], b[a.NonceSize():], []byte(ad))
}

// TestSealedOutbox: with a Sealer, the database file never shows the
// address, subject or text of a queued message, and it still arrives.
func TestSealedOutbox(t *testing.T) {
	mp := mailpittest.New(t)
	path := filepath.Join(t.TempDir(), "outbox.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	s := &xSealer{}
	rand.Read(s.key[:])
	ob, err := mail.NewOutbox(db, sender(mp), nil, mail.WithSealer(s), mail.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mp.Stop()
	m := mail.Message{To: "sealed-patient@example.org", Subject: "Your code 7QX2-9KPL", Text: "Your Ward code is 7QX2-9KPL."}
	if err := ob.Enqueue(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, secret := range []string{"sealed-patient", "example.org", "7QX2", "Your Ward code"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s shows %q", filepath.Base(f), secret)
			}
		}
	}
	// A sealer with another key cannot open it: it stays queued, unsent.
	other := &xSealer{}
	rand.Read(other.key[:])
	var logs strings.Builder
	wrong, err := mail.NewOutbox(db, sender(mp), nil, mail.WithSealer(other), mail.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := wrong.Flush(ctx); n != 0 {
		t.Fatalf("sent %d with the wrong key", n)
	}
	if !strings.Contains(logs.String(), "does not open") || strings.Contains(logs.String(), "sealed-patient") {
		t.Fatalf("log = %q", logs.String())
	}
	mp.Start()
	if n, err := ob.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("Flush = %d, %v", n, err)
	}
	got := mp.Wait(t, 1, 5*time.Second)
	if len(got) != 1 || len(got[0].To) != 1 || !strings.Contains(got[0].To[0], m.To) || got[0].Subject != m.Subject {
		t.Fatalf("arrived %+v", got)
	}
	if text := mp.Text(t, got[0].ID); !strings.Contains(text, "7QX2-9KPL") {
		t.Fatalf("text = %q", text)
	}
}

// TestDeliveryStatus: a queued message's state moves queued → failed (with
// the kind of failure) → sent as the mail server is down and then up, and
// a new message never takes the id of one already sent.
func TestDeliveryStatus(t *testing.T) {
	mp := mailpittest.New(t)
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "outbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	ob, err := mail.NewOutbox(db, sender(mp), clk.now, mail.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	state := func(id int64) mail.Delivery {
		t.Helper()
		d, err := ob.Status(ctx, id)
		if err != nil {
			t.Fatalf("Status(%d): %v", id, err)
		}
		return d
	}
	mp.Stop()
	id, err := ob.EnqueueTracked(ctx, mail.Message{To: "a@example.org", Subject: "share code", Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if d := state(id); d.State != mail.Queued || d.Attempts != 0 {
		t.Fatalf("after enqueue: %+v", d)
	}
	ob.Flush(ctx) //nolint:errcheck // fails: the server is down
	if d := state(id); d.State != mail.Failed || d.Attempts != 1 || d.Class == "" {
		t.Fatalf("after a failed try: %+v", d)
	}
	mp.Start()
	clk.add(time.Hour)
	if n, err := ob.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("Flush = %d, %v", n, err)
	}
	if d := state(id); d.State != mail.Sent || d.Attempts != 2 || d.Class != "" {
		t.Fatalf("after sending: %+v", d)
	}
	next, err := ob.EnqueueTracked(ctx, mail.Message{To: "b@example.org", Subject: "another", Text: "y"})
	if err != nil {
		t.Fatal(err)
	}
	if next == id {
		t.Fatalf("a new message took the id %d of a sent one", id)
	}
	if d := state(id); d.State != mail.Sent {
		t.Fatalf("the sent message's state changed: %+v", d)
	}
	if _, err := ob.Status(ctx, 9999); !errors.Is(err, mail.ErrUnknownMessage) {
		t.Fatalf("Status(unknown) = %v", err)
	}
}
