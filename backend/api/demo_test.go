package api

import (
	"net/http"
	"testing"
)

// The demo is read-only for imports: every visitor shares it, so a file
// one of them imported would be shown to all. Nothing is read or stored.
func TestDemoRefusesImports(t *testing.T) {
	m := demoVault(t, 0)
	h := New(Options{Vault: m})
	before := call(t, h, "GET", "/api/sources", "", "")
	tests := []struct {
		name, token, query string
	}{
		{"no token", "", "name=x.json&id=demo-import-1"},
		{"any token", "anything", "name=x.json&id=demo-import-2&source=Mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := upload(h, tt.token, tt.query, demoBundle(t, 0))
			if w.Code != http.StatusForbidden {
				t.Fatalf("import into the demo: %d %s, want 403", w.Code, w.Body)
			}
			r := call(t, h, "POST", "/api/imports?"+tt.query, tt.token, "{}")
			if r.code != http.StatusForbidden || errCode(r) != "demo_read_only" || errMessage(r) != DemoReadOnly {
				t.Fatalf("answer %d %v", r.code, r.body)
			}
		})
	}
	after := call(t, h, "GET", "/api/sources", "", "")
	if n, m := len(before.body["sources"].([]any)), len(after.body["sources"].([]any)); n != m || n == 0 {
		t.Fatalf("sources changed: %d then %d", n, m)
	}
}
