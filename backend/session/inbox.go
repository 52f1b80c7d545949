package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ward-health/ward/backend/inbox"
	"github.com/ward-health/ward/backend/intake"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// The inbox
//
// Files that arrive while the patient is signed out (an administrator's
// import, later a sync) are sealed to the vault's inbox recipient and filed
// in its inbox by Deliver, without any keys. At every unlock that opens the
// vault (password, recovery key, passkey, activation: all go through
// openWith) the inbox is merged before the view is built, so the patient
// sees the new records at once: each file is opened with the inbox
// identity, read by package intake exactly as an upload is, and imported in
// one transaction that also takes it out of the inbox (store.Batch.
// InboxIDs). A file that does not open, does not read or is refused (about
// someone else) stays in the inbox, is counted by InboxProblems, and is
// tried again at the next unlock: nothing is lost and the unlock is never
// held up by it. Files delivered while the vault is open wait for the next
// unlock that opens it.

// Deliver seals one file to the vault in dir and puts it in the vault's
// inbox. It needs no keys and works whether or not a Manager has the
// folder open. name is the file's name (only its last element is kept);
// body may hold at most inbox.MaxSize bytes (inbox.ErrTooLarge). A vault
// with no inbox identity (made before Ward had inboxes, and not unlocked
// since) gives store.ErrNoRecipient.
func Deliver(ctx context.Context, dir, name string, body io.Reader) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db, err := store.Open(dir)
	if err != nil {
		return err
	}
	defer db.Close()
	rcpt, err := db.Recipient(ctx)
	if err != nil {
		return err
	}
	var sealed bytes.Buffer
	if err := inbox.SealReader(rcpt, fileName(name), &ctxReader{ctx: ctx, r: body}, &sealed); err != nil {
		return fmt.Errorf("deliver %s: %w", name, err)
	}
	return db.PutInbox(ctx, sealed.Bytes())
}

// InboxCount says how many files wait in the inbox of the vault in dir.
func InboxCount(ctx context.Context, dir string) (int, error) {
	db, err := store.Open(dir)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return db.InboxCount(ctx)
}

// InboxProblems is how many files wait in the inbox because the last merge
// could not open, read or import them (0 when there is no vault).
func (m *Manager) InboxProblems() int {
	db := m.database()
	if db == nil {
		return 0
	}
	ids, err := db.InboxProblems(context.Background())
	if err != nil {
		return 0
	}
	return len(ids)
}

func fileName(name string) string {
	if b := filepath.Base(strings.ReplaceAll(name, "\\", "/")); b != "." && b != "/" {
		return b
	}
	return name
}

// ctxReader stops a long delivery when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// mergeInbox imports what waits in db's inbox with keys (just unwrapped,
// not yet installed), before the view is built. It runs outside mu, one
// merge or Import at a time (imports), and never fails the unlock: what it
// cannot merge stays in the inbox and is recorded for InboxProblems. A
// vault with no inbox identity gets one, so files can be delivered to it
// from now on.
func (m *Manager) mergeInbox(ctx context.Context, db *store.DB, keys *vault.Keys) {
	if _, err := db.Recipient(ctx); errors.Is(err, store.ErrNoRecipient) {
		if rcpt, ident, err := inbox.NewIdentity(); err == nil {
			db.AddIdentity(ctx, keys, rcpt, ident) // a read-only folder: try again next time
			clear(ident)
		}
		// A new identity (or another unlock's, just made): nothing
		// waits for it yet, or nothing this merge can see first.
		return
	}
	ids, err := db.InboxWaiting(ctx)
	if err != nil || len(ids) == 0 {
		return
	}
	select {
	case m.imports <- struct{}{}:
		defer func() { <-m.imports }()
	case <-ctx.Done():
		return
	}
	old, err := db.InboxProblems(ctx)
	if err != nil {
		old = nil
	}
	failed := map[int64]bool{}
	for _, id := range old {
		failed[id] = true
	}
	ident, idErr := db.Identity(ctx, keys)
	defer clear(ident)
	for _, id := range ids {
		err := idErr
		if err == nil {
			err = mergeFile(ctx, db, keys, ident, id)
		}
		if errors.Is(err, store.ErrNoInboxFile) { // merged meanwhile by another process
			delete(failed, id)
			continue
		}
		if ctx.Err() != nil || errors.Is(err, store.ErrCancelled) || errors.Is(err, vault.ErrLocked) {
			break // not the file's fault: it waits, as it was, for the next unlock
		}
		if err != nil {
			failed[id] = true
		} else {
			delete(failed, id)
		}
	}
	now := make([]int64, 0, len(failed))
	for id := range failed {
		now = append(now, id)
	}
	slices.Sort(now)
	if !slices.Equal(now, old) {
		db.SetInboxProblems(context.WithoutCancel(ctx), now)
	}
}

// mergeFile opens, reads and imports one inbox file, taking it out of the
// inbox in the import's transaction. The whole file must open (every age
// chunk authenticated) before anything of it is stored.
func mergeFile(ctx context.Context, db *store.DB, keys *vault.Keys, ident []byte, id int64) error {
	it, err := db.InboxFile(ctx, id)
	if err != nil {
		return err
	}
	name, r, err := inbox.Open(ident, bytes.NewReader(it.Sealed))
	if err != nil {
		return err
	}
	f, err := intake.ReadContext(ctx, r, name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	if f.Empty() {
		return db.DeleteInbox(ctx, id)
	}
	b := f.Batch(intake.Options{})
	b.InboxIDs = []int64{id}
	_, err = db.ImportBatch(ctx, keys, b)
	return err
}
