package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// touchEvery limits last_seen writes: a page load every second need not be
// a disk write every second.
const touchEvery = 30 * time.Second

// Session is a signed-in browser.
type Session struct {
	Account, CSRF      string
	Created, LastSeen  time.Time
	UserAgent, Address string
}

// SessionInfo is an active session as shown on the account page, with a
// stable public handle that is not the secret id.
type SessionInfo struct {
	Handle string
	Session
}

func idHash(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// StartSession begins a session for account. Only the SHA-256 of the id is
// stored, so a copy of the file gives no way into anyone's session.
func (d *DB) StartSession(ctx context.Context, account, userAgent, address string) (Session, string, error) {
	id, err := randomToken()
	if err != nil {
		return Session{}, "", err
	}
	csrf, err := randomToken()
	if err != nil {
		return Session{}, "", err
	}
	now := time.Unix(0, d.Now().UnixNano())
	d.write.Lock()
	defer d.write.Unlock()
	_, err = d.sql.ExecContext(ctx, `INSERT INTO sessions
		(id_hash, account, csrf, created, last_seen, user_agent, address)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, idHash(id), account, csrf, now.UnixNano(), now.UnixNano(), userAgent, address)
	if err != nil {
		return Session{}, "", fmt.Errorf("start session: %w", err)
	}
	return Session{Account: account, CSRF: csrf, Created: now, LastSeen: now, UserAgent: userAgent, Address: address}, id, nil
}

// SessionByID gives the live session for id, ending it if it has been idle
// longer than idle or exists longer than absolute.
func (d *DB) SessionByID(ctx context.Context, id string, idle, absolute time.Duration) (Session, error) {
	h := idHash(id)
	var s Session
	var created, last int64
	var ended sql.NullInt64
	err := d.sql.QueryRowContext(ctx, `SELECT account, csrf, created, last_seen, user_agent, address, ended
		FROM sessions WHERE id_hash = ?`, h).Scan(&s.Account, &s.CSRF, &created, &last, &s.UserAgent, &s.Address, &ended)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && ended.Valid) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	s.Created, s.LastSeen = time.Unix(0, created), time.Unix(0, last)
	now := d.Now()
	reason := ""
	switch {
	case now.Sub(s.Created) > absolute:
		reason = "expired"
	case now.Sub(s.LastSeen) > idle:
		reason = "idle"
	}
	if reason != "" {
		if err := d.endWhere(ctx, reason, `id_hash = ?`, h); err != nil {
			return Session{}, err
		}
		return Session{}, ErrNoSession
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		d.write.Lock()
		_, err := d.sql.ExecContext(ctx, `UPDATE sessions SET last_seen = ? WHERE id_hash = ? AND ended IS NULL`, now.UnixNano(), h)
		d.write.Unlock()
		if err != nil {
			return Session{}, fmt.Errorf("session: touch: %w", err)
		}
		s.LastSeen = time.Unix(0, now.UnixNano())
	}
	return s, nil
}

func (d *DB) endWhere(ctx context.Context, reason, where string, args ...any) error {
	_, err := d.endCount(ctx, reason, where, args...)
	return err
}

func (d *DB) endCount(ctx context.Context, reason, where string, args ...any) (int, error) {
	d.write.Lock()
	defer d.write.Unlock()
	res, err := d.sql.ExecContext(ctx, `UPDATE sessions SET ended = ?, end_reason = ?
		WHERE ended IS NULL AND `+where, append([]any{d.Now().UnixNano(), reason}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("end session: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// EndSession signs out the session with id.
func (d *DB) EndSession(ctx context.Context, id string) error {
	return d.endWhere(ctx, "signed-out", `id_hash = ?`, idHash(id))
}

// EndAllSessions ends every live session of account (sign out everywhere,
// or an admin revoking access) and says how many there were.
func (d *DB) EndAllSessions(ctx context.Context, account, reason string) (int, error) {
	return d.endCount(ctx, reason, `account = ?`, account)
}

// EndSessionByHandle ends one of account's sessions by its public handle.
func (d *DB) EndSessionByHandle(ctx context.Context, account, handle string) error {
	n, err := d.endCount(ctx, "signed-out", `account = ? AND substr(lower(hex(id_hash)), 1, 8) = ?`, account, handle)
	if err == nil && n == 0 {
		return ErrNoSession
	}
	return err
}

// Sessions lists account's sessions that have not ended, newest first.
func (d *DB) Sessions(ctx context.Context, account string) ([]SessionInfo, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id_hash, csrf, created, last_seen, user_agent, address
		FROM sessions WHERE account = ? AND ended IS NULL ORDER BY last_seen DESC`, account)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	defer rows.Close()
	var out []SessionInfo
	for rows.Next() {
		var h []byte
		var created, last int64
		si := SessionInfo{Session: Session{Account: account}}
		if err := rows.Scan(&h, &si.CSRF, &created, &last, &si.UserAgent, &si.Address); err != nil {
			return nil, fmt.Errorf("sessions: %w", err)
		}
		si.Handle = hex.EncodeToString(h)[:8]
		si.CSRF = "" // the page has no need of other sessions' tokens
		si.Created, si.LastSeen = time.Unix(0, created), time.Unix(0, last)
		out = append(out, si)
	}
	return out, rows.Err()
}

// SignIn is one attempt to sign in, for the "recent sign-ins" list.
type SignIn struct {
	At                          time.Time
	Address, UserAgent, Outcome string
}

// RecordSignIn notes a sign-in attempt and its outcome.
func (d *DB) RecordSignIn(ctx context.Context, account, address, userAgent, outcome string) error {
	d.write.Lock()
	defer d.write.Unlock()
	_, err := d.sql.ExecContext(ctx, `INSERT INTO sign_ins (account, at, address, user_agent, outcome)
		VALUES (?, ?, ?, ?, ?)`, account, d.Now().UnixNano(), address, userAgent, outcome)
	if err != nil {
		return fmt.Errorf("record sign-in: %w", err)
	}
	return nil
}

// RecentSignIns gives account's latest limit sign-in attempts, newest first.
func (d *DB) RecentSignIns(ctx context.Context, account string, limit int) ([]SignIn, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT at, address, user_agent, outcome FROM sign_ins
		WHERE account = ? ORDER BY at DESC, rowid DESC LIMIT ?`, account, limit)
	if err != nil {
		return nil, fmt.Errorf("recent sign-ins: %w", err)
	}
	defer rows.Close()
	var out []SignIn
	for rows.Next() {
		var s SignIn
		var at int64
		if err := rows.Scan(&at, &s.Address, &s.UserAgent, &s.Outcome); err != nil {
			return nil, fmt.Errorf("recent sign-ins: %w", err)
		}
		s.At = time.Unix(0, at)
		out = append(out, s)
	}
	return out, rows.Err()
}
