package session

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// view is one published state of an open vault: what was decrypted, the
// record built from it, and what the build decoded (for the next build to
// reuse). Nothing in a view is changed once the Manager holds it: readers
// hold it without locks, and an import builds a new one beside it.
type view struct {
	contents *store.Contents
	rec      *records.Record
	decoded  *records.Decoded
}

// loadView decrypts the whole vault and builds its view: the slow part of
// unlocking, done without holding the Manager's mutex.
func loadView(ctx context.Context, db *store.DB, keys *vault.Keys) (*view, error) {
	c, err := db.Load(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("load vault: %w", err)
	}
	return newView(c, nil), nil
}

// newView builds the record for c, reusing what prev decoded (nil for
// nothing) for resources whose bytes are the ones prev saw.
func newView(c *store.Contents, prev *records.Decoded) *view {
	rec, decoded := records.Rebuild(time.Now(), prev, sets(c)...)
	return &view{contents: c, rec: rec, decoded: decoded}
}

// integrity reads what the checks at unlock found; a nil view (locked)
// found nothing.
func (v *view) integrity() Integrity {
	if v == nil || v.contents == nil {
		return Integrity{}
	}
	return Integrity{Failed: len(v.contents.Failed), RolledBack: v.contents.RolledBack}
}

// sets groups the vault's records by the organisation they came from,
// sorted by name so the record reads the same after every load.
func sets(c *store.Contents) []records.Set {
	bySource := map[string]*records.Set{}
	var order []string
	for _, s := range c.Sources {
		bySource[s.Name] = &records.Set{Source: records.Source{Name: s.Name, LastUpdated: s.LastUpdated, Notices: s.Notices}}
		order = append(order, s.Name)
	}
	for _, r := range c.Records {
		set := bySource[r.Source]
		if set == nil { // its source row failed to open
			set = &records.Set{Source: records.Source{Name: r.Source}}
			bySource[r.Source] = set
			order = append(order, r.Source)
		}
		set.Resources = append(set.Resources, fhirResource(r))
	}
	sort.Strings(order)
	out := make([]records.Set, 0, len(order))
	for _, name := range order {
		out = append(out, *bySource[name])
	}
	return out
}
