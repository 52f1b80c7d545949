package store

import (
	"context"
	"database/sql"

	"github.com/ward-health/ward/backend/vault"
)

// Saved is what a write leaves beside the records themselves.
type Saved struct {
	Source     Source // the source's row as saved; zero when there is none
	Found      bool   // whether there is a row for the source
	Patient    []byte // the vault's patient identity (nil before the first)
	Generation int64  // counts the vault's writes; see Contents.Generation
}

// SavedAfter reads what an import into source left beside its records, in
// one read transaction: the source's row, the patient identity and the
// write generation. A caller that keeps the contents in memory (package
// session) merges these with the records Batch.Changed told it about,
// instead of loading every row again, and reads the rules for a source's
// date and notices from here rather than repeating them. The generation
// tells it whether another writer (another Ward process on the same
// folder) got in between, when only a full Load will do.
func (d *DB) SavedAfter(ctx context.Context, k *vault.Keys, source string) (Saved, error) {
	tx, err := d.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Saved{}, classify(err)
	}
	defer tx.Rollback()
	st, err := d.loadState(ctx, tx, k)
	if err != nil {
		return Saved{}, err
	}
	key, err := k.Index("source", source)
	if err != nil {
		return Saved{}, err
	}
	src, found, err := d.readSource(ctx, tx, k, key)
	if err != nil {
		return Saved{}, err
	}
	return Saved{Source: src, Found: found, Patient: st.patient, Generation: st.gen}, nil
}
