package publish

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestCheckServer(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://ward.example.org", "https://ward.example.org"},
		{"  https://ward.example.org/ ", "https://ward.example.org"},
		{"ward.example.org", "https://ward.example.org"},
		{"https://ward.example.org:8443", "https://ward.example.org:8443"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"http://ward.localhost", "http://ward.localhost"},
		// The key would cross the network in the clear.
		{"http://ward.example.org", ""},
		{"http://192.168.1.10:8080", ""},
		{"http://localhost.example.org", ""},
		{"ftp://ward.example.org", ""},
		{"https://ward.example.org/ward", ""},
		{"https://ward.example.org/?x=1", ""},
		{"https://ward.example.org/#share", ""},
		{"https://alex:pw@ward.example.org", ""},
		{"https://", ""},
		{"", ""},
		{"https://" + strings.Repeat("a", 300) + ".org", ""},
	} {
		got, err := CheckServer(c.in)
		if got != c.want || (c.want == "") != errors.Is(err, ErrBadServer) {
			t.Errorf("CheckServer(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func FuzzCheckServer(f *testing.F) {
	for _, s := range []string{"https://ward.example.org", "http://localhost:1", "ward", "http://[::1]", "%zz://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CheckServer(s)
		if err != nil {
			return
		}
		u, perr := url.Parse(got)
		if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Path != "" || u.User != nil || u.RawQuery != "" {
			t.Fatalf("CheckServer(%q) = %q, which is not a bare origin", s, got)
		}
		if again, err := CheckServer(got); err != nil || again != got {
			t.Fatalf("CheckServer(%q) = %q, but again %q %v", s, got, again, err)
		}
	})
}

// TestClientAnswers: each way a server can answer becomes one error the
// page has words for, and the key goes only where it was set.
func TestClientAnswers(t *testing.T) {
	var gotKey string
	elsewhere := 0
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere++ }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotKey = r.Header.Get("Authorization")
		switch r.URL.Path {
		case "/api/remote/hello":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"organisation":"Testshire Health"}`))
		case "/api/remote/shares/refused/revoke":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"code":"publish_key_refused","message":"no"}}`))
		case "/api/remote/shares/slow/revoke":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"error":{"code":"throttled","message":"Wait a minute.","retryAfterSeconds":60}}`))
		case "/api/remote/shares/gone/revoke":
			w.WriteHeader(http.StatusNoContent)
		case "/api/remote/shares":
			http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
		case "/api/remote/shares/page/access":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html>a login page</html>"))
		case "/api/remote/shares/huge/access":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`"` + strings.Repeat("x", maxAnswer) + `"`))
		case "/api/remote/shares/junk/access":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"shares":`))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	c := &Client{Server: srv.URL, Key: "wardpk_k"}

	if h, err := c.Hello(ctx); err != nil || h.Organisation != "Testshire Health" || gotKey != "Bearer wardpk_k" {
		t.Fatalf("hello = %+v %v (key sent %q)", h, err, gotKey)
	}
	if err := c.Revoke(ctx, "gone"); err != nil {
		t.Fatalf("revoke = %v", err)
	}
	if err := c.Revoke(ctx, "refused"); !errors.Is(err, ErrKeyRefused) {
		t.Fatalf("a refused key = %v", err)
	}
	var se *ServerError
	if err := c.Revoke(ctx, "slow"); !errors.As(err, &se) || se.Status != 429 || se.Text != "Wait a minute." || se.RetryAfterS != 60 {
		t.Fatalf("throttled = %v", err)
	}
	if _, err := c.List(ctx); !errors.Is(err, ErrNotWard) || elsewhere != 0 {
		t.Fatalf("a redirect = %v; requests that reached the other server: %d", err, elsewhere)
	}
	for _, id := range []string{"page", "huge", "junk"} {
		if _, err := c.Access(ctx, id); !errors.Is(err, ErrNotWard) {
			t.Errorf("access %s = %v, want ErrNotWard", id, err)
		}
	}
	if _, err := (&Client{Server: srv.URL}).List(ctx); !errors.Is(err, ErrNoServer) {
		t.Fatalf("no key = %v", err)
	}
	srv.Close()
	var ue *UnreachableError
	if _, err := c.Hello(ctx); !errors.As(err, &ue) || ue.Server != srv.URL {
		t.Fatalf("a closed server = %v", err)
	}
}
