package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Throttle: after freeFailures tries a key waits 30 seconds, doubling with
// each further try up to maxWait. It is the schedule of a vault's own count
// of guesses from one client (store.Delay), on purpose: a sign-in for an
// account with a vault is counted by both, one for an unknown address only
// here, and since this count is checked first and is never the more lenient,
// the two read the same, so no one learns which addresses have accounts.
// Rows idle for pruneAfter are dropped on write so the table stays bounded
// however many addresses try.
const (
	freeFailures = 5
	maxWait      = time.Hour
	pruneAfter   = 24 * time.Hour
)

// Delay is the wait owed after failures tries.
func Delay(failures int64) time.Duration {
	if failures < freeFailures {
		return 0
	}
	d := 30 * time.Second
	for i := int64(freeFailures); i < failures && d < maxWait; i++ {
		d *= 2
	}
	return min(d, maxWait)
}

// Check says how long key must still wait before its next try.
func (d *DB) Check(ctx context.Context, key string) (time.Duration, error) {
	var failures, last int64
	err := d.sql.QueryRowContext(ctx, `SELECT failures, last FROM throttle WHERE key = ?`, key).Scan(&failures, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("throttle check: %w", err)
	}
	wait := time.Unix(0, last).Add(Delay(failures)).Sub(d.Now())
	return max(wait, 0), nil
}

// Fail counts a failure for key and gives the new count.
func (d *DB) Fail(ctx context.Context, key string) (int64, error) {
	d.write.Lock()
	defer d.write.Unlock()
	now := d.Now().UnixNano()
	if _, err := d.sql.ExecContext(ctx, `DELETE FROM throttle WHERE last < ?`, now-int64(pruneAfter)); err != nil {
		return 0, fmt.Errorf("throttle prune: %w", err)
	}
	var n int64
	err := d.sql.QueryRowContext(ctx, `INSERT INTO throttle (key, failures, last) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last = excluded.last
		RETURNING failures`, key, now).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("throttle fail: %w", err)
	}
	return n, nil
}

// Reset forgets key's failures (after a success).
func (d *DB) Reset(ctx context.Context, key string) error {
	d.write.Lock()
	defer d.write.Unlock()
	if _, err := d.sql.ExecContext(ctx, `DELETE FROM throttle WHERE key = ?`, key); err != nil {
		return fmt.Errorf("throttle reset: %w", err)
	}
	return nil
}

// Refund takes back one counted try of key: a sign-in that worked. Tries
// are counted before the work (so a client that hangs up mid-way still
// pays), and a success gives its own try back without wiping the others:
// an attacker cannot clear their address's count by signing in to an
// account of their own between guesses.
func (d *DB) Refund(ctx context.Context, key string) error {
	d.write.Lock()
	defer d.write.Unlock()
	if _, err := d.sql.ExecContext(ctx, `UPDATE throttle SET failures = failures - 1 WHERE key = ? AND failures > 0`, key); err != nil {
		return fmt.Errorf("throttle refund: %w", err)
	}
	return nil
}

// Failures is key's count of tries (0 when none).
func (d *DB) Failures(ctx context.Context, key string) (int64, error) {
	var n int64
	err := d.sql.QueryRowContext(ctx, `SELECT failures FROM throttle WHERE key = ?`, key).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("throttle: %w", err)
	}
	return n, nil
}
