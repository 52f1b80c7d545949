//go:build !cgo || webkit2_41

// Wails' assetserver package pulls in its WebKitGTK request adapter, which
// needs cgo and the webkit2gtk version the tag names; without cgo it is pure
// Go. scripts/test.sh runs this with CGO_ENABLED=0.

package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/wailsapp/wails/v2/pkg/assetserver"

	"github.com/ward-health/ward/backend/api"
)

type fakeRuntime struct{}

func (fakeRuntime) DesktopIPC() []byte       { return []byte("/* ipc */") }
func (fakeRuntime) WebsocketIPC() []byte     { return []byte("/* ws ipc */") }
func (fakeRuntime) RuntimeDesktopJS() []byte { return []byte("/* runtime */") }

var securityHeaders = []string{
	"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
	"Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy", "Permissions-Policy",
}

// The window's requests go through the very AssetServer Wails builds from
// appOptions (NewAssetServerMainPage is what Wails' Linux, macOS and Windows
// frontends call). Each gets the same security headers as `ward serve`, the
// same file rules, and the page keeps its CSP meta element, which matches
// the header less frame-ancestors.
func TestWindowHeaders(t *testing.T) {
	index, err := os.ReadFile("../frontend/index.html")
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Options{Version: "test", Assets: fstest.MapFS{
		"index.html":        {Data: index},
		"assets/app-abc.js": {Data: []byte("console.log(1)")},
		".gitkeep":          {Data: []byte("hidden")},
	}})
	srv, err := assetserver.NewAssetServerMainPage("", appOptions(context.Background(), h), false, nil, fakeRuntime{})
	if err != nil {
		t.Fatal(err)
	}
	serve := func(handler http.Handler, path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", path, nil)
		r.Host = "wails.localhost"
		handler.ServeHTTP(w, r)
		return w
	}
	for _, tt := range []struct {
		path string
		code int
	}{
		{"/", 200},
		{"/api/healthz", 200},
		{"/assets/app-abc.js", 200},
		{"/api/nothing", 404},
	} {
		w, want := serve(srv, tt.path), serve(h, tt.path)
		if w.Code != tt.code {
			t.Errorf("window GET %s = %d, want %d", tt.path, w.Code, tt.code)
		}
		for _, name := range securityHeaders {
			if got := w.Header().Get(name); got == "" || got != want.Header().Get(name) {
				t.Errorf("window GET %s: %s = %q, want %q as ward serve sends", tt.path, name, got, want.Header().Get(name))
			}
		}
	}
	if csp := serve(srv, "/").Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("window page CSP = %q", csp)
	}

	page := serve(srv, "/")
	body := page.Body.String()
	if !strings.Contains(body, `src="/wails/runtime.js"`) {
		t.Errorf("Wails did not process the page (no runtime script): %s", body)
	}
	m := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSP meta element in the page: %s", body)
	}
	meta := strings.ReplaceAll(m[1], "&#39;", "'")
	header := strings.TrimSuffix(strings.TrimSuffix(page.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'"), "; ")
	if meta != header {
		t.Errorf("CSP meta element\n  %q\ndiffers from the header less frame-ancestors\n  %q", meta, header)
	}

	// Files only, as ward serve: no listing of /assets/, no dot-files.
	if w := serve(srv, "/.gitkeep"); w.Code != 404 || strings.Contains(w.Body.String(), "hidden") {
		t.Errorf("window GET /.gitkeep = %d %q", w.Code, w.Body)
	}
	if w := serve(srv, "/assets/"); strings.Contains(w.Body.String(), "app-abc.js") {
		t.Errorf("window GET /assets/ lists the folder: %q", w.Body)
	}
}
