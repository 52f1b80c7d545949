package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the command writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testEnv(stdout, stderr io.Writer) Env {
	return Env{
		Version: "test",
		Assets:  fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Ward</title>")}},
		Stdout:  stdout,
		Stderr:  stderr,
		Getenv:  func(string) string { return "" },
		ConfigDir: func() (string, error) {
			return testConfigDir, nil
		},
	}
}

func TestBadInputIsOnePlainLine(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	readOnly := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(readOnly, 0o500)
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, []byte("x"), 0o600)

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"serve", "--bogus"}, "unknown flag --bogus "},
		{"unknown flag, one dash", []string{"serve", "-bogus"}, "unknown flag -bogus "},
		{"unknown flag with a value", []string{"serve", "--pasword=hunter2"}, "unknown flag --pasword "},
		{"bad value", []string{"serve", "--lock-after=soon"}, `value "soon" is not right for --lock-after`},
		{"no value", []string{"vault", "init", "--data"}, "this flag needs a value: --data"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"stray argument", []string{"serve", "extra"}, `unexpected argument "extra"`},
		{"port in use", []string{"serve", "--addr", busy.Addr().String(), "--data", t.TempDir()}, "already in use"},
		{"data is a file", []string{"serve", "--addr", "127.0.0.1:0", "--data", notDir}, "cannot use data folder"},
		{"missing config", []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--config", "/nonexistent.json"}, "does not exist"},
		{"no display", []string{"--demo", "--data", t.TempDir()}, "no display found"},
	}
	if os.Geteuid() != 0 { // root can write anywhere
		tests = append(tests, struct {
			name string
			args []string
			want string
		}{"unwritable data", []string{"serve", "--addr", "127.0.0.1:0", "--data", readOnly}, "permission denied"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), tt.args, testEnv(&stdout, &stderr))
			if code == 0 {
				t.Fatalf("exit 0, want non-zero; stderr %q", stderr.String())
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "ward: ") {
				t.Fatalf("stderr is not one line starting 'ward: ': %q", msg)
			}
			if !strings.Contains(msg, tt.want) {
				t.Fatalf("stderr %q, want containing %q", msg, tt.want)
			}
			if strings.Contains(msg, "hunter2") {
				t.Fatalf("a mistyped flag's value was echoed: %q", msg)
			}
			if strings.Contains(msg, "goroutine") || strings.Contains(msg, "panic") {
				t.Fatalf("stack trace in %q", msg)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"version"}, testEnv(&out, io.Discard)); code != 0 || !strings.HasPrefix(out.String(), "ward test\n") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	out.Reset()
	if code := Run(context.Background(), []string{"help"}, testEnv(&out, io.Discard)); code != 0 || !strings.Contains(out.String(), "ward serve") {
		t.Fatalf("help: %d %q", code, out.String())
	}
}

// TestServeDemo runs `ward serve --demo` on a free port, waits for the
// ready line, checks the API answers, then stops it as SIGINT would.
func TestServeDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, testEnv(io.Discard, &stderr))
	}()
	re := regexp.MustCompile(`serving on (http://127\.0\.0\.1:\d+/)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("no ready line; stderr %q", stderr.String())
	}
	for _, path := range []string{"api/healthz", "api/summary", "api/results", ""} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Fatalf("GET /%s = %d %q", path, resp.StatusCode, body)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after stop; stderr %q", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "ward: stopped") {
		t.Fatalf("no stopped line: %q", stderr.String())
	}
}
