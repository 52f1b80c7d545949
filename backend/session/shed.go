package session

import (
	"context"
	"time"

	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// Shedding a view.
//
// A server holds many patients' vaults (Registry), and a decrypted view is
// the whole record in memory. To bound them, the Registry sheds the least
// recently used views: the view goes, the keys and the session tokens
// stay, so the patient is still signed in and the next read builds the
// view again from disk (currentView).
//
// A shed is not a lock, and it does not move gen. gen tells work done
// outside mu that the vault was locked, or a new state of the record was
// published, while it ran: an unlock throws its keys away, an import's
// publish merges again, and a security change (Manager.change) reports
// ErrLockedWhileOpening. None of that is right for a shed. The record has
// not changed, only where it is kept; an import in flight either sees the
// view it started from still in place and publishes onto it as usual, or
// sees no view and leaves the import to be read from disk by the rebuild,
// which catches up with imports committed while it loaded (catchUp). The
// rebuild does not move gen either: it publishes the record as it is on
// disk, the state every other piece of work already assumes.

// epoch is where monoNow counts from: a monotonic clock, cheap to read,
// unaffected by the wall clock or a Registry's Now.
var epoch = time.Now()

func monoNow() int64 { return int64(time.Since(epoch)) }

// noteUse records a use for the Registry's LRU and tells it of a view it
// has not yet been told of (an unlock, a create or an import published
// one); the caller holds mu. touch calls it, and every use and every newly
// published view goes through touch. The Registry is told in a goroutine
// of its own, since it must not be called with mu held: its bound on
// views therefore holds a moment after a new view appears, not at once.
func (m *Manager) noteUse() {
	m.lastUse.Store(monoNow())
	if m.view == m.noted {
		return
	}
	m.noted = m.view
	if m.view != nil && m.onView != nil {
		go m.onView(m)
	}
}

// integrityLocked is what the checks at the last load found, whether the
// view is held or was shed; the caller holds mu.
func (m *Manager) integrityLocked() Integrity {
	switch {
	case m.view != nil:
		return m.view.integrity()
	case m.keys != nil:
		return m.kept
	}
	return Integrity{}
}

// shed drops the decrypted view of an open vault, keeping its keys and
// tokens; it reports whether there was a view to drop. The demo is never
// shed. See the comment at the top of this file for why gen stays.
func (m *Manager) shed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.demo || m.keys == nil || m.view == nil {
		return false
	}
	m.kept = m.view.integrity() // Status still tells the banner without a rebuild
	m.view, m.noted = nil, nil
	return true
}

// currentView returns the open vault's view, building it again from disk
// if it was shed. The caller must not hold mu; it has checked any token.
//
// The build runs outside mu, and one caller builds while the others wait
// for it (or for ctx). A Lock before the view is ready wins: the build is
// thrown away and the answer is ErrLocked, also to the waiters, even if
// the vault was opened again meanwhile (that is another session's view).
// A locked vault gives ErrLocked, a folder without one ErrNoVault.
//
// Code that reads m.view outside this file and may run on a Manager a
// Registry holds should call this instead of dereferencing m.view.
func (m *Manager) currentView(ctx context.Context) (*view, error) {
	m.mu.Lock()
	keys := m.keys
	m.mu.Unlock()
	return m.viewFor(ctx, keys)
}

// viewFor is currentView for the vault as open with keys (which the caller
// saw under mu when it checked the token): if they are gone, it was locked.
func (m *Manager) viewFor(ctx context.Context, keys *vault.Keys) (*view, error) {
	for {
		m.mu.Lock()
		if m.keys != keys || (keys == nil && !m.demo) {
			err := ErrLocked
			if m.db == nil && !m.demo {
				err = ErrNoVault
			}
			m.mu.Unlock()
			return nil, err
		}
		if v := m.view; v != nil {
			m.mu.Unlock()
			return v, nil
		}
		if ch := m.rebuilding; ch != nil {
			m.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		ch := make(chan struct{})
		m.rebuilding = ch
		db, gen := m.db, m.gen
		m.mu.Unlock()

		v, err := loadView(ctx, db, keys)
		if m.afterRebuild != nil {
			m.afterRebuild()
		}
		m.mu.Lock()
		m.rebuilding = nil
		close(ch)
		installed := err == nil && m.gen == gen && m.keys == keys && m.view == nil
		if installed {
			m.view, m.noted = v, v
		}
		stillOpen := m.keys == keys
		onView := m.onView
		m.mu.Unlock()
		switch {
		case installed:
			v = m.catchUp(ctx, db, keys, v)
			if onView != nil {
				onView(m)
			}
			return v, nil
		case err != nil && stillOpen:
			return nil, err
		}
		// Locked meanwhile (the next turn says so), or another view came
		// first: go round again.
	}
}

// catchUp makes sure the view v just rebuilt from disk has every import
// committed while it loaded. Such an import's publish found no view and
// left its records to be read from disk; if it committed after the load
// read the vault, they are not in v. So the vault's write generation is
// read once more (cheap: a few small rows), and if it is ahead of v's the
// view is read again and swapped in, unless the view moved meanwhile (an
// import published onto v, or a Lock). Imports that commit after v is in
// place publish onto it as usual. It returns the view now held, or v.
func (m *Manager) catchUp(ctx context.Context, db *store.DB, keys *vault.Keys, v *view) *view {
	for range 3 { // another process writing without pause must not keep this going
		saved, err := db.SavedAfter(ctx, keys, "")
		if err != nil || saved.Generation <= v.contents.Generation {
			return v
		}
		next, err := loadView(ctx, db, keys)
		if err != nil {
			return v
		}
		m.mu.Lock()
		if m.view != v || m.keys != keys {
			m.mu.Unlock()
			return v
		}
		m.view, m.noted = next, next
		m.mu.Unlock()
		v = next
	}
	return v
}
