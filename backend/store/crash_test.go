package store

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/vault"
)

// TestMain lets the test binary act as an importing process that the crash
// test kills.
func TestMain(m *testing.M) {
	if dir := os.Getenv("WARD_CRASH_IMPORT_DIR"); dir != "" {
		os.Exit(crashImporter(dir))
	}
	os.Exit(m.Run())
}

const crashBatch = 3000

func crashImporter(dir string) int {
	db, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	p, _ := vaultPassword("crash test")
	keys, err := db.UnlockLocal(ctx, p)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	its := items(nil, crashBatch)
	os.Stdout.WriteString("ready\n")
	if _, err := db.Import(ctx, keys, src, seq(its), nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	os.Stdout.WriteString("done\n")
	return 0
}

// TestKilledMidImport kills an importing process at random moments, 50
// times. Each time the database must open, pass PRAGMA integrity_check, and
// hold either all of the import or none of it.
func TestKilledMidImport(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 50 processes; skipped with -short")
	}
	dir := t.TempDir()
	p, _ := vaultPassword("crash test")
	db, keys, err := Create(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	// A first, completed import that must survive every crash.
	base := items(t, 0)[:20]
	if _, err := db.Import(ctx, keys, Source{Name: "Earlier"}, seq(base), nil); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// How long a full import takes, to spread the kills over it.
	full := timeImport(t, dir)
	reset(t, dir)
	rng := rand.New(rand.NewPCG(1, 2))
	outcomes := map[string]int{}
	for i := 0; i < 50; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "WARD_CRASH_IMPORT_DIR="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Most kills land while the import is writing (the later part of
		// the run), some before it starts and some around the commit.
		time.Sleep(full/4 + time.Duration(rng.Int64N(int64(full))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		n := check(t, dir, i)
		switch n {
		case len(base):
			outcomes["none"]++
		case len(base) + crashBatch:
			outcomes["all"]++
			reset(t, dir)
		default:
			t.Fatalf("kill %d: %d records, want %d or %d: an import was half applied", i, n, len(base), len(base)+crashBatch)
		}
	}
	t.Logf("50 kills over %s imports: %v", full.Round(time.Millisecond), outcomes)
}

func vaultPassword(pw string) (*vault.Password, error) {
	return vault.NewPasswordWithParams([]byte(pw), cheap)
}

// timeImport runs one import in a child process to completion and returns
// how long it took, including process start.
func timeImport(t *testing.T, dir string) time.Duration {
	t.Helper()
	start := time.Now()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "WARD_CRASH_IMPORT_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("importer: %v\n%s", err, out)
	}
	return time.Since(start)
}

// check opens the vault as a fresh process would after a crash and returns
// how many records it holds.
func check(t *testing.T, dir string, i int) int {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	var ok string
	if err := raw.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("kill %d: integrity_check = %q, %v", i, ok, err)
	}
	raw.Close()
	db, err := Open(dir)
	if err != nil {
		t.Fatalf("kill %d: vault does not open: %v", i, err)
	}
	defer db.Close()
	p, _ := vaultPassword("crash test")
	keys, err := db.UnlockLocal(ctx, p)
	if err != nil {
		t.Fatalf("kill %d: unlock: %v", i, err)
	}
	defer keys.Destroy()
	c, err := db.Load(ctx, keys)
	if err != nil {
		t.Fatalf("kill %d: load: %v", i, err)
	}
	if len(c.Failed) > 0 || c.RolledBack {
		t.Fatalf("kill %d: %d records failed, rolled back %v", i, len(c.Failed), c.RolledBack)
	}
	return len(c.Records)
}

// reset removes the crash import's source so the next run imports afresh.
func reset(t *testing.T, dir string) {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, _ := vaultPassword("crash test")
	keys, err := db.UnlockLocal(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Destroy()
	if err := db.DeleteSource(ctx, keys, src.Name); err != nil {
		t.Fatal(err)
	}
}
