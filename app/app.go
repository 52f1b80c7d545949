// Package app is Ward's desktop shell: a Wails window whose pages and API
// come from the same http.Handler that `ward serve` uses. It holds window
// options and lifecycle only; everything else lives in backend/.
package app

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

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
			go func() {
				<-ctx.Done()
				wruntime.Quit(wctx)
			}()
		},
		Linux: &linux.Options{ProgramName: "ward"},
	}
}
