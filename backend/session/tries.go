package session

import (
	"context"

	"github.com/ward-health/ward/backend/store"
)

// TriesLeft says what the client from may still try before Ward makes it
// wait, without counting a try (store.DB.TriesLeft).
func (m *Manager) TriesLeft(ctx context.Context, from string) (store.Tries, error) {
	db := m.database()
	if db == nil {
		return store.Tries{}, ErrNoVault
	}
	return db.TriesLeft(ctx, from)
}
