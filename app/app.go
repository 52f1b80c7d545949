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
// SIGTERM), in which case the window quits cleanly.
func Run(ctx context.Context, h http.Handler, assets fs.FS) error {
	err := wails.Run(&options.App{
		Title:     "Ward",
		Width:     1100,
		Height:    820,
		MinWidth:  360,
		MinHeight: 480,
		AssetServer: &assetserver.Options{
			Assets: assets,
			// The API goes through Middleware rather than Handler because
			// Wails skips Handler in dev mode.
			Middleware: func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasPrefix(r.URL.Path, "/api/") {
						h.ServeHTTP(w, r)
						return
					}
					next.ServeHTTP(w, r)
				})
			},
		},
		OnStartup: func(wctx context.Context) {
			go func() {
				<-ctx.Done()
				wruntime.Quit(wctx)
			}()
		},
		Linux: &linux.Options{ProgramName: "ward"},
	})
	if err != nil && strings.Contains(err.Error(), "build tags") {
		return fmt.Errorf("this ward binary was built without the desktop window; use \"ward serve\", or build with \"make desktop\"")
	}
	return err
}
