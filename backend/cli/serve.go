package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"time"

	"github.com/ward-health/ward/backend/api"
	"github.com/ward-health/ward/backend/config"
	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/server"
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
	fs.StringVar(&a.keyFile, "key-file", "", "server key file (default DATA/server.key; or set WARD_SERVER_KEY)")
	fs.BoolVar(&a.demo, "demo", false, "show the built-in demo record")
	fs.DurationVar(&a.lockIdle, "lock-after", 15*time.Minute, "lock the record after this long without use")
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
	var kek *vault.KEK
	var err error
	if v := env.Getenv("WARD_SERVER_KEY"); v != "" {
		kek, err = vault.KEKFromEnv(v)
	} else {
		path := a.keyFile
		if path == "" {
			path = filepath.Join(a.data, "server.key")
		}
		kek, err = vault.LoadOrCreateKEK(path)
	}
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

// handler builds the one http.Handler both faces use.
// loopback refuses other Host names (serve on 127.0.0.1); setup lets the
// page create a vault in an empty folder (the window, or serve on loopback).
func (a *appFlags) handler(ctx context.Context, env Env, log *slog.Logger, loopback, setup bool, firstCall func()) (http.Handler, *session.Manager, error) {
	if err := ensureWritable(a.data); err != nil {
		return nil, nil, err
	}
	cfg, err := config.Load(a.config)
	if err != nil {
		return nil, nil, err
	}
	if a.demo && a.config == "" {
		cfg = config.Demo(demo.OrganisationName)
	}
	m, err := a.openVault(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	return api.New(api.Options{
		Config:       cfg,
		Version:      env.Version,
		Assets:       env.Assets,
		Vault:        m,
		Logger:       log,
		LoopbackOnly: loopback,
		AllowSetup:   setup,
		FirstAPICall: firstCall,
	}), m, nil
}

func runServe(ctx context.Context, args []string, env Env) error {
	fs := newFlags("serve")
	var a appFlags
	a.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port)")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h, m, err := a.handler(ctx, env, log, isLoopback(*addr), isLoopback(*addr), nil)
	if err != nil {
		return err
	}
	defer m.Close()
	ln, err := server.Listen(*addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "ward: serving on http://%s/ (press Ctrl+C to stop)\n", ln.Addr())
	if err := server.Serve(ctx, ln, h, server.Options{SlowBody: isImport}); err != nil {
		return err
	}
	fmt.Fprintln(env.Stderr, "ward: stopped")
	return nil
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
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h, m, err := a.handler(ctx, env, log, false, true, func() {
		fmt.Fprintf(env.Stderr, "ward: window ready: first API call %d ms after start\n", time.Since(start).Milliseconds())
	})
	if err != nil {
		return err
	}
	defer m.Close()
	if env.Desktop == nil {
		return fmt.Errorf("this build of Ward has no desktop window; use \"ward serve\"")
	}
	return env.Desktop(ctx, h, env.Assets)
}

// isLoopback reports whether addr listens only on this computer; then the
// handler also refuses requests for other host names (DNS rebinding).
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isImport picks the requests whose bodies may be a 1 GB file.
func isImport(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/imports"
}
