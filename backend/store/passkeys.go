package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/ward-health/ward/backend/vault"
)

// ErrLastWayIn means a change would leave the vault with no way in but its
// recovery key: no password and no passkey.
var ErrLastWayIn = errors.New("store: the last way in besides the recovery key")

// ErrNoSuchSlot means no slot has that id.
var ErrNoSuchSlot = errors.New("store: no such key slot")

// RemoveSlot deletes the slot with id (a passkey, or a password slot),
// refusing when no password or passkey slot would be left.
func (d *DB) RemoveSlot(ctx context.Context, id string) error {
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		var kind string
		err := tx.QueryRowContext(ctx, "SELECT kind FROM slots WHERE id = ?", id).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoSuchSlot
		}
		if err != nil {
			return classify(err)
		}
		var left int
		err = tx.QueryRowContext(ctx, "SELECT count(*) FROM slots WHERE id != ? AND kind IN (?, ?)",
			id, string(vault.KindPassword), string(vault.KindPRF)).Scan(&left)
		if err != nil {
			return classify(err)
		}
		if left == 0 && (kind == string(vault.KindPassword) || kind == string(vault.KindPRF)) {
			return ErrLastWayIn
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM slots WHERE id = ?", id)
		return classify(err)
	})
}

// RemoveKind deletes every slot of kind (the password), refusing when no
// password or passkey slot would be left.
func (d *DB) RemoveKind(ctx context.Context, kind vault.SlotKind) error {
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		var left int
		err := tx.QueryRowContext(ctx, "SELECT count(*) FROM slots WHERE kind != ? AND kind IN (?, ?)",
			string(kind), string(vault.KindPassword), string(vault.KindPRF)).Scan(&left)
		if err != nil {
			return classify(err)
		}
		if left == 0 {
			return ErrLastWayIn
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM slots WHERE kind = ?", string(kind))
		return classify(err)
	})
}

const autoLockName = "auto_lock_minutes"

// AutoLockMinutes is the auto-lock time the patient chose, 0 when they
// have not (the server's --lock-after applies).
func (d *DB) AutoLockMinutes(ctx context.Context) (int, error) {
	var v string
	err := d.sql.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?", autoLockName).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, classify(err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("read auto-lock time: %w", err)
	}
	return n, nil
}

// SetAutoLockMinutes keeps the patient's auto-lock time (it is not health
// data, so it is kept as it is).
func (d *DB) SetAutoLockMinutes(ctx context.Context, n int) error {
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta(name, value) VALUES (?, ?)
			ON CONFLICT(name) DO UPDATE SET value = excluded.value`, autoLockName, strconv.Itoa(n))
		return classify(err)
	})
}
