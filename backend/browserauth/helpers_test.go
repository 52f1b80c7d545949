package browserauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/passkey"
)

// clock is an injectable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fake is a Ceremony that records what it is given.
type fake struct {
	kind      string
	beginErr  error
	finishErr error
	result    any
	next      *Next         // returned by the first Finish, when set
	block     chan struct{} // when set, Finish waits for it to close

	mu       sync.Mutex
	rp       passkey.RP
	begins   int
	finishes []string // ceremony ids
	bodies   [][]byte // copies of the credentials
}

const fakeOptions = `{"challenge":"Y2hhbGxlbmdl","rpId":"localhost","userVerification":"required"}`

func (f *fake) Kind() string { return f.kind }

func (f *fake) Begin(_ context.Context, rp passkey.RP) (string, json.RawMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rp = rp
	f.begins++
	if f.beginErr != nil {
		return "", nil, f.beginErr
	}
	return "ceremony-1", json.RawMessage(fakeOptions), nil
}

func (f *fake) Finish(_ context.Context, id string, credential []byte) (any, error) {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finishes = append(f.finishes, id)
	f.bodies = append(f.bodies, bytes.Clone(credential))
	if f.next != nil && len(f.finishes) == 1 {
		return *f.next, nil
	}
	if f.finishErr != nil {
		return nil, f.finishErr
	}
	return f.result, nil
}

func (f *fake) calls() (begins, finishes int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.begins, len(f.finishes)
}

// client dials 127.0.0.1 for "localhost" (as browsers do), one connection
// per request.
var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
	DisableKeepAlives: true,
	DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, _ := net.SplitHostPort(addr)
		var d net.Dialer
		return d.DialContext(ctx, "tcp", "127.0.0.1:"+port)
	},
}}

// started is one flow under test.
type started struct {
	fs     *Flows
	clock  *clock
	id     string
	url    string // http://localhost:PORT/passkey/<state>
	origin string
	opened []string
}

func start(t *testing.T, c Ceremony) *started {
	t.Helper()
	s := &started{clock: newClock()}
	s.fs = New(func(u string) error { s.opened = append(s.opened, u); return nil }, s.clock.now)
	var err error
	if s.id, s.url, err = s.fs.Start(c); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	s.origin = u.Scheme + "://" + u.Host
	return s
}

// do sends a request and returns its status and body.
func do(t *testing.T, method, target, origin string, body []byte) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b), res.Header
}

func (s *started) post(t *testing.T, action string, body string) (int, string) {
	t.Helper()
	code, b, _ := do(t, "POST", s.url+"/"+action, s.origin, []byte(body))
	return code, b
}

// closed reports whether the flow's listener refuses connections.
func (s *started) closed(t *testing.T) bool {
	t.Helper()
	host := strings.TrimPrefix(s.origin, "http://localhost")
	deadline := time.Now().Add(2 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1"+host, time.Second)
		if err != nil {
			return true
		}
		c.Close()
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *started) wantStatus(t *testing.T, state string, wantErr error) any {
	t.Helper()
	got, result, err := s.fs.Status(s.id)
	if got != state || (wantErr == nil) != (err == nil) || (wantErr != nil && !errors.Is(err, wantErr)) {
		t.Fatalf("Status = %q, %v; want %q, %v", got, err, state, wantErr)
	}
	return result
}
