package cli

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
)

// Whoever runs the command line holds the vault's file, so the wait that
// strangers' guesses start on the page does not stop them: their commands
// open the vault, and "ward vault unlock-reset" ends the wait for the page.
func TestCommandLineOwnerIsNotLockedOut(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "vault")
	pw := writeFile(t, dir, "pw", "correct horse battery\n")
	if code, _, errs := ward(t, "vault", "init", "--data", data, "--password-file", pw); code != 0 {
		t.Fatalf("init: %s", errs)
	}
	ctx := context.Background()
	guess := func() error {
		m, err := session.Open(data, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		_, err = m.Unlock(ctx, session.Secret{Password: []byte("a stranger's guess")})
		return err
	}
	var err error
	for range 6 {
		err = guess()
	}
	if !errors.Is(err, store.ErrTooMany) {
		t.Fatalf("sixth guess on the page: %v, want a wait", err)
	}
	if code, out, errs := ward(t, "vault", "stats", "--data", data, "--password-file", pw); code != 0 || !strings.Contains(out, "0 records") {
		t.Fatalf("stats while the page waits: exit %d %s %s", code, out, errs)
	}
	if code, _, errs := ward(t, "vault", "unlock-reset", "--data", data); code != 0 {
		t.Fatalf("unlock-reset: exit %d %s", code, errs)
	}
	if err := guess(); errors.Is(err, store.ErrTooMany) {
		t.Fatalf("a guess after unlock-reset: %v", err)
	}
}
