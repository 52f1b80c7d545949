package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/ward-health/ward/backend/api"
	"github.com/ward-health/ward/backend/config"
	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/server"
)

// appFlags are shared by the desktop window and serve.
type appFlags struct {
	data   string
	config string
	demo   bool
}

func (a *appFlags) register(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&a.data, "data", defaultDataDir(), "folder for Ward's encrypted data")
	fs.StringVar(&a.config, "config", "", "organisation configuration file (JSON)")
	fs.BoolVar(&a.demo, "demo", false, "show the built-in demo record")
}

// handler builds the one http.Handler both faces use.
func (a *appFlags) handler(env Env, log *slog.Logger, firstCall func()) (http.Handler, error) {
	if err := ensureWritable(a.data); err != nil {
		return nil, err
	}
	cfg, err := config.Load(a.config)
	if err != nil {
		return nil, err
	}
	var rec *records.Record
	if a.demo {
		now := time.Now().UTC().Truncate(24 * time.Hour)
		rs, err := demo.Generate(demo.Options{Seed: 1, Now: now})
		if err != nil {
			return nil, err
		}
		rec = records.Build(records.Set{
			Source:    records.Source{Name: demo.OrganisationName, LastUpdated: now.Add(-26 * time.Hour)},
			Resources: rs,
		})
		if a.config == "" {
			cfg = config.Demo(demo.OrganisationName)
		}
	}
	return api.New(api.Options{
		Config:       cfg,
		Version:      env.Version,
		Demo:         a.demo,
		Assets:       env.Assets,
		Record:       func() *records.Record { return rec },
		Logger:       log,
		FirstAPICall: firstCall,
	}), nil
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
	h, err := a.handler(env, log, nil)
	if err != nil {
		return err
	}
	ln, err := server.Listen(*addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "ward: serving on http://%s/ (press Ctrl+C to stop)\n", ln.Addr())
	if err := server.Serve(ctx, ln, h, 10*time.Second); err != nil {
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
	h, err := a.handler(env, log, func() {
		fmt.Fprintf(env.Stderr, "ward: window ready: first API call %d ms after start\n", time.Since(start).Milliseconds())
	})
	if err != nil {
		return err
	}
	if env.Desktop == nil {
		return fmt.Errorf("this build of Ward has no desktop window; use \"ward serve\"")
	}
	return env.Desktop(ctx, h, env.Assets)
}
