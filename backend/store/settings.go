package store

// Sealed settings: a few values the patient chose that are secrets but not
// records (the key this computer publishes shares with), sealed under the
// vault key in the meta table, bound to their name.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ward-health/ward/backend/vault"
)

const settingPrefix = "setting:"

// SealedSetting is the setting name's value, nil when it was never set.
func (d *DB) SealedSetting(ctx context.Context, k *vault.Keys, name string) ([]byte, error) {
	var sealed []byte
	err := d.sql.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?", settingPrefix+name).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, classify(err)
	}
	plain, err := k.Open(d.ad(tableMeta, []byte(settingPrefix+name), 0), sealed)
	if err != nil {
		return nil, fmt.Errorf("open setting %s: %w", name, err)
	}
	return plain, nil
}

// SetSealedSetting keeps value (nil: removes the setting).
func (d *DB) SetSealedSetting(ctx context.Context, k *vault.Keys, name string, value []byte) error {
	key := settingPrefix + name
	if value == nil {
		return d.inWrite(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "DELETE FROM meta WHERE name = ?", key)
			return classify(err)
		})
	}
	sealed, err := k.Seal(d.ad(tableMeta, []byte(key), 0), value)
	if err != nil {
		return err
	}
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta(name, value) VALUES (?, ?)
			ON CONFLICT(name) DO UPDATE SET value = excluded.value`, key, sealed)
		return classify(err)
	})
}
