package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// migrations[i] moves the schema from version i to i+1. Append only.
var migrations = []string{
	`CREATE TABLE meta (
		name  TEXT PRIMARY KEY,
		value ANY NOT NULL
	) STRICT;
	CREATE TABLE slots (
		id   TEXT PRIMARY KEY,
		kind TEXT NOT NULL,
		data BLOB NOT NULL
	) STRICT;
	CREATE TABLE sources (
		key     BLOB PRIMARY KEY,
		version INTEGER NOT NULL,
		body    BLOB NOT NULL
	) STRICT, WITHOUT ROWID;
	CREATE TABLE resources (
		key     BLOB PRIMARY KEY,
		source  BLOB NOT NULL REFERENCES sources(key) ON DELETE CASCADE,
		version INTEGER NOT NULL,
		digest  BLOB NOT NULL,
		body    BLOB NOT NULL
	) STRICT;
	CREATE INDEX resources_source ON resources(source);`,
	// Files sealed to the vault's age recipient (package inbox) while it is
	// locked; meta holds the recipient in the clear and the identity sealed.
	`CREATE TABLE inbox (
		id       INTEGER PRIMARY KEY,
		received INTEGER NOT NULL,
		sealed   BLOB NOT NULL
	) STRICT;`,
}

// SchemaVersion is the newest schema this build knows.
var SchemaVersion = len(migrations)

// migrate checks the file is a Ward vault of a known version and brings its
// schema up to date. For a new file it writes the header rows.
func (d *DB) migrate(ctx context.Context, create bool) error {
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if !create {
		var m string
		err := conn.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = 'magic'").Scan(&m)
		if err != nil || m != magic {
			return ErrNotVault
		}
		if version > SchemaVersion {
			return fmt.Errorf("%w (schema %d, this Ward knows up to %d)", ErrNewer, version, SchemaVersion)
		}
		if err := conn.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = 'vault_id'").Scan(&d.vaultID); err != nil {
			return ErrNotVault
		}
	} else if version != 0 {
		return ErrExists
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
	if create {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta(name, value) VALUES ('magic', ?), ('vault_id', ?)`, magic, d.vaultID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(SchemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}

func (d *DB) metaInt(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, name string) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?", name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}
