package session

import (
	"bytes"
	"context"

	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// Import stores items from src for the holder of tok, in one transaction,
// then publishes a view with the new records.
//
// The vault is not read again afterwards: the records the import wrote
// (store.Batch.Changed) are merged into the open contents, with the
// source's row and the patient as saved (store.DB.SavedAfter), and the
// view is rebuilt from those outside mu, reusing what the last build
// decoded. So importing a few resources into a large record costs little,
// and pages keep reading the old view until the new one is swapped in.
func (m *Manager) Import(ctx context.Context, tok string, b store.Batch) (store.ImportResult, error) {
	select {
	case m.imports <- struct{}{}:
		defer func() { <-m.imports }()
	case <-ctx.Done():
		return store.ImportResult{}, store.ErrCancelled
	}
	m.mu.Lock()
	if err := m.open(tok); err != nil {
		m.mu.Unlock()
		return store.ImportResult{}, err
	}
	keys, db := m.keys, m.db
	m.use(tok)
	m.mu.Unlock()

	var ch change
	progress, changed := b.Progress, b.Changed
	// A long import is use: keep the idle timer from locking mid-way.
	// Locking meanwhile (the Lock button) destroys keys, which fails the
	// import and rolls it back.
	b.Progress = func(n int) {
		if n%1000 == 0 {
			m.mu.Lock()
			if m.keys == keys {
				m.use(tok)
			}
			m.mu.Unlock()
		}
		if progress != nil {
			progress(n)
		}
	}
	b.Changed = func(r store.Record) {
		// The items' bytes are the caller's; the view keeps its own.
		r.Raw = bytes.Clone(r.Raw)
		ch.records = append(ch.records, r)
		if changed != nil {
			changed(r)
		}
	}
	res, err := db.ImportBatch(ctx, keys, b)
	if err != nil {
		return res, err
	}
	// It is committed: the view follows even if the caller gives up now.
	ctx = context.WithoutCancel(ctx)
	if ch.saved, err = db.SavedAfter(ctx, keys, b.Source.Name); err != nil {
		return res, nil // locked meanwhile: the next unlock reads it from disk
	}
	m.publish(ctx, db, keys, &ch)
	return res, nil
}

// publish merges ch into the open view and swaps the result in. The merge
// and build run outside mu; if the view moved meanwhile (locked, or locked
// and opened again from disk) it starts again from the new one. Locked
// means nothing to do: the next unlock reads the import from disk.
//
// The merge is only right if the view was read just before this import:
// if the vault's write generation says another writer (another Ward
// process on the same folder) got in between, the view is read again in
// full instead; if the view already holds this import, nothing changes.
func (m *Manager) publish(ctx context.Context, db *store.DB, keys *vault.Keys, ch *change) {
	for {
		m.mu.Lock()
		base, gen := m.view, m.gen
		m.mu.Unlock()
		if base == nil {
			return
		}
		var next *view
		switch have := base.contents.Generation; {
		case have >= ch.saved.Generation:
			return
		case have == ch.saved.Generation-1:
			next = newView(ch.apply(base.contents), base.decoded)
		default:
			v, err := loadView(ctx, db, keys)
			if err != nil {
				return // locked meanwhile (keys destroyed)
			}
			next = v
		}
		m.mu.Lock()
		if m.gen == gen {
			m.view = next
			m.gen++
			m.touch()
			m.mu.Unlock()
			return
		}
		m.mu.Unlock()
	}
}

// change is what one committed import wrote.
type change struct {
	records []store.Record // added or replaced, in the order written
	saved   store.Saved    // the source row, patient and generation after it
}

type recordKey struct{ typ, id string }

// apply returns base with the change made, as db.Load would now read it:
// a written record replaces the one with the same source, type and id or
// is added; the source's row and the patient identity are as saved;
// everything else, and what the checks at unlock found, is kept. base is
// not modified.
func (ch *change) apply(base *store.Contents) *store.Contents {
	out := &store.Contents{Failed: base.Failed, RolledBack: base.RolledBack, Patient: ch.saved.Patient, Generation: ch.saved.Generation}
	name := ch.saved.Source.Name
	out.Sources = make([]store.Source, 0, len(base.Sources)+1)
	for _, s := range base.Sources {
		if s.Name != name {
			out.Sources = append(out.Sources, s)
		}
	}
	if ch.saved.Found {
		out.Sources = append(out.Sources, ch.saved.Source)
	}

	// The last write of a key wins (a file may hold a resource twice).
	last := make(map[recordKey]int, len(ch.records))
	for i, r := range ch.records {
		last[recordKey{r.Type, r.ID}] = i
	}
	placed := make([]bool, len(ch.records))
	out.Records = make([]store.Record, 0, len(base.Records)+len(ch.records))
	for _, r := range base.Records {
		if r.Source == name {
			if i, ok := last[recordKey{r.Type, r.ID}]; ok {
				r, placed[i] = ch.records[i], true
			}
		}
		out.Records = append(out.Records, r)
	}
	for i, r := range ch.records {
		if !placed[i] && last[recordKey{r.Type, r.ID}] == i {
			out.Records = append(out.Records, r)
		}
	}
	return out
}
