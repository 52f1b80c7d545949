package session

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"
)

// MaxSessionAge is how long a session token lives however much it is used,
// so a token copied from a page left open is not good for ever.
const MaxSessionAge = 12 * time.Hour

// token is one live session: when it was issued and last used.
type token struct {
	issued, used time.Time
	// fresh is when its holder last proved who they are (the unlock, or a
	// confirmation since): changes to how the record is protected need it
	// within FreshFor.
	fresh time.Time
}

func hashToken(tok string) [32]byte { return sha256.Sum256([]byte(tok)) }

// valid reports whether tok is a live session; the caller holds mu. Tokens
// are looked up by their SHA-256, so the comparison leaks nothing useful
// about a token through timing.
//
// A token unused for the vault's idle time (--lock-after), or older than
// maxAge, is forgotten, even while other sessions keep the vault open. When
// the last one goes the vault locks: it is open to no one.
func (m *Manager) valid(tok string) bool {
	if m.demo {
		return true
	}
	if tok == "" {
		return false
	}
	h := hashToken(tok)
	t := m.tokens[h]
	if t == nil {
		return false
	}
	now := m.now()
	if now.Sub(t.issued) < m.maxAge && (m.idle <= 0 || now.Sub(t.used) < m.idle) {
		return true
	}
	delete(m.tokens, h)
	if len(m.tokens) == 0 {
		m.lockLocked()
	}
	return false
}

// use counts a request with tok as use: the token's idle time and the
// vault's idle timer start again. The caller holds mu and has checked tok.
func (m *Manager) use(tok string) {
	if t := m.tokens[hashToken(tok)]; t != nil {
		t.used = m.now()
	}
	m.touch()
}

// issue adds a new session token; the caller holds mu.
func (m *Manager) issue() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	now := m.now()
	m.tokens[hashToken(tok)] = &token{issued: now, used: now, fresh: now}
	m.touch()
	return tok, nil
}

// Revoke forgets one session token (a sign-out in one browser, or a
// half-finished sign-in that never finished). When it was the last, the
// vault locks: it is open to no one.
func (m *Manager) Revoke(tok string) {
	if tok == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	h := hashToken(tok)
	if _, ok := m.tokens[h]; !ok {
		return
	}
	delete(m.tokens, h)
	if len(m.tokens) == 0 {
		m.lockLocked()
	}
}

// Holds reports whether tok is a live session of the open vault, without
// counting as use.
func (m *Manager) Holds(tok string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.keys != nil && !m.demo && m.valid(tok)
}

// Fresh reports whether the holder of tok proved who they are within
// FreshFor: ErrUnauthorised or ErrNotFresh when not.
func (m *Manager) Fresh(tok string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err := m.freshLocked(tok)
	return err
}
