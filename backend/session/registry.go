package session

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Errors from a Registry. Neither names the account.
var (
	ErrRegistryClosed = errors.New("session: registry closed")
	// ErrOtherFolder means an account's Manager is already open on a
	// different vault folder than the one asked for.
	ErrOtherFolder = errors.New("session: account open with another vault folder")
	// errForgotten is what an open still running gets when the account is
	// forgotten (or the registry closed) before it finished.
	errForgotten = errors.New("session: account forgotten while its vault opened")
)

// Defaults for RegistryOptions.
const (
	DefaultMaxViews       = 64
	DefaultMaxIdleHandles = 32
)

// handleGrace is how long after a Manager was last handed out or used a
// locked one is kept open whatever MaxIdleHandles says: a locked Manager
// may be in the middle of an unlock or a create (deriving the key, then
// loading), which closing its database would fail.
const handleGrace = time.Minute

// RegistryOptions configure a Registry.
type RegistryOptions struct {
	Idle     time.Duration // each Manager's idle lock time (0 = never)
	MaxViews int           // most decrypted views held at once across all Managers (0 = 64)
	// MaxIdleHandles is the most locked Managers kept open (SQLite
	// handles) beyond those in use (0 = 32, below 0 = none); the rest are
	// closed and dropped, reopened on demand.
	MaxIdleHandles int
	Now            func() time.Time // nil = time.Now
}

// RegistryStats is what a Registry holds now.
type RegistryStats struct {
	Managers int // held, open or locked
	Unlocked int // holding keys (someone is signed in)
	Views    int // holding a decrypted view
}

// Registry holds the Managers of a server's many patient accounts, one
// vault each, and bounds what they hold: at most MaxViews decrypted views
// (the least recently used are shed, keeping their keys and sessions, and
// built again on the next read) and at most MaxIdleHandles locked Managers
// left open (the least recently used are closed and dropped, and opened
// again when next asked for). It is safe for concurrent use.
//
// Reading a record takes nothing of the Registry's: a Manager stamps its
// last use in an atomic, and the Registry reads the stamps when it has to
// choose what to shed or close.
type Registry struct {
	idle     time.Duration
	maxViews int
	maxIdle  int
	now      func() time.Time
	grace    time.Duration // handleGrace; tests make it 0

	// Lock order: evict, then mu, then a Manager's mu. A Manager never
	// calls into the Registry holding its own mu.
	evict   sync.Mutex // one shedding or closing pass at a time
	mu      sync.Mutex
	closed  bool
	entries map[string]*entry
}

// entry is one account's place in the Registry. m and err are set, under
// the Registry's mu, before ready is closed.
type entry struct {
	dir    string
	ready  chan struct{}
	m      *Manager
	err    error
	handed atomic.Int64 // monoNow() when last handed out
}

// NewRegistry returns an empty Registry.
func NewRegistry(opt RegistryOptions) *Registry {
	r := &Registry{idle: opt.Idle, maxViews: opt.MaxViews, maxIdle: opt.MaxIdleHandles, now: opt.Now, grace: handleGrace, entries: map[string]*entry{}}
	if r.maxViews <= 0 {
		r.maxViews = DefaultMaxViews
	}
	switch {
	case r.maxIdle == 0:
		r.maxIdle = DefaultMaxIdleHandles
	case r.maxIdle < 0:
		r.maxIdle = 0
	}
	return r
}

// Manager returns the Manager for account id whose vault folder is dir,
// opening it (locked) on first use with Open(dir, idle). Two calls for one
// id return the same *Manager unless it was dropped (forgotten, or closed
// while locked and idle) in between; a call while another opens it waits
// for that open. Asking for an id with a different folder than the one it
// is open on is ErrOtherFolder.
func (r *Registry) Manager(id, dir string) (*Manager, error) {
	dir = filepath.Clean(dir)
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, ErrRegistryClosed
	}
	if e := r.entries[id]; e != nil {
		e.handed.Store(monoNow()) // under mu: a closing pass sees it (dropIdle)
		r.mu.Unlock()
		if e.dir != dir {
			return nil, ErrOtherFolder
		}
		<-e.ready
		return e.m, e.err
	}
	e := &entry{dir: dir, ready: make(chan struct{})}
	e.handed.Store(monoNow())
	r.entries[id] = e
	r.mu.Unlock()

	m, err := r.open(dir)
	r.mu.Lock()
	switch {
	case err != nil:
		e.err = err
		delete(r.entries, id) // the next call tries again
	case r.entries[id] != e: // forgotten, or the registry closed
		e.err = errForgotten
	default:
		e.m = m
	}
	close(e.ready)
	r.mu.Unlock()
	if e.m == nil {
		if m != nil {
			m.Close()
		}
		return nil, e.err
	}
	r.dropIdle(e)
	return m, nil
}

func (r *Registry) open(dir string) (*Manager, error) {
	m, err := Open(dir, r.idle)
	if err != nil {
		return nil, fmt.Errorf("session: open account vault: %w", err)
	}
	if r.now != nil {
		m.now = r.now
	}
	m.onView = r.viewed
	return m, nil
}

// Peek returns the Manager for id if the Registry holds it (opened), without
// opening it.
func (r *Registry) Peek(id string) (*Manager, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries[id]
	if e == nil {
		return nil, false
	}
	select {
	case <-e.ready:
	default:
		return nil, false // still opening
	}
	if e.m == nil {
		return nil, false
	}
	e.handed.Store(monoNow())
	return e.m, true
}

// Forget locks, closes and drops id's Manager (the account was disabled or
// deleted). An import running on it fails and rolls back; an open still
// running is waited for and closed.
func (r *Registry) Forget(id string) error {
	r.mu.Lock()
	e := r.entries[id]
	delete(r.entries, id)
	r.mu.Unlock()
	if e == nil {
		return nil
	}
	<-e.ready
	if e.m == nil {
		return nil // the open failed, or closed what it opened on seeing this
	}
	return e.m.Close()
}

// Close locks and closes every Manager; the Registry opens no more.
func (r *Registry) Close() error {
	r.mu.Lock()
	r.closed = true
	es := r.entries
	r.entries = map[string]*entry{}
	r.mu.Unlock()
	var errs []error
	for _, e := range es {
		<-e.ready
		if e.m != nil {
			if err := e.m.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Stats reports how many Managers are held, how many are unlocked and how
// many hold a decrypted view now.
func (r *Registry) Stats() RegistryStats {
	var s RegistryStats
	for _, h := range r.held() {
		m := h.e.m
		m.mu.Lock()
		s.Managers++
		if m.keys != nil {
			s.Unlocked++
		}
		if m.view != nil {
			s.Views++
		}
		m.mu.Unlock()
	}
	return s
}

// held is one opened entry as found by a pass.
type held struct {
	id   string
	e    *entry
	last int64 // the later of its last use and when it was last handed out
}

// held lists the opened entries.
func (r *Registry) held() []held {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]held, 0, len(r.entries))
	for id, e := range r.entries {
		if e.m != nil { // set under mu once opened
			out = append(out, held{id: id, e: e})
		}
	}
	return out
}

func (h *held) stamp() {
	h.last = max(h.e.m.lastUse.Load(), h.e.handed.Load())
}

func byLast(a, b held) int {
	switch {
	case a.last < b.last:
		return -1
	case a.last > b.last:
		return 1
	}
	return 0
}

// viewed is each Manager's onView: m installed a view (an unlock, a create,
// an import, a rebuild), so if more than maxViews Managers hold one now,
// the least recently used shed theirs. A Manager with an import running is
// passed over: its import is about to publish a view anyway, and shedding
// it would only make the patient's next read load the whole vault. So the
// bound can be exceeded while imports run; the next view after puts it
// right. Nor is m itself shed: its view is the one just wanted.
func (r *Registry) viewed(m *Manager) {
	r.evict.Lock()
	defer r.evict.Unlock()
	var holders []held
	for _, h := range r.held() {
		hm := h.e.m
		hm.mu.Lock()
		has := hm.view != nil && !hm.demo
		hm.mu.Unlock()
		if has {
			h.stamp()
			holders = append(holders, h)
		}
	}
	excess := len(holders) - r.maxViews
	if excess <= 0 {
		return
	}
	slices.SortFunc(holders, byLast)
	for _, h := range holders {
		if excess == 0 {
			break
		}
		if h.e.m == m || len(h.e.m.imports) > 0 {
			continue
		}
		if h.e.m.shed() {
			excess--
		}
	}
}

// dropIdle closes and drops the least recently used locked Managers beyond
// maxIdle. Only a Manager that is locked, has no import, create or rebuild
// running and was neither used nor handed out within the grace time is
// closed or counted: the others are in use. keep (the entry just opened,
// for the caller to use) is never closed.
func (r *Registry) dropIdle(keep *entry) {
	r.evict.Lock()
	defer r.evict.Unlock()
	now := monoNow()
	var idle []held
	for _, h := range r.held() {
		if h.stamp(); h.e != keep && r.closable(h, now) {
			idle = append(idle, h)
		}
	}
	excess := len(idle) - r.maxIdle
	if excess <= 0 {
		return
	}
	slices.SortFunc(idle, byLast)
	var closing []*Manager
	r.mu.Lock()
	for _, h := range idle[:excess] {
		// Again under mu, so no Manager call can hand it out meanwhile:
		// it stamps handed under mu.
		if h.stamp(); r.entries[h.id] == h.e && r.closable(h, now) {
			delete(r.entries, h.id)
			closing = append(closing, h.e.m)
		}
	}
	r.mu.Unlock()
	for _, m := range closing {
		m.Close() // a locked vault's handle: nothing to report about it
	}
}

// closable says whether h's Manager may be closed as idle.
func (r *Registry) closable(h held, now int64) bool {
	if time.Duration(now-h.last) < r.grace {
		return false
	}
	m := h.e.m
	m.mu.Lock()
	locked := m.keys == nil && !m.demo && m.rebuilding == nil
	m.mu.Unlock()
	if !locked || len(m.imports) > 0 {
		return false
	}
	if !m.setup.TryLock() { // a first-run Create is running
		return false
	}
	m.setup.Unlock()
	return true
}
