package accounts

// Shares: the storage of package share. A share row holds the sealed
// payload (opened only by the code the clinician was sent), its salt, a
// keyed hash of the code to find it, and the recipient (name, email,
// organisation) sealed under the accounts key. Times are Unix nanoseconds;
// a NULL revoked or first_used is "not yet". share_access is append-only.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ShareMaxDOBFailures is how many wrong dates of birth end a share.
const ShareMaxDOBFailures = 5

// ShareRecipient is who a share was sent to.
type ShareRecipient struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Organisation string `json:"organisation"`
}

// Share is one row of the shares table. Sealed is nil once the share was
// revoked or purged; Recipient is filled by SharesOf only.
type Share struct {
	ID, Account  string
	Lookup, Salt []byte
	Sealed       []byte
	Recipient    ShareRecipient
	Sections     []string
	Created      time.Time
	Expires      time.Time
	Revoked      time.Time // zero: not revoked
	FirstUsed    time.Time // zero: never opened
	DOBFailures  int64
	// Quiet: no email to the patient when the share is first opened.
	Quiet bool
}

// Locked says whether too many wrong dates of birth ended the share.
func (s Share) Locked() bool { return s.DOBFailures >= ShareMaxDOBFailures }

// Live says whether the share can still be opened at now: not revoked,
// not expired, not locked, and its ciphertext still there.
func (s Share) Live(now time.Time) bool {
	return s.Revoked.IsZero() && now.Before(s.Expires) && !s.Locked() && s.Sealed != nil
}

// ShareAccess is one line of a share's access log.
type ShareAccess struct {
	Share     string    `json:"-"`
	At        time.Time `json:"at"`
	Address   string    `json:"address"`
	UserAgent string    `json:"userAgent"`
	Page      string    `json:"page"`
	Clinician string    `json:"clinician"`
}

func recipientAD(id string) string { return "share-recipient:" + id }
func clinicianAD(id string) string { return "share-clinician:" + id }

func nanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}

// PutShare stores a new share; the caller makes its id, lookup, salt and
// ciphertext (package share).
func (d *DB) PutShare(ctx context.Context, s Share) error {
	if s.ID == "" || s.Account == "" || len(s.Lookup) == 0 || len(s.Salt) == 0 || s.Sealed == nil {
		return errors.New("put share: incomplete share")
	}
	rj, err := json.Marshal(s.Recipient)
	if err != nil {
		return fmt.Errorf("put share: %w", err)
	}
	rs, err := d.seal(rj, recipientAD(s.ID))
	if err != nil {
		return fmt.Errorf("put share: seal recipient: %w", err)
	}
	d.write.Lock()
	defer d.write.Unlock()
	_, err = d.sql.ExecContext(ctx, `INSERT INTO shares
		(id, account, lookup, salt, sealed, recipient_sealed, sections, created, expires)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.Account, s.Lookup, s.Salt, s.Sealed, rs, strings.Join(s.Sections, ","),
		s.Created.UnixNano(), s.Expires.UnixNano())
	if err != nil {
		return fmt.Errorf("put share: %w", err)
	}
	return nil
}

const shareCols = `id, account, lookup, salt, sealed, recipient_sealed, sections, created, expires, revoked, dob_failures, first_used, quiet`

func (d *DB) scanShare(row interface{ Scan(...any) error }, withRecipient bool) (Share, error) {
	var s Share
	var rs []byte
	var sections string
	var created, expires int64
	var revoked, firstUsed sql.NullInt64
	if err := row.Scan(&s.ID, &s.Account, &s.Lookup, &s.Salt, &s.Sealed, &rs, &sections,
		&created, &expires, &revoked, &s.DOBFailures, &firstUsed, &s.Quiet); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Share{}, ErrNotFound
		}
		return Share{}, err
	}
	if sections != "" {
		s.Sections = strings.Split(sections, ",")
	}
	s.Created, s.Expires = time.Unix(0, created), time.Unix(0, expires)
	s.Revoked, s.FirstUsed = fromNanos(revoked), fromNanos(firstUsed)
	if withRecipient {
		rj, err := d.open(rs, recipientAD(s.ID))
		if err != nil {
			return Share{}, fmt.Errorf("share %s: open recipient: %w", s.ID, err)
		}
		if err := json.Unmarshal(rj, &s.Recipient); err != nil {
			return Share{}, fmt.Errorf("share %s: read recipient: %w", s.ID, err)
		}
	}
	return s, nil
}

// ShareByLookup finds the share whose code has lookup hash h (ErrNotFound
// if none), ended or not: the caller decides, doing the same work either
// way. The recipient is not opened.
func (d *DB) ShareByLookup(ctx context.Context, h []byte) (Share, error) {
	return d.scanShare(d.sql.QueryRowContext(ctx, `SELECT `+shareCols+` FROM shares WHERE lookup = ?`, h), false)
}

// ShareByID finds a share by id, without its recipient (ErrNotFound if
// none).
func (d *DB) ShareByID(ctx context.Context, id string) (Share, error) {
	return d.scanShare(d.sql.QueryRowContext(ctx, `SELECT `+shareCols+` FROM shares WHERE id = ?`, id), false)
}

// SharesOf lists account's shares, newest first, with their recipients
// opened. Sealed is left out (nil when gone, a non-nil empty slice while
// the ciphertext is still held).
func (d *DB) SharesOf(ctx context.Context, account string) ([]Share, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id, account, lookup, salt,
		CASE WHEN sealed IS NULL THEN NULL ELSE x'' END, recipient_sealed, sections,
		created, expires, revoked, dob_failures, first_used, quiet
		FROM shares WHERE account = ? ORDER BY created DESC, id`, account)
	if err != nil {
		return nil, fmt.Errorf("shares of %s: %w", account, err)
	}
	defer rows.Close()
	out := []Share{}
	for rows.Next() {
		s, err := d.scanShare(rows, true)
		if err != nil {
			return nil, fmt.Errorf("shares of %s: %w", account, err)
		}
		if s.Sealed != nil {
			s.Sealed = []byte{}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetShareQuiet notes that account's share id is not to email the patient
// when first opened. Another account's share, or none, gives ErrNotFound.
func (d *DB) SetShareQuiet(ctx context.Context, account, id string) error {
	return d.exec1(ctx, "quiet share", `UPDATE shares SET quiet = 1 WHERE id = ? AND account = ?`, id, account)
}

// RevokeShare ends account's share id now and deletes its ciphertext.
// Another account's share, or none, gives ErrNotFound. Revoking twice
// keeps the first time.
func (d *DB) RevokeShare(ctx context.Context, account, id string) error {
	return d.exec1(ctx, "revoke share", `UPDATE shares SET revoked = coalesce(revoked, ?), sealed = NULL,
		shl_sealed = NULL WHERE id = ? AND account = ?`, d.Now().UnixNano(), id, account)
}

// ShareDOBFailed counts a wrong date of birth against share id and gives
// the new count and whether the share is now locked (ShareMaxDOBFailures).
// An unknown id counts nothing and gives 0, false, nil: Redeem calls it
// for an unknown code too, to do the same work.
func (d *DB) ShareDOBFailed(ctx context.Context, id string) (int64, bool, error) {
	d.write.Lock()
	defer d.write.Unlock()
	var n int64
	err := d.sql.QueryRowContext(ctx, `UPDATE shares SET dob_failures = dob_failures + 1
		WHERE id = ? RETURNING dob_failures`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("share date of birth failed: %w", err)
	}
	return n, n >= ShareMaxDOBFailures, nil
}

// ShareDOBFailures is share id's count of wrong dates of birth (0 for no
// such share).
func (d *DB) ShareDOBFailures(ctx context.Context, id string) (int64, error) {
	var n int64
	err := d.sql.QueryRowContext(ctx, `SELECT dob_failures FROM shares WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("share date of birth failures: %w", err)
	}
	return n, nil
}

// MarkShareUsed notes that share id was opened and says whether this was
// the first time.
func (d *DB) MarkShareUsed(ctx context.Context, id string) (bool, error) {
	d.write.Lock()
	defer d.write.Unlock()
	res, err := d.sql.ExecContext(ctx, `UPDATE shares SET first_used = ? WHERE id = ? AND first_used IS NULL`,
		d.Now().UnixNano(), id)
	if err != nil {
		return false, fmt.Errorf("mark share used: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// LogShareAccess appends a to the share's access log (At zero: now). The
// clinician's name is sealed under the accounts key.
func (d *DB) LogShareAccess(ctx context.Context, a ShareAccess) error {
	if a.At.IsZero() {
		a.At = d.Now()
	}
	var cs []byte
	if a.Clinician != "" {
		s, err := d.seal([]byte(a.Clinician), clinicianAD(a.Share))
		if err != nil {
			return fmt.Errorf("log share access: %w", err)
		}
		cs = s
	}
	d.write.Lock()
	defer d.write.Unlock()
	_, err := d.sql.ExecContext(ctx, `INSERT INTO share_access (share, at, address, user_agent, page, clinician_sealed)
		VALUES (?, ?, ?, ?, ?, ?)`, a.Share, a.At.UnixNano(), a.Address, a.UserAgent, a.Page, cs)
	if err != nil {
		return fmt.Errorf("log share access: %w", err)
	}
	return nil
}

// ShareAccess gives the access log of account's share id, oldest first;
// ErrNotFound if the share is not account's.
func (d *DB) ShareAccess(ctx context.Context, account, id string) ([]ShareAccess, error) {
	var owner string
	err := d.sql.QueryRowContext(ctx, `SELECT account FROM shares WHERE id = ?`, id).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != account) {
		return nil, fmt.Errorf("share access: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("share access: %w", err)
	}
	rows, err := d.sql.QueryContext(ctx, `SELECT at, address, user_agent, page, clinician_sealed
		FROM share_access WHERE share = ? ORDER BY at, rowid`, id)
	if err != nil {
		return nil, fmt.Errorf("share access: %w", err)
	}
	defer rows.Close()
	out := []ShareAccess{}
	for rows.Next() {
		a := ShareAccess{Share: id}
		var at int64
		var cs []byte
		if err := rows.Scan(&at, &a.Address, &a.UserAgent, &a.Page, &cs); err != nil {
			return nil, fmt.Errorf("share access: %w", err)
		}
		a.At = time.Unix(0, at)
		if cs != nil {
			c, err := d.open(cs, clinicianAD(id))
			if err != nil {
				return nil, fmt.Errorf("share access: open clinician: %w", err)
			}
			a.Clinician = string(c)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// PurgeEndedShares deletes the ciphertext of every share that has expired
// by now, was revoked or was locked, and says how many it deleted. The
// rows stay, so the patient's list and access logs still show them.
func (d *DB) PurgeEndedShares(ctx context.Context, now time.Time) (int64, error) {
	d.write.Lock()
	defer d.write.Unlock()
	res, err := d.sql.ExecContext(ctx, `UPDATE shares SET sealed = NULL, shl_sealed = NULL
		WHERE (sealed IS NOT NULL OR shl_sealed IS NOT NULL)
		AND (revoked IS NOT NULL OR expires <= ? OR dob_failures >= ?)`, now.UnixNano(), ShareMaxDOBFailures)
	if err != nil {
		return 0, fmt.Errorf("purge ended shares: %w", err)
	}
	return res.RowsAffected()
}

// ThrottleWait is Check for a key counted by many clients together: it
// waits as Check does after every per failures rather than every one, so
// that a few people's mistakes do not stop everyone (per ≤ 1 is Check).
func (d *DB) ThrottleWait(ctx context.Context, key string, per int64) (time.Duration, error) {
	if per <= 1 {
		return d.Check(ctx, key)
	}
	var failures, last int64
	err := d.sql.QueryRowContext(ctx, `SELECT failures, last FROM throttle WHERE key = ?`, key).Scan(&failures, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("throttle check: %w", err)
	}
	wait := time.Unix(0, last).Add(Delay(failures / per)).Sub(d.Now())
	return max(wait, 0), nil
}

// SetShareOutbox keeps the outbox id of the email that sent share id's
// code, for its delivery state.
func (d *DB) SetShareOutbox(ctx context.Context, id string, outbox int64) error {
	return d.exec1(ctx, "set share outbox", `UPDATE shares SET outbox_id = ? WHERE id = ?`, outbox, id)
}

// ShareOutboxes gives the outbox ids of account's shares' emails, by share.
func (d *DB) ShareOutboxes(ctx context.Context, account string) (map[string]int64, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id, outbox_id FROM shares WHERE account = ? AND outbox_id IS NOT NULL`, account)
	if err != nil {
		return nil, fmt.Errorf("share outboxes: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var o int64
		if err := rows.Scan(&id, &o); err != nil {
			return nil, fmt.Errorf("share outboxes: %w", err)
		}
		out[id] = o
	}
	return out, rows.Err()
}

// ShareLink is a share's SMART Health Link as stored.
type ShareLink struct {
	Share    Share
	Sealed   []byte // nil once revoked, expired and purged
	Attempts int64
}

// SetShareLink gives share id its SMART Health Link: lookup is the keyed
// hash of the manifest id, sealed what the caller sealed, attempts the
// budget of passcode tries.
func (d *DB) SetShareLink(ctx context.Context, id string, lookup, sealed []byte, attempts int64) error {
	if len(lookup) == 0 || sealed == nil {
		return errors.New("set share link: incomplete link")
	}
	return d.exec1(ctx, "set share link", `UPDATE shares SET shl_lookup = ?, shl_sealed = ?, shl_attempts = ? WHERE id = ?`,
		lookup, sealed, attempts, id)
}

// ShareLinkByLookup finds the share whose link has lookup hash h
// (ErrNotFound if none), with its row (no recipient) and sealed link.
func (d *DB) ShareLinkByLookup(ctx context.Context, h []byte) (ShareLink, error) {
	var id string
	var l ShareLink
	err := d.sql.QueryRowContext(ctx, `SELECT id, shl_sealed, shl_attempts FROM shares WHERE shl_lookup = ?`, h).
		Scan(&id, &l.Sealed, &l.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return ShareLink{}, ErrNotFound
	}
	if err != nil {
		return ShareLink{}, fmt.Errorf("share link: %w", err)
	}
	if l.Share, err = d.ShareByID(ctx, id); err != nil {
		return ShareLink{}, err
	}
	return l, nil
}

// ShareLinkAttempt takes one try from the link's budget and gives what
// remains; ErrNotFound when none remain or there is no such link.
func (d *DB) ShareLinkAttempt(ctx context.Context, h []byte) (int64, error) {
	d.write.Lock()
	defer d.write.Unlock()
	var n int64
	err := d.sql.QueryRowContext(ctx, `UPDATE shares SET shl_attempts = shl_attempts - 1
		WHERE shl_lookup = ? AND shl_attempts > 0 AND shl_sealed IS NOT NULL RETURNING shl_attempts`, h).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("share link attempt: %w", err)
	}
	return n, nil
}

// ShareLinkRefund gives back a try ShareLinkAttempt took.
func (d *DB) ShareLinkRefund(ctx context.Context, h []byte) error {
	d.write.Lock()
	defer d.write.Unlock()
	_, err := d.sql.ExecContext(ctx, `UPDATE shares SET shl_attempts = shl_attempts + 1 WHERE shl_lookup = ?`, h)
	if err != nil {
		return fmt.Errorf("share link refund: %w", err)
	}
	return nil
}
