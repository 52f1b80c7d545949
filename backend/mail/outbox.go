package mail

import (
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"sync"
	"time"
)

// Retry timing of the outbox: after the n-th failed attempt of a message
// (n counting from 1) the next try is BackoffBase·2^(n-1) later, at most
// BackoffMax: 10 s, 20 s, 40 s, … 30 min, 30 min, …
const (
	BackoffBase = 10 * time.Second
	BackoffMax  = 30 * time.Minute
	// idlePoll is how often Run looks at the table when nothing is due
	// and nothing was enqueued (another process may have enqueued).
	idlePoll = time.Minute
	batch    = 100
)

const schema = `CREATE TABLE IF NOT EXISTS outbox (
	id INTEGER PRIMARY KEY,
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	created INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_try INTEGER NOT NULL,
	sent INTEGER NULL,
	last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_try) WHERE sent IS NULL;
CREATE TABLE IF NOT EXISTS outbox_status (
	id INTEGER PRIMARY KEY,
	state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	class TEXT NOT NULL DEFAULT '',
	updated INTEGER NOT NULL
)`

// Delivery states (Delivery.State).
const (
	Queued = "queued" // not tried yet
	Failed = "failed" // tried and refused or unreachable; tried again later
	Sent   = "sent"   // the mail server took it
)

// statusKeep is how long a message's delivery state is kept after it was
// sent (the message itself is deleted at once).
const statusKeep = 30 * 24 * time.Hour

// ErrUnknownMessage means Status was asked about a message it does not know
// (never queued here, or sent more than 30 days ago).
var ErrUnknownMessage = errors.New("mail: no such message")

// Delivery is where one queued message has got to: what a person who
// asked for it to be sent may see. It holds no address or text.
type Delivery struct {
	State    string
	Attempts int
	// Class is the last failure's kind ("connect", "rejected", …), "" when
	// none.
	Class   string
	Updated time.Time
}

// Outbox is a durable queue of messages in table outbox of a SQLite
// database the caller gives (created, created and next_try in Unix
// milliseconds). Each message is stored as given until the Sender accepts
// it, and its row is deleted in the same step, so only unsent mail is on
// disk. Delivery is at least once: if the process dies (or the database
// write fails) between the server's acceptance and the delete, the message
// is sent again on the next try. A message is retried for as long as it
// fails (a permanent rejection too), BackoffMax apart at most.
//
// One Outbox sends one message at a time; two Outboxes (two processes) on
// one table could send a message twice.
type Outbox struct {
	db     *sql.DB
	sender Sender
	now    func() time.Time
	log    *slog.Logger
	seal   Sealer        // nil: rows are stored as given
	mu     sync.Mutex    // one Flush at a time
	kick   chan struct{} // Enqueue wakes Run
}

// Option configures an Outbox.
type Option func(*Outbox)

// WithLogger logs send failures to l: the row id, the attempt count, the
// error class and the retry time, never the address, subject or text.
// Without it failures go to slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *Outbox) { o.log = l } }

// Sealer encrypts messages at rest: an accounts server's outbox holds
// patients' addresses and one-time codes, which the database file must not
// show (see WithSealer).
type Sealer interface {
	Seal(plain []byte, ad string) ([]byte, error)
	Open(sealed []byte, ad string) ([]byte, error)
}

// sealedAD binds a sealed row to the outbox; sealedTo marks such rows.
const (
	sealedAD = "ward mail outbox v1"
	sealedTo = "sealed"
)

// WithSealer stores each message sealed by s: the row's to_addr says only
// "sealed", its subject is empty and its body is the base64 of the sealed
// address, subject and text.
func WithSealer(s Sealer) Option { return func(o *Outbox) { o.seal = s } }

// NewOutbox creates the outbox table in db if missing. now is the clock
// (nil means time.Now).
func NewOutbox(db *sql.DB, s Sender, now func() time.Time, opts ...Option) (*Outbox, error) {
	if db == nil || s == nil {
		return nil, errors.New("mail: NewOutbox needs a database and a sender")
	}
	if now == nil {
		now = time.Now
	}
	o := &Outbox{db: db, sender: s, now: now, log: slog.Default(), kick: make(chan struct{}, 1)}
	for _, opt := range opts {
		opt(o)
	}
	if _, err := db.Exec(schema); err != nil {
		return nil, fmt.Errorf("mail: creating outbox: %w", err)
	}
	return o, nil
}

// Enqueue validates m (errors wrap ErrBadMessage) and stores it, due now.
func (o *Outbox) Enqueue(ctx context.Context, m Message) error {
	_, err := o.EnqueueTracked(ctx, m)
	return err
}

// EnqueueTracked is Enqueue, giving the message's id for Status.
func (o *Outbox) EnqueueTracked(ctx context.Context, m Message) (int64, error) {
	if err := m.Validate(); err != nil {
		return 0, err
	}
	to, subject, text := m.To, m.Subject, m.Text
	if o.seal != nil {
		plain, err := json.Marshal(m)
		if err != nil {
			return 0, fmt.Errorf("mail: enqueue: %w", err)
		}
		sealed, err := o.seal.Seal(plain, sealedAD)
		clear(plain)
		if err != nil {
			return 0, fmt.Errorf("mail: enqueue: seal: %w", err)
		}
		to, subject, text = sealedTo, "", base64.StdEncoding.EncodeToString(sealed)
	}
	t := o.now().UnixMilli()
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("mail: enqueue: %w", err)
	}
	defer tx.Rollback()
	var id int64
	// The id is past every id still in outbox_status as well: SQLite would
	// reuse the id of a sent (deleted) message, whose state is still kept.
	if err := tx.QueryRowContext(ctx,
		`INSERT INTO outbox(id, to_addr, subject, body, created, attempts, next_try)
		VALUES((SELECT max(m) + 1 FROM (SELECT coalesce(max(id), 0) AS m FROM outbox UNION ALL SELECT coalesce(max(id), 0) FROM outbox_status)),
			?, ?, ?, ?, 0, ?) RETURNING id`,
		to, subject, text, t, t).Scan(&id); err != nil {
		return 0, fmt.Errorf("mail: enqueue: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO outbox_status(id, state, attempts, class, updated) VALUES(?, ?, 0, '', ?)`, id, Queued, t); err != nil {
		return 0, fmt.Errorf("mail: enqueue: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("mail: enqueue: %w", err)
	}
	o.wake()
	return id, nil
}

// Status says where message id has got to.
func (o *Outbox) Status(ctx context.Context, id int64) (Delivery, error) {
	var d Delivery
	var updated int64
	err := o.db.QueryRowContext(ctx, `SELECT state, attempts, class, updated FROM outbox_status WHERE id = ?`, id).
		Scan(&d.State, &d.Attempts, &d.Class, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, ErrUnknownMessage
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("mail: status: %w", err)
	}
	d.Updated = time.UnixMilli(updated)
	return d, nil
}

// note records a message's new delivery state; a failure to write it is
// logged, not returned: the message itself is what matters.
func (o *Outbox) note(ctx context.Context, id int64, state string, attempts int, class string) {
	t := o.now().UnixMilli()
	if _, err := o.db.ExecContext(context.WithoutCancel(ctx),
		`UPDATE outbox_status SET state = ?, attempts = ?, class = ?, updated = ? WHERE id = ?`, state, attempts, class, t, id); err != nil {
		o.log.Error("mail: recording a delivery state failed", "id", id, "class", "database", "err", err)
	}
	if state == Sent {
		o.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM outbox_status WHERE state = ? AND updated < ?`, Sent, t-statusKeep.Milliseconds()) //nolint:errcheck // pruning is best effort
	}
}

func (o *Outbox) wake() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Pending counts the messages not yet sent (due or waiting to retry).
func (o *Outbox) Pending(ctx context.Context) (int, error) {
	var n int
	err := o.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE sent IS NULL`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("mail: pending: %w", err)
	}
	return n, nil
}

type row struct {
	id       int64
	attempts int
	m        Message
}

// Flush tries every message due now, oldest first, and returns how many
// were sent. A failed message gets attempts+1 and a later next_try (see
// BackoffBase); err then wraps the first failure. Flush stops early only
// when ctx ends or the database fails.
func (o *Outbox) Flush(ctx context.Context) (sent int, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var failed int
	var first error
	for {
		rows, err := o.due(ctx)
		if err != nil {
			if ctx.Err() == nil {
				o.log.Error("mail: reading outbox failed", "class", "database", "err", err)
			}
			return sent, err
		}
		for _, r := range rows {
			if err := ctx.Err(); err != nil {
				return sent, err
			}
			serr := o.sender.Send(ctx, r.m)
			if serr == nil {
				if _, err := o.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM outbox WHERE id = ?`, r.id); err != nil {
					// The server has it; the row stays and is sent again later.
					o.log.Error("mail: sent but not deleted from outbox", "id", r.id, "class", "database", "err", err)
					return sent, fmt.Errorf("mail: deleting sent message: %w", err)
				}
				o.note(ctx, r.id, Sent, r.attempts+1, "")
				sent++
				continue
			}
			failed++
			if first == nil {
				first = serr
			}
			attempts := r.attempts + 1
			wait := Backoff(attempts)
			class := Class(serr)
			next := o.now().Add(wait)
			if _, err := o.db.ExecContext(context.WithoutCancel(ctx),
				`UPDATE outbox SET attempts = ?, next_try = ?, last_error = ? WHERE id = ?`,
				attempts, next.UnixMilli(), class+": "+truncate(serr.Error(), 500), r.id); err != nil {
				o.log.Error("mail: recording a failure failed", "id", r.id, "class", "database", "err", err)
				return sent, fmt.Errorf("mail: recording failure: %w", err)
			}
			o.note(ctx, r.id, Failed, attempts, class)
			o.log.Warn("mail: send failed", "id", r.id, "attempts", attempts, "class", class, "retry_in", wait)
		}
		if len(rows) < batch {
			break
		}
	}
	if first != nil {
		return sent, fmt.Errorf("mail: %d message(s) not sent: %w", failed, first)
	}
	return sent, nil
}

// due reads (and closes) one batch of due rows, so no query is open while
// sending (a caller's db may have one connection).
func (o *Outbox) due(ctx context.Context) ([]row, error) {
	rs, err := o.db.QueryContext(ctx,
		`SELECT id, attempts, to_addr, subject, body FROM outbox WHERE sent IS NULL AND next_try <= ? ORDER BY next_try, id LIMIT ?`,
		o.now().UnixMilli(), batch)
	if err != nil {
		return nil, fmt.Errorf("mail: reading outbox: %w", err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.id, &r.attempts, &r.m.To, &r.m.Subject, &r.m.Text); err != nil {
			return nil, fmt.Errorf("mail: reading outbox: %w", err)
		}
		if r.m.To == sealedTo && o.seal != nil {
			m, err := o.unseal(r.m.Text)
			if err != nil {
				// Sealed under another key (or damaged): it can never be
				// sent, but it is not deleted either; the log says which.
				o.log.Error("mail: a sealed message does not open", "id", r.id, "class", "sealed")
				continue
			}
			r.m = m
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("mail: reading outbox: %w", err)
	}
	return out, nil
}

func (o *Outbox) unseal(text string) (Message, error) {
	var m Message
	sealed, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return m, err
	}
	plain, err := o.seal.Open(sealed, sealedAD)
	if err != nil {
		return m, err
	}
	defer clear(plain)
	err = json.Unmarshal(plain, &m)
	return m, err
}

// Run sends due messages until ctx ends: at once, after every Enqueue, when
// the earliest retry is due, and at least every minute. Failures are
// logged (see WithLogger), not returned.
func (o *Outbox) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-o.kick:
		case <-t.C:
		}
		o.Flush(ctx) // failures are logged by Flush
		t.Reset(o.wait(ctx))
	}
}

// wait is how long Run sleeps: until the earliest next_try, within
// [1 s, idlePoll].
func (o *Outbox) wait(ctx context.Context) time.Duration {
	var next sql.NullInt64
	if err := o.db.QueryRowContext(ctx, `SELECT min(next_try) FROM outbox WHERE sent IS NULL`).Scan(&next); err != nil || !next.Valid {
		return idlePoll
	}
	d := time.UnixMilli(next.Int64).Sub(o.now())
	return min(max(d, time.Second), idlePoll)
}

// Backoff is the wait after the given number of failed attempts (≥ 1).
func Backoff(attempts int) time.Duration {
	d := BackoffBase
	for i := 1; i < attempts; i++ {
		d *= 2
		if d >= BackoffMax {
			return BackoffMax
		}
	}
	return d
}

// Class names the kind of a send error for logs, without any address or
// text: "bad-message", "timeout", "connect", "tls", "no-starttls",
// "smtp-4xx" or "smtp-5xx" (with the reply code), "canceled" or "other".
func Class(err error) string {
	var tpe *textproto.Error
	var ne net.Error
	var op *net.OpError
	var rhe tls.RecordHeaderError
	var cve *tls.CertificateVerificationError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrBadMessage):
		return "bad-message"
	case errors.Is(err, ErrNoStartTLS):
		return "no-starttls"
	case errors.As(err, &tpe):
		return fmt.Sprintf("smtp-%dxx (%d)", tpe.Code/100, tpe.Code)
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &rhe), errors.As(err, &cve):
		return "tls"
	case errors.As(err, &op) && op.Op == "dial":
		return "connect"
	}
	return "other"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
