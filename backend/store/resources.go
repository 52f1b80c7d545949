package store

import (
	"bytes"
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"time"

	"github.com/ward-health/ward/backend/vault"
)

// Item is one FHIR resource to store.
type Item struct {
	Type string
	ID   string
	Raw  []byte // the resource's JSON exactly as received
}

// Source is the organisation a set of resources came from.
type Source struct {
	Name string `json:"name"`
	// LastUpdated is when records from this source last changed on this
	// computer: an import that brings nothing new leaves it alone.
	LastUpdated time.Time `json:"lastUpdated"`
	// Notices are what the source's files said about themselves, such as
	// Epic's "may not contain the entire record" (each once, up to
	// MaxNotices).
	Notices []string `json:"notices,omitempty"`
}

// Batch is one import: one file's resources, filed under one source.
type Batch struct {
	Source   Source
	Items    iter.Seq2[Item, error]
	Progress func(done int) // after each item, if set
	// Patient, if set, runs inside the transaction before anything is
	// written. It gets the vault's patient identity as last saved (nil
	// before the first) and returns the identity to save, or an error that
	// refuses the whole batch. The store keeps the bytes sealed and opaque.
	Patient func(current []byte) ([]byte, error)
	// Seed, if set, gives a vault that holds records but no saved patient
	// (made before Ward kept one) its patient from those records, before
	// Patient runs. It sees every stored record, so it runs at most once
	// in a vault's life.
	Seed func(stored []Record) ([]byte, error)
	// Changed, if set, is called for each record the import adds or
	// replaces; nothing it was told about is kept if the import fails.
	Changed func(Record)
	// InboxIDs are inbox rows this batch was read from: they are deleted
	// in the import's own transaction, so a merged file leaves the inbox
	// exactly when its records are stored (ids not there are ignored).
	InboxIDs []int64
}

// Record is a stored resource, opened.
type Record struct {
	Source string
	Item
}

// ImportResult counts what an import did.
type ImportResult struct {
	Added     int            `json:"added"`
	Updated   int            `json:"updated"`
	Unchanged int            `json:"unchanged"`
	KeptNewer int            `json:"keptNewer"` // stored copy was newer than the incoming one
	ByType    map[string]int `json:"byType"`
}

// New reports whether the import changed anything.
func (r ImportResult) New() bool { return r.Added+r.Updated > 0 }

const (
	tableResources = "resources"
	tableSources   = "sources"
	tableMeta      = "meta"
)

func (d *DB) ad(table string, key []byte, version int64) vault.AD {
	return vault.AD{VaultID: d.vaultID, Table: table, RowKey: key, Version: uint64(version)}
}

// resourceKey addresses a resource by source, type and FHIR id without
// storing any of them.
func resourceKey(k *vault.Keys, source, typ, id string) ([]byte, error) {
	return k.Index("resource", source, typ, id)
}

// encode lays out a resource's plaintext: the source, type and id it is
// filed under (checked against the row key on open) and the raw JSON.
func encode(dst []byte, source string, it Item) []byte {
	for _, s := range []string{source, it.Type, it.ID} {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
		dst = append(dst, s...)
	}
	return append(dst, it.Raw...)
}

func decode(b []byte) (Record, error) {
	var parts [3]string
	for i := range parts {
		if len(b) < 4 {
			return Record{}, errors.New("short record")
		}
		n := binary.BigEndian.Uint32(b)
		b = b[4:]
		if uint64(len(b)) < uint64(n) {
			return Record{}, errors.New("short record")
		}
		parts[i], b = string(b[:n]), b[n:]
	}
	return Record{Source: parts[0], Item: Item{Type: parts[1], ID: parts[2], Raw: b}}, nil
}

// Import stores items from source in one transaction: either all of them
// are there afterwards or none. Re-importing the same data changes nothing;
// a changed resource replaces the stored one unless the stored one says it
// is newer (meta.lastUpdated). progress, if set, is called after each item.
func (d *DB) Import(ctx context.Context, k *vault.Keys, src Source, items iter.Seq2[Item, error], progress func(done int)) (ImportResult, error) {
	return d.ImportBatch(ctx, k, Batch{Source: src, Items: items, Progress: progress})
}

// ImportBatch is Import with the batch's checks and hooks.
func (d *DB) ImportBatch(ctx context.Context, k *vault.Keys, b Batch) (ImportResult, error) {
	res, err := d.importTx(ctx, k, b)
	if err != nil && ctx.Err() != nil {
		return res, ErrCancelled
	}
	return res, err
}

func (d *DB) importTx(ctx context.Context, k *vault.Keys, b Batch) (ImportResult, error) {
	res := ImportResult{ByType: map[string]int{}}
	src := b.Source
	d.write.Lock()
	defer d.write.Unlock()
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return res, classify(err)
	}
	defer tx.Rollback()

	st, err := d.loadState(ctx, tx, k)
	if err != nil {
		return res, err
	}
	acc := st.acc
	if st.patient == nil && b.Seed != nil {
		stored, err := d.allRecords(ctx, tx, k)
		if err != nil {
			return res, err
		}
		if len(stored) > 0 {
			if st.patient, err = b.Seed(stored); err != nil {
				return res, err
			}
		}
	}
	if b.Patient != nil {
		if st.patient, err = b.Patient(st.patient); err != nil {
			return res, err
		}
	}
	srcKey, err := k.Index("source", src.Name)
	if err != nil {
		return res, err
	}
	oldSrc, srcFound, err := d.readSource(ctx, tx, k, srcKey)
	if err != nil {
		return res, err
	}
	// The source row must exist before its resources (foreign key); it is
	// written again at the end with what the import changed.
	if !srcFound {
		if _, err := tx.ExecContext(ctx, "INSERT INTO sources(key, version, body) VALUES (?, 0, x'')", srcKey); err != nil {
			return res, classify(err)
		}
	}
	// A small import looks each resource up; a large one reads the
	// source's rows once instead, which beats a lookup per resource.
	type stored struct {
		version int64
		digest  []byte
	}
	var existing map[string]stored
	preload := func() error {
		existing = map[string]stored{}
		rows, err := tx.QueryContext(ctx, "SELECT key, version, digest FROM resources WHERE source = ?", srcKey)
		if err != nil {
			return classify(err)
		}
		defer rows.Close()
		for rows.Next() {
			var key []byte
			var st stored
			if err := rows.Scan(&key, &st.version, &st.digest); err != nil {
				return classify(err)
			}
			existing[string(key)] = st
		}
		return classify(rows.Err())
	}
	lookup, err := tx.PrepareContext(ctx, "SELECT version, digest FROM resources WHERE key = ?")
	if err != nil {
		return res, classify(err)
	}
	defer lookup.Close()
	find := func(key []byte) (stored, bool, error) {
		if existing != nil {
			st, ok := existing[string(key)]
			return st, ok, nil
		}
		var st stored
		err := lookup.QueryRowContext(ctx, key).Scan(&st.version, &st.digest)
		if errors.Is(err, sql.ErrNoRows) {
			return st, false, nil
		}
		return st, err == nil, classify(err)
	}
	get, err := tx.PrepareContext(ctx, "SELECT body FROM resources WHERE key = ?")
	if err != nil {
		return res, classify(err)
	}
	defer get.Close()
	put, err := tx.PrepareContext(ctx, `INSERT INTO resources(key, source, version, digest, body) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET source = excluded.source, version = excluded.version, digest = excluded.digest, body = excluded.body`)
	if err != nil {
		return res, classify(err)
	}
	defer put.Close()

	var plain, sealed []byte
	done := 0
	step := func(typ string) {
		res.ByType[typ]++
		done++
		if b.Progress != nil {
			b.Progress(done)
		}
	}
	for it, err := range b.Items {
		if err != nil {
			return res, err
		}
		if done%256 == 0 && ctx.Err() != nil {
			return res, ErrCancelled
		}
		key, err := resourceKey(k, src.Name, it.Type, it.ID)
		if err != nil {
			return res, err
		}
		digest, err := k.Index("digest", string(it.Raw))
		if err != nil {
			return res, err
		}
		if done == 512 && existing == nil {
			if err := preload(); err != nil {
				return res, err
			}
		}
		old, found, err := find(key)
		if err != nil {
			return res, err
		}
		oldVersion := old.version
		switch {
		case !found:
			res.Added++
		case subtle.ConstantTimeCompare(old.digest, digest) == 1:
			res.Unchanged++
			step(it.Type)
			continue
		default:
			var oldBody []byte
			if err := get.QueryRowContext(ctx, key).Scan(&oldBody); err != nil {
				return res, classify(err)
			}
			plain, oerr := k.Open(d.ad(tableResources, key, oldVersion), oldBody)
			if oerr == nil {
				if rec, derr := decode(plain); derr == nil && newer(rec.Raw, it.Raw) {
					res.KeptNewer++
					step(it.Type)
					continue
				}
			}
			res.Updated++
			acc.toggle(k, tableResources, key, oldVersion)
		}
		version := oldVersion + 1
		plain = encode(plain[:0], src.Name, it)
		sealed, err = k.SealTo(sealed[:0], d.ad(tableResources, key, version), plain)
		if err != nil {
			return res, err
		}
		if _, err := put.ExecContext(ctx, key, srcKey, version, digest, sealed); err != nil {
			return res, classify(err)
		}
		acc.toggle(k, tableResources, key, version)
		if existing != nil {
			existing[string(key)] = stored{version, digest}
		}
		if b.Changed != nil {
			b.Changed(Record{Source: src.Name, Item: it})
		}
		step(it.Type)
	}
	if ctx.Err() != nil {
		return res, ErrCancelled
	}
	// Freshness means something: a file that brings nothing new leaves the
	// source's date as it was. Notices add up: each file of a series says
	// what it may be missing.
	notices := mergeNotices(oldSrc.Notices, src.Notices)
	if srcFound && !res.New() {
		src = oldSrc
	}
	src.Notices = notices
	if !srcFound || res.New() || !sameNotices(src.Notices, oldSrc.Notices) {
		if err := d.writeSource(ctx, tx, k, srcKey, src, acc); err != nil {
			return res, err
		}
	}
	st.acc = acc
	if err := d.saveState(ctx, tx, k, st); err != nil {
		return res, err
	}
	for _, id := range b.InboxIDs {
		if _, err := tx.ExecContext(ctx, "DELETE FROM inbox WHERE id = ?", id); err != nil {
			return res, classify(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return res, classify(err)
	}
	return res, nil
}

// MaxNotices bounds the notices kept per source.
const MaxNotices = 20

func mergeNotices(old, add []string) []string {
	out := append([]string{}, old...)
	for _, n := range add {
		dup := false
		for _, o := range out {
			dup = dup || o == n
		}
		if !dup && len(out) < MaxNotices {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func sameNotices(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// newer reports whether stored says it was updated after incoming.
func newer(stored, incoming []byte) bool {
	var a, b struct {
		Meta struct {
			LastUpdated string `json:"lastUpdated"`
		} `json:"meta"`
	}
	if json.Unmarshal(stored, &a) != nil || json.Unmarshal(incoming, &b) != nil {
		return false
	}
	ta, errA := time.Parse(time.RFC3339Nano, a.Meta.LastUpdated)
	tb, errB := time.Parse(time.RFC3339Nano, b.Meta.LastUpdated)
	return errA == nil && errB == nil && ta.After(tb)
}

// readSource opens a source's row, if there is one.
func (d *DB) readSource(ctx context.Context, tx *sql.Tx, k *vault.Keys, key []byte) (Source, bool, error) {
	var version int64
	var body []byte
	err := tx.QueryRowContext(ctx, "SELECT version, body FROM sources WHERE key = ?", key).Scan(&version, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return Source{}, false, nil
	}
	if err != nil {
		return Source{}, false, classify(err)
	}
	plain, err := k.Open(d.ad(tableSources, key, version), body)
	if err != nil {
		return Source{}, false, &RecordError{Table: tableSources, Key: key, Err: err}
	}
	var s Source
	if err := json.Unmarshal(plain, &s); err != nil {
		return Source{}, false, &RecordError{Table: tableSources, Key: key, Err: err}
	}
	return s, true, nil
}

// writeSource seals src into its row, one version on.
func (d *DB) writeSource(ctx context.Context, tx *sql.Tx, k *vault.Keys, key []byte, src Source, acc *accumulator) error {
	var version int64
	err := tx.QueryRowContext(ctx, "SELECT version FROM sources WHERE key = ?", key).Scan(&version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return classify(err)
	}
	if err == nil && version > 0 {
		acc.toggle(k, tableSources, key, version)
	}
	version++
	body, _ := json.Marshal(src)
	sealed, err := k.Seal(d.ad(tableSources, key, version), body)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sources(key, version, body) VALUES (?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET version = excluded.version, body = excluded.body`, key, version, sealed); err != nil {
		return classify(err)
	}
	acc.toggle(k, tableSources, key, version)
	return nil
}

// RecordError names a stored record that failed to open.
type RecordError struct {
	Table string
	Key   []byte
	Err   error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("%s row %x: %v", e.Table, e.Key[:min(8, len(e.Key))], e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// Contents is everything in an unlocked vault.
type Contents struct {
	Sources []Source
	Records []Record
	// Failed lists rows that did not open (tampered, moved or replayed);
	// every other record is still in Records.
	Failed []*RecordError
	// RolledBack is set when the rows do not add up to what the last write
	// recorded: some row was put back to an older copy or removed.
	RolledBack bool
	// Patient is the vault's patient identity as the intake saved it (nil
	// before the first import that named one); opaque to the store.
	Patient []byte
	// Generation counts the writes the vault had when it was read: each
	// import or deletion adds one (see SavedAfter).
	Generation int64
}

// Load opens every row. A row that fails is listed in Failed and the rest
// still load: one bad record never hides the others.
func (d *DB) Load(ctx context.Context, k *vault.Keys) (*Contents, error) {
	tx, err := d.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, classify(err)
	}
	defer tx.Rollback()
	c := &Contents{}
	sum := &accumulator{}
	srcNames := map[string]bool{}

	rows, err := tx.QueryContext(ctx, "SELECT key, version, body FROM sources")
	if err != nil {
		return nil, classify(err)
	}
	for rows.Next() {
		var key, body []byte
		var version int64
		if err := rows.Scan(&key, &version, &body); err != nil {
			rows.Close()
			return nil, err
		}
		sum.toggle(k, tableSources, key, version)
		plain, err := k.Open(d.ad(tableSources, key, version), body)
		var s Source
		if err == nil {
			err = json.Unmarshal(plain, &s)
		}
		if err != nil {
			c.Failed = append(c.Failed, &RecordError{Table: tableSources, Key: key, Err: err})
			continue
		}
		c.Sources = append(c.Sources, s)
		srcNames[s.Name] = true
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, "SELECT key, version, body FROM resources")
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	// Reading rows is one goroutine's work; opening them (AEAD, keyed
	// hashes) spreads over the other cores.
	type row struct {
		key, body []byte
		version   int64
	}
	type result struct {
		records []Record
		failed  []*RecordError
		sum     accumulator
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	batches := make(chan []row, workers*2)
	results := make(chan result, workers)
	for w := 0; w < workers; w++ {
		go func() {
			var res result
			for batch := range batches {
				for _, r := range batch {
					res.sum.toggle(k, tableResources, r.key, r.version)
					rec, err := d.openResource(k, r.key, r.version, r.body)
					if err != nil {
						res.failed = append(res.failed, &RecordError{Table: tableResources, Key: r.key, Err: err})
						continue
					}
					res.records = append(res.records, rec)
				}
			}
			results <- res
		}()
	}
	var scanErr error
	batch := make([]row, 0, 256)
	for rows.Next() {
		var r row
		if scanErr = rows.Scan(&r.key, &r.version, &r.body); scanErr != nil {
			break
		}
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			batches <- batch
			batch = make([]row, 0, 256)
		}
	}
	batches <- batch
	close(batches)
	for w := 0; w < workers; w++ {
		res := <-results
		c.Records = append(c.Records, res.records...)
		c.Failed = append(c.Failed, res.failed...)
		subtle.XORBytes(sum[:], sum[:], res.sum[:])
	}
	if scanErr != nil {
		return nil, scanErr
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err)
	}
	st, err := d.loadState(ctx, tx, k)
	if err != nil {
		return nil, err
	}
	c.RolledBack = !bytes.Equal(st.acc[:], sum[:])
	c.Patient = st.patient
	c.Generation = st.gen
	return c, nil
}

func (d *DB) openResource(k *vault.Keys, key []byte, version int64, body []byte) (Record, error) {
	plain, err := k.Open(d.ad(tableResources, key, version), body)
	if err != nil {
		return Record{}, err
	}
	rec, err := decode(plain)
	if err != nil {
		return Record{}, fmt.Errorf("%w: %v", vault.ErrIntegrity, err)
	}
	// The row key must be the one this record would be filed under.
	want, err := resourceKey(k, rec.Source, rec.Type, rec.ID)
	if err != nil {
		return Record{}, err
	}
	if subtle.ConstantTimeCompare(want, key) != 1 {
		return Record{}, fmt.Errorf("%w: record is filed under the wrong key", vault.ErrIntegrity)
	}
	return rec, nil
}

// DeleteSource removes an organisation's records and the organisation, in
// one transaction.
func (d *DB) DeleteSource(ctx context.Context, k *vault.Keys, name string) error {
	key, err := k.Index("source", name)
	if err != nil {
		return err
	}
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		st, err := d.loadState(ctx, tx, k)
		if err != nil {
			return err
		}
		acc := st.acc
		rows, err := tx.QueryContext(ctx, "SELECT key, version FROM resources WHERE source = ?", key)
		if err != nil {
			return classify(err)
		}
		for rows.Next() {
			var rk []byte
			var v int64
			if err := rows.Scan(&rk, &v); err != nil {
				rows.Close()
				return err
			}
			acc.toggle(k, tableResources, rk, v)
		}
		rows.Close()
		var v int64
		if err := tx.QueryRowContext(ctx, "SELECT version FROM sources WHERE key = ?", key).Scan(&v); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			return classify(err)
		}
		acc.toggle(k, tableSources, key, v)
		// resources go with their source (ON DELETE CASCADE).
		if _, err := tx.ExecContext(ctx, "DELETE FROM sources WHERE key = ?", key); err != nil {
			return classify(err)
		}
		return d.saveState(ctx, tx, k, st)
	})
}
