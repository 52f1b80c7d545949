package intake

import (
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/ward-health/ward/backend/identity"
	"github.com/ward-health/ward/backend/store"
)

// Options are what the person importing said.
type Options struct {
	Source     string // the organisation, when they named it
	SamePerson bool   // "yes, this file is about me" after Ward was unsure
	Progress   func(done int)
	Now        func() time.Time
}

// Result is what an import did, with what the file said about itself.
type Result struct {
	store.ImportResult
	Source string `json:"source"`
	// NothingNew: every record was already here (or the file was a search
	// with no matches); the source's dates did not move.
	NothingNew bool     `json:"nothingNew"`
	Notices    []string `json:"notices"`
	Repeats    []string `json:"repeats"`
	// Unreadable are records stored but not shown, each with why.
	Unreadable []string `json:"unreadable"`
}

// Batch is the file as one store transaction: its records under the
// source SourceName decides, after the patient check. The check runs
// inside the transaction, before anything is written, so a file about
// someone else changes nothing.
func (f *File) Batch(opt Options) store.Batch {
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	src := store.Source{Name: SourceName(opt.Source, f), LastUpdated: now().UTC(), Notices: f.Notices}
	items := func(yield func(store.Item, error) bool) {
		for _, r := range f.Resources {
			if !yield(store.Item{Type: r.Type, ID: r.ID, Raw: r.Raw}, nil) {
				return
			}
		}
	}
	return store.Batch{
		Source:   src,
		Items:    iter.Seq2[store.Item, error](items),
		Progress: opt.Progress,
		Patient:  func(cur []byte) ([]byte, error) { return f.decide(cur, opt.SamePerson) },
		Seed:     seed,
	}
}

// seed is the patient of a vault made before Ward saved one: the Patients
// already stored in it (they were imported before files were checked, so
// several different people refuse the import with both named).
func seed(stored []store.Record) ([]byte, error) {
	var found []identity.Found
	for _, r := range stored {
		if r.Type == "Patient" {
			if p, links, err := identity.FromPatient(r.Raw); err == nil {
				found = append(found, identity.Found{Person: p, Links: links})
			}
		}
	}
	p, err := identity.Decide(identity.Person{}, found, false)
	if err != nil || !p.Known() && len(p.Refs) == 0 {
		return nil, err
	}
	return json.Marshal(p)
}

// decide checks the file's people against the vault's.
func (f *File) decide(cur []byte, sure bool) ([]byte, error) {
	var vault identity.Person
	if cur != nil {
		if err := json.Unmarshal(cur, &vault); err != nil {
			return nil, fmt.Errorf("read the record's patient: %w", err)
		}
	}
	p, err := identity.Decide(vault, f.People, sure)
	if err != nil {
		return nil, err
	}
	if cur == nil && !p.Known() && len(p.Refs) == 0 {
		return nil, nil
	}
	return json.Marshal(p)
}

// Result completes a store result with what the file said about itself.
func (f *File) Result(res store.ImportResult, source string) Result {
	return Result{
		ImportResult: res, Source: source,
		NothingNew: !res.New(),
		Notices:    nonNil(f.Notices), Repeats: nonNil(f.Repeats), Unreadable: nonNil(f.Problems()),
	}
}

// Empty reports whether the file holds nothing to store or say (a search
// with no matches and no warnings): importing it is "nothing new", never an
// error, and touches nothing. An empty search that warns (Epic's "may not
// contain the entire record") still imports, to keep the warning.
func (f *File) Empty() bool { return len(f.Resources) == 0 && len(f.Notices) == 0 }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
