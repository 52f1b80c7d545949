package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/cli"
)

// TestMain lets the test binary be the ward command when WARD_BENCH_AS_WARD
// is set: the bench runs its import child, `ward vault init` and `ward vault
// import` as children of Ward's own executable, which here is this binary.
func TestMain(m *testing.M) {
	if os.Getenv("WARD_BENCH_AS_WARD") == "1" {
		os.Exit(cli.Run(context.Background(), os.Args[1:], cli.Env{Version: "test", Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
	}
	os.Exit(m.Run())
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, cli.Env{Version: "test", Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return code, out.String(), errb.String()
}

// TestCommand runs `ward bench` through the command line, tiny, with the
// test binary as the import child (see TestMain), and --compare on its own
// JSON.
func TestCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Argon2id at the real defaults")
	}
	t.Setenv("WARD_BENCH_AS_WARD", "1") // the children are this test binary, as ward
	out := filepath.Join(t.TempDir(), "bench.json")
	code, stdout, stderr := runCLI(t, "bench", "--resources", "200", "--duration", "500ms", "--clients", "2", "--fixture", "none", "--json", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "resources/s") || !strings.Contains(stdout, "request errors: 0") {
		t.Errorf("table:\n%s", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Sizes map[string]struct {
			Import struct {
				Scope string  `json:"peak_rss_scope"`
				CLIMS float64 `json:"cli_ms"`
			} `json:"import"`
			Floor struct {
				SQLCipherMS float64 `json:"sqlcipher_ms"`
			} `json:"floor"`
		} `json:"sizes"`
		Load struct{ Clients int } `json:"load"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || rep.Sizes["200"].Import.Scope != "child" || rep.Load.Clients != 2 {
		t.Fatalf("JSON %+v, %v", rep, err)
	}
	if rep.Sizes["200"].Import.CLIMS <= 0 {
		t.Errorf("ward vault import was not timed: %+v", rep.Sizes["200"].Import)
	}
	_, lookErr := exec.LookPath("sqlcipher")
	if lookErr != nil && os.Getenv("CI") != "" {
		t.Error("sqlcipher is not installed; CI must measure the sqlcipher floor (make deps installs it)")
	}
	if got := rep.Sizes["200"].Floor.SQLCipherMS; (lookErr == nil) != (got > 0) {
		t.Errorf("sqlcipher on PATH: %v, sqlcipher_ms %v", lookErr == nil, got)
	}

	// Again with no sqlcipher on PATH: the table says so, and the comparison
	// names the sqlcipher metrics as only in the old run.
	t.Setenv("PATH", t.TempDir())
	code, stdout, stderr = runCLI(t, "bench", "--resources", "200", "--duration", "200ms", "--clients", "1", "--fixture", "none", "--compare", out)
	if code != 0 || !strings.Contains(stdout, "COMPARED WITH THE OLD RUN") || !strings.Contains(stdout, "sizes.200.import.total_ms") ||
		!strings.Contains(stdout, "sqlcipher not installed") || !strings.Contains(stdout, "sizes.200.import.cli_ms") {
		t.Fatalf("compare: exit %d: %s\n%s", code, stderr, stdout)
	}
	if lookErr == nil && !strings.Contains(stdout, "only in the old run: sizes.200.floor.sqlcipher_disk_bytes_per_resource, sizes.200.floor.sqlcipher_ms") {
		t.Errorf("compare does not name the sqlcipher metrics missing from this run:\n%s", stdout)
	}
}

func TestCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--resources", "5"}, "at least 50"},
		{[]string{"bench", "--clients", "0"}, "--clients"},
		{[]string{"bench", "--nope"}, "unknown flag"},
		{[]string{"bench", "extra"}, "unexpected argument"},
		{[]string{"bench", "--compare", "/nonexistent/old.json"}, "read /nonexistent/old.json"},
		{[]string{"bench", "--fixture", "/nonexistent/f.json"}, "fixture"},
	} {
		code, _, stderr := runCLI(t, tc.args...)
		if code != 1 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, %q", tc.args, code, stderr)
		}
	}
}
