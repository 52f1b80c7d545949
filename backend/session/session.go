// Package session holds a patient's vault while it is open: the keys, the
// decrypted view the pages read, the session tokens that may read it, and
// the idle timer that locks it again. Locking forgets all of those.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

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
)

// Status is what the unlock page needs to know.
type Status struct {
	State           string `json:"state"`
	Demo            bool   `json:"demo"`
	AutoLockMinutes int    `json:"autoLockMinutes"`
	CanRecover      bool   `json:"canRecover"`
}

// Secret is what the person typed: a password or a recovery key.
type Secret struct {
	Password    []byte
	RecoveryKey string
}

// Manager is one vault, locked or open. It is safe for concurrent use.
type Manager struct {
	dir  string
	db   *store.DB // nil when the folder has no vault
	idle time.Duration
	now  func() time.Time
	demo bool

	mu     sync.Mutex
	keys   *vault.Keys
	rec    *records.Record
	tokens map[[32]byte]bool // sha256 of each live token
	timer  *time.Timer
	loaded *store.Contents
}

// Open opens the vault in dir, locked. A folder without a vault gives a
// Manager in state "none"; anything else wrong with the folder is an error.
func Open(dir string, idle time.Duration) (*Manager, error) {
	m := &Manager{dir: dir, idle: idle, now: time.Now, tokens: map[[32]byte]bool{}}
	db, err := store.Open(dir)
	if errors.Is(err, store.ErrNoVault) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	m.db = db
	return m, nil
}

// ErrExists means a vault is already set up.
var ErrExists = errors.New("session: a vault already exists")

// MinPassword is the shortest password Ward accepts.
const MinPassword = 8

// ErrShortPassword means the new password is too short.
var ErrShortPassword = fmt.Errorf("session: password shorter than %d characters", MinPassword)

// Create sets up a new vault in the folder, protected by password and by a
// recovery key that is returned once (as text to show the person) and never
// stored. The new vault is open for the returned token.
func (m *Manager) Create(ctx context.Context, password []byte) (tok, recovery string, err error) {
	if utf8.RuneCount(password) < MinPassword {
		return "", "", ErrShortPassword
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.db != nil || m.demo {
		return "", "", ErrExists
	}
	rk, display := vault.NewRecoveryKey()
	defer rk.Destroy()
	db, keys, err := store.Create(m.dir, vault.NewPassword(password), rk)
	if err != nil {
		return "", "", err
	}
	m.db = db
	if err := m.load(ctx, keys); err != nil {
		keys.Destroy()
		return "", "", err
	}
	if tok, err = newToken(); err != nil {
		return "", "", err
	}
	m.tokens[hashToken(tok)] = true
	m.touch()
	return tok, display, nil
}

// Close locks and closes the vault.
func (m *Manager) Close() error {
	m.Lock()
	if m.db != nil {
		return m.db.Close()
	}
	return nil
}

func hashToken(tok string) [32]byte { return sha256.Sum256([]byte(tok)) }

// valid reports whether tok is a live session; the caller holds mu. Tokens
// are looked up by their SHA-256, so the comparison leaks nothing useful
// about a token through timing.
func (m *Manager) valid(tok string) bool {
	if m.demo {
		return true
	}
	return tok != "" && m.tokens[hashToken(tok)]
}

// Status reports the vault's state as seen by the holder of tok.
func (m *Manager) Status(tok string) Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Status{State: StateLocked, Demo: m.demo, AutoLockMinutes: int(math.Ceil(m.idle.Minutes())), CanRecover: !m.demo && m.db != nil}
	switch {
	case m.db == nil && !m.demo:
		s.State = StateNone
	case m.keys != nil && m.valid(tok):
		s.State = StateUnlocked
	}
	return s
}

// Unlock opens the vault with the secret and returns a new session token.
// If the vault is already open, the secret must still be right: a second
// browser gets its own token only by knowing the password.
func (m *Manager) Unlock(ctx context.Context, s Secret) (string, error) {
	if m.db == nil {
		return "", ErrNoVault
	}
	var u vault.Unwrapper
	if s.RecoveryKey != "" {
		rk, err := vault.ParseRecoveryKey(s.RecoveryKey)
		if err != nil {
			return "", err
		}
		defer rk.Destroy()
		u = rk
	} else {
		u = vault.NewPassword(s.Password)
	}
	keys, err := m.db.Unlock(ctx, u, m.now())
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		if err := m.load(ctx, keys); err != nil {
			keys.Destroy()
			return "", err
		}
	} else {
		keys.Destroy() // already open with an equal key
	}
	tok, err := newToken()
	if err != nil {
		return "", err
	}
	m.tokens[hashToken(tok)] = true
	m.touch()
	return tok, nil
}

// load decrypts the vault into the view; the caller holds mu.
func (m *Manager) load(ctx context.Context, keys *vault.Keys) error {
	c, err := m.db.Load(ctx, keys)
	if err != nil {
		return fmt.Errorf("load vault: %w", err)
	}
	m.keys, m.loaded, m.rec = keys, c, build(c)
	return nil
}

// build groups the vault's records by the organisation they came from.
func build(c *store.Contents) *records.Record {
	bySource := map[string]*records.Set{}
	var order []string
	for _, s := range c.Sources {
		bySource[s.Name] = &records.Set{Source: records.Source{Name: s.Name, LastUpdated: s.LastUpdated}}
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
	sets := make([]records.Set, 0, len(order))
	for _, name := range order {
		sets = append(sets, *bySource[name])
	}
	return records.Build(time.Now(), sets...)
}

// Lock forgets the keys, the decrypted view and every session token.
func (m *Manager) Lock() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lockLocked()
}

func (m *Manager) lockLocked() {
	if m.demo {
		return
	}
	if m.keys != nil {
		m.keys.Destroy()
	}
	m.keys, m.rec, m.loaded = nil, nil, nil
	clear(m.tokens)
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
}

// touch restarts the idle timer; the caller holds mu.
func (m *Manager) touch() {
	if m.demo || m.idle <= 0 {
		return
	}
	if m.timer == nil {
		m.timer = time.AfterFunc(m.idle, func() { m.Lock() })
		return
	}
	m.timer.Reset(m.idle)
}

// Record returns the open record for the holder of tok, and counts as use
// for the idle timer.
func (m *Manager) Record(tok string) (*records.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil && !m.demo {
		if m.db == nil {
			return nil, ErrNoVault
		}
		return nil, ErrLocked
	}
	if !m.valid(tok) {
		return nil, ErrUnauthorised
	}
	m.touch()
	return m.rec, nil
}

// Integrity reports rows that failed to open at unlock, and whether the
// vault looked rolled back.
func (m *Manager) Integrity() (failed int, rolledBack bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.loaded == nil {
		return 0, false
	}
	return len(m.loaded.Failed), m.loaded.RolledBack
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Import stores items from src for the holder of tok, in one transaction,
// then rebuilds the view so the pages show the new records.
func (m *Manager) Import(ctx context.Context, tok string, b store.Batch) (store.ImportResult, error) {
	m.mu.Lock()
	if m.keys == nil {
		m.mu.Unlock()
		if m.db == nil {
			return store.ImportResult{}, ErrNoVault
		}
		return store.ImportResult{}, ErrLocked
	}
	if !m.valid(tok) {
		m.mu.Unlock()
		return store.ImportResult{}, ErrUnauthorised
	}
	keys := m.keys
	m.touch()
	m.mu.Unlock()

	progress := b.Progress
	// A long import is use: keep the idle timer from locking mid-way.
	// Locking meanwhile (the Lock button) destroys keys, which fails the
	// import and rolls it back.
	report := func(n int) {
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
	b.Progress = report
	res, err := m.db.ImportBatch(ctx, keys, b)
	if err != nil {
		return res, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys != keys {
		return res, nil // locked while importing: nothing to rebuild
	}
	if err := m.load(ctx, keys); err != nil {
		return res, err
	}
	m.touch()
	return res, nil
}
