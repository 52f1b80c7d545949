package session

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/ward-health/ward/backend/store"
)

// Import stores items from src for the holder of tok, in one transaction,
// then publishes a view with the new records.
//
// The vault is not read again afterwards: the records the import wrote
// (store.Batch.Changed) are merged into the open contents, and the view is
// rebuilt from those outside mu, reusing what the last build decoded, so
// importing a few resources into a large record costs little and pages
// keep reading the old view until the new one is swapped in.
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
	m.touch()
	m.mu.Unlock()

	var ch change
	ch.source = b.Source
	progress, changed, patient := b.Progress, b.Changed, b.Patient
	// A long import is use: keep the idle timer from locking mid-way.
	// Locking meanwhile (the Lock button) destroys keys, which fails the
	// import and rolls it back.
	b.Progress = func(n int) {
		if n%1000 == 0 {
			m.mu.Lock()
			if m.keys == keys {
				m.touch()
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
	if patient != nil {
		b.Patient = func(cur []byte) ([]byte, error) {
			p, err := patient(cur)
			ch.patient, ch.hasPatient = bytes.Clone(p), err == nil
			return p, err
		}
	}
	res, err := db.ImportBatch(ctx, keys, b)
	if err != nil {
		return res, err
	}
	ch.res = res
	m.publish(&ch)
	return res, nil
}

// publish merges ch into the open view and swaps the result in. The merge
// and build run outside mu; if the view moved meanwhile (locked, or locked
// and opened again from disk) the merge is redone on the new one, which is
// harmless because merging the same records twice gives the same contents.
// Locked means nothing to do: the next unlock reads the import from disk.
func (m *Manager) publish(ch *change) {
	for {
		m.mu.Lock()
		base, gen := m.view, m.gen
		m.mu.Unlock()
		if base == nil {
			return
		}
		next := newView(ch.apply(base.contents), base.decoded)
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
	source     store.Source // as the batch named it
	res        store.ImportResult
	records    []store.Record // added or replaced, in the order written
	patient    []byte         // the identity saved, when hasPatient
	hasPatient bool
}

type recordKey struct{ typ, id string }

// apply returns base with the change made, as db.Load would now read it:
// a written record replaces the one with the same source, type and id or
// is added; everything else, and what the checks at unlock found, is kept.
// base is not modified.
func (ch *change) apply(base *store.Contents) *store.Contents {
	out := &store.Contents{Failed: base.Failed, RolledBack: base.RolledBack, Patient: base.Patient}
	if ch.hasPatient {
		out.Patient = ch.patient
	}
	out.Sources = make([]store.Source, 0, len(base.Sources)+1)
	found := false
	for _, s := range base.Sources {
		if s.Name == ch.source.Name {
			found = true
			s = ch.sourceAfter(s)
		}
		out.Sources = append(out.Sources, s)
	}
	if !found {
		out.Sources = append(out.Sources, ch.sourceAfter(store.Source{}))
	}

	// The last write of a key wins (a file may hold a resource twice).
	last := make(map[recordKey]int, len(ch.records))
	for i, r := range ch.records {
		last[recordKey{r.Type, r.ID}] = i
	}
	placed := make([]bool, len(ch.records))
	out.Records = make([]store.Record, 0, len(base.Records)+len(ch.records))
	for _, r := range base.Records {
		if r.Source == ch.source.Name {
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

// sourceAfter is the source row as the import left it (see
// store.DB.ImportBatch): a file that brought nothing new leaves a known
// source alone; otherwise the batch's source is saved, keeping the old
// notices when the file had none. old is zero when the source is new.
func (ch *change) sourceAfter(old store.Source) store.Source {
	if old.Name != "" && !ch.res.New() {
		return old
	}
	s := ch.source
	if old.Name != "" && s.Notices == nil {
		s.Notices = old.Notices
	}
	// Read back as the store wrote it (JSON), so the time is the one a
	// later unlock would show.
	if b, err := json.Marshal(s); err == nil {
		var back store.Source
		if json.Unmarshal(b, &back) == nil {
			s = back
		}
	}
	return s
}
