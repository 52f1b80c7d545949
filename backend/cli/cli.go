// Package cli is Ward's command line: it parses flags and wires the backend
// packages together for each command. main.go hands it the embedded
// frontend and the desktop shell, so everything here runs without a window.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
)

// Desktop opens the window on h, with assets as its pages; it returns when
// the window closes or ctx ends.
type Desktop func(ctx context.Context, h http.Handler, assets fs.FS) error

// Env is what the command runs with.
type Env struct {
	Version string
	Assets  fs.FS // the built frontend (frontend/dist)
	Desktop Desktop
	// OpenURL opens a URL in the system browser from the window (nil
	// without one); the window's passkey ceremonies run there.
	OpenURL func(url string) error
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	Getenv  func(string) string
	// ConfigDir is the user's config folder (os.UserConfigDir when nil),
	// where the demo's server key is kept, away from the data folder.
	ConfigDir func() (string, error)
}

func (e Env) configDir() (string, error) {
	if e.ConfigDir != nil {
		return e.ConfigDir()
	}
	return os.UserConfigDir()
}

const usage = `Ward: your health record, on your own computer.

Usage:
  ward [--demo] [--data DIR] [--config FILE] [--lock-after 15m]
                                               open the desktop window
  ward serve [--addr 127.0.0.1:8080] [--data DIR] [--config FILE] [--demo]
                                               serve the same app to browsers
                                               (ward serve --help for all its flags)
  ward vault init|import|stats|export|verify|passwd|recover
                                               manage an encrypted vault (ward vault help)
  ward bench [--resources N] [--json FILE] [--compare OLD.json]
                                               measure import, unlock, reads and load on this machine
  ward admin init|invite|import|accounts|sessions|audit --data DIR
                                               run a server for many patients (see "ward admin help")
  ward version                                 print version and build details (or ward --version)
  ward help [COMMAND]                          print this help, or a command's flags
`

// Run runs the command in args (without the program name) and returns the
// process exit code. Errors are printed as one plain line.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	cmd, rest := "", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		cmd, rest = "version", args[1:]
	}
	if cmd == "help" && len(rest) > 0 {
		// "ward help serve" is "ward serve --help".
		cmd, rest = rest[0], append(rest[1:], "--help")
	}
	var err error
	switch cmd {
	case "":
		err = runDesktop(ctx, rest, env)
	case "serve":
		err = runServe(ctx, rest, env)
	case "version":
		err = runVersion(rest, env)
	case "vault":
		err = runVault(ctx, rest, env)
	case "admin":
		err = runAdmin(ctx, rest, env)
	case "bench":
		err = runBench(ctx, rest, env)
	case "help":
		fmt.Fprint(env.Stdout, usage)
		return 0
	default:
		err = fmt.Errorf("unknown command %q (run \"ward help\" for the list)", cmd)
	}
	var help *helpError
	if errors.As(err, &help) {
		help.print(env.Stdout)
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(env.Stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "ward: %s\n", oneLine(err.Error()))
		return 1
	}
	return 0
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// newFlags makes a flag set that reports problems as errors rather than
// printing usage and exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q (run \"%s\" for its flags)", fs.Name(), fs.Arg(0), helpCommand(fs))
	}
	return nil
}

// parseArgs is parse for commands that take arguments after their flags.
func parseArgs(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &helpError{fs: fs}
		}
		return fmt.Errorf("%s (run \"%s\" for its flags)", flagProblem(err, args), helpCommand(fs))
	}
	return nil
}

// defaultDataDir is where a patient's vault lives when --data is not given.
func defaultDataDir() string {
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "ward")
	}
	return "ward-data"
}

// ensureWritable makes dir if needed and proves Ward can write there, so a
// bad --data fails at start with a plain message rather than later.
func ensureWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot use data folder %s: %s", dir, plainFSError(err))
	}
	f, err := os.CreateTemp(dir, ".ward-write-check-*")
	if err != nil {
		return fmt.Errorf("cannot write to data folder %s: %s", dir, plainFSError(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func plainFSError(err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, fs.ErrExist):
		return "a file with that name is in the way"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func runVersion(args []string, env Env) error {
	if err := parse(newFlags("version"), args); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "ward %s\n", env.Version)
	fmt.Fprintf(env.Stdout, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "-tags", "vcs.revision", "vcs.time", "vcs.modified", "CGO_ENABLED":
				fmt.Fprintf(env.Stdout, "%s: %s\n", s.Key, s.Value)
			}
		}
	}
	return nil
}
