package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/cli"
)

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
	t.Setenv("WARD_BENCH_IMPORT_CHILD", "1") // the child is this test binary
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
				Scope string `json:"peak_rss_scope"`
			} `json:"import"`
		} `json:"sizes"`
		Load struct{ Clients int } `json:"load"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || rep.Sizes["200"].Import.Scope != "child" || rep.Load.Clients != 2 {
		t.Fatalf("JSON %+v, %v", rep, err)
	}
	code, stdout, stderr = runCLI(t, "bench", "--resources", "200", "--duration", "200ms", "--clients", "1", "--fixture", "none", "--compare", out)
	if code != 0 || !strings.Contains(stdout, "COMPARED WITH THE OLD RUN") || !strings.Contains(stdout, "sizes.200.import.total_ms") {
		t.Fatalf("compare: exit %d: %s\n%s", code, stderr, stdout)
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
