package session

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/store"
)

// newRegistry is a Registry closed when the test ends. grace 0 lets the
// tests close idle handles without waiting for handleGrace.
func newRegistry(t testing.TB, opt RegistryOptions, grace time.Duration) *Registry {
	t.Helper()
	r := NewRegistry(opt)
	r.grace = grace
	t.Cleanup(func() { r.Close() })
	return r
}

// account opens id's vault (a fresh one of the demo record, seeded by n)
// through r and unlocks it, returning its Manager and token.
func account(t testing.TB, r *Registry, id string, seed uint64) (*Manager, string) {
	t.Helper()
	dir := newVault(t, demo.OrganisationName, generate(t, seed, 0))
	m, err := r.Manager(id, dir)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := m.Unlock(context.Background(), Secret{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return m, tok
}

// eventually waits for cond: the Registry hears of a new view from a
// goroutine of the Manager's, a moment after the unlock returns.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func hasView(m *Manager) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.view != nil
}

func hasKeys(m *Manager) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.keys != nil
}

func genOf(m *Manager) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gen
}

// sameRecord fails unless a and b show the same record.
func sameRecord(t *testing.T, a, b *records.Record) {
	t.Helper()
	if len(a.Reports()) == 0 || a.Summary().Patient == nil {
		t.Fatal("the record is empty")
	}
	if !reflect.DeepEqual(a.Reports(), b.Reports()) || !reflect.DeepEqual(a.Sources(), b.Sources()) ||
		!reflect.DeepEqual(a.Summary().Patient, b.Summary().Patient) {
		t.Fatalf("the record changed: %d reports and %d sources, then %d and %d",
			len(a.Reports()), len(a.Sources()), len(b.Reports()), len(b.Sources()))
	}
}

func TestRegistryManager(t *testing.T) {
	r := newRegistry(t, RegistryOptions{Idle: time.Minute}, handleGrace)
	dirA := newVault(t, demo.OrganisationName, generate(t, 1, 0))
	dirB := newVault(t, demo.OrganisationName, generate(t, 2, 0))
	empty := t.TempDir()
	first, err := r.Manager("a", dirA)
	if err != nil {
		t.Fatal(err)
	}
	if st := first.Status(""); st.State != StateLocked {
		t.Fatalf("a new Manager is %q, want locked", st.State)
	}
	for _, c := range []struct {
		name, id, dir string
		same          bool
		err           error
		state         string
	}{
		{name: "same id", id: "a", dir: dirA, same: true},
		{name: "same id, same folder spelled otherwise", id: "a", dir: filepath.Join(dirA, "."), same: true},
		{name: "same id, other folder", id: "a", dir: dirB, err: ErrOtherFolder},
		{name: "other id", id: "b", dir: dirB, state: StateLocked},
		{name: "folder without a vault", id: "c", dir: empty, state: StateNone},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := r.Manager(c.id, c.dir)
			if !errors.Is(err, c.err) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if err != nil {
				return
			}
			if (m == first) != c.same {
				t.Fatalf("same Manager %v, want %v", m == first, c.same)
			}
			if c.state != "" && m.Status("").State != c.state {
				t.Fatalf("state %q, want %q", m.Status("").State, c.state)
			}
			if p, ok := r.Peek(c.id); !ok || p != m {
				t.Fatalf("Peek: %v, same %v", ok, p == m)
			}
		})
	}
	if _, ok := r.Peek("nobody"); ok {
		t.Fatal("Peek found an account never asked for")
	}
	if s := r.Stats(); s != (RegistryStats{Managers: 3}) {
		t.Fatalf("stats %+v", s)
	}
	// A folder that is not a vault is an error, and leaves nothing behind.
	bad := t.TempDir()
	if err := copyFile("registry_test.go", filepath.Join(bad, store.FileName)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Manager("bad", bad); err == nil {
		t.Fatal("opened a folder whose ward.db is not a vault")
	}
	if _, ok := r.Peek("bad"); ok {
		t.Fatal("a failed open was kept")
	}
}

// Many goroutines asking for the same few accounts at once, while others
// read, unlock and look at the stats: one Manager per account. Run under
// -race.
func TestRegistryConcurrentManager(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t, RegistryOptions{Idle: time.Minute, MaxViews: 2}, handleGrace)
	dirs := map[string]string{}
	for i, id := range []string{"a", "b", "c"} {
		dirs[id] = newVault(t, demo.OrganisationName, generate(t, uint64(i+1), 0))
	}
	var (
		mu  sync.Mutex
		got = map[string]map[*Manager]bool{}
		wg  sync.WaitGroup
	)
	for g := 0; g < 12; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				id := []string{"a", "b", "c"}[(g+i)%3]
				m, err := r.Manager(id, dirs[id])
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if got[id] == nil {
					got[id] = map[*Manager]bool{}
				}
				got[id][m] = true
				mu.Unlock()
				switch {
				case i == 0 && g < 3: // one unlock an account: each counts as a guess until it succeeds
					tok, err := m.Unlock(ctx, Secret{Password: testPassword})
					if err != nil {
						t.Error(err)
						return
					}
					if _, err := m.Record(tok); err != nil {
						t.Error(err)
					}
				case i%3 == 1:
					r.Stats()
				case i%3 == 2:
					r.Peek(id)
				}
			}
		}()
	}
	wg.Wait()
	for id, ms := range got {
		if len(ms) != 1 {
			t.Errorf("%s: %d Managers", id, len(ms))
		}
	}
	eventually(t, "views to come down to 2", func() bool { return r.Stats().Views <= 2 })
	if s := r.Stats(); s.Managers != 3 || s.Unlocked != 3 {
		t.Fatalf("stats %+v", s)
	}
}

// With room for two views, a third unlock sheds the least recently used:
// the patient stays signed in, and the next read builds the same record.
func TestRegistryShedsLeastRecentlyUsed(t *testing.T) {
	for _, c := range []struct {
		name  string
		steps []string // "unlock x" or "read x", in order
		shed  string
	}{
		{name: "oldest unlock", steps: []string{"unlock a", "unlock b", "unlock c"}, shed: "a"},
		{name: "a read counts as use", steps: []string{"unlock a", "unlock b", "read a", "unlock c"}, shed: "b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRegistry(t, RegistryOptions{Idle: time.Minute, MaxViews: 2}, handleGrace)
			ms, toks, recs := map[string]*Manager{}, map[string]string{}, map[string]*records.Record{}
			seed := uint64(0)
			for _, step := range c.steps {
				var verb, id string
				fmt.Sscan(step, &verb, &id)
				if verb == "unlock" {
					seed++
					ms[id], toks[id] = account(t, r, id, seed)
					// Each view counted before the next, so the order is the steps'.
					eventually(t, "views within the bound", func() bool { return r.Stats().Views <= 2 })
				}
				rec, err := ms[id].Record(toks[id])
				if err != nil {
					t.Fatal(err)
				}
				recs[id] = rec
			}
			if s := r.Stats(); s != (RegistryStats{Managers: 3, Unlocked: 3, Views: 2}) {
				t.Fatalf("stats %+v", s)
			}
			for id, m := range ms {
				if hasView(m) == (id == c.shed) {
					t.Fatalf("%s holds a view %v; want %s shed", id, hasView(m), c.shed)
				}
			}
			m, tok := ms[c.shed], toks[c.shed]
			gen := genOf(m)
			// Still signed in, its integrity still told, without a rebuild.
			if st := m.Status(tok); st.State != StateUnlocked || st.Integrity == nil {
				t.Fatalf("status of the shed vault %+v", st)
			}
			if hasView(m) {
				t.Fatal("Status rebuilt the view")
			}
			rec, err := m.Record(tok)
			if err != nil {
				t.Fatalf("record after the shed: %v", err)
			}
			sameRecord(t, recs[c.shed], rec)
			if rec == recs[c.shed] {
				t.Fatal("the record was not built again")
			}
			if genOf(m) != gen {
				t.Fatal("a shed and rebuild moved gen, as a Lock would")
			}
			// The rebuild is a view too: the least recently used other goes.
			if s := r.Stats(); s.Views != 2 || s.Unlocked != 3 {
				t.Fatalf("stats after the rebuild %+v", s)
			}
		})
	}
}

// Readers arriving while a shed view is rebuilt wait for that one build.
func TestRegistryOneRebuildForManyReaders(t *testing.T) {
	r := newRegistry(t, RegistryOptions{Idle: time.Minute}, handleGrace)
	m, tok := account(t, r, "a", 1)
	before, _ := m.Record(tok)
	if !m.shed() {
		t.Fatal("nothing to shed")
	}
	var builds atomic.Int32
	m.afterRebuild = func() {
		builds.Add(1)
		time.Sleep(50 * time.Millisecond) // the others arrive meanwhile
	}
	var wg sync.WaitGroup
	got := make([]*records.Record, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, err := m.Record(tok)
			if err != nil {
				t.Error(err)
			}
			got[i] = rec
		}()
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Fatalf("%d builds for one shed view", n)
	}
	for _, rec := range got[1:] {
		if rec != got[0] {
			t.Fatal("readers got different views")
		}
	}
	sameRecord(t, before, got[0])
}

// A Lock while a shed view is rebuilt wins: the reader is told it is
// locked and nothing is left behind.
func TestRegistryLockDuringRebuildWins(t *testing.T) {
	for _, c := range []struct {
		name    string
		during  func(t *testing.T, m *Manager)
		wantErr error
	}{
		{name: "lock", during: func(_ *testing.T, m *Manager) { m.Lock() }, wantErr: ErrLocked},
		{name: "lock and unlock again", during: func(t *testing.T, m *Manager) {
			m.Lock()
			if _, err := m.Unlock(context.Background(), Secret{Password: testPassword}); err != nil {
				t.Error(err)
			}
		}, wantErr: ErrLocked},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRegistry(t, RegistryOptions{Idle: time.Minute}, handleGrace)
			m, tok := account(t, r, "a", 1)
			m.shed()
			m.afterRebuild = func() {
				m.afterRebuild = nil
				c.during(t, m)
			}
			if _, err := m.Record(tok); !errors.Is(err, c.wantErr) {
				t.Fatalf("record with a Lock during its rebuild: %v, want %v", err, c.wantErr)
			}
			if _, err := m.Record(tok); err == nil {
				t.Fatal("the token outlived the Lock")
			}
			m.mu.Lock()
			rebuilding := m.rebuilding
			m.mu.Unlock()
			if rebuilding != nil {
				t.Fatal("a rebuild was left marked running")
			}
		})
	}
	r := newRegistry(t, RegistryOptions{Idle: time.Minute}, handleGrace)
	m, _ := account(t, r, "a", 1)
	m.shed()
	m.Lock()
	if _, err := m.currentView(context.Background()); !errors.Is(err, ErrLocked) {
		t.Fatalf("currentView of a locked vault: %v", err)
	}
	if hasView(m) || hasKeys(m) {
		t.Fatal("a locked vault holds a view or keys")
	}
}

// An import that commits while a shed view is being rebuilt finds no view
// to publish onto; the rebuild must still end up showing it.
func TestRegistryImportDuringRebuildIsShown(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t, RegistryOptions{Idle: time.Minute}, handleGrace)
	m, tok := account(t, r, "a", 1)
	m.shed()
	m.afterRebuild = func() { // the rebuild has read the vault, not yet installed
		m.afterRebuild = nil
		if _, err := m.Import(ctx, tok, batch("Clinic", observation("late", "Sodium", "140"))); err != nil {
			t.Errorf("import: %v", err)
		}
	}
	rec, err := m.Record(tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.Report("obs-late"); !ok {
		t.Fatal("an import committed during the rebuild is missing from the record")
	}
	// And one while the view is shed shows at the next read.
	m.shed()
	if _, err := m.Import(ctx, tok, batch("Clinic", observation("later", "Sodium", "141"))); err != nil {
		t.Fatal(err)
	}
	if rec, err = m.Record(tok); err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.Report("obs-later"); !ok {
		t.Fatal("an import into a shed vault is missing from the record")
	}
}

func TestRegistryForget(t *testing.T) {
	ctx := context.Background()
	r := newRegistry(t, RegistryOptions{Idle: time.Minute}, handleGrace)
	m, tok := account(t, r, "a", 1)
	dir := m.dir
	if err := r.Forget("a"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Record(tok); !errors.Is(err, ErrLocked) {
		t.Fatalf("record after Forget: %v", err)
	}
	if _, err := m.Unlock(ctx, Secret{Password: testPassword}); err == nil {
		t.Fatal("a forgotten Manager unlocked: its database is still open")
	}
	if _, ok := r.Peek("a"); ok {
		t.Fatal("Peek after Forget")
	}
	if s := r.Stats(); s != (RegistryStats{}) {
		t.Fatalf("stats %+v", s)
	}
	if err := r.Forget("a"); err != nil {
		t.Fatalf("Forget twice: %v", err)
	}
	again, err := r.Manager("a", dir)
	if err != nil || again == m {
		t.Fatalf("asked for again: %v, same Manager %v", err, again == m)
	}
	if _, err := again.Unlock(ctx, Secret{Password: testPassword}); err != nil {
		t.Fatal(err)
	}
}

// Locked Managers beyond MaxIdleHandles are closed and dropped, the least
// recently used first; unlocked or busy ones never are, and a dropped one
// is opened again when asked for.
func TestRegistryDropsIdleHandles(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		max      int
		grace    time.Duration
		importer bool // a (locked) has an import still running
		dropped  []string
	}{
		{name: "keep one", max: 1, dropped: []string{"a"}},
		{name: "keep none, a importing", max: -1, importer: true, dropped: []string{"b"}},
		{name: "keep none", max: -1, dropped: []string{"a", "b"}},
		{name: "keep two", max: 2},
		{name: "all within the grace time", max: -1, grace: handleGrace},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRegistry(t, RegistryOptions{Idle: time.Minute, MaxIdleHandles: c.max}, c.grace)
			u, utok := account(t, r, "u", 1) // signed in throughout
			ms, dirs := map[string]*Manager{"u": u}, map[string]string{}
			for i, id := range []string{"a", "b", "c"} {
				dirs[id] = newVault(t, demo.OrganisationName, generate(t, uint64(i+2), 0))
				m, err := r.Manager(id, dirs[id])
				if err != nil {
					t.Fatal(err)
				}
				ms[id] = m
				if id == "a" && c.importer {
					m.imports <- struct{}{}
					t.Cleanup(func() { <-m.imports })
				}
			}
			for id, m := range ms {
				_, ok := r.Peek(id)
				want := true
				for _, d := range c.dropped {
					want = want && d != id
				}
				if ok != want {
					t.Errorf("%s held %v, want %v", id, ok, want)
				}
				if !want {
					if _, err := m.Unlock(ctx, Secret{Password: testPassword}); err == nil {
						t.Errorf("%s was dropped but its database is open", id)
					}
				}
			}
			if _, err := u.Record(utok); err != nil {
				t.Fatalf("the signed-in vault: %v", err)
			}
			if s := r.Stats(); s.Managers != 4-len(c.dropped) || s.Unlocked != 1 {
				t.Fatalf("stats %+v", s)
			}
			for _, id := range c.dropped {
				m, err := r.Manager(id, dirs[id])
				if err != nil || m == ms[id] {
					t.Fatalf("%s asked for again: %v, same Manager %v", id, err, m == ms[id])
				}
				if _, err := m.Unlock(ctx, Secret{Password: testPassword}); err != nil {
					t.Fatalf("%s reopened: %v", id, err)
				}
			}
		})
	}
}

func TestRegistryClose(t *testing.T) {
	r := NewRegistry(RegistryOptions{Idle: time.Minute})
	a, atok := account(t, r, "a", 1)
	b, _ := account(t, r, "b", 2)
	if _, err := r.Manager("c", t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Record(atok); !errors.Is(err, ErrLocked) {
		t.Fatalf("record after Close: %v", err)
	}
	if hasKeys(a) || hasKeys(b) {
		t.Fatal("keys kept after Close")
	}
	if _, err := r.Manager("a", a.dir); !errors.Is(err, ErrRegistryClosed) {
		t.Fatalf("Manager after Close: %v", err)
	}
	if s := r.Stats(); s != (RegistryStats{}) {
		t.Fatalf("stats %+v", s)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close twice: %v", err)
	}
}

// BenchmarkRegistryRecord is a page's read of a record through a Manager
// the Registry holds, its view in place.
func BenchmarkRegistryRecord(b *testing.B) {
	r := newRegistry(b, RegistryOptions{Idle: time.Minute}, handleGrace)
	m, tok := account(b, r, "a", 1)
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Record(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRebuildAfterShed is the read that finds its view shed and builds
// it again, for the demo record (a few hundred resources).
func BenchmarkRebuildAfterShed(b *testing.B) {
	r := newRegistry(b, RegistryOptions{Idle: time.Minute}, handleGrace)
	m, tok := account(b, r, "a", 1)
	b.ResetTimer()
	for b.Loop() {
		m.shed()
		if _, err := m.Record(tok); err != nil {
			b.Fatal(err)
		}
	}
}
