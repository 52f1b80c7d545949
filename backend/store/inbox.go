package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
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
// deleted once merged, in the import's own transaction (Batch.InboxIDs), so
// a file leaves the inbox exactly when its records are stored.
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
	metaProblems  = "inbox_problems"
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
	_, err := d.setIdentity(ctx, k, recipient, identity, true)
	return err
}

// AddIdentity is SetIdentity for a vault that has no inbox identity yet (one
// made before Ward had inboxes): if it has one by the time of the write, it
// is kept, nothing changes and added is false. Files sealed to a recipient
// are never orphaned by a second identity replacing the first.
func (d *DB) AddIdentity(ctx context.Context, k *vault.Keys, recipient string, identity []byte) (added bool, err error) {
	return d.setIdentity(ctx, k, recipient, identity, false)
}

func (d *DB) setIdentity(ctx context.Context, k *vault.Keys, recipient string, identity []byte, replace bool) (bool, error) {
	if recipient == "" || len(recipient) > 1<<16-1 || len(identity) == 0 {
		return false, errors.New("store: empty or oversize inbox recipient or identity")
	}
	plain := binary.BigEndian.AppendUint16(nil, uint16(len(recipient)))
	plain = append(append(plain, recipient...), identity...)
	sealed, err := k.Seal(d.ad(tableMeta, []byte(adIdentity), 1), plain)
	clear(plain)
	if err != nil {
		return false, err
	}
	added := false
	err = d.inWrite(ctx, func(tx *sql.Tx) error {
		if !replace {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE name = ?", metaRecipient).Scan(&n); err != nil {
				return classify(err)
			}
			if n > 0 {
				return nil
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO meta(name, value) VALUES (?, ?), (?, ?)
			ON CONFLICT(name) DO UPDATE SET value = excluded.value`,
			metaRecipient, recipient, metaIdentity, sealed)
		added = err == nil
		return classify(err)
	})
	return added, err
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

// InboxCount is how many files wait in the inbox. It needs no keys.
func (d *DB) InboxCount(ctx context.Context) (int, error) {
	var n int
	err := d.sql.QueryRowContext(ctx, "SELECT count(*) FROM inbox").Scan(&n)
	return n, classify(err)
}

// InboxWaiting lists the ids of the waiting files, oldest first, without
// reading them: a merge reads one file at a time (InboxFile).
func (d *DB) InboxWaiting(ctx context.Context) ([]int64, error) {
	rows, err := d.sql.QueryContext(ctx, "SELECT id FROM inbox ORDER BY id")
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, classify(err)
		}
		out = append(out, id)
	}
	return out, classify(rows.Err())
}

// ErrNoInboxFile means no inbox file has that id (it was merged meanwhile).
var ErrNoInboxFile = errors.New("store: no such inbox file")

// InboxFile reads one waiting file.
func (d *DB) InboxFile(ctx context.Context, id int64) (InboxItem, error) {
	it := InboxItem{ID: id}
	var ms int64
	err := d.sql.QueryRowContext(ctx, "SELECT received, sealed FROM inbox WHERE id = ?", id).Scan(&ms, &it.Sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return InboxItem{}, ErrNoInboxFile
	}
	if err != nil {
		return InboxItem{}, classify(err)
	}
	it.Received = time.UnixMilli(ms)
	return it, nil
}

// SetInboxProblems records which waiting files the last merge could not
// open or import (replacing what was recorded before). They stay in the
// inbox, to be tried again at the next unlock; only their ids are kept,
// in the clear like the rest of the inbox's bookkeeping.
func (d *DB) SetInboxProblems(ctx context.Context, ids []int64) error {
	if ids == nil {
		ids = []int64{}
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO meta(name, value) VALUES (?, ?)
			ON CONFLICT(name) DO UPDATE SET value = excluded.value`, metaProblems, string(b))
		return classify(err)
	})
}

// InboxProblems lists the files recorded by SetInboxProblems that are still
// in the inbox, oldest first.
func (d *DB) InboxProblems(ctx context.Context) ([]int64, error) {
	var v string
	err := d.sql.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?", metaProblems).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, classify(err)
	}
	var ids []int64
	if err := json.Unmarshal([]byte(v), &ids); err != nil {
		return nil, fmt.Errorf("read inbox problems: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	waiting, err := d.InboxWaiting(ctx)
	if err != nil {
		return nil, err
	}
	failed := make(map[int64]bool, len(ids))
	for _, id := range ids {
		failed[id] = true
	}
	var out []int64
	for _, id := range waiting {
		if failed[id] {
			out = append(out, id)
		}
	}
	return out, nil
}
