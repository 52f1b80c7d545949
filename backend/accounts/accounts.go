// Package accounts holds the accounts database of a Ward server that serves
// many patients: one modernc SQLite file with accounts, sessions, sign-ins,
// single-use codes, invites, an append-only audit log and a throttle.
//
// Email addresses are personal data: they are stored sealed under the
// server's Seal key (XChaCha20-Poly1305, associated data = account id) and
// found by an HMAC-SHA256 of the normalised address under the Lookup key,
// so the file alone never shows who has an account.
package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	_ "modernc.org/sqlite"
)

// Errors with plain meanings.
var (
	ErrBadEmail   = errors.New("accounts: not a usable email address")
	ErrEmailTaken = errors.New("accounts: email address already has an account")
	ErrNotFound   = errors.New("accounts: no such account")
	ErrBadCode    = errors.New("accounts: code is wrong, used or expired")
	ErrNoSession  = errors.New("accounts: no such session")
	ErrBadState   = errors.New("accounts: unknown account state")
	ErrNewer      = errors.New("accounts: database was made by a newer version of Ward")
)

// Keys are the server keys from the key file (the caller reads it).
type Keys struct {
	Seal   [32]byte
	Lookup [32]byte
}

// DB is an open accounts database, safe for concurrent use.
type DB struct {
	sql   *sql.DB
	keys  Keys
	Now   func() time.Time
	write sync.Mutex // one writer at a time, as in package store
}

func dsn(path string) string {
	return "file:" + path + "?mode=rwc" +
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_txlock=immediate"
}

// Open opens (creating if needed) the accounts database at path. now may be
// nil for time.Now; tests inject a clock.
func Open(path string, keys Keys, now func() time.Time) (*DB, error) {
	if now == nil {
		now = time.Now
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open accounts %s: %w", path, err)
	}
	d := &DB{sql: db, keys: keys, Now: now}
	if err := d.migrate(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open accounts %s: %w", path, err)
	}
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.sql.Close() }

func (d *DB) lookup(s string) []byte {
	m := hmac.New(sha256.New, d.keys.Lookup[:])
	m.Write([]byte(s))
	return m.Sum(nil)
}

func (d *DB) seal(plain []byte, ad string) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(d.keys.Seal[:])
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plain, []byte(ad)), nil
}

func (d *DB) open(sealed []byte, ad string) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(d.keys.Seal[:])
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("sealed value too short")
	}
	n := aead.NonceSize()
	return aead.Open(nil, sealed[:n], sealed[n:], []byte(ad))
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Account is one patient's account.
type Account struct {
	ID, Email, VaultDir, State string
	Created, Verified          time.Time
}

// Create adds a pending account for email whose records live in vaultDir.
func (d *DB) Create(ctx context.Context, email, vaultDir string) (Account, error) {
	e, err := NormaliseEmail(email)
	if err != nil {
		return Account{}, err
	}
	id, err := randomHex(16)
	if err != nil {
		return Account{}, err
	}
	sealed, err := d.seal([]byte(e), id)
	if err != nil {
		return Account{}, fmt.Errorf("create account: seal email: %w", err)
	}
	now := d.Now()
	d.write.Lock()
	defer d.write.Unlock()
	_, err = d.sql.ExecContext(ctx, `INSERT INTO accounts
		(id, email_lookup, email_sealed, vault_dir, state, created, require_reset)
		VALUES (?, ?, ?, ?, 'pending', ?, 0)`, id, d.lookup(e), sealed, vaultDir, now.UnixNano())
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return Account{}, ErrEmailTaken
		}
		return Account{}, fmt.Errorf("create account: %w", err)
	}
	return Account{ID: id, Email: e, VaultDir: vaultDir, State: "pending", Created: time.Unix(0, now.UnixNano())}, nil
}

const accountCols = `id, email_sealed, vault_dir, state, created, verified`

func (d *DB) scanAccount(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	var sealed []byte
	var created int64
	var verified sql.NullInt64
	if err := row.Scan(&a.ID, &sealed, &a.VaultDir, &a.State, &created, &verified); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Account{}, ErrNotFound
		}
		return Account{}, err
	}
	e, err := d.open(sealed, a.ID)
	if err != nil {
		return Account{}, fmt.Errorf("account %s: open email: %w", a.ID, err)
	}
	a.Email = string(e)
	a.Created = time.Unix(0, created)
	if verified.Valid {
		a.Verified = time.Unix(0, verified.Int64)
	}
	return a, nil
}

// ByEmail finds the account for email.
func (d *DB) ByEmail(ctx context.Context, email string) (Account, error) {
	e, err := NormaliseEmail(email)
	if err != nil {
		return Account{}, ErrNotFound
	}
	return d.scanAccount(d.sql.QueryRowContext(ctx,
		`SELECT `+accountCols+` FROM accounts WHERE email_lookup = ?`, d.lookup(e)))
}

// ByID finds the account with id.
func (d *DB) ByID(ctx context.Context, id string) (Account, error) {
	return d.scanAccount(d.sql.QueryRowContext(ctx,
		`SELECT `+accountCols+` FROM accounts WHERE id = ?`, id))
}

// List gives every account, emails unsealed, for the admin page.
func (d *DB) List(ctx context.Context) ([]Account, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := d.scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (d *DB) exec1(ctx context.Context, what, q string, args ...any) error {
	d.write.Lock()
	defer d.write.Unlock()
	res, err := d.sql.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

// SetState sets an account to 'pending', 'active' or 'disabled'.
func (d *DB) SetState(ctx context.Context, id, state string) error {
	switch state {
	case "pending", "active", "disabled":
	default:
		return fmt.Errorf("set state %q: %w", state, ErrBadState)
	}
	return d.exec1(ctx, "set account state", `UPDATE accounts SET state = ? WHERE id = ?`, state, id)
}

// MarkVerified records that the account's address was confirmed now.
func (d *DB) MarkVerified(ctx context.Context, id string) error {
	return d.exec1(ctx, "mark verified", `UPDATE accounts SET verified = ? WHERE id = ?`, d.Now().UnixNano(), id)
}

// Delete removes the account with its sessions and codes. The caller
// deletes the vault folder.
func (d *DB) Delete(ctx context.Context, id string) error {
	d.write.Lock()
	defer d.write.Unlock()
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM sessions WHERE account = ?`, `DELETE FROM codes WHERE account = ?`} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete account: %w", ErrNotFound)
	}
	return tx.Commit()
}

// SetTwoStep stores the account's two-step secret sealed (nil clears it).
func (d *DB) SetTwoStep(ctx context.Context, id string, blob []byte) error {
	var sealed []byte
	if blob != nil {
		s, err := d.seal(blob, "twostep:"+id)
		if err != nil {
			return fmt.Errorf("set two-step: %w", err)
		}
		sealed = s
	}
	return d.exec1(ctx, "set two-step", `UPDATE accounts SET twostep_sealed = ? WHERE id = ?`, sealed, id)
}

// TwoStep gives the account's two-step secret, nil if none.
func (d *DB) TwoStep(ctx context.Context, id string) ([]byte, error) {
	var sealed []byte
	err := d.sql.QueryRowContext(ctx, `SELECT twostep_sealed FROM accounts WHERE id = ?`, id).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("two-step: %w", err)
	}
	if sealed == nil {
		return nil, nil
	}
	b, err := d.open(sealed, "twostep:"+id)
	if err != nil {
		return nil, fmt.Errorf("two-step: open: %w", err)
	}
	return b, nil
}

// SetVaultDir names the folder of id's vault (chosen at activation).
func (d *DB) SetVaultDir(ctx context.Context, id, dir string) error {
	return d.exec1(ctx, "set vault", `UPDATE accounts SET vault_dir = ? WHERE id = ?`, dir, id)
}

// EmailKey is a throttle key for an email address that reveals nothing of
// it and is the same whether or not the address has an account: a guesser
// cannot tell the two apart by how they are slowed.
func (d *DB) EmailKey(email string) string {
	e, err := NormaliseEmail(email)
	if err != nil {
		e = email
	}
	return "e:" + hex.EncodeToString(d.lookup("throttle\x00" + e))[:32]
}

// SQL is the database itself, for tables that live beside the accounts
// (the mail outbox, which seals its rows with Sealer).
func (d *DB) SQL() *sql.DB { return d.sql }

// Sealer seals and opens under the accounts key, with a label of its own
// in the associated data, so nothing it seals can pass for an account's
// email address or two-step secret.
type Sealer struct {
	d     *DB
	label string
}

// Sealer gives a Sealer for label.
func (d *DB) Sealer(label string) Sealer { return Sealer{d, label} }

// Seal encrypts plain, bound to ad.
func (s Sealer) Seal(plain []byte, ad string) ([]byte, error) {
	return s.d.seal(plain, "sealer\x00"+s.label+"\x00"+ad)
}

// Open decrypts what Seal sealed with the same ad.
func (s Sealer) Open(sealed []byte, ad string) ([]byte, error) {
	return s.d.open(sealed, "sealer\x00"+s.label+"\x00"+ad)
}
