package session

// When the patient last looked at their record's home page, for its "New
// since you last looked" markers. It says when someone used the record, so
// it is sealed in the vault like every other setting, never kept in the
// clear; the demo keeps it in memory.

import (
	"context"
	"fmt"
	"time"
)

const viewedSetting = "last_viewed"

// LastViewed is when the holder of tok last marked the record viewed;
// zero when never.
func (m *Manager) LastViewed(ctx context.Context, tok string) (time.Time, error) {
	m.mu.Lock()
	if err := m.open(tok); err != nil {
		m.mu.Unlock()
		return time.Time{}, err
	}
	db, keys, demo, viewed := m.db, m.keys, m.demo, m.demoViewed
	m.mu.Unlock()
	if demo {
		return viewed, nil
	}
	b, err := db.SealedSetting(ctx, keys, viewedSetting)
	if err != nil || b == nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, string(b))
	if err != nil {
		return time.Time{}, fmt.Errorf("read last viewed: %w", err)
	}
	return t, nil
}

// MarkViewed keeps now as the last time the record was viewed. It is not
// a security change (no fresh session needed), but it counts as use.
func (m *Manager) MarkViewed(ctx context.Context, tok string) error {
	m.mu.Lock()
	if err := m.open(tok); err != nil {
		m.mu.Unlock()
		return err
	}
	m.use(tok)
	now := m.now().UTC().Truncate(time.Second)
	if m.demo {
		m.demoViewed = now
		m.mu.Unlock()
		return nil
	}
	db, keys := m.db, m.keys
	m.mu.Unlock()
	// A lock meanwhile leaves the keys valid for this vault: the time is
	// kept, or the closed database says why not.
	if err := db.SetSealedSetting(ctx, keys, viewedSetting, []byte(now.Format(time.RFC3339))); err != nil {
		return fmt.Errorf("keep last viewed: %w", err)
	}
	return nil
}
