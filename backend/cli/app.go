package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/ward-health/ward/backend/api"
	"github.com/ward-health/ward/backend/config"
	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// appFlags are shared by the desktop window and serve.
type appFlags struct {
	data     string
	config   string
	keyFile  string
	demo     bool
	lockIdle time.Duration
}

func (a *appFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.data, "data", defaultDataDir(), "folder for Ward's encrypted data")
	fs.StringVar(&a.config, "config", "", "organisation configuration file (JSON)")
	fs.StringVar(&a.keyFile, "key-file", "", "with --demo: the server key that wraps the demo's vault (default "+demoKeyHint+"; or set WARD_SERVER_KEY)")
	fs.BoolVar(&a.demo, "demo", false, "show the built-in demo record")
	fs.DurationVar(&a.lockIdle, "lock-after", 15*time.Minute, "lock the record after this long without use")
}

// demoKeyHint is where the demo's key goes by default, for the help text.
const demoKeyHint = "ward-keys/demo-server.key in your user config folder, outside the data folder"

// prepare checks what can be checked before listening or opening anything:
// flags that do nothing, the data folder, the configuration.
func (a *appFlags) prepare() (config.Config, error) {
	if a.keyFile != "" && !a.demo {
		// A server key opens a vault with no password at all, so Ward does
		// not open a patient's vault with it for whoever visits the page.
		return config.Config{}, errors.New(`--key-file is only used with --demo; a patient's vault opens with its password in the page (to check or export a vault with the server key, use "ward vault verify --key-file F" or "ward vault export --key-file F")`)
	}
	if err := ensureWritable(a.data); err != nil {
		return config.Config{}, err
	}
	cfg, err := config.Load(a.config)
	if err != nil {
		return config.Config{}, err
	}
	if a.demo && a.config == "" {
		cfg = config.Demo(demo.OrganisationName)
	}
	return cfg, nil
}

// openVault opens the record the app shows: the demo, kept in its own vault
// under the server key, or the patient's vault, locked.
func (a *appFlags) openVault(ctx context.Context, env Env) (*session.Manager, error) {
	if !a.demo {
		m, err := session.Open(a.data, a.lockIdle)
		if err != nil {
			return nil, plain(err)
		}
		return m, nil
	}
	kek, err := a.demoKey(env)
	if err != nil {
		return nil, err
	}
	defer kek.Destroy()
	now := time.Now().UTC().Truncate(24 * time.Hour)
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: now})
	if err != nil {
		return nil, err
	}
	m, err := session.OpenDemo(ctx, a.data, kek, store.Source{Name: demo.OrganisationName, LastUpdated: now.Add(-26 * time.Hour)}, rs)
	if err != nil {
		return nil, plain(err)
	}
	return m, nil
}

// demoKey loads (or makes) the key that wraps the demo's vault. It is kept
// outside the data folder by default, so a backup of the folder does not
// carry the key that opens it.
func (a *appFlags) demoKey(env Env) (*vault.KEK, error) {
	if v := env.Getenv("WARD_SERVER_KEY"); v != "" {
		return vault.KEKFromEnv(v)
	}
	path := a.keyFile
	if path == "" {
		dir, err := env.configDir()
		if err != nil {
			return nil, fmt.Errorf("cannot find your user config folder for the demo's server key (%v): give a file outside the data folder with --key-file", err)
		}
		path = filepath.Join(dir, "ward-keys", "demo-server.key")
		path = moveLegacyKey(env, filepath.Join(a.data, "server.key"), path)
	}
	return vault.LoadOrCreateKEK(path)
}

// moveLegacyKey moves a demo key left in the data folder by an older Ward
// to its new place, so the demo vault it wraps still opens. It returns the
// path to use: the old one if the move failed.
func moveLegacyKey(env Env, old, path string) string {
	if _, err := os.Stat(old); err != nil {
		return path
	}
	// The old key is the one that opens this folder's demo vault.
	var err error
	if _, serr := os.Stat(path); serr == nil {
		err = errors.New("another key is already there")
	} else if err = os.MkdirAll(filepath.Dir(path), 0o700); err == nil {
		err = os.Rename(old, path)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "ward: warning: the demo's server key is still in the data folder (%s), so backups of the folder carry it; could not move it to %s: %s (move it yourself and give it with --key-file)\n", old, path, plainFSError(err))
		return old
	}
	fmt.Fprintf(env.Stderr, "ward: moved the demo's server key out of the data folder, to %s\n", path)
	return path
}

func runDesktop(ctx context.Context, args []string, env Env) error {
	start := time.Now()
	fs := newFlags("ward")
	var a appFlags
	a.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if runtime.GOOS == "linux" && env.Getenv("DISPLAY") == "" && env.Getenv("WAYLAND_DISPLAY") == "" {
		return fmt.Errorf("no display found, so the desktop window cannot open; run \"ward serve --demo\" and open http://127.0.0.1:8080 in a browser instead")
	}
	cfg, err := a.prepare()
	if err != nil {
		return err
	}
	m, err := a.openVault(ctx, env)
	if err != nil {
		return err
	}
	defer m.Close()
	if env.Desktop == nil {
		return fmt.Errorf("this build of Ward has no desktop window; use \"ward serve\"")
	}
	// The window is this computer's own: the page may set up a vault, and
	// there are no host names to check (Wails' AssetServer answers it).
	h := api.New(api.Options{
		Config:     cfg,
		Version:    env.Version,
		Assets:     env.Assets,
		Vault:      m,
		Logger:     slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
		AllowSetup: true,
		OpenURL:    env.OpenURL,
		FirstAPICall: func() {
			fmt.Fprintf(env.Stderr, "ward: window ready: first API call %d ms after start\n", time.Since(start).Milliseconds())
		},
	})
	return env.Desktop(ctx, h, env.Assets)
}
