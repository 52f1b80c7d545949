package accounts

import (
	"context"
	"fmt"
	"strconv"
)

// migrations[i] moves the schema from version i to i+1. Append only.
// Times are Unix nanoseconds.
var migrations = []string{
	`CREATE TABLE accounts (
		id             TEXT PRIMARY KEY,
		email_lookup   BLOB NOT NULL UNIQUE,
		email_sealed   BLOB NOT NULL,
		vault_dir      TEXT NOT NULL,
		state          TEXT NOT NULL CHECK (state IN ('pending', 'active', 'disabled')),
		created        INTEGER NOT NULL,
		verified       INTEGER,
		twostep_sealed BLOB,
		require_reset  INTEGER NOT NULL DEFAULT 0
	) STRICT;
	CREATE TABLE sessions (
		id_hash    BLOB PRIMARY KEY,
		account    TEXT NOT NULL,
		csrf       TEXT NOT NULL,
		created    INTEGER NOT NULL,
		last_seen  INTEGER NOT NULL,
		user_agent TEXT NOT NULL,
		address    TEXT NOT NULL,
		ended      INTEGER,
		end_reason TEXT
	) STRICT;
	CREATE INDEX sessions_account ON sessions(account);
	CREATE TABLE sign_ins (
		account    TEXT NOT NULL,
		at         INTEGER NOT NULL,
		address    TEXT NOT NULL,
		user_agent TEXT NOT NULL,
		outcome    TEXT NOT NULL
	) STRICT;
	CREATE INDEX sign_ins_account ON sign_ins(account, at);
	CREATE TABLE codes (
		purpose   TEXT NOT NULL CHECK (purpose IN ('verify', 'reset', 'twostep-email')),
		account   TEXT NOT NULL,
		code_hash BLOB NOT NULL,
		expires   INTEGER NOT NULL,
		used      INTEGER NOT NULL DEFAULT 0,
		tries     INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (purpose, account)
	) STRICT;
	CREATE TABLE invites (
		code_hash BLOB PRIMARY KEY,
		vault_dir TEXT NOT NULL,
		created   INTEGER NOT NULL,
		expires   INTEGER NOT NULL,
		used      INTEGER
	) STRICT;
	CREATE TABLE audit (
		seq    INTEGER PRIMARY KEY AUTOINCREMENT,
		at     INTEGER NOT NULL,
		actor  TEXT NOT NULL,
		action TEXT NOT NULL,
		target TEXT NOT NULL,
		detail TEXT NOT NULL
	) STRICT;
	-- The audit log is append-only: even a bug or a stray query cannot
	-- rewrite what happened.
	CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
		BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
	CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
		BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
	CREATE TABLE throttle (
		key      TEXT PRIMARY KEY,
		failures INTEGER NOT NULL,
		last     INTEGER NOT NULL
	) STRICT;`,
	// Shares: a read-only view of part of a record, sealed under a code the
	// patient sent a clinician (package share). The server holds only the
	// ciphertext, a salt and a keyed hash of the code; the recipient is
	// sealed under the accounts key. share_access is append-only, like
	// the audit log. An account's shares go with it.
	`CREATE TABLE shares (
		id               TEXT PRIMARY KEY,
		account          TEXT NOT NULL,
		lookup           BLOB NOT NULL UNIQUE,
		salt             BLOB NOT NULL,
		sealed           BLOB,
		recipient_sealed BLOB NOT NULL,
		sections         TEXT NOT NULL,
		created          INTEGER NOT NULL,
		expires          INTEGER NOT NULL,
		revoked          INTEGER,
		dob_failures     INTEGER NOT NULL DEFAULT 0,
		first_used       INTEGER
	) STRICT;
	CREATE INDEX shares_account ON shares(account, created);
	CREATE TABLE share_access (
		share            TEXT NOT NULL,
		at               INTEGER NOT NULL,
		address          TEXT NOT NULL,
		user_agent       TEXT NOT NULL,
		page             TEXT NOT NULL,
		clinician_sealed BLOB
	) STRICT;
	CREATE INDEX share_access_share ON share_access(share, at);
	CREATE TRIGGER share_access_no_update BEFORE UPDATE ON share_access
		BEGIN SELECT RAISE(ABORT, 'share_access is append-only'); END;
	CREATE TRIGGER share_access_no_delete BEFORE DELETE ON share_access
		BEGIN SELECT RAISE(ABORT, 'share_access is append-only'); END;
	CREATE TRIGGER accounts_delete_shares AFTER DELETE ON accounts
		BEGIN DELETE FROM shares WHERE account = OLD.id; END;`,
	// A share's email (the outbox id, for its delivery state) and its SMART
	// Health Link: a keyed hash of the link's manifest id to find it, and
	// the link's file key and records sealed under a key derived from that
	// id (so only a holder of the link opens them), a budget of tries.
	`ALTER TABLE shares ADD COLUMN outbox_id INTEGER;
	ALTER TABLE shares ADD COLUMN shl_lookup BLOB;
	ALTER TABLE shares ADD COLUMN shl_sealed BLOB;
	ALTER TABLE shares ADD COLUMN shl_attempts INTEGER NOT NULL DEFAULT 10;
	CREATE UNIQUE INDEX shares_shl_lookup ON shares(shl_lookup) WHERE shl_lookup IS NOT NULL;`,
	// Publishing keys: a Ward on the patient's own computer, holding the
	// vault there, publishes shares to this server with one of these
	// (bearer). Only the SHA-256 of the key is kept; it can make, list
	// and end that account's shares and nothing else.
	`CREATE TABLE publish_keys (
		id        TEXT PRIMARY KEY,
		account   TEXT NOT NULL,
		hash      BLOB NOT NULL UNIQUE,
		name      TEXT NOT NULL,
		created   INTEGER NOT NULL,
		last_used INTEGER
	) STRICT;
	CREATE INDEX publish_keys_account ON publish_keys(account);
	CREATE TRIGGER accounts_delete_publish_keys AFTER DELETE ON accounts
		BEGIN DELETE FROM publish_keys WHERE account = OLD.id; END;`,
	// quiet: the patient asked not to be emailed when the share is first
	// opened (they are by default).
	`ALTER TABLE shares ADD COLUMN quiet INTEGER NOT NULL DEFAULT 0;`,
}

// SchemaVersion is the newest schema this build knows.
var SchemaVersion = len(migrations)

// migrate brings the schema (version kept in PRAGMA user_version) up to date.
func (d *DB) migrate(ctx context.Context) error {
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > SchemaVersion {
		return fmt.Errorf("%w (schema %d, this Ward knows up to %d)", ErrNewer, version, SchemaVersion)
	}
	if version == SchemaVersion {
		return nil
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for v := version; v < SchemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate schema to %d: %w", v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(SchemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}
