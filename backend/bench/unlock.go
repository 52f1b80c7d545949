package bench

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// unlock times each way into the vault, and opening the record after it.
func unlock(ctx context.Context, dir string, password []byte, pk passkey) (Unlock, error) {
	var u Unlock
	db, err := store.Open(dir)
	if err != nil {
		return u, err
	}
	defer db.Close()
	// Argon2id at the real defaults: the median of three. Each unlock is
	// counted and cleared as the page's are, so the time includes that.
	var ds []time.Duration
	for range 3 {
		t := time.Now()
		keys, err := db.Unlock(ctx, vault.NewPassword(password), "bench", time.Now())
		ds = append(ds, time.Since(t))
		if err != nil {
			return u, fmt.Errorf("password unlock: %w", err)
		}
		keys.Destroy()
	}
	u.PasswordMS = pct(ds, 0.5)

	// A passkey unwrap takes microseconds: the median of a few.
	var keys *vault.Keys
	ds = ds[:0]
	for range 15 {
		prf, err := pk.unwrapper()
		if err != nil {
			return u, err
		}
		t := time.Now()
		k, err := db.Unlock(ctx, prf, "bench", time.Now())
		ds = append(ds, time.Since(t))
		if err != nil {
			return u, fmt.Errorf("passkey unlock: %w", err)
		}
		if keys != nil {
			keys.Destroy()
		}
		keys = k
	}
	defer keys.Destroy()
	u.PRFMS = pct(ds, 0.5)

	t := time.Now()
	c, err := db.Load(ctx, keys)
	if err != nil {
		return u, err
	}
	u.LoadMS = ms(time.Since(t))
	if len(c.Failed) > 0 || c.RolledBack {
		return u, fmt.Errorf("load: %d rows failed to open, rolled back %v", len(c.Failed), c.RolledBack)
	}
	t = time.Now()
	// As package session does: the resources grouped by source.
	sets := map[string]*records.Set{}
	for _, s := range c.Sources {
		sets[s.Name] = &records.Set{Source: records.Source{Name: s.Name, LastUpdated: s.LastUpdated}}
	}
	for _, r := range c.Records {
		if set := sets[r.Source]; set != nil {
			set.Resources = append(set.Resources, fhir.Resource{Type: r.Type, ID: r.ID, Raw: r.Raw})
		}
	}
	var list []records.Set
	for _, name := range slices.Sorted(maps.Keys(sets)) {
		list = append(list, *sets[name])
	}
	rec := records.Build(time.Now(), list...)
	u.BuildMS = ms(time.Since(t))
	u.OpenMS = u.LoadMS + u.BuildMS
	if rec.Summary().Patient == nil {
		return u, errors.New("the record has no patient after unlock")
	}
	return u, nil
}
