package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/ward-health/ward/backend/vault"
)

// The inbox holds files that arrived while the vault was locked, each
// sealed by package inbox to the vault's age recipient. Anyone who can
// write the database can add to it without the vault's keys; only the
// identity, sealed under the data key, opens them. Rows are not part of the
// row summary or the write generation: they are not records yet, and are
// deleted once merged (an import of the same file twice changes nothing, so
// a crash between the import and DeleteInbox only repeats work).
//
// In the clear: the recipient, and per file its arrival time and the size
// of its ciphertext. Each sealed file is one BLOB, read whole into memory:
// fine up to inbox.MaxSize (256 MiB), and below SQLite's 1 GB limit.

var (
	// ErrNoRecipient means the vault has no inbox identity yet.
	ErrNoRecipient = errors.New("store: vault has no inbox recipient")
	// ErrRecipientChanged means the recipient in the clear is not the one
	// sealed with the identity: files sealed to it may have been readable
	// by whoever changed it.
	ErrRecipientChanged = errors.New("store: inbox recipient was changed outside Ward")
)

const (
	metaRecipient = "inbox_recipient"
	metaIdentity  = "inbox_identity"
	adIdentity    = "inbox identity"
)

// InboxItem is one sealed file waiting in the inbox.
type InboxItem struct {
	ID       int64
	Received time.Time
	Sealed   []byte
}

// Recipient is the vault's public inbox recipient; it needs no keys.
func (d *DB) Recipient(ctx context.Context) (string, error) {
	var r string
	err := d.sql.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?", metaRecipient).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNoRecipient
	}
	return r, classify(err)
}

// SetIdentity stores the inbox recipient in the clear and identity (with
// the recipient, to detect a swapped recipient) sealed under the data key.
func (d *DB) SetIdentity(ctx context.Context, k *vault.Keys, recipient string, identity []byte) error {
	if recipient == "" || len(recipient) > 1<<16-1 || len(identity) == 0 {
		return errors.New("store: empty or oversize inbox recipient or identity")
	}
	plain := binary.BigEndian.AppendUint16(nil, uint16(len(recipient)))
	plain = append(append(plain, recipient...), identity...)
	sealed, err := k.Seal(d.ad(tableMeta, []byte(adIdentity), 1), plain)
	clear(plain)
	if err != nil {
		return err
	}
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta(name, value) VALUES (?, ?), (?, ?)
			ON CONFLICT(name) DO UPDATE SET value = excluded.value`,
			metaRecipient, recipient, metaIdentity, sealed)
		return classify(err)
	})
}

// Identity opens the inbox identity. It fails with ErrNoRecipient if there
// is none and ErrRecipientChanged if the clear recipient is not the one it
// was stored with. The caller clears the returned bytes after use.
func (d *DB) Identity(ctx context.Context, k *vault.Keys) ([]byte, error) {
	tx, err := d.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, classify(err)
	}
	defer tx.Rollback()
	var recipient string
	var sealed []byte
	err = tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?", metaRecipient).Scan(&recipient)
	if err == nil {
		err = tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?", metaIdentity).Scan(&sealed)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoRecipient
	}
	if err != nil {
		return nil, classify(err)
	}
	plain, err := k.Open(d.ad(tableMeta, []byte(adIdentity), 1), sealed)
	if err != nil {
		return nil, fmt.Errorf("open inbox identity: %w", err)
	}
	if len(plain) < 2 || len(plain)-2 < int(binary.BigEndian.Uint16(plain)) {
		return nil, fmt.Errorf("open inbox identity: %w", vault.ErrIntegrity)
	}
	n := int(binary.BigEndian.Uint16(plain))
	if string(plain[2:2+n]) != recipient {
		clear(plain)
		return nil, ErrRecipientChanged
	}
	return plain[2+n:], nil
}

// PutInbox files one sealed file. It needs no keys.
func (d *DB) PutInbox(ctx context.Context, sealed []byte) error {
	if len(sealed) == 0 {
		return errors.New("store: empty inbox file")
	}
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO inbox(received, sealed) VALUES (?, ?)", time.Now().UnixMilli(), sealed)
		return classify(err)
	})
}

// Inbox lists the waiting files, oldest first.
func (d *DB) Inbox(ctx context.Context) ([]InboxItem, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT id, received, sealed FROM inbox ORDER BY id")
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []InboxItem
	for rows.Next() {
		var it InboxItem
		var ms int64
		if err := rows.Scan(&it.ID, &ms, &it.Sealed); err != nil {
			return nil, classify(err)
		}
		it.Received = time.UnixMilli(ms)
		out = append(out, it)
	}
	return out, classify(rows.Err())
}

// DeleteInbox removes the files with these ids, in one transaction; ids
// that are not there are ignored.
func (d *DB) DeleteInbox(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		del, err := tx.PrepareContext(ctx, "DELETE FROM inbox WHERE id = ?")
		if err != nil {
			return classify(err)
		}
		defer del.Close()
		for _, id := range ids {
			if _, err := del.ExecContext(ctx, id); err != nil {
				return classify(err)
			}
		}
		return nil
	})
}
