package browserauth

import (
	"strings"
	"testing"
	"time"
)

// parseRoute never panics, and a route with a state is exactly
// /passkey/<state>[/begin|/finish] with a state free of slashes.
func FuzzParseRoute(f *testing.F) {
	for _, s := range []string{"/", cssPath, jsPath, "/passkey/", "/passkey//begin", "/passkey/abc",
		"/passkey/abc/", "/passkey/abc/begin", "/passkey/abc/finish", "/passkey/abc/finish/",
		"/passkey/a/b/c", "/passkey/abc/begin?x", "//passkey/abc", "/PASSKEY/abc", "/passkey/%2e%2e/begin"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		r, state := parseRoute(path)
		want := map[route]string{routePage: "", routeBegin: "/begin", routeFinish: "/finish"}
		switch r {
		case routeNone, routeCSS, routeJS:
			if state != "" {
				t.Fatalf("%q: route %d with state %q", path, r, state)
			}
		default:
			if state == "" || strings.Contains(state, "/") || path != "/passkey/"+state+want[r] {
				t.Fatalf("%q: route %d, state %q", path, r, state)
			}
		}
	})
}

// One whole flow on loopback, as the window and the page go through it:
// Start, GET the page, begin, finish, Status. (A real browser adds its own
// rendering and the authenticator's prompt.)
func BenchmarkFlow(b *testing.B) {
	t := &testing.T{}
	for b.Loop() {
		c := &fake{kind: KindGet, result: "token"}
		fs := New(nil, time.Now)
		id, u, err := fs.Start(c)
		if err != nil {
			b.Fatal(err)
		}
		origin := u[:strings.Index(u, "/passkey/")]
		for _, step := range []struct{ method, target, body string }{
			{"GET", u, ""}, {"GET", origin + jsPath, ""}, {"POST", u + "/begin", "{}"}, {"POST", u + "/finish", credential},
		} {
			if code, _, _ := do(t, step.method, step.target, origin, []byte(step.body)); code != 200 {
				b.Fatalf("%s %s: %d", step.method, step.target, code)
			}
		}
		if st, _, _ := fs.Status(id); st != StateDone {
			b.Fatal(st)
		}
	}
}
