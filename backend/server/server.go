// Package server runs an http.Handler on a TCP address for `ward serve`:
// listening with plain-English errors, sensible timeouts, a cap on open
// connections, optional TLS, and a clean shutdown when the context ends
// (SIGINT/SIGTERM in the command).
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"golang.org/x/net/netutil"
)

// Defaults for Options left zero.
const (
	DefaultGrace           = 10 * time.Second
	DefaultMaxConns        = 256
	DefaultBodyTimeout     = 30 * time.Second
	DefaultSlowBodyTimeout = time.Hour
)

// Options says how to serve. The zero value serves plain HTTP with the
// defaults above.
type Options struct {
	// Grace is how long open requests get to finish at shutdown.
	Grace time.Duration
	// CertFile and KeyFile, both set, serve HTTPS with that certificate.
	CertFile, KeyFile string
	// MaxConns caps the connections open at once, so slow or idle clients
	// cannot use up the process's file descriptors; more wait to be accepted.
	MaxConns int
	// BodyTimeout bounds reading one request's body. SlowBody picks the
	// requests whose bodies may be large (a 1 GB import on a slow line),
	// which get SlowBodyTimeout instead.
	BodyTimeout     time.Duration
	SlowBody        func(*http.Request) bool
	SlowBodyTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.BodyTimeout <= 0 {
		o.BodyTimeout = DefaultBodyTimeout
	}
	if o.SlowBodyTimeout <= 0 {
		o.SlowBodyTimeout = DefaultSlowBodyTimeout
	}
	return o
}

// TLS reports whether o serves HTTPS.
func (o Options) TLS() bool { return o.CertFile != "" && o.KeyFile != "" }

// CheckTLS loads the certificate and key once, so a wrong path or a key
// that does not match fails at start with a plain message rather than on
// the first connection.
func CheckTLS(certFile, keyFile string) error {
	if (certFile == "") != (keyFile == "") {
		return errors.New("give both --tls-cert and --tls-key, or neither")
	}
	if certFile == "" {
		return nil
	}
	if _, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
		return fmt.Errorf("cannot use the TLS certificate %s with the key %s: %w", certFile, keyFile, err)
	}
	return nil
}

// Listen opens addr, turning the usual failures into sentences a person
// can act on.
func Listen(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%q is not an address to listen on: give host:port, for example 127.0.0.1:8080", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("cannot listen on %s: port %s is already in use (is Ward already running? choose another with --addr)", addr, port)
	case errors.Is(err, syscall.EACCES), errors.Is(err, os.ErrPermission):
		return nil, fmt.Errorf("cannot listen on %s: permission denied (ports below 1024 need special rights; try a port above 1024)", addr)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("cannot listen on %s: %s is not an address of this computer", addr, host)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return nil, fmt.Errorf("cannot listen on %s: unknown host %s", addr, host)
	}
	return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
}

// Serve answers requests on ln until ctx ends, then stops accepting new
// connections and gives open requests up to opt.Grace to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, opt Options) error {
	opt = opt.withDefaults()
	srv := &http.Server{
		Handler:           bodyDeadlines(h, opt),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	ln = netutil.LimitListener(ln, opt.MaxConns)
	errc := make(chan error, 1)
	go func() {
		if opt.TLS() {
			errc <- srv.ServeTLS(ln, opt.CertFile, opt.KeyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), opt.Grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
