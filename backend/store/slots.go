package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"

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

// SwapSlots removes every slot of the kinds in remove and writes add, in
// one transaction, so a vault is never left with neither the old ways in
// nor the new: activation replaces the invite slot with a password and a
// recovery key. It is a compare-and-swap: if some kind in remove has no
// slot (another activation got there first), nothing changes and the
// error is ErrNoSuchSlot. A swap that would leave the vault with no slot
// at all is refused with ErrLastWayIn.
func (d *DB) SwapSlots(ctx context.Context, remove []vault.SlotKind, add ...vault.Slot) error {
	data := make([][]byte, len(add))
	for i, s := range add {
		b, err := vault.MarshalSlot(s)
		if err != nil {
			return err
		}
		data[i] = b
	}
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		for _, kind := range remove {
			res, err := tx.ExecContext(ctx, "DELETE FROM slots WHERE kind = ?", string(kind))
			if err != nil {
				return classify(err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return classify(err)
			} else if n == 0 {
				return fmt.Errorf("%w: no %s slot", ErrNoSuchSlot, kind)
			}
		}
		for i, s := range add {
			if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO slots(id, kind, data) VALUES (?, ?, ?)", s.ID, string(s.Kind), data[i]); err != nil {
				return classify(err)
			}
		}
		var left int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM slots").Scan(&left); err != nil {
			return classify(err)
		}
		if left == 0 {
			return ErrLastWayIn
		}
		return nil
	})
}
