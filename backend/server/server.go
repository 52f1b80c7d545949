// Package server runs an http.Handler on a TCP address for `ward serve`:
// listening with plain-English errors, sensible timeouts, and a clean
// shutdown when the context ends (SIGINT/SIGTERM in the command).
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

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
// connections and gives open requests up to grace to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
