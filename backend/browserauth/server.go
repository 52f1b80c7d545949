package browserauth

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
)

//go:embed page/page.html page/page.css page/page.js
var page embed.FS

var (
	pageHTML = mustRead("page/page.html")
	pageCSS  = mustRead("page/page.css")
	pageJS   = mustRead("page/page.js")
)

func mustRead(name string) []byte {
	b, err := page.ReadFile(name)
	if err != nil {
		panic(err) // the embed pattern above guarantees the file
	}
	return b
}

// The paths the page's own files are served at, the same for every flow.
const (
	cssPath = "/static/page.css"
	jsPath  = "/static/page.js"
)

const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// What the browser is told; the window learns the real reason from Status.
const (
	msgExpired = "This page has expired or has already been used. Try again in Ward."
	msgUsed    = "This page has already been used. Try again in Ward."
	msgFailed  = "That did not work. Try again in Ward."
	msgTooBig  = "That was too large for Ward. Try again in Ward."
	msgOrigin  = "This request did not come from Ward's page."
)

type route int

const (
	routeNone route = iota
	routeCSS
	routeJS
	routePage
	routeBegin
	routeFinish
)

// parseRoute reads a request path: the page's two files, or
// /passkey/<state>[/begin|/finish]. state is "" for the files and for
// routeNone.
func parseRoute(path string) (r route, state string) {
	switch path {
	case cssPath:
		return routeCSS, ""
	case jsPath:
		return routeJS, ""
	}
	rest, ok := strings.CutPrefix(path, "/passkey/")
	if !ok {
		return routeNone, ""
	}
	state, action, _ := strings.Cut(rest, "/")
	if state == "" {
		return routeNone, ""
	}
	switch action {
	case "":
		if strings.HasSuffix(rest, "/") {
			return routeNone, ""
		}
		return routePage, state
	case "begin":
		return routeBegin, state
	case "finish":
		return routeFinish, state
	}
	return routeNone, ""
}

// ServeHTTP is the flow's loopback server.
func (fl *flow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if r.Host != fl.host { // DNS rebinding: only the name we opened
		http.Error(w, "Misdirected request", http.StatusMisdirectedRequest)
		return
	}
	rt, state := parseRoute(r.URL.Path)
	if rt == routeNone || (state != "" && subtle.ConstantTimeCompare([]byte(state), []byte(fl.state)) != 1) {
		http.NotFound(w, r)
		return
	}
	post := rt == routeBegin || rt == routeFinish
	if (post && r.Method != http.MethodPost) || (!post && r.Method != http.MethodGet && r.Method != http.MethodHead) {
		allow := "GET, HEAD"
		if post {
			allow = http.MethodPost
		}
		h.Set("Allow", allow)
		http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch rt {
	case routeCSS:
		serveFile(w, "text/css; charset=utf-8", pageCSS)
	case routeJS:
		serveFile(w, "text/javascript; charset=utf-8", pageJS)
	case routePage:
		if !fl.live() {
			http.Error(w, msgExpired, http.StatusGone)
			return
		}
		serveFile(w, "text/html; charset=utf-8", pageHTML)
	default:
		if r.Header.Get("Origin") != fl.rp.Origin {
			answer(w, refused(http.StatusForbidden, msgOrigin))
			return
		}
		body, err := readBody(w, r)
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				fl.fail(err)
				answer(w, refused(http.StatusRequestEntityTooLarge, msgTooBig))
				return
			}
			answer(w, refused(http.StatusBadRequest, msgFailed))
			return
		}
		if rt == routeBegin {
			fl.begin(w, r)
		} else {
			fl.finish(w, r, body)
		}
	}
}

func serveFile(w http.ResponseWriter, contentType string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Write(b) //nolint:errcheck // the browser went away
}

func answer(w http.ResponseWriter, rep reply) {
	status := rep.status
	b, err := json.Marshal(rep.body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"`+msgFailed+`"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b) //nolint:errcheck
}

// readBody reads at most MaxBody bytes of the body.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		clear(b)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, ErrTooLarge
		}
		return nil, err
	}
	return b, nil
}

// live reports whether the flow still waits, ending it if it has expired.
func (fl *flow) live() bool {
	fl.fs.mu.Lock()
	defer fl.fs.mu.Unlock()
	fl.expireLocked(fl.fs.now())
	return fl.status == StateWaiting
}

func (fl *flow) fail(err error) {
	fl.fs.mu.Lock()
	defer fl.fs.mu.Unlock()
	fl.endLocked(StateFailed, nil, err)
}

// reply is an answer to the browser, decided under the lock and written
// after it.
type reply struct {
	status int
	body   any
}

func refused(status int, msg string) reply {
	return reply{status, map[string]string{"error": msg}}
}

// claim takes the flow for one Begin (first is true) or one Finish.
func (fl *flow) claim(first bool) (ceremonyID string, r reply, ok bool) {
	fl.fs.mu.Lock()
	defer fl.fs.mu.Unlock()
	fl.expireLocked(fl.fs.now())
	switch {
	case fl.status != StateWaiting:
		return "", refused(http.StatusGone, msgExpired), false
	case fl.busy || fl.begun == first || (!first && fl.ceremonyID == ""):
		return "", refused(http.StatusConflict, msgUsed), false
	}
	fl.busy, fl.begun = true, true
	ceremonyID, fl.ceremonyID = fl.ceremonyID, ""
	return ceremonyID, reply{}, true
}

// ceremonyContext is the context of Begin and Finish: the browser going away
// must not cancel an unlock whose result the window is waiting for.
func ceremonyContext(r *http.Request) context.Context {
	return context.WithoutCancel(r.Context())
}

func (fl *flow) begin(w http.ResponseWriter, r *http.Request) {
	if _, rep, ok := fl.claim(true); !ok {
		answer(w, rep)
		return
	}
	id, options, err := fl.c.Begin(ceremonyContext(r), fl.rp)
	rep := fl.step(Next{CeremonyID: id, Kind: fl.c.Kind(), Options: options}, err)
	answer(w, rep)
}

func (fl *flow) finish(w http.ResponseWriter, r *http.Request, credential []byte) {
	defer clear(credential)
	id, rep, ok := fl.claim(false)
	if ok {
		result, err := fl.c.Finish(ceremonyContext(r), id, credential)
		switch next := result.(type) {
		case Next:
			rep = fl.step(next, err)
		case *Next:
			if next == nil {
				next = &Next{}
			}
			rep = fl.step(*next, err)
		default:
			rep = fl.done(result, err)
		}
	}
	answer(w, rep)
}

// step gives the page the options of its next browser step, or ends the
// flow when there is none to give.
func (fl *flow) step(next Next, err error) reply {
	fl.fs.mu.Lock()
	defer fl.fs.mu.Unlock()
	fl.busy = false
	fl.steps++
	switch {
	case fl.status != StateWaiting: // closed meanwhile (Flows filled up)
		return refused(http.StatusGone, msgExpired)
	case err == nil && fl.steps > maxSteps:
		err = ErrTooManySteps
	case err == nil && (next.CeremonyID == "" || (next.Kind != KindGet && next.Kind != KindCreate) || !json.Valid(next.Options)):
		err = errors.New("browserauth: the ceremony gave no id, kind or options")
	}
	if err != nil {
		fl.endLocked(StateFailed, nil, err)
		return refused(http.StatusBadRequest, msgFailed)
	}
	fl.ceremonyID = next.CeremonyID
	return reply{http.StatusOK, struct {
		Kind      string          `json:"kind"`
		PublicKey json.RawMessage `json:"publicKey"`
	}{next.Kind, next.Options}}
}

// done ends the flow with Finish's outcome; the browser only hears whether
// it worked.
func (fl *flow) done(result any, err error) reply {
	fl.fs.mu.Lock()
	defer fl.fs.mu.Unlock()
	fl.busy = false
	switch {
	case fl.status != StateWaiting:
		return refused(http.StatusGone, msgExpired)
	case err != nil:
		fl.endLocked(StateFailed, nil, err)
		return refused(http.StatusBadRequest, msgFailed)
	}
	fl.endLocked(StateDone, result, nil)
	return reply{http.StatusOK, map[string]bool{"done": true}}
}
