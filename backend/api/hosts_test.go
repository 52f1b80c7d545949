package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A Ward others reach answers only for the names it was given (and
// loopback names); a name with a port matches only that port.
func TestPublicHosts(t *testing.T) {
	h := New(Options{Vault: emptyVault(t), LoopbackOnly: true, PublicHosts: []string{"ward.example.org", "portal.example.org:8443", "[2001:db8::1]"}})
	tests := []struct {
		host string
		want int
	}{
		{"ward.example.org", 200},
		{"WARD.example.org.:443", 200},
		{"ward.example.org:8080", 200},
		{"portal.example.org:8443", 200},
		{"portal.example.org", http.StatusMisdirectedRequest},
		{"[2001:db8::1]:8080", 200},
		{"localhost:8080", 200},
		{"127.0.0.1:8080", 200},
		{"evil.example", http.StatusMisdirectedRequest},
		{"ward.example.org.evil.example", http.StatusMisdirectedRequest},
		{"192.168.1.5:8080", http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/api/healthz", nil)
		r.Host = tt.host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.want {
			t.Errorf("Host %s: %d, want %d", tt.host, w.Code, tt.want)
		}
		if w.Code == http.StatusMisdirectedRequest && !strings.Contains(w.Body.String(), "https://ward.example.org/") {
			t.Errorf("Host %s: %s does not say where to open Ward", tt.host, w.Body)
		}
	}
}
