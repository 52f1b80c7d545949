package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// codeAlphabet leaves out 0/O, 1/I/L so a code read aloud or copied by hand
// is not mistyped.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// maxTries is how many wrong codes kill a code.
const maxTries = 5

func randomCode() (string, error) {
	b := make([]byte, 8)
	n := big.NewInt(int64(len(codeAlphabet)))
	for i := range b {
		k, err := rand.Int(rand.Reader, n)
		if err != nil {
			return "", fmt.Errorf("random: %w", err)
		}
		b[i] = codeAlphabet[k.Int64()]
	}
	return string(b), nil
}

// NewCode makes a single-use code for purpose ('verify', 'reset',
// 'twostep-email') and account, replacing any earlier one.
func (d *DB) NewCode(ctx context.Context, purpose, account string, ttl time.Duration) (string, error) {
	code, err := randomCode()
	if err != nil {
		return "", err
	}
	d.write.Lock()
	defer d.write.Unlock()
	_, err = d.sql.ExecContext(ctx, `INSERT OR REPLACE INTO codes (purpose, account, code_hash, expires, used, tries)
		VALUES (?, ?, ?, ?, 0, 0)`, purpose, account, d.lookup(code), d.Now().Add(ttl).UnixNano())
	if err != nil {
		return "", fmt.Errorf("new %s code: %w", purpose, err)
	}
	return code, nil
}

// UseCode spends the code. Wrong, used, expired and dead codes all give
// ErrBadCode so a guesser learns nothing. Comparing HMACs keeps timing
// independent of how much of the code was right.
func (d *DB) UseCode(ctx context.Context, purpose, account, code string) error {
	d.write.Lock()
	defer d.write.Unlock()
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("use code: %w", err)
	}
	defer tx.Rollback()
	var hash []byte
	var expires, used, tries int64
	err = tx.QueryRowContext(ctx, `SELECT code_hash, expires, used, tries FROM codes
		WHERE purpose = ? AND account = ?`, purpose, account).Scan(&hash, &expires, &used, &tries)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrBadCode
	}
	if err != nil {
		return fmt.Errorf("use code: %w", err)
	}
	if used != 0 || tries >= maxTries || d.Now().UnixNano() > expires {
		return ErrBadCode
	}
	if !hmacEqual(hash, d.lookup(normaliseCode(code))) {
		if _, err := tx.ExecContext(ctx, `UPDATE codes SET tries = tries + 1 WHERE purpose = ? AND account = ?`, purpose, account); err != nil {
			return fmt.Errorf("use code: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("use code: %w", err)
		}
		return ErrBadCode
	}
	if _, err := tx.ExecContext(ctx, `UPDATE codes SET used = 1 WHERE purpose = ? AND account = ?`, purpose, account); err != nil {
		return fmt.Errorf("use code: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("use code: %w", err)
	}
	return nil
}

// PutInvite stores an invite by the hash of its code (the caller makes and
// hashes the code).
func (d *DB) PutInvite(ctx context.Context, codeHash []byte, vaultDir string, expires time.Time) error {
	d.write.Lock()
	defer d.write.Unlock()
	_, err := d.sql.ExecContext(ctx, `INSERT INTO invites (code_hash, vault_dir, created, expires)
		VALUES (?, ?, ?, ?)`, codeHash, vaultDir, d.Now().UnixNano(), expires.UnixNano())
	if err != nil {
		return fmt.Errorf("put invite: %w", err)
	}
	return nil
}

// TakeInvite spends an invite and gives its vault folder; ErrBadCode when
// unknown, used or expired.
func (d *DB) TakeInvite(ctx context.Context, codeHash []byte) (string, error) {
	d.write.Lock()
	defer d.write.Unlock()
	now := d.Now().UnixNano()
	var dir string
	err := d.sql.QueryRowContext(ctx, `UPDATE invites SET used = ?
		WHERE code_hash = ? AND used IS NULL AND expires >= ? RETURNING vault_dir`, now, codeHash, now).Scan(&dir)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrBadCode
	}
	if err != nil {
		return "", fmt.Errorf("take invite: %w", err)
	}
	return dir, nil
}

// normaliseCode forgives case, spaces and dashes a person adds when typing.
func normaliseCode(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-':
		case c >= 'a' && c <= 'z':
			out = append(out, c-'a'+'A')
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

func hmacEqual(a, b []byte) bool { return hmac.Equal(a, b) }

// Invite gives the vault folder of an invite that is unused and unexpired,
// without spending it: activation checks the code against the vault first
// and spends the invite only once that worked.
func (d *DB) Invite(ctx context.Context, codeHash []byte) (string, error) {
	var dir string
	err := d.sql.QueryRowContext(ctx, `SELECT vault_dir FROM invites
		WHERE code_hash = ? AND used IS NULL AND expires >= ?`, codeHash, d.Now().UnixNano()).Scan(&dir)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrBadCode
	}
	if err != nil {
		return "", fmt.Errorf("invite: %w", err)
	}
	return dir, nil
}
