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
