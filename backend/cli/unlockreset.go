package cli

import (
	"context"
	"fmt"

	"github.com/ward-health/ward/backend/store"
)

// vaultUnlockReset forgets every wrong attempt counted against the page's
// unlocks, so it takes passwords again at once. It asks for no secret: it
// changes nothing secret, and whoever can run it on this folder can edit
// the file anyway.
func vaultUnlockReset(ctx context.Context, args []string, env Env) error {
	fs := newFlags("vault unlock-reset")
	data := fs.String("data", defaultDataDir(), "folder holding the vault")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(*data)
	if err != nil {
		return plain(err)
	}
	defer db.Close()
	if err := db.ResetAttempts(ctx); err != nil {
		return plain(err)
	}
	fmt.Fprintln(env.Stderr, "ward: wrong unlock attempts forgotten; the app takes passwords again now")
	return nil
}
