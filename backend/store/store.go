// Package store keeps a vault's records in one SQLite file (modernc.org/sqlite,
// pure Go). Every health fact is sealed by package vault before it is
// written: rows hold only random or keyed-hash keys, versions, sizes and
// ciphertext. The schema is migrated in numbered steps; WAL mode, foreign
// keys and a busy timeout are always on; writes go through one writer and
// each import is a single transaction, so a reader or a crash never sees
// half of one.
//
// What stays in the clear, and why:
//   - the vault id (random) and format version, so Ward knows what it opened;
//   - key slots (see package vault): kind, id, KDF parameters, wrapped key;
//   - per row: its key (an HMAC of source, type and FHIR id under a key
//     derived from the data key: equal rows match, nothing else shows), its
//     version number, a keyed digest of its content (to skip unchanged rows on
//     re-import) and the ciphertext, whose length is the plaintext's plus 41;
//   - row counts, and the count and time of failed unlock attempts, for all
//     clients and for each address they came from.
//
// Resource types, dates and organisations are inside the ciphertext; the views
// decrypt everything into memory once at unlock (see package records).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ward-health/ward/backend/vault"
	_ "modernc.org/sqlite"
)

// FileName is the database's name inside the data folder.
const FileName = "ward.db"

// magic marks a SQLite file as a Ward vault.
const magic = "ward-vault"

// Errors with plain meanings; UserMessage turns them into sentences.
var (
	ErrNotVault  = errors.New("store: not a Ward vault")
	ErrNewer     = errors.New("store: vault was made by a newer version of Ward")
	ErrNoVault   = errors.New("store: no vault in this folder")
	ErrExists    = errors.New("store: a vault already exists in this folder")
	ErrReadOnly  = errors.New("store: the data folder is read-only")
	ErrDiskFull  = errors.New("store: the disk is full")
	ErrRollback  = errors.New("store: some records were put back to older versions")
	ErrTooMany   = errors.New("store: too many wrong attempts")
	ErrCancelled = errors.New("store: import cancelled")
)

// DB is an open vault database. It is safe for concurrent use.
type DB struct {
	sql     *sql.DB
	path    string
	vaultID string
	write   sync.Mutex // one writer at a time
	kdf     sync.Mutex // one key derivation at a time (see unwrap)
}

func dsn(path string, create bool) string {
	mode := "rw"
	if create {
		mode = "rwc"
	}
	// temp_store=memory keeps sorts and temp tables off disk; the sealed
	// data would be safe there anyway, but nothing has to be.
	return "file:" + path + "?mode=" + mode +
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)&_txlock=immediate"
}

// Create makes a new, empty vault in dir with one key slot per wrapper,
// refusing if a vault is already there. The file is built under a temporary
// name and renamed into place, so a crash leaves either no vault or a whole
// one. The returned keys are unlocked; the caller destroys them.
func Create(dir string, wrappers ...vault.Wrapper) (*DB, *vault.Keys, error) {
	if len(wrappers) == 0 {
		return nil, nil, errors.New("create vault: no key slots")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create vault in %s: %w", dir, classify(err))
	}
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err == nil {
		return nil, nil, fmt.Errorf("create vault in %s: %w", dir, ErrExists)
	}
	id, err := randomID()
	if err != nil {
		return nil, nil, err
	}
	keys, err := vault.New(id)
	if err != nil {
		return nil, nil, err
	}
	tmp := path + ".new-" + id[:8]
	if err := build(tmp, id, keys, wrappers); err != nil {
		keys.Destroy()
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(tmp + suffix)
		}
		return nil, nil, fmt.Errorf("create vault in %s: %w", dir, classify(err))
	}
	// Link rather than rename so that a vault created meanwhile by another
	// process is never replaced.
	if err := os.Link(tmp, path); err != nil {
		keys.Destroy()
		os.Remove(tmp)
		if errors.Is(err, fs.ErrExist) {
			return nil, nil, fmt.Errorf("create vault in %s: %w", dir, ErrExists)
		}
		return nil, nil, fmt.Errorf("create vault in %s: %w", dir, classify(err))
	}
	os.Remove(tmp)
	d, err := Open(dir)
	if err != nil {
		keys.Destroy()
		return nil, nil, err
	}
	return d, keys, nil
}

func build(path, id string, keys *vault.Keys, wrappers []vault.Wrapper) error {
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return err
	}
	defer db.Close()
	d := &DB{sql: db, path: path, vaultID: id}
	if err := d.migrate(context.Background(), true); err != nil {
		return err
	}
	for _, w := range wrappers {
		slot, err := keys.AddSlot(w)
		if err != nil {
			return err
		}
		if err := d.PutSlot(context.Background(), slot); err != nil {
			return err
		}
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}

// Open opens the vault in dir. It never creates or overwrites anything that
// is not a Ward vault of a version it knows.
func Open(dir string) (*DB, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open %s: %w", dir, ErrNoVault)
	}
	if err := checkHeader(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := checkMagic(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	d := &DB{sql: db, path: path}
	if err := d.migrate(context.Background(), false); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, classify(err))
	}
	return d, nil
}

// checkHeader refuses files that are not SQLite before the driver sees them.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return classify(err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := f.Read(head)
	if n < 16 || string(head) != "SQLite format 3\x00" {
		return ErrNotVault
	}
	return nil
}

// checkMagic looks inside read-only, before the real connection switches the
// file to WAL mode, so a database that is not Ward's is never changed.
func checkMagic(path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var m string
	if err := db.QueryRow("SELECT value FROM meta WHERE name = 'magic'").Scan(&m); err != nil || m != magic {
		if err != nil && !strings.Contains(err.Error(), "no such table") && classify(err) != err {
			return classify(err)
		}
		return ErrNotVault
	}
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		return classify(err)
	}
	if version > SchemaVersion {
		return fmt.Errorf("%w (schema %d, this Ward knows up to %d)", ErrNewer, version, SchemaVersion)
	}
	return nil
}

// Close closes the database.
func (d *DB) Close() error { return d.sql.Close() }

// VaultID is the vault's random id, bound into every ciphertext.
func (d *DB) VaultID() string { return d.vaultID }

// Path is the database file.
func (d *DB) Path() string { return d.path }

// classify maps OS and SQLite failures to the store's plain errors.
func classify(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case errors.Is(err, fs.ErrPermission), strings.Contains(msg, "readonly"), strings.Contains(msg, "read-only"),
		strings.Contains(msg, "SQLITE_READONLY"), strings.Contains(msg, "unable to open database"):
		return fmt.Errorf("%w: %v", ErrReadOnly, err)
	case strings.Contains(msg, "SQLITE_FULL"), strings.Contains(msg, "database or disk is full"), strings.Contains(msg, "no space left"):
		return fmt.Errorf("%w: %v", ErrDiskFull, err)
	case strings.Contains(msg, "file is not a database"), strings.Contains(msg, "SQLITE_NOTADB"):
		return fmt.Errorf("%w: %v", ErrNotVault, err)
	}
	return err
}

// UserMessage is a sentence for the person at the screen about err.
func UserMessage(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrNotVault):
		return "This file is not a Ward record, so Ward has not changed it."
	case errors.Is(err, ErrNewer):
		return "This record was made by a newer version of Ward. Update Ward to open it. Nothing has been changed."
	case errors.Is(err, ErrNoVault):
		return "There is no Ward record in this folder yet."
	case errors.Is(err, ErrExists):
		return "There is already a Ward record in this folder. Nothing has been changed."
	case errors.Is(err, ErrReadOnly):
		return "Ward cannot save to this folder because it is read-only. Nothing has been changed."
	case errors.Is(err, ErrDiskFull):
		return "The disk is full, so Ward could not save. Nothing has been changed: free some space and try again."
	case errors.Is(err, ErrRollback):
		return "Some of this record has been put back to an older copy outside Ward. Import it again from the organisation."
	case errors.Is(err, ErrCancelled):
		return "The import was cancelled. Nothing from it was saved."
	}
	if m := vault.UserMessage(err); m != "" {
		return m
	}
	return "Sorry, something went wrong. Nothing has been changed."
}
