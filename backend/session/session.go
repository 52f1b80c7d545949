// Package session holds a patient's vault while it is open: the keys, the
// decrypted view the pages read, the session tokens that may read it, and
// the idle timer that locks it again. Locking forgets all of those.
//
// It is the app's concurrency boundary. Pages read the record from many
// goroutines while an import or an unlock may take seconds, so the slow
// work (deriving keys, decrypting, building the view) is done outside the
// Manager's mutex and its result swapped in; the mutex is only ever held
// for a few pointer and map operations, and a read never waits for an
// import or an unlock.
package session

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// States a vault can be in, as the API reports them.
const (
	StateNone     = "none"     // no vault in the data folder
	StateLocked   = "locked"   // a vault, not open to this caller
	StateUnlocked = "unlocked" // open to this caller
)

// Errors the API maps to HTTP statuses.
var (
	ErrLocked       = errors.New("session: the record is locked")
	ErrUnauthorised = errors.New("session: not this session's record")
	ErrNoVault      = errors.New("session: no vault")
	// ErrLockedWhileOpening is ErrLocked from an unlock: a Lock came while
	// it was decrypting, and the lock wins.
	ErrLockedWhileOpening = fmt.Errorf("%w while it was opening", ErrLocked)
	// ErrWrongRecoveryKey comes with vault.ErrWrongSecret (or ErrNoSlot)
	// when the secret was a recovery key, so the words can say which.
	ErrWrongRecoveryKey = errors.New("session: wrong recovery key")
	// ErrWrongPasskey means a passkey's assertion or PRF output did not
	// open the vault (wrapping the cause, for the security log only).
	ErrWrongPasskey = errors.New("session: wrong passkey")
)

// Status is what the unlock page needs to know.
type Status struct {
	State           string `json:"state"`
	Demo            bool   `json:"demo"`
	AutoLockMinutes int    `json:"autoLockMinutes"`
	CanRecover      bool   `json:"canRecover"`
	// Passkeys is how many passkeys can unlock the vault (face or
	// fingerprint): the unlock page offers them when there are any.
	Passkeys int `json:"passkeys"`
	// Integrity is only told to a caller the vault is open to: whether
	// anything in it failed its checks when it was opened.
	Integrity *Integrity `json:"integrity,omitempty"`
}

// Integrity is what the checks at unlock found, for the page's banner:
// until now it was only seen by running `ward vault verify`.
type Integrity struct {
	// Failed counts stored rows that did not open: changed, moved or
	// copied from another vault outside Ward. The rest of the record is
	// still shown.
	Failed int `json:"failed"`
	// RolledBack means the rows do not add up to what Ward last wrote:
	// some were put back to older copies or removed (a restored backup of
	// part of the folder, say).
	RolledBack bool `json:"rolledBack"`
}

// Secret is what the person typed, a password or a recovery key, and
// where from.
type Secret struct {
	Password    []byte
	RecoveryKey string
	// From names the client (its address, as the API gives it): wrong
	// guesses are counted per client as well as for everyone, so that one
	// stranger's guesses make only that stranger wait.
	From string
}

// Manager is one vault, locked or open. It is safe for concurrent use.
type Manager struct {
	dir  string
	idle time.Duration
	now  func() time.Time
	demo bool

	setup   sync.Mutex    // one Create at a time
	imports chan struct{} // one Import at a time, so each merges onto the last

	mu sync.Mutex // guards everything below, never held for slow work
	db *store.DB  // nil when the folder has no vault
	// keys and view are set together when the vault opens and cleared
	// together when it locks. A published view is never changed. A
	// Registry may shed the view of an open vault to bound memory (keys
	// set, view nil); currentView builds it again from disk (shed.go).
	keys *vault.Keys
	view *view
	// gen moves whenever keys change or a new state of the record is
	// published. Work done outside mu notes gen before and compares after:
	// if it moved, something (most often a Lock) happened meanwhile and the
	// work is redone or thrown away. Shedding a view and rebuilding the
	// same record from disk do not move it (see shed.go).
	gen    uint64
	tokens map[[32]byte]*token // by the sha256 of each live token
	maxAge time.Duration       // a token's lifetime however much it is used
	timer  *time.Timer
	// demoViewed is the demo record's "last looked" time (viewed.go): the
	// demo has no vault to keep it in.
	demoViewed time.Time

	// afterLoad, if set (by tests), runs when an unlock has built its view
	// and before it takes mu to swap it in: the window a Lock must win.
	afterLoad func()

	// What a Registry needs (registry.go, shed.go). onView is set before
	// the Manager is shared; the rest is guarded by mu unless atomic.
	onView     func(*Manager) // told, without mu, of each new view
	noted      *view          // the view onView was last told of
	kept       Integrity      // what the shed view's checks found
	rebuilding chan struct{}  // closed when the running rebuild ends
	lastUse    atomic.Int64   // monoNow() at the last use, for the LRU
	// afterRebuild, if set (by tests), runs when a rebuild has built its
	// view and before it takes mu to swap it in.
	afterRebuild func()
}

func newManager(dir string, idle time.Duration) *Manager {
	return &Manager{dir: dir, idle: idle, now: time.Now, tokens: map[[32]byte]*token{}, maxAge: MaxSessionAge, imports: make(chan struct{}, 1)}
}

// Open opens the vault in dir, locked. A folder without a vault gives a
// Manager in state "none"; anything else wrong with the folder is an error.
func Open(dir string, idle time.Duration) (*Manager, error) {
	m := newManager(dir, idle)
	db, err := store.Open(dir)
	if errors.Is(err, store.ErrNoVault) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	m.db = db
	if n, err := db.AutoLockMinutes(context.Background()); err == nil && n > 0 {
		m.idle = time.Duration(n) * time.Minute // the patient's own choice wins
	}
	return m, nil
}

// Close locks and closes the vault.
func (m *Manager) Close() error {
	m.Lock()
	m.mu.Lock()
	db := m.db
	m.mu.Unlock()
	if db != nil {
		return db.Close()
	}
	return nil
}

// Status reports the vault's state as seen by the holder of tok.
func (m *Manager) Status(tok string) Status {
	passkeys := 0
	if !m.demo && m.database() != nil {
		if ps, err := m.Passkeys(context.Background()); err == nil {
			passkeys = len(ps)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Status{State: StateLocked, Demo: m.demo, AutoLockMinutes: int(math.Ceil(m.idle.Minutes())), CanRecover: !m.demo && m.db != nil, Passkeys: passkeys}
	switch {
	case m.db == nil && !m.demo:
		s.State = StateNone
	case m.keys != nil && m.valid(tok):
		s.State = StateUnlocked
		in := m.integrityLocked()
		s.Integrity = &in
	}
	return s
}

// Lock forgets the keys, the decrypted view and every session token. It
// wins over an unlock or import still running: their results are thrown
// away when they find gen has moved.
func (m *Manager) Lock() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lockLocked()
}

// LockFor is Lock asked for by the holder of tok (the Lock button). Only a
// session the vault is open to may lock it: without a live token nothing
// happens and the answer is ErrUnauthorised, so a stranger cannot close
// the owner's record. The demo is never locked.
func (m *Manager) LockFor(tok string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.demo {
		return nil
	}
	if m.keys == nil || !m.valid(tok) {
		return ErrUnauthorised
	}
	m.lockLocked()
	return nil
}

func (m *Manager) lockLocked() {
	if m.demo {
		return
	}
	if m.keys != nil {
		m.keys.Destroy()
	}
	m.keys, m.view, m.noted = nil, nil, nil
	m.gen++
	clear(m.tokens)
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
}

// touch restarts the idle timer; the caller holds mu. Every use and every
// newly published view comes through here, so it is also where a Registry
// hears of them (noteUse).
func (m *Manager) touch() {
	m.noteUse()
	if m.demo || m.idle <= 0 || m.keys == nil {
		return
	}
	if m.timer != nil {
		m.timer.Reset(m.idle)
		return
	}
	// A timer that fired just as it was stopped must not lock the next
	// session: it locks only if it is still the Manager's timer.
	var t *time.Timer
	t = time.AfterFunc(m.idle, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.timer == t {
			m.lockLocked()
		}
	})
	m.timer = t
}

// open checks that tok may read the open vault; the caller holds mu.
func (m *Manager) open(tok string) error {
	if m.keys == nil && !m.demo {
		if m.db == nil {
			return ErrNoVault
		}
		return ErrLocked
	}
	if !m.valid(tok) {
		// The page gets the same words for this as for a locked vault, so
		// a stranger cannot tell whether someone has it open.
		return ErrUnauthorised
	}
	return nil
}

// Record returns the open record for the holder of tok, and counts as use
// for the idle timer. The record never changes: an import publishes a new
// one, so callers may keep and read it without holding anything.
//
// If a Registry shed the view, the first Record after builds it again
// (outside mu, one build for all callers); a Lock meanwhile wins.
func (m *Manager) Record(tok string) (*records.Record, error) {
	m.mu.Lock()
	if err := m.open(tok); err != nil {
		m.mu.Unlock()
		return nil, err
	}
	m.use(tok)
	v, keys := m.view, m.keys
	m.mu.Unlock()
	if v == nil {
		var err error
		if v, err = m.viewFor(context.Background(), keys); err != nil {
			return nil, err
		}
	}
	return v.rec, nil
}

// Integrity reports rows that failed to open at unlock, and whether the
// vault looked rolled back.
func (m *Manager) Integrity() (failed int, rolledBack bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in := m.integrityLocked()
	return in.Failed, in.RolledBack
}
