package cli

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/vault"
)

// served is a `ward serve` running in the test.
type served struct {
	url    string // http://127.0.0.1:PORT/, whatever it listens on
	stderr *syncBuffer
	stop   func() int
}

var readyLine = regexp.MustCompile(`serving on https?://[^ ]*:(\d+)/`)

// startServe runs serve with args until the test stops it, or returns its
// exit code at once if it refuses to start (then url is "").
func startServe(t *testing.T, args ...string) served {
	t.Helper()
	return startServeEnv(t, testEnv(io.Discard, nil), args...)
}

func startServeEnv(t *testing.T, env Env, args ...string) served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := served{stderr: &syncBuffer{}}
	done := make(chan int, 1)
	env.Stderr = s.stderr
	go func() { done <- Run(ctx, append([]string{"serve"}, args...), env) }()
	exited := -1
	s.stop = func() int {
		if exited >= 0 {
			return exited
		}
		cancel()
		select {
		case exited = <-done:
		case <-time.After(15 * time.Second):
			t.Fatal("serve did not stop")
		}
		return exited
	}
	t.Cleanup(func() { s.stop() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := readyLine.FindStringSubmatch(s.stderr.String()); m != nil {
			s.url = "http://127.0.0.1:" + m[1] + "/"
			return s
		}
		select {
		case exited = <-done:
			return s
		default:
		}
	}
	t.Fatalf("serve neither started nor stopped; stderr %q", s.stderr.String())
	return s
}

// get asks for path with the given Host header and returns the status.
func get(t *testing.T, url, host string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"api/healthz", nil)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Beyond loopback, serve refuses to start without TLS (its own, or a
// proxy's) and the host names browsers use; on loopback it never asks.
func TestServeRefusesBeyondLoopback(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
		not  []string
	}{
		{"nothing", []string{"--addr", "0.0.0.0:0"}, []string{"refusing to serve", "other machines can reach", "--tls-cert", "--behind-tls-proxy", "--public-host"}, nil},
		{"no TLS", []string{"--addr", "0.0.0.0:0", "--public-host", "ward.test"}, []string{"--tls-cert", "--behind-tls-proxy"}, []string{"--public-host"}},
		{"no public host", []string{"--addr", "0.0.0.0:0", "--behind-tls-proxy"}, []string{"--public-host"}, []string{"--tls-cert"}},
		{"a URL for a host", []string{"--addr", "127.0.0.1:0", "--public-host", "https://ward.test/"}, []string{"is not a host name"}, nil},
		{"a certificate without its key", []string{"--addr", "127.0.0.1:0", "--tls-cert", "cert.pem"}, []string{"both --tls-cert and --tls-key"}, nil},
		{"a key file without the demo", []string{"--addr", "127.0.0.1:0", "--key-file", "server.key"}, []string{"--key-file is only used with --demo"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServe(t, append(tt.args, "--data", t.TempDir())...)
			if s.url != "" {
				t.Fatalf("serve started; stderr %q", s.stderr.String())
			}
			msg := s.stderr.String()
			if s.stop() == 0 || strings.Count(msg, "\n") != 1 {
				t.Fatalf("want one line and a failure, got %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not say %q", msg, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(msg, w) {
					t.Errorf("%q says %q, which was given", msg, w)
				}
			}
		})
	}
}

// On every interface behind a TLS proxy: said plainly, only the public
// name (and loopback names) answered, and no setting up from the page.
func TestServeOthersCanReach(t *testing.T) {
	s := startServe(t, "--addr", "0.0.0.0:0", "--public-host", "ward.test", "--behind-tls-proxy", "--data", t.TempDir())
	if s.url == "" {
		t.Fatalf("did not start: %q", s.stderr.String())
	}
	if msg := s.stderr.String(); !strings.Contains(msg, "every network interface") || !strings.Contains(msg, "other machines can reach this server") {
		t.Fatalf("does not say others can reach it: %q", msg)
	}
	for host, want := range map[string]int{"ward.test": 200, "ward.test:443": 200, "localhost": 200, "evil.example": http.StatusMisdirectedRequest} {
		if got := get(t, s.url, host); got != want {
			t.Errorf("Host %s: %d, want %d", host, got, want)
		}
	}
	req, _ := http.NewRequest("POST", s.url+"api/vault/create", strings.NewReader(`{"password":"a long password"}`))
	req.Host = "ward.test"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("set-up from the page on a public server: %d, want 403", resp.StatusCode)
	}
}

// A host name that resolves to loopback is loopback: decided from the
// address bound, not from the text of --addr, so other Host names are
// refused (DNS rebinding) and the page may set up a vault.
func TestServeLoopbackByName(t *testing.T) {
	name, _ := os.Hostname()
	ln, err := net.Listen("tcp", net.JoinHostPort(name, "0"))
	if err != nil || !ln.Addr().(*net.TCPAddr).IP.IsLoopback() {
		if ln != nil {
			ln.Close()
		}
		t.Skipf("this computer's name %q does not resolve to a loopback address", name)
	}
	ln.Close()
	s := startServe(t, "--addr", net.JoinHostPort(name, "0"), "--data", t.TempDir())
	if s.url == "" {
		t.Fatalf("did not start: %q", s.stderr.String())
	}
	if got := get(t, s.url, "evil.example"); got != http.StatusMisdirectedRequest {
		t.Fatalf("Host evil.example on loopback by name: %d, want 421", got)
	}
	if got := get(t, s.url, "localhost"); got != 200 {
		t.Fatalf("Host localhost: %d", got)
	}
	if strings.Contains(s.stderr.String(), "other machines") {
		t.Fatalf("loopback said others can reach it: %q", s.stderr.String())
	}
}

func TestExposureOf(t *testing.T) {
	tests := []struct {
		ip   string
		want exposure
	}{
		{"127.0.0.1", loopbackOnly},
		{"127.0.1.1", loopbackOnly},
		{"::1", loopbackOnly},
		{"0.0.0.0", allInterfaces},
		{"::", allInterfaces},
		{"192.168.1.5", oneInterface},
		{"2001:db8::1", oneInterface},
	}
	for _, tt := range tests {
		if got := exposureOf(&net.TCPAddr{IP: net.ParseIP(tt.ip), Port: 8080}); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.ip, got, tt.want)
		}
	}
}

// The demo's server key is kept outside the data folder, and a key an
// older Ward left in the folder is moved out, still opening the demo.
func TestDemoKeyOutsideData(t *testing.T) {
	data := t.TempDir()
	config := t.TempDir()
	env := testEnv(io.Discard, nil)
	env.ConfigDir = func() (string, error) { return config, nil }
	legacy := filepath.Join(data, "server.key")
	// An older Ward: the demo vault wrapped by DATA/server.key.
	s := startServeEnv(t, env, "--demo", "--addr", "127.0.0.1:0", "--data", data, "--key-file", legacy)
	if s.url == "" || s.stop() != 0 {
		t.Fatalf("demo with the old key: %q", s.stderr.String())
	}
	old, err := os.ReadFile(legacy)
	if err != nil {
		t.Fatal(err)
	}
	s = startServeEnv(t, env, "--demo", "--addr", "127.0.0.1:0", "--data", data)
	if s.url == "" {
		t.Fatalf("demo after the move: %q", s.stderr.String())
	}
	if got := get(t, s.url, "localhost"); got != 200 {
		t.Fatalf("healthz %d", got)
	}
	s.stop()
	moved := filepath.Join(config, "ward-keys", "demo-server.key")
	now, err := os.ReadFile(moved)
	if err != nil || string(now) != string(old) {
		t.Fatalf("key not moved to %s: %v", moved, err)
	}
	if info, err := os.Stat(moved); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("moved key: %v %v", info, err)
	}
	if _, err := os.Stat(legacy); !os.IsNotExist(err) {
		t.Fatalf("the key is still in the data folder: %v", err)
	}
	if !strings.Contains(s.stderr.String(), "moved the demo's server key out of the data folder") {
		t.Fatalf("the move was not said: %q", s.stderr.String())
	}

	// A fresh demo folder gets no key inside it, and shares the key.
	fresh := t.TempDir()
	s = startServeEnv(t, env, "--demo", "--addr", "127.0.0.1:0", "--data", fresh)
	if s.url == "" || s.stop() != 0 {
		t.Fatalf("fresh demo: %q", s.stderr.String())
	}
	filepath.WalkDir(fresh, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".key") {
			t.Errorf("a key file in the data folder: %s", p)
		}
		return nil
	})

	// Another old folder, whose key cannot move there: it is still used,
	// with a warning.
	other := t.TempDir()
	otherKey := filepath.Join(other, "server.key")
	if _, err := vault.LoadOrCreateKEK(otherKey); err != nil {
		t.Fatal(err)
	}
	s = startServeEnv(t, env, "--demo", "--addr", "127.0.0.1:0", "--data", other, "--key-file", otherKey)
	if s.url == "" || s.stop() != 0 {
		t.Fatalf("other demo: %q", s.stderr.String())
	}
	s = startServeEnv(t, env, "--demo", "--addr", "127.0.0.1:0", "--data", other)
	if s.url == "" || s.stop() != 0 || !strings.Contains(s.stderr.String(), "warning: the demo's server key is still in the data folder") {
		t.Fatalf("other demo without --key-file: %q", s.stderr.String())
	}
}

// serve --help lists all of serve's flags; --version and "help serve" work.
func TestHelpAndVersionFlags(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"serve", "--help"}, []string{"Usage: ward serve [flags]", "--addr string", "--lock-after duration", "--key-file string", "--demo", "--data string", "--config string", "--public-host string", "--behind-tls-proxy", "--tls-cert string", "--tls-key string", "(default 127.0.0.1:8080)"}},
		{[]string{"help", "serve"}, []string{"Usage: ward serve [flags]", "--lock-after"}},
		{[]string{"--help"}, []string{"ward serve", "Flags of the desktop window", "--lock-after"}},
		{[]string{"vault", "import", "--help"}, []string{"Usage: ward vault import [flags] FILE...", "--same-person", "--password-file"}},
		{[]string{"--version"}, []string{"ward test\n", "go: "}},
		{[]string{"-version"}, []string{"ward test\n"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := ward(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
