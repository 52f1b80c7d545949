package handoff

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func pdf() File {
	return File{Header: http.Header{
		"Content-Type":            {"application/pdf"},
		"Content-Security-Policy": {"sandbox; default-src 'none'"},
	}, Body: []byte("%PDF-1.4 letter")}
}

func get(t *testing.T, raw string, host string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", raw, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// The file is served once, with its own headers and the package's, at a
// loopback URL with a long random token; the second GET finds it gone and
// then nothing listens at all.
func TestOfferServesOnce(t *testing.T) {
	raw, err := Offer(pdf(), time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "http" || u.Hostname() != "127.0.0.1" || len(u.Path) != 1+43 {
		t.Fatalf("URL %q: want http://127.0.0.1:PORT/<43 characters>", raw)
	}
	// Wrong paths, a wrong Host and another method do not spend the file.
	if res, _ := get(t, "http://"+u.Host+"/favicon.ico", ""); res.StatusCode != 404 {
		t.Errorf("GET /favicon.ico = %d, want 404", res.StatusCode)
	}
	if res, _ := get(t, "http://"+u.Host+u.Path[:len(u.Path)-1]+"x", ""); res.StatusCode != 404 {
		t.Errorf("GET of a wrong token = %d, want 404", res.StatusCode)
	}
	if res, _ := get(t, raw, "evil.example:"+u.Port()); res.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("GET with Host evil.example = %d, want 421", res.StatusCode)
	}
	if res, err := http.Head(raw); err != nil || res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("HEAD = %v %v, want 405", res, err)
	}

	res, body := get(t, raw, "")
	if res.StatusCode != 200 || body != "%PDF-1.4 letter" {
		t.Fatalf("first GET = %d %q", res.StatusCode, body)
	}
	for name, want := range map[string]string{
		"Content-Type":            "application/pdf",
		"Content-Security-Policy": "sandbox; default-src 'none'",
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"Content-Length":          "15",
	} {
		if got := res.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	// The listener closes once the answer is sent.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener is still open 5 s after the file was served")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Two GETs at once: exactly one gets the file.
func TestOfferRace(t *testing.T) {
	raw, err := Offer(pdf(), time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 8)
	for range 8 {
		go func() {
			res, err := http.Get(raw)
			if err != nil {
				got <- 0 // the listener closed under it: no file either
				return
			}
			res.Body.Close()
			got <- res.StatusCode
		}()
	}
	ok := 0
	for range 8 {
		if <-got == 200 {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 8 concurrent GETs got the file, want exactly 1", ok)
	}
}

// Past its TTL nothing listens; when still() says no the file is dropped.
func TestOfferEnds(t *testing.T) {
	raw, err := Offer(pdf(), 50*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if res, err := http.Get(raw); err == nil {
		res.Body.Close()
		t.Fatalf("GET after the TTL = %d, want no listener", res.StatusCode)
	}

	raw, err = Offer(pdf(), time.Minute, func() bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	res, body := get(t, raw, "")
	if res.StatusCode != http.StatusGone || strings.Contains(body, "PDF") {
		t.Fatalf("GET after the vault locked = %d %q, want 410 without the file", res.StatusCode, body)
	}
}
