// Package app is Ward's desktop shell: a Wails window whose pages and API
// come from the same http.Handler that `ward serve` uses. It holds window
// options and lifecycle only; everything else lives in backend/.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"
)

// Run opens the window and blocks until it closes or ctx ends (SIGINT or
// SIGTERM), in which case the window quits cleanly. h serves the pages as
// well as the API (api.Options.Assets), so assets is not needed here.
func Run(ctx context.Context, h http.Handler, assets fs.FS) error {
	err := wails.Run(appOptions(ctx, h))
	if err != nil && strings.Contains(err.Error(), "build tags") {
		return fmt.Errorf("this ward binary was built without the desktop window; use \"ward serve\", or build with \"make desktop\"")
	}
	return err
}

// appOptions are the window's options. Every request the page makes, for
// index.html and /assets/ as much as for /api/, goes to h: the window gets
// exactly the security headers and file rules of `ward serve` (CSP,
// X-Frame-Options, nosniff; no directory listings, no dot-files). This is
// done in Middleware, which never calls Wails' own asset handler, rather
// than in Handler, which Wails consults only for files missing from Assets
// (and skips in dev mode). Wails still writes its two scripts
// (/wails/runtime.js, /wails/ipc.js) itself, before any middleware, and
// adds them to index.html, keeping h's headers.
func appOptions(ctx context.Context, h http.Handler) *options.App {
	return &options.App{
		Title:     "Ward",
		Width:     1100,
		Height:    820,
		MinWidth:  360,
		MinHeight: 480,
		AssetServer: &assetserver.Options{
			Middleware: func(http.Handler) http.Handler { return h },
		},
		OnStartup: func(wctx context.Context) {
			window.set(wctx)
			go func() {
				<-ctx.Done()
				wruntime.Quit(wctx)
			}()
		},
		OnShutdown: func(context.Context) { window.set(nil) },
		Linux:      &linux.Options{ProgramName: "ward"},
	}
}

// window is the open window's Wails context, which Wails' runtime calls
// need; nil before the window starts and after it closes.
var window current

type current struct {
	mu  sync.Mutex
	ctx context.Context
}

func (c *current) set(ctx context.Context) {
	c.mu.Lock()
	c.ctx = ctx
	c.mu.Unlock()
}

// OpenURL opens url in the system browser (Wails' BrowserOpenURL: xdg-open
// on Linux, which reports its own failures only to Wails' log, and which
// Wails gives any string: callers pass only http URLs they made). It is the
// window's api.Options.OpenURL, for the passkey ceremonies WebKitGTK cannot
// run (backend/browserauth) and the attachments it cannot show
// (backend/handoff's one-time loopback URLs); it fails while no window is
// open. Links to other sites go from the page itself, through the same
// BrowserOpenURL in Wails' runtime.js (frontend/src/lib/desktop.ts).
func OpenURL(url string) error {
	window.mu.Lock()
	ctx := window.ctx
	window.mu.Unlock()
	if ctx == nil {
		return errors.New("the Ward window is not open, so it cannot open the web browser")
	}
	wruntime.BrowserOpenURL(ctx, url)
	return nil
}
