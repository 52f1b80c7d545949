package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ward-health/ward/backend/vault"
)

func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Slots returns the vault's key slots.
func (d *DB) Slots(ctx context.Context) ([]vault.Slot, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT data FROM slots ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("read key slots: %w", err)
	}
	defer rows.Close()
	var out []vault.Slot
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		s, err := vault.ParseSlot(b)
		if err != nil {
			return nil, fmt.Errorf("read key slot: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PutSlot adds a slot, replacing any of the same id.
func (d *DB) PutSlot(ctx context.Context, s vault.Slot) error {
	b, err := vault.MarshalSlot(s)
	if err != nil {
		return err
	}
	d.write.Lock()
	defer d.write.Unlock()
	_, err = d.sql.ExecContext(ctx, "INSERT OR REPLACE INTO slots(id, kind, data) VALUES (?, ?, ?)", s.ID, string(s.Kind), b)
	return classify(err)
}

// ReplaceSlots writes add and removes every slot of the given kind that is
// not add, in one transaction: used to change a password without ever
// leaving the vault with no password slot.
func (d *DB) ReplaceSlots(ctx context.Context, kind vault.SlotKind, add vault.Slot) error {
	b, err := vault.MarshalSlot(add)
	if err != nil {
		return err
	}
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM slots WHERE kind = ? AND id != ?", string(kind), add.ID); err != nil {
			return classify(err)
		}
		_, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO slots(id, kind, data) VALUES (?, ?, ?)", add.ID, string(add.Kind), b)
		return classify(err)
	})
}

// freeAttempts is how many wrong secrets are allowed before Ward starts
// making people wait.
const freeAttempts = 5

// Delay is how long to wait after n consecutive wrong secrets: nothing for
// the first five, then 30 seconds doubling to at most an hour.
func Delay(n int64) time.Duration {
	if n < freeAttempts {
		return 0
	}
	d := 30 * time.Second
	for i := int64(freeAttempts); i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// WaitError says how long to wait before the next attempt.
type WaitError struct {
	Attempts int64
	Wait     time.Duration
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("%d wrong attempts: wait %s before trying again", e.Attempts, e.Wait.Round(time.Second))
}

func (e *WaitError) Unwrap() error { return ErrTooMany }

// Unlock opens the vault with u. Wrong secrets are counted in the database,
// so the growing delay after five failures survives a restart.
func (d *DB) Unlock(ctx context.Context, u vault.Unwrapper, now time.Time) (*vault.Keys, error) {
	d.write.Lock()
	defer d.write.Unlock()
	failed, err := d.metaInt(ctx, d.sql, "failed_attempts")
	if err != nil {
		return nil, err
	}
	last, err := d.metaInt(ctx, d.sql, "failed_at")
	if err != nil {
		return nil, err
	}
	if wait := time.Unix(last, 0).Add(Delay(failed)).Sub(now); failed >= freeAttempts && wait > 0 {
		return nil, &WaitError{Attempts: failed, Wait: wait}
	}
	slots, err := d.Slots(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := vault.Unlock(d.vaultID, slots, u)
	if errors.Is(err, vault.ErrWrongSecret) || errors.Is(err, vault.ErrNoSlot) {
		if _, werr := d.sql.ExecContext(ctx, `INSERT INTO meta(name, value) VALUES ('failed_attempts', ?), ('failed_at', ?)
			ON CONFLICT(name) DO UPDATE SET value = excluded.value`, failed+1, now.Unix()); werr != nil {
			return nil, classify(werr)
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if failed > 0 {
		if _, err := d.sql.ExecContext(ctx, "DELETE FROM meta WHERE name IN ('failed_attempts', 'failed_at')"); err != nil {
			keys.Destroy()
			return nil, classify(err)
		}
	}
	return keys, nil
}

// inWrite runs fn in a write transaction, one writer at a time, and
// commits if fn succeeds.
func (d *DB) inWrite(ctx context.Context, fn func(tx *sql.Tx) error) error {
	d.write.Lock()
	defer d.write.Unlock()
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return classify(tx.Commit())
}
