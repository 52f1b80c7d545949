package api

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

// TestClientIP: X-Forwarded-For names the client only when the connection
// comes from a proxy the operator trusts, and then only from the right:
// the part a client wrote itself is never believed.
func TestClientIP(t *testing.T) {
	proxies, err := ParseProxies("10.0.0.0/8, 192.0.2.7, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		trusted []netip.Prefix
		remote  string
		xff     []string
		want    string
	}{
		{"no proxy configured: the header is ignored", nil, "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"an untrusted peer cannot choose its address", proxies, "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"trusted proxy names the client", proxies, "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"the client's own prefix is skipped", proxies, "10.1.2.3:4000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted hops", proxies, "10.1.2.3:4000", []string{"198.51.100.1, 192.0.2.7"}, "198.51.100.1"},
		{"several headers are one list", proxies, "10.1.2.3:4000", []string{"6.6.6.6", "198.51.100.1"}, "198.51.100.1"},
		{"trusted proxy without a header", proxies, "10.1.2.3:4000", nil, "10.1.2.3"},
		{"every hop trusted: the leftmost proxy", proxies, "10.1.2.3:4000", []string{"10.9.9.9"}, "10.9.9.9"},
		{"a garbled hop stops the walk", proxies, "10.1.2.3:4000", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"IPv6 through a trusted IPv6 proxy", proxies, "[fd00::1]:4000", []string{"2001:db8::9"}, "2001:db8::9"},
		{"IPv4-mapped peer", proxies, "[::ffff:10.1.2.3]:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"bracketed hop", proxies, "10.1.2.3:4000", []string{"[2001:db8::9]"}, "2001:db8::9"},
		{"no remote address", proxies, "", nil, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &handler{opt: Options{TrustedProxies: tt.trusted}}
			r := httptest.NewRequest("GET", "/api/vault", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := h.clientIP(r); got != tt.want {
				t.Errorf("clientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestClientIPLongChain: a client that writes thousands of hops gets no
// more than the last 32 read, and the answer is still the one the trusted
// proxy saw.
func TestClientIPLongChain(t *testing.T) {
	proxies, _ := ParseProxies("10.0.0.0/8")
	h := &handler{opt: Options{TrustedProxies: proxies}}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.1:1"
	long := ""
	for range 5000 {
		long += "10.0.0.2, "
	}
	r.Header.Set("X-Forwarded-For", long+"198.51.100.1")
	if got := h.clientIP(r); got != "198.51.100.1" {
		t.Fatalf("clientIP = %q", got)
	}
	if n := len(forwardedFor([]string{long})); n != 32 {
		t.Fatalf("kept %d hops, want 32", n)
	}
}

func TestParseProxies(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "proxy.example.org", "10.0.0.1:80"} {
		if _, err := ParseProxies(bad); err == nil {
			t.Errorf("ParseProxies(%q) accepted", bad)
		}
	}
	got, err := ParseProxies(" 10.1.2.3/8 ,::ffff:192.0.2.1,, 2001:db8::1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.1/32", "2001:db8::1/128"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("proxy %d = %s, want %s", i, got[i], want[i])
		}
	}
}

// TestThrottleBehindTrustedProxy: behind a proxy Ward trusts, wrong guesses
// are counted per client the proxy names, so a stranger's guesses slow only
// the stranger and the owner behind the same proxy still gets in; a client
// that writes X-Forwarded-For itself, not through the proxy, gains nothing.
func TestThrottleBehindTrustedProxy(t *testing.T) {
	m, _ := vaultWith(t, cheapKDF, time.Minute)
	proxies, _ := ParseProxies("10.0.0.0/8")
	h := New(Options{Vault: m, TrustedProxies: proxies})
	const proxy = "10.0.0.1:5000"
	for range 6 {
		callFrom(t, h, proxy, "POST", "/api/vault/unlock", "", `{"password":"stranger's guess"}`, "X-Forwarded-For", "198.51.100.7")
	}
	r := callFrom(t, h, proxy, "POST", "/api/vault/unlock", "", `{"password":"stranger's guess"}`, "X-Forwarded-For", "198.51.100.7")
	if r.code != http.StatusTooManyRequests {
		t.Fatalf("the stranger's seventh guess: %d %v, want 429", r.code, r.body)
	}
	r = callFrom(t, h, proxy, "POST", "/api/vault/unlock", "", `{"password":"`+rightPassword+`"}`, "X-Forwarded-For", "203.0.113.9")
	if r.code != http.StatusOK {
		t.Fatalf("the owner behind the same proxy: %d %v, want 200", r.code, r.body)
	}
	// Straight to Ward, the header is the stranger's own words.
	r = callFrom(t, h, "198.51.100.7:6000", "POST", "/api/vault/unlock", "", `{"password":"stranger's guess"}`, "X-Forwarded-For", "192.0.2.99")
	if r.code != http.StatusTooManyRequests {
		t.Fatalf("a forged header from outside the proxy: %d %v, want 429", r.code, r.body)
	}
}
