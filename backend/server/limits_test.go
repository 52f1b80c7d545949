package server

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve runs h on a free loopback port with opt until the test ends.
func serve(t *testing.T, h http.Handler, opt Options) string {
	t.Helper()
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, opt) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ln.Addr().String()
}

// readAll answers with how much of the body it could read, or the error.
var readAll = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "body: "+err.Error(), http.StatusRequestTimeout)
		return
	}
	fmt.Fprintf(w, "read %d", len(b))
})

// A client that sends headers and then stalls its body is cut off after
// BodyTimeout; an import (SlowBody) gets the longer limit.
func TestBodyDeadlines(t *testing.T) {
	opt := Options{
		BodyTimeout:     100 * time.Millisecond,
		SlowBody:        func(r *http.Request) bool { return r.URL.Path == "/api/imports" },
		SlowBodyTimeout: 5 * time.Second,
	}
	addr := serve(t, readAll, opt)
	tests := []struct {
		path     string
		pause    time.Duration
		wantCode string
	}{
		{"/api/vault/unlock", 0, "200"},
		{"/api/vault/unlock", 600 * time.Millisecond, "408"},
		{"/api/imports", 600 * time.Millisecond, "200"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s after %s", tt.path, tt.pause), func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nhello", tt.path)
			time.Sleep(tt.pause)
			c.Write([]byte("world"))
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			if !strings.Contains(line, " "+tt.wantCode+" ") {
				t.Fatalf("status line %q, want %s", line, tt.wantCode)
			}
		})
	}
}

// A handler slower than BodyTimeout still answers, with or without a body:
// the deadline bounds reading the body, not the work after it.
func TestSlowHandler(t *testing.T) {
	addr := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		select {
		case <-time.After(300 * time.Millisecond):
			io.WriteString(w, "done")
		case <-r.Context().Done():
			http.Error(w, "cancelled", http.StatusServiceUnavailable)
		}
	}), Options{BodyTimeout: 50 * time.Millisecond})
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			var body io.Reader
			if method == "POST" {
				body = strings.NewReader("x")
			}
			req, _ := http.NewRequest(method, "http://"+addr+"/", body)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "done" {
				t.Fatalf("got %d %q, want done", resp.StatusCode, b)
			}
		})
	}
}

// Connections past MaxConns wait until one closes.
func TestMaxConns(t *testing.T) {
	addr := serve(t, readAll, Options{MaxConns: 2})
	var idle []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	time.Sleep(50 * time.Millisecond) // let the server accept both
	client := &http.Client{Timeout: 300 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get("http://" + addr + "/"); err == nil {
		resp.Body.Close()
		t.Fatal("a third connection was served while two were open")
	}
	idle[0].Close()
	client.Timeout = 5 * time.Second
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("after one closed: %v", err)
	}
	resp.Body.Close()
}

func TestServeTLS(t *testing.T) {
	cert, key, pool := selfSigned(t)
	if err := CheckTLS(cert, ""); err == nil || !strings.Contains(err.Error(), "both") {
		t.Fatalf("CheckTLS with no key: %v", err)
	}
	if err := CheckTLS(cert, filepath.Join(t.TempDir(), "missing.pem")); err == nil || !strings.Contains(err.Error(), "cannot use the TLS certificate") {
		t.Fatalf("CheckTLS with a missing key: %v", err)
	}
	if err := CheckTLS(cert, key); err != nil {
		t.Fatal(err)
	}
	addr := serve(t, readAll, Options{CertFile: cert, KeyFile: key})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Post("https://"+addr+"/", "text/plain", strings.NewReader("abc"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "read 3" {
		t.Fatalf("over TLS: %q", b)
	}
	if resp, err := http.Get("http://" + addr + "/"); err == nil && resp.StatusCode == 200 {
		t.Fatal("plain HTTP was served on the TLS port")
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key to files.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ward test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}
