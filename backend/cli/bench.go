package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/ward-health/ward/backend/bench"
)

func runBench(ctx context.Context, args []string, env Env) error {
	fs := newFlags("bench")
	resources := fs.Int("resources", 0, "measure one generated patient of this many resources (default 1,000, 10,000 and 100,000)")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file")
	compare := fs.String("compare", "", "print each metric's change against this earlier JSON")
	fixture := fs.String("fixture", "", "FHIR JSON file to measure as well (default: the largest in ../shared/fixtures/fhir; \"none\" for none)")
	clients := fs.Int("clients", 16, "concurrent clients in the load test")
	duration := fs.Duration("duration", 10*time.Second, "how long the load test runs")
	child := fs.Bool("import-child", false, "internal: run one import for a parent `ward bench`")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *child {
		return bench.ImportChild(ctx, env.Stdin, env.Stdout)
	}
	if *resources < 0 || (*resources > 0 && *resources < 50) {
		return fmt.Errorf("bench: --resources must be at least 50")
	}
	if *clients < 1 || *clients > 1024 {
		return fmt.Errorf("bench: --clients must be 1 to 1024")
	}
	if *duration <= 0 || *duration > 10*time.Minute {
		return fmt.Errorf("bench: --duration must be more than 0 and at most 10m")
	}
	var old []byte
	if *compare != "" {
		b, err := os.ReadFile(*compare)
		if err != nil {
			return fmt.Errorf("bench: read %s: %s", *compare, plainFSError(err))
		}
		if !json.Valid(b) {
			return fmt.Errorf("bench: %s is not JSON", *compare)
		}
		old = b
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: cannot find this program to run imports in: %v", err)
	}
	cwd, _ := os.Getwd()
	root := bench.FindRoot(cwd)
	opt := bench.Options{
		Root:         root,
		Clients:      *clients,
		LoadDuration: *duration,
		Version:      env.Version,
		Log:          env.Stderr,
		Child: func(ctx context.Context) *exec.Cmd {
			return exec.CommandContext(ctx, exe, "bench", "--import-child")
		},
	}
	if *resources > 0 {
		opt.Sizes = []int{*resources}
	}
	switch *fixture {
	case "none":
	case "":
		if root != "" {
			opt.Fixture = bench.LargestFixture(filepath.Join(root, bench.FixtureDir))
		}
	default:
		if _, err := os.Stat(*fixture); err != nil {
			return fmt.Errorf("bench: fixture %s: %s", *fixture, plainFSError(err))
		}
		opt.Fixture = *fixture
	}

	rep, err := bench.Run(ctx, opt)
	if rep == nil || (err != nil && !errors.Is(err, bench.ErrRequests)) {
		return err
	}
	if werr := bench.WriteTable(env.Stdout, rep); werr != nil {
		return werr
	}
	if *jsonOut != "" {
		b, merr := json.MarshalIndent(rep, "", "  ")
		if merr != nil {
			return merr
		}
		if werr := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); werr != nil {
			return fmt.Errorf("bench: write %s: %s", *jsonOut, plainFSError(werr))
		}
		fmt.Fprintf(env.Stderr, "bench: wrote %s\n", *jsonOut)
	}
	if old != nil {
		if cerr := bench.Compare(env.Stdout, old, rep); cerr != nil {
			return cerr
		}
	}
	return err
}
