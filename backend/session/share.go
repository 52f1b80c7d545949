package session

// Contents for a share: package share copies part of the open record into
// a sealed share, so it needs what the vault holds, not the built record.

import (
	"context"

	"github.com/ward-health/ward/backend/store"
)

// Contents returns the open vault's decrypted contents for the holder of
// tok, and counts as use for the idle timer, as Record does: ErrLocked or
// ErrNoVault when it is not open, ErrUnauthorised for a token that is not
// one of its sessions. If a Registry shed the view it is built again
// (currentView). The contents never change (an import publishes new ones),
// and callers must not change them.
func (m *Manager) Contents(ctx context.Context, tok string) (*store.Contents, error) {
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
		if v, err = m.viewFor(ctx, keys); err != nil {
			return nil, err
		}
	}
	if v.contents == nil {
		return &store.Contents{}, nil
	}
	return v.contents, nil
}
