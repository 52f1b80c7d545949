package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// TestConcurrentUse runs unlocks, imports, reads, status checks and locks
// from many goroutines at once on a real vault. Under -race it is the test
// that the Manager has no data race; afterwards every import that said it
// succeeded must be in the record a fresh unlock reads.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	dir := newVault(t, demo.OrganisationName, generate(t, 1, 0))
	m, err := Open(dir, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	var (
		tokMu    sync.Mutex
		tok      string
		imported []string // ids of observations whose import succeeded
	)
	latest := func() string { tokMu.Lock(); defer tokMu.Unlock(); return tok }
	// Locking may beat anything in flight; those are the answers it may give.
	lockedOut := func(err error) bool {
		return err == nil || errors.Is(err, ErrLocked) || errors.Is(err, ErrUnauthorised) ||
			errors.Is(err, vault.ErrLocked)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	run := func(n int, f func(g, i int) error) {
		for g := 0; g < n; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 6; i++ {
					if err := f(g, i); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	}
	run(3, func(g, i int) error { // unlockers
		tk, err := m.Unlock(ctx, Secret{Password: testPassword})
		if err != nil {
			if errors.Is(err, ErrLocked) {
				return nil // a Lock won
			}
			return fmt.Errorf("unlock: %w", err)
		}
		tokMu.Lock()
		tok = tk
		tokMu.Unlock()
		return nil
	})
	run(2, func(g, i int) error { // importers
		id := fmt.Sprintf("conc-%d-%d", g, i)
		for try := 0; try < 50; try++ { // until it lands between locks
			_, err := m.Import(ctx, latest(), batch("Clinic", observation(id, "Potassium", "4.1")))
			if err == nil {
				tokMu.Lock()
				imported = append(imported, id)
				tokMu.Unlock()
				return nil
			}
			if !lockedOut(err) {
				return fmt.Errorf("import: %w", err)
			}
			time.Sleep(time.Millisecond)
		}
		return nil
	})
	run(4, func(g, i int) error { // readers
		for j := 0; j < 20; j++ {
			tk := latest()
			rec, err := m.Record(tk)
			if !lockedOut(err) {
				return fmt.Errorf("record: %w", err)
			}
			if err == nil {
				if rec.Summary().Patient == nil || len(rec.Reports()) == 0 {
					return errors.New("an open record without its patient or results")
				}
				rec.Search("potassium", 10)
			}
			if st := m.Status(tk); st.State == StateUnlocked && st.Integrity == nil {
				return errors.New("unlocked status without integrity")
			}
			m.Integrity()
		}
		return nil
	})
	run(1, func(g, i int) error { // locker
		time.Sleep(time.Duration(i) * 10 * time.Millisecond)
		m.Lock()
		return nil
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Whatever state the races left, the open view and the disk agree.
	tk, err := m.Unlock(ctx, Secret{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := m.Record(tk)
	for _, id := range imported {
		if _, ok := rec.Report("obs-" + id); !ok {
			t.Errorf("import of %s succeeded but it is not in the open record", id)
		}
	}
	m.Lock()
	tk, err = m.Unlock(ctx, Secret{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := m.Record(tk)
	if got, want := len(fresh.Reports()), len(rec.Reports()); got != want {
		t.Errorf("reopened from disk: %d reports, the open view had %d", got, want)
	}
	t.Logf("%d of 12 imports succeeded", len(imported))
}

// A Lock while an unlock is decrypting wins: the unlock fails and no keys
// are left behind.
func TestLockDuringUnlockWins(t *testing.T) {
	ctx := context.Background()
	m, err := Open(newVault(t, demo.OrganisationName, generate(t, 1, 0)), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.afterLoad = m.Lock
	if _, err := m.Unlock(ctx, Secret{Password: testPassword}); !errors.Is(err, ErrLocked) {
		t.Fatalf("unlock with a Lock during its load: %v, want ErrLocked", err)
	}
	m.mu.Lock()
	keys, v, n := m.keys, m.view, len(m.tokens)
	m.mu.Unlock()
	if keys != nil || v != nil || n != 0 {
		t.Fatalf("after the lock won: keys %v, view %v, %d tokens", keys != nil, v != nil, n)
	}
	if st := m.Status(""); st.State != StateLocked {
		t.Fatalf("status %q", st.State)
	}
	m.afterLoad = nil
	if _, err := m.Unlock(ctx, Secret{Password: testPassword}); err != nil {
		t.Fatalf("unlock after: %v", err)
	}
}

// Two unlocks racing each other end with one open vault and one view, and
// both callers get a token for it.
func TestRacingUnlocksShareOneView(t *testing.T) {
	ctx := context.Background()
	m, err := Open(newVault(t, demo.OrganisationName, generate(t, 1, 0)), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var second string
	m.afterLoad = func() {
		m.afterLoad = nil
		var err error
		if second, err = m.Unlock(ctx, Secret{Password: testPassword}); err != nil {
			t.Errorf("second unlock: %v", err)
		}
	}
	first, err := m.Unlock(ctx, Secret{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	a, errA := m.Record(first)
	b, errB := m.Record(second)
	if errA != nil || errB != nil || a != b {
		t.Fatalf("first %v, second %v, same view %v", errA, errB, a == b)
	}
}

// An import that commits after the vault locked publishes nothing: the next
// unlock reads it from disk.
func TestImportAfterLockPublishesNothing(t *testing.T) {
	ctx := context.Background()
	m, tok := open(t, newVault(t, demo.OrganisationName, generate(t, 1, 0)))
	b := batch("Clinic", observation("late", "Sodium", "140"))
	b.Changed = func(store.Record) { m.Lock() } // locks once the row is written
	if _, err := m.Import(ctx, tok, b); err == nil {
		// The keys went mid-transaction, so the store may refuse; if it
		// committed, the view must still not come back.
		if st := m.Status(tok); st.State != StateLocked {
			t.Fatalf("state %q after locking during an import", st.State)
		}
	}
	m.mu.Lock()
	v := m.view
	m.mu.Unlock()
	if v != nil {
		t.Fatal("a view was published for a locked vault")
	}
}

// First run: the page sets a password while other requests ask for the
// status or try to unlock. One Create wins; the vault it made opens.
func TestConcurrentCreate(t *testing.T) {
	ctx := context.Background()
	m, err := Open(t.TempDir(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var wg sync.WaitGroup
	created := make(chan string, 2)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, _, err := m.Create(ctx, testPassword)
			switch {
			case err == nil:
				created <- tok
			case !errors.Is(err, ErrExists):
				t.Errorf("create: %v", err)
			}
		}()
	}
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				m.Status("")
				if _, err := m.Record(""); err == nil {
					t.Error("a record without a token")
				}
				if i%50 == 0 {
					if _, err := m.Unlock(ctx, Secret{Password: []byte("not the password")}); err == nil {
						t.Error("unlocked with a wrong password")
					}
				}
			}
		}()
	}
	wg.Wait()
	close(created)
	if n := len(created); n != 1 {
		t.Fatalf("%d creates succeeded", n)
	}
	if st := m.Status(<-created); st.State != StateUnlocked || st.Integrity == nil || *st.Integrity != (Integrity{}) {
		t.Fatalf("after create: %+v", st)
	}
}
