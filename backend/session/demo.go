package session

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/intake"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// OpenDemo keeps the demo record in its own vault under dir/demo, wrapped by
// the server's key-encryption key (as every patient's vault is on a server),
// brings it up to date with rs (dropping anything imported into it since),
// and opens it for everyone: the demo needs no password.
func OpenDemo(ctx context.Context, dir string, kek *vault.KEK, source store.Source, rs []fhir.Resource) (*Manager, error) {
	vdir := filepath.Join(dir, "demo")
	db, err := store.Open(vdir)
	var keys *vault.Keys
	switch {
	case err == nil:
		// The server's own key is not a guess: strangers' wrong passwords
		// must not stop the demo starting.
		keys, err = db.UnlockLocal(ctx, kek)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open demo vault (was the server key file replaced?): %w", err)
		}
	case errorIs(err, store.ErrNoVault):
		db, keys, err = store.Create(vdir, kek)
		if err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	// The demo comes in through the same intake as any file, so its patient
	// is the demo vault's patient and a stranger's file is refused there too.
	f := intake.FromResources(source.Name, source.Name, rs)
	b := f.Batch(intake.Options{Source: source.Name, Now: func() time.Time { return source.LastUpdated }})
	if _, err := db.ImportBatch(ctx, keys, b); err != nil {
		keys.Destroy()
		db.Close()
		return nil, fmt.Errorf("import demo record: %w", err)
	}
	// The demo starts afresh each time: files imported into it last time
	// (by someone trying Ward out) are removed.
	c, err := db.Load(ctx, keys)
	if err != nil {
		keys.Destroy()
		db.Close()
		return nil, err
	}
	for _, s := range c.Sources {
		if s.Name == source.Name {
			continue
		}
		if err := db.DeleteSource(ctx, keys, s.Name); err != nil {
			keys.Destroy()
			db.Close()
			return nil, fmt.Errorf("reset demo record: %w", err)
		}
	}
	v, err := loadView(ctx, db, keys)
	if err != nil {
		keys.Destroy()
		db.Close()
		return nil, err
	}
	m := newManager(vdir, 0)
	m.db, m.demo = db, true
	m.install(keys, v)
	return m, nil
}
