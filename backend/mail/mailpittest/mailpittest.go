// Package mailpittest runs a real Mailpit SMTP server for tests. The binary
// is $WARD_MAILPIT, else mailpit on PATH, else $(go env GOPATH)/bin/mailpit
// (`make deps` installs it under .tools/). Without one the test is skipped,
// or fails when $CI is set.
package mailpittest

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is one Mailpit process on free loopback ports, with its messages
// in a database under t.TempDir() (kept across Stop and Start).
type Server struct {
	t         testing.TB
	bin, dir  string
	smtp, api int
	cmd       *exec.Cmd
	done      chan struct{}
}

// Msg is a message as Mailpit's list API reports it.
type Msg struct {
	ID        string
	MessageID string
	From      string
	To        []string
	Subject   string
}

// Binary finds the mailpit binary, or returns "".
func Binary() string {
	if p := os.Getenv("WARD_MAILPIT"); p != "" {
		return p
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, d := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(d, "bin", "mailpit")
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p
			}
		}
	}
	return ""
}

// New starts Mailpit and stops it at t's cleanup.
func New(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		msg := "mailpit not found: set WARD_MAILPIT, put mailpit on PATH or run make deps"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), smtp: freePort(t), api: freePort(t)}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// SMTPAddr is where to send.
func (s *Server) SMTPAddr() (host string, port int) { return "127.0.0.1", s.smtp }

// Start (re)starts Mailpit on the same ports and database; it returns once
// the HTTP API answers and the SMTP port accepts connections.
func (s *Server) Start() {
	s.t.Helper()
	if s.cmd != nil {
		return
	}
	log, err := os.OpenFile(filepath.Join(s.dir, "mailpit.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(s.bin,
		"--smtp", "127.0.0.1:"+strconv.Itoa(s.smtp),
		"--listen", "127.0.0.1:"+strconv.Itoa(s.api),
		"--database", filepath.Join(s.dir, "mailpit.db"),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
		"--disable-version-check", "--smtp-disable-rdns", "--quiet")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		s.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); log.Close(); close(done) }()
	s.cmd, s.done = cmd, done
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-done:
			s.cmd = nil
			s.t.Fatalf("mailpit exited at start:\n%s", s.logText())
		default:
		}
		if s.up() {
			return
		}
		if time.Now().After(deadline) {
			s.Stop()
			s.t.Fatalf("mailpit did not answer in 15 s:\n%s", s.logText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) up() bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.smtp)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	r, err := http.Get(s.url("/api/v1/messages?limit=1"))
	if err != nil {
		return false
	}
	r.Body.Close()
	return r.StatusCode == http.StatusOK
}

func (s *Server) logText() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "mailpit.log"))
	return string(b)
}

// Stop ends the Mailpit process (SMTP and API) and waits for it; Start
// brings it back.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

func (s *Server) url(p string) string { return "http://127.0.0.1:" + strconv.Itoa(s.api) + p }

func (s *Server) get(t testing.TB, p string, v any) {
	t.Helper()
	r, err := http.Get(s.url(p))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", p, r.Status)
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", p, err)
	}
}

type addr struct{ Name, Address string }

// Messages lists what Mailpit received (newest first, up to 1000).
func (s *Server) Messages(t testing.TB) []Msg {
	t.Helper()
	var resp struct {
		Messages []struct {
			ID, MessageID, Subject string
			From                   addr
			To                     []addr
		}
	}
	s.get(t, "/api/v1/messages?limit=1000", &resp)
	out := make([]Msg, 0, len(resp.Messages))
	for _, m := range resp.Messages {
		msg := Msg{ID: m.ID, MessageID: m.MessageID, From: m.From.Address, Subject: m.Subject}
		for _, a := range m.To {
			msg.To = append(msg.To, a.Address)
		}
		out = append(out, msg)
	}
	return out
}

// Text is the decoded plain-text body of message id.
func (s *Server) Text(t testing.TB, id string) string {
	t.Helper()
	var m struct{ Text string }
	s.get(t, "/api/v1/message/"+id, &m)
	return m.Text
}

// Wait polls until Mailpit holds at least n messages and returns them.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Msg {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ms := s.Messages(t)
		if len(ms) >= n {
			return ms
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit holds %d messages after %v, want %d", len(ms), timeout, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
