package store

import (
	"testing"
	"time"
)

// After each wrong password, how many more a client may try before a
// wait, and how long that wait is: the count is its own, not others'.
func TestTriesLeft(t *testing.T) {
	_, db, _ := newVault(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for i, want := range []Tries{
		{4, 30 * time.Second}, {3, 30 * time.Second}, {2, 30 * time.Second}, {1, 30 * time.Second},
		{0, time.Minute}, // the fifth brought a 30-second wait; the sixth will bring a minute
	} {
		db.Unlock(ctx, password(t, "wrong"), "a", now.Add(time.Duration(i)*time.Hour))
		got, err := db.TriesLeft(ctx, "a")
		if err != nil || got != want {
			t.Fatalf("after %d wrong: %+v %v, want %+v", i+1, got, err, want)
		}
	}
	// Another client's count is its own, however many "a" has used.
	if got, _ := db.TriesLeft(ctx, "b"); got != (Tries{5, 30 * time.Second}) {
		t.Errorf("a fresh client: %+v", got)
	}
	// Asking does not count: the same answer again.
	if got, _ := db.TriesLeft(ctx, "a"); got != (Tries{0, time.Minute}) {
		t.Errorf("asked twice: %+v", got)
	}
	// The right password clears it.
	k, err := db.Unlock(ctx, password(t, "correct horse"), "a", now.Add(10*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	k.Destroy()
	if got, _ := db.TriesLeft(ctx, "a"); got != (Tries{5, 30 * time.Second}) {
		t.Errorf("after unlocking: %+v", got)
	}
}
