package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ward-health/ward/backend/vault"
)

// Guesses at a vault's secrets are throttled twice over. Each client (the
// address a guess came from) gets a few free guesses and then a growing
// wait, so one stranger slows down only themself; all clients together get
// far more before everyone waits, so that many addresses cannot guess
// freely either. Both counts are kept in the vault's meta table, so a
// restart does not reset them.
const (
	// freeAttempts is how many wrong secrets one client may try before
	// Ward starts making it wait.
	freeAttempts = 5
	// freeAttemptsAll is the same for all clients together: high enough
	// that one stranger cannot make the owner wait (at a guess an hour
	// once slowed down, reaching it alone takes days, and any unlock by
	// the owner starts it again), low enough to stop a crowd.
	freeAttemptsAll = 100
	// maxClients bounds what is remembered; past it the clients heard from
	// longest ago are forgotten. The count for everyone still holds.
	maxClients = 1000
	// maxClientLen bounds one client's name (an address is far shorter).
	maxClientLen = 64
	attemptsName = "unlock_attempts"
)

// Delay is how long one client waits after n consecutive wrong secrets:
// nothing for the first five, then 30 seconds doubling to at most an hour.
func Delay(n int64) time.Duration { return delay(n, freeAttempts) }

// DelayAll is the same for all clients together, after n wrong secrets
// from any of them since the vault last opened.
func DelayAll(n int64) time.Duration { return delay(n, freeAttemptsAll) }

func delay(n, free int64) time.Duration {
	if n < free {
		return 0
	}
	d := 30 * time.Second
	for i := free; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// WaitError says how long to wait before the next attempt.
type WaitError struct {
	Attempts int64
	Wait     time.Duration
	// Everyone is set when the wait is for all clients, after too many
	// wrong secrets from many of them together.
	Everyone bool
}

func (e *WaitError) Error() string {
	who := ""
	if e.Everyone {
		who = " from all clients"
	}
	return fmt.Sprintf("%d wrong attempts%s: wait %s before trying again", e.Attempts, who, e.Wait.Round(time.Second))
}

func (e *WaitError) Unwrap() error { return ErrTooMany }

// tally is consecutive wrong attempts and when the latest was made.
type tally struct {
	N  int64 `json:"n"`
	At int64 `json:"at"` // Unix seconds
}

func (t tally) wait(free int64, now time.Time) time.Duration {
	if t.N < free {
		return 0
	}
	return time.Unix(t.At, 0).Add(delay(t.N, free)).Sub(now)
}

// attempts is what the meta row holds, as JSON.
type attempts struct {
	All     tally            `json:"all"`
	Clients map[string]tally `json:"clients,omitempty"`
}

func clientName(c string) string {
	if len(c) > maxClientLen {
		return c[:maxClientLen]
	}
	return c
}

// check refuses a guess from client while it, or everyone, must wait.
func (a *attempts) check(client string, now time.Time) error {
	if w := a.Clients[client].wait(freeAttempts, now); w > 0 {
		return &WaitError{Attempts: a.Clients[client].N, Wait: w}
	}
	if w := a.All.wait(freeAttemptsAll, now); w > 0 {
		return &WaitError{Attempts: a.All.N, Wait: w, Everyone: true}
	}
	return nil
}

// count adds a guess from client, forgetting the clients heard from
// longest ago (never client itself) if there are too many.
func (a *attempts) count(client string, now time.Time) {
	t := a.Clients[client]
	t.N, t.At = t.N+1, now.Unix()
	a.Clients[client] = t
	a.All.N, a.All.At = a.All.N+1, now.Unix()
	if len(a.Clients) <= maxClients {
		return
	}
	names := make([]string, 0, len(a.Clients))
	for name := range a.Clients {
		if name != client {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, func(x, y string) int { return cmp.Compare(a.Clients[x].At, a.Clients[y].At) })
	for _, name := range names[:len(a.Clients)-maxClients] {
		delete(a.Clients, name)
	}
}

func readAttempts(ctx context.Context, tx *sql.Tx) (*attempts, error) {
	a := &attempts{}
	var b []byte
	err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = ?", attemptsName).Scan(&b)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, classify(err)
	default:
		if err := json.Unmarshal(b, a); err != nil {
			return nil, fmt.Errorf("read unlock attempts (\"ward vault unlock-reset\" clears them): %w", err)
		}
	}
	if a.Clients == nil {
		a.Clients = map[string]tally{}
	}
	return a, nil
}

func writeAttempts(ctx context.Context, tx *sql.Tx, a *attempts) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	// The single count of Wards before per-client counting goes with the
	// first write: the new counts replace it.
	if _, err := tx.ExecContext(ctx, "DELETE FROM meta WHERE name IN ('failed_attempts', 'failed_at')"); err != nil {
		return classify(err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO meta(name, value) VALUES (?, ?)
		ON CONFLICT(name) DO UPDATE SET value = excluded.value`, attemptsName, string(b))
	return classify(err)
}

// Unlock opens the vault with u, a guess from client (its address, as the
// API names it). The guess is counted before the key derivation runs and
// the count cleared only once it has opened the vault: a guess whose
// caller gives up half-way (a client that hangs up while Argon2id runs,
// cancelling ctx) stays counted. The counting is done with a context the
// caller cannot cancel, and if it cannot be written the guess is not tried
// or its keys are not returned.
func (d *DB) Unlock(ctx context.Context, u vault.Unwrapper, client string, now time.Time) (*vault.Keys, error) {
	return d.UnlockWith(ctx, client, now, func(slots []vault.Slot) (vault.Unwrapper, error) { return u, nil })
}

// UnlockWith is Unlock for a secret that must first be proven from the
// slots themselves: a passkey's assertion is checked against the public
// key in its slot before its PRF output is tried. prove runs after the
// guess is counted, so a failed proof (a bad signature, a replay) counts
// like a wrong password.
func (d *DB) UnlockWith(ctx context.Context, client string, now time.Time, prove func(slots []vault.Slot) (vault.Unwrapper, error)) (*vault.Keys, error) {
	ctx = context.WithoutCancel(ctx)
	client = clientName(client)
	var refused error
	err := d.inWrite(ctx, func(tx *sql.Tx) error {
		a, err := readAttempts(ctx, tx)
		if err != nil {
			return err
		}
		if refused = a.check(client, now); refused != nil {
			return refused
		}
		a.count(client, now)
		return writeAttempts(ctx, tx, a)
	})
	if refused != nil {
		return nil, refused
	}
	if err != nil {
		return nil, fmt.Errorf("count unlock attempt: %w", err)
	}
	slots, err := d.Slots(ctx)
	if err != nil {
		return nil, err
	}
	u, err := prove(slots)
	if err != nil {
		return nil, err
	}
	keys, err := d.unwrapSlots(slots, u)
	if err != nil {
		return nil, err
	}
	err = d.inWrite(ctx, func(tx *sql.Tx) error {
		a, err := readAttempts(ctx, tx)
		if err != nil {
			return err
		}
		delete(a.Clients, client)
		a.All = tally{}
		return writeAttempts(ctx, tx, a)
	})
	if err != nil {
		keys.Destroy()
		return nil, fmt.Errorf("clear unlock attempts: %w", err)
	}
	return keys, nil
}

// CheckAttempts says whether client may try a secret now (a *WaitError
// when not), without counting: asked before a passkey ceremony starts, so
// a client made to wait is not shown a challenge at all.
func (d *DB) CheckAttempts(ctx context.Context, client string, now time.Time) error {
	var refused error
	err := d.inWrite(ctx, func(tx *sql.Tx) error {
		a, err := readAttempts(ctx, tx)
		if err != nil {
			return err
		}
		refused = a.check(clientName(client), now)
		return nil
	})
	if err != nil {
		return err
	}
	return refused
}

// UnlockLocal opens the vault with u without counting: for those who hold
// the vault's file, who could copy it and guess at full speed anyway. That
// is the server opening the demo with its key file at start-up, and the
// command line. It also works on a read-only copy.
func (d *DB) UnlockLocal(ctx context.Context, u vault.Unwrapper) (*vault.Keys, error) {
	return d.unwrap(ctx, u)
}

// unwrap runs the key derivation, one at a time: each Argon2id takes 64 MiB,
// and guesses from many clients at once must not take memory without bound.
func (d *DB) unwrap(ctx context.Context, u vault.Unwrapper) (*vault.Keys, error) {
	slots, err := d.Slots(ctx)
	if err != nil {
		return nil, err
	}
	return d.unwrapSlots(slots, u)
}

func (d *DB) unwrapSlots(slots []vault.Slot, u vault.Unwrapper) (*vault.Keys, error) {
	d.kdf.Lock()
	defer d.kdf.Unlock()
	return vault.Unlock(d.vaultID, slots, u)
}

// ResetAttempts forgets every wrong attempt, from every client: the owner's
// way back in (ward vault unlock-reset) when strangers have made everyone
// wait.
func (d *DB) ResetAttempts(ctx context.Context) error {
	return d.inWrite(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM meta WHERE name IN (?, 'failed_attempts', 'failed_at')", attemptsName)
		return classify(err)
	})
}

// Tries is what a client may still try before Ward makes it wait: the
// unlock page warns before the last free try.
type Tries struct {
	// Left is how many more wrong secrets the client may try before one
	// makes it wait; 0 once every wrong secret does.
	Left int64
	// Wait is how long the wrong secret that brings the next wait will
	// make it wait.
	Wait time.Duration
}

// tries is Tries for client, from its own count only: the count for
// everyone would tell a stranger how much others have guessed.
func (a *attempts) tries(client string) Tries {
	n := a.Clients[client].N
	return Tries{Left: max(freeAttempts-n, 0), Wait: Delay(max(n+1, freeAttempts))}
}

// TriesLeft says, without counting anything, what client may still try
// before Ward makes it wait (after a wrong secret, for the unlock page's
// warning).
func (d *DB) TriesLeft(ctx context.Context, client string) (Tries, error) {
	var t Tries
	err := d.inWrite(ctx, func(tx *sql.Tx) error {
		a, err := readAttempts(ctx, tx)
		if err != nil {
			return err
		}
		t = a.tries(clientName(client))
		return nil
	})
	return t, err
}
