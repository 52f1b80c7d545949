package session

// Where this vault publishes shares: a Ward on the patient's own computer
// has no mail server and is not reachable by clinicians, so it seals a
// share here and publishes it to a Ward server the patient has an account
// on (package share, Prepare and Publish). The server's address and the
// publishing key it gave are kept sealed in the vault.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

const publishSetting = "publish"

// PublishTarget is the Ward server this vault publishes shares to.
type PublishTarget struct {
	// Server is the server's address ("https://ward.example.org").
	Server string `json:"server"`
	// Key is the publishing key the patient made there.
	Key string `json:"key"`
	// Organisation is who runs the server, as it said when the key was
	// checked.
	Organisation string `json:"organisation"`
}

// PublishTarget gives the open vault's publishing target for the holder
// of tok, nil when none is set.
func (m *Manager) PublishTarget(ctx context.Context, tok string) (*PublishTarget, error) {
	m.mu.Lock()
	if err := m.open(tok); err != nil {
		m.mu.Unlock()
		return nil, err
	}
	m.use(tok)
	db, keys, demo := m.db, m.keys, m.demo
	m.mu.Unlock()
	if demo {
		return nil, nil // the demo record publishes nowhere
	}
	b, err := db.SealedSetting(ctx, keys, publishSetting)
	if err != nil || b == nil {
		return nil, err
	}
	defer clear(b)
	var t PublishTarget
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("read publishing target: %w", err)
	}
	return &t, nil
}

// SetPublishTarget keeps t (nil: forgets the target). Like every security
// change it needs a fresh session (Confirm).
func (m *Manager) SetPublishTarget(ctx context.Context, tok string, t *PublishTarget) error {
	var b []byte
	if t != nil {
		var err error
		if b, err = json.Marshal(t); err != nil {
			return err
		}
		defer clear(b)
	}
	return m.change(tok, func(keys *vault.Keys, db *store.DB) error {
		return db.SetSealedSetting(ctx, keys, publishSetting, b)
	})
}
