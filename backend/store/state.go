package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/ward-health/ward/backend/vault"
)

// accumulator is a keyed multiset hash (XOR of HMACs) of every row's
// (table, key, version). The store keeps it sealed and updates it on each
// write; Load recomputes it. A row put back to an older version together
// with its old version number opens on its own, but changes the sum.
type accumulator [vault.IndexSize]byte

func (a *accumulator) toggle(k *vault.Keys, table string, key []byte, version int64) {
	h, err := k.Index("row", table, string(key), strconv.FormatInt(version, 10))
	if err != nil {
		return // locked: the caller's next Seal or Open fails with ErrLocked
	}
	subtle.XORBytes(a[:], a[:], h)
}

type querier interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// state is what every write reads and rewrites: the row summary and the
// patient identity, both sealed under the write's generation number, so
// neither can be put back to an older copy on its own.
type state struct {
	acc     *accumulator
	gen     int64
	patient []byte
}

func (d *DB) loadState(ctx context.Context, q querier, k *vault.Keys) (*state, error) {
	gen, err := d.metaInt(ctx, q, "generation")
	if err != nil {
		return nil, classify(err)
	}
	st := &state{acc: &accumulator{}, gen: gen}
	if gen == 0 {
		return st, nil
	}
	var sealed []byte
	if err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = 'rows'").Scan(&sealed); err != nil {
		return nil, classify(err)
	}
	plain, err := k.Open(d.ad(tableMeta, []byte("rows"), gen), sealed)
	if err != nil {
		return nil, fmt.Errorf("open row summary: %w", err)
	}
	copy(st.acc[:], plain)
	err = q.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = 'patient'").Scan(&sealed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, classify(err)
	default:
		if st.patient, err = k.Open(d.ad(tableMeta, []byte("patient"), gen), sealed); err != nil {
			return nil, fmt.Errorf("open patient identity: %w", err)
		}
	}
	return st, nil
}

// saveState writes st under the next generation.
func (d *DB) saveState(ctx context.Context, tx *sql.Tx, k *vault.Keys, st *state) error {
	gen := st.gen + 1
	sealed, err := k.Seal(d.ad(tableMeta, []byte("rows"), gen), st.acc[:])
	if err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, `INSERT INTO meta(name, value) VALUES ('rows', ?), ('generation', ?)
		ON CONFLICT(name) DO UPDATE SET value = excluded.value`, sealed, gen); err != nil {
		return classify(err)
	}
	if st.patient == nil {
		_, err = tx.ExecContext(ctx, "DELETE FROM meta WHERE name = 'patient'")
		return classify(err)
	}
	sealed, err = k.Seal(d.ad(tableMeta, []byte("patient"), gen), st.patient)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO meta(name, value) VALUES ('patient', ?)
		ON CONFLICT(name) DO UPDATE SET value = excluded.value`, sealed)
	return classify(err)
}

// allRecords opens every stored record inside tx; a row that fails to open
// fails the call (the caller is about to decide whose record this is).
func (d *DB) allRecords(ctx context.Context, tx *sql.Tx, k *vault.Keys) ([]Record, error) {
	rows, err := tx.QueryContext(ctx, "SELECT key, version, body FROM resources")
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var key, body []byte
		var version int64
		if err := rows.Scan(&key, &version, &body); err != nil {
			return nil, classify(err)
		}
		rec, err := d.openResource(k, key, version, body)
		if err != nil {
			return nil, &RecordError{Table: tableResources, Key: key, Err: err}
		}
		out = append(out, rec)
	}
	return out, classify(rows.Err())
}
