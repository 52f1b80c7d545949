package accounts

// Publishing keys: how a Ward on the patient's own computer (a vault there,
// not on this server) publishes shares to the patient's account here. The
// key is made by the server, shown to the patient once, and kept only as
// its SHA-256: it is 256 random bits, so a plain hash is enough, and a
// stolen database gives nobody a key.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxPublishKeys bounds one account's keys: a computer each, and a few.
const MaxPublishKeys = 10

// ErrTooManyKeys is an account at MaxPublishKeys.
var ErrTooManyKeys = errors.New("accounts: this account already has the most publishing keys it may have")

// PublishKey is one key as the patient's list shows it (never the key).
type PublishKey struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"lastUsed,omitzero"`
}

// PublishKeyHash is what the table keeps of a key.
func PublishKeyHash(key string) []byte {
	h := sha256.Sum256([]byte("ward.publish.v1\x00" + key))
	return h[:]
}

// PutPublishKey keeps key (by its hash) for account under id and name.
func (d *DB) PutPublishKey(ctx context.Context, account, id, name, key string) error {
	name = strings.TrimSpace(name)
	if id == "" || account == "" || key == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 100 {
		return errors.New("put publishing key: incomplete key")
	}
	d.write.Lock()
	defer d.write.Unlock()
	var n int
	if err := d.sql.QueryRowContext(ctx, `SELECT count(*) FROM publish_keys WHERE account = ?`, account).Scan(&n); err != nil {
		return fmt.Errorf("put publishing key: %w", err)
	}
	if n >= MaxPublishKeys {
		return ErrTooManyKeys
	}
	_, err := d.sql.ExecContext(ctx, `INSERT INTO publish_keys (id, account, hash, name, created) VALUES (?, ?, ?, ?, ?)`,
		id, account, PublishKeyHash(key), name, d.Now().UnixNano())
	if err != nil {
		return fmt.Errorf("put publishing key: %w", err)
	}
	return nil
}

// PublishKeyAccount finds the account key belongs to (ErrNotFound for no
// such key, or one whose account is not active) and notes the use.
func (d *DB) PublishKeyAccount(ctx context.Context, key string) (string, error) {
	var account string
	err := d.sql.QueryRowContext(ctx, `SELECT k.account FROM publish_keys k JOIN accounts a ON a.id = k.account
		WHERE k.hash = ? AND a.state = 'active'`, PublishKeyHash(key)).Scan(&account)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("find publishing key: %w", err)
	}
	d.write.Lock()
	defer d.write.Unlock()
	if _, err := d.sql.ExecContext(ctx, `UPDATE publish_keys SET last_used = ? WHERE hash = ?`,
		d.Now().UnixNano(), PublishKeyHash(key)); err != nil {
		return "", fmt.Errorf("note publishing key use: %w", err)
	}
	return account, nil
}

// PublishKeysOf lists account's keys, oldest first.
func (d *DB) PublishKeysOf(ctx context.Context, account string) ([]PublishKey, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id, name, created, last_used FROM publish_keys
		WHERE account = ? ORDER BY created`, account)
	if err != nil {
		return nil, fmt.Errorf("list publishing keys: %w", err)
	}
	defer rows.Close()
	out := []PublishKey{}
	for rows.Next() {
		var k PublishKey
		var created int64
		var used sql.NullInt64
		if err := rows.Scan(&k.ID, &k.Name, &created, &used); err != nil {
			return nil, fmt.Errorf("list publishing keys: %w", err)
		}
		k.Created, k.LastUsed = time.Unix(0, created), fromNanos(used)
		out = append(out, k)
	}
	return out, rows.Err()
}

// RemovePublishKey deletes account's key id (ErrNotFound if it is not
// account's): the computer holding it can publish no more.
func (d *DB) RemovePublishKey(ctx context.Context, account, id string) error {
	return d.exec1(ctx, "remove publishing key", `DELETE FROM publish_keys WHERE id = ? AND account = ?`, id, account)
}
