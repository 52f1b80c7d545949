// Package handoff gives a file to the system browser from the desktop window
// without writing it to disk. The window cannot show a PDF, and opening a
// file in another program usually means saving it first, in plaintext; here
// the bytes stay in Ward's memory and are served once, over loopback, to
// whichever program opens the URL (the system browser, through xdg-open).
//
// Each Offer listens on its own 127.0.0.1 port and serves its file at
// http://127.0.0.1:PORT/<token>, where token is 32 random bytes (base64url):
//   - once: the first GET of the right path gets the file, and the
//     listener closes as that answer is sent;
//   - for at most the TTL given to Offer, after which the listener closes;
//   - only while the caller's still() says so (the window's vault is still
//     open to the session that asked), checked as the request arrives;
//   - only at Host 127.0.0.1:PORT (DNS rebinding), no-store, no-referrer.
//
// Another program of the same user can read the URL as it is handed to
// xdg-open (its command line); so can other users on systems that show
// every process's command line. Whoever fetches it first takes the one copy
// and the browser then says the page has expired. This package logs nothing.
package handoff

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// File is what is served: its headers (Content-Type, Content-Disposition,
// a Content-Security-Policy) and its bytes, which are not copied.
type File struct {
	Header http.Header
	Body   []byte
}

// gone is the page for a URL that has been used, has expired, or belongs to
// a vault that has locked since.
const gone = "This file has already been opened, or its link has expired. Open it again from Ward.\n"

// offer is one file waiting on its own listener.
type offer struct {
	host  string // "127.0.0.1:PORT", the only Host served
	path  string // "/" + token
	still func() bool
	srv   *http.Server

	mu   sync.Mutex
	file *File // nil once served or closed
}

// Offer serves f once at a new URL on loopback for at most ttl, and returns
// the URL. still, if not nil, is asked as the request arrives; when it says
// false the file is dropped unserved.
func Offer(f File, ttl time.Duration, still func() bool) (string, error) {
	token, err := random()
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("handoff: listen on loopback: %w", err)
	}
	o := &offer{
		host:  "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port),
		path:  "/" + token,
		still: still,
		file:  &f,
	}
	o.srv = &http.Server{
		Handler:           o,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      ttl + time.Minute,
		IdleTimeout:       10 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go o.srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed
	time.AfterFunc(ttl, o.close)
	return "http://" + o.host + o.path, nil
}

// take hands out the file once: nil after the first call, and after close.
func (o *offer) take() *File {
	o.mu.Lock()
	defer o.mu.Unlock()
	f := o.file
	o.file = nil
	return f
}

// close drops the file and closes the listener; an answer being sent
// finishes first (Shutdown waits for it).
func (o *offer) close() {
	o.take()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		o.srv.Shutdown(ctx) //nolint:errcheck
	}()
}

func (o *offer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	if r.Host != o.host {
		http.Error(w, "Misdirected request", http.StatusMisdirectedRequest)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.URL.Path), []byte(o.path)) != 1 {
		// A browser asks for /favicon.ico too: that is not a try at the file.
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		// Not even HEAD, which would spend the one answer on no file.
		h.Set("Allow", "GET")
		http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
		return
	}
	f := o.take()
	defer o.close()
	if f == nil || (o.still != nil && !o.still()) {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusGone)
		io.WriteString(w, gone) //nolint:errcheck
		return
	}
	for k, v := range f.Header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(f.Body)))
	w.WriteHeader(http.StatusOK)
	w.Write(f.Body) //nolint:errcheck // the browser went away; the file is gone either way
}

// random is 32 random bytes, base64url without padding.
func random() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("handoff: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
