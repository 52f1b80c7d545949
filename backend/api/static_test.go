package api

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestStaticFilesOnly(t *testing.T) {
	h := New(Options{Assets: fstest.MapFS{
		"index.html":              {Data: []byte("<!doctype html><title>Ward</title>")},
		".gitkeep":                {Data: []byte("")},
		".git/config":             {Data: []byte("[core]")},
		"assets/app-abc.js":       {Data: []byte("console.log(1)")},
		"assets/.secret":          {Data: []byte("secret")},
		"assets/fonts/x.woff2":    {Data: []byte("font")},
		"assets/fonts/index.html": {Data: []byte("<p>not a page")},
	}})
	tests := []struct {
		path string
		code int
	}{
		{"/", 200},
		{"/assets/app-abc.js", 200},
		{"/assets/fonts/x.woff2", 200},
		{"/assets/", 404},
		{"/assets", 404},
		{"/assets/fonts/", 404},
		{"/assets//", 307}, // ServeMux cleans the path; the clean one is refused
		{"/.gitkeep", 404},
		{"/%2egitkeep", 404},
		{"/.git/config", 404},
		{"/.git/", 404},
		{"/assets/.secret", 404},
		{"/assets/fonts/../.secret", 307},
		{"/missing.js", 404},
	}
	for _, tt := range tests {
		w := get(t, h, tt.path, nil)
		if w.Code != tt.code {
			t.Errorf("GET %s = %d, want %d", tt.path, w.Code, tt.code)
		}
		if tt.code == 404 {
			if b := w.Body.String(); strings.Contains(b, "<a href") || strings.Contains(b, "secret") || strings.Contains(b, "[core]") {
				t.Errorf("GET %s sent %q", tt.path, b)
			}
		}
		if w.Header().Get("Content-Security-Policy") == "" || w.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: no security headers", tt.path)
		}
	}

	// Without an index.html the root is not a listing either.
	h = New(Options{Assets: fstest.MapFS{"robots.txt": {Data: []byte("User-agent: *")}}})
	if w := get(t, h, "/", nil); w.Code != 404 || strings.Contains(w.Body.String(), "robots") {
		t.Errorf("GET / without index.html = %d %q", w.Code, w.Body)
	}
}
