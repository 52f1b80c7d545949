package shl

import (
	"context"
	"slices"
	"sync"
	"time"
)

// MemStore is an in-memory Store for tests and development. The zero value
// is not usable; call NewMemStore.
type MemStore struct {
	// Now is the clock for expiry; nil means time.Now.
	Now func() time.Time

	mu     sync.Mutex
	links  map[string]*memLink
	events map[string][]Event
}

type memLink struct {
	entry     Entry
	files     []File
	remaining int
	initial   int
	revoked   bool
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{links: map[string]*memLink{}, events: map[string][]Event{}}
}

// Put adds or replaces a link with the given lifetime budget of wrong
// passcodes (ignored when e.PasscodeHash is nil).
func (m *MemStore) Put(id string, e Entry, files []File, attempts int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.links[id] = &memLink{entry: e, files: slices.Clone(files), remaining: attempts, initial: attempts}
}

// Revoke makes the link stop resolving.
func (m *MemStore) Revoke(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l := m.links[id]; l != nil {
		l.revoked = true
	}
}

// Events returns the requests logged for id.
func (m *MemStore) Events(id string) []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events[id])
}

// Remaining returns the link's remaining passcode attempts.
func (m *MemStore) Remaining(id string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l := m.links[id]; l != nil {
		return l.remaining
	}
	return 0
}

func (m *MemStore) active(id string) (*memLink, bool) {
	l := m.links[id]
	if l == nil || l.revoked {
		return nil, false
	}
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	if !l.entry.Expires.IsZero() && !now.Before(l.entry.Expires) {
		return nil, false
	}
	if l.entry.PasscodeHash != nil && l.remaining <= 0 {
		return nil, false
	}
	return l, true
}

// Lookup implements Store.
func (m *MemStore) Lookup(_ context.Context, id string) (Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.active(id)
	if !ok {
		return Entry{}, ErrNotFound
	}
	e := l.entry
	e.RemainingAttempts = l.remaining
	return e, nil
}

// Attempt implements Store.
func (m *MemStore) Attempt(_ context.Context, id string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.active(id)
	if !ok || l.remaining <= 0 {
		return 0, ErrNotFound
	}
	l.remaining--
	return l.remaining, nil
}

// Refund implements Store.
func (m *MemStore) Refund(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l := m.links[id]; l != nil && l.remaining < l.initial {
		l.remaining++
	}
	return nil
}

// Files implements Store.
func (m *MemStore) Files(_ context.Context, id string) ([]File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.active(id)
	if !ok {
		return nil, ErrNotFound
	}
	return slices.Clone(l.files), nil
}

// Log implements Store.
func (m *MemStore) Log(_ context.Context, id string, ev Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events[id] = append(m.events[id], ev)
}
