package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/ward-health/ward/backend/imports"
	"github.com/ward-health/ward/backend/passkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/share"
	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/words"
)

// One authorisation check for every request. On a Ward with one vault (the
// desktop window, or `ward serve` on a vault folder) the caller is whoever
// holds a bearer token the vault knows. On a server with accounts the
// caller is the patient whose session cookie names a live session: the
// request then reaches THAT patient's vault and no other, with the vault
// token the cookie carries, so every route reads only the caller's own
// record and an id from another patient's record is simply not found
// (404), the same as an id that never existed.

type callerKey struct{}

// caller is the request's patient on a server with accounts.
type caller struct {
	signin.Caller
	sid, tok string
}

func callerOf(r *http.Request) *caller {
	c, _ := r.Context().Value(callerKey{}).(*caller)
	return c
}

// vault is the vault this request may reach.
func (h *handler) vault(r *http.Request) *session.Manager {
	if h.opt.Accounts == nil {
		return h.opt.Vault
	}
	if c := callerOf(r); c != nil {
		return c.Vault
	}
	return nil
}

// token is the request's vault token: the bearer header, or the session
// cookie's on a server with accounts.
func (h *handler) token(r *http.Request) string {
	if h.opt.Accounts == nil {
		return bearer(r)
	}
	if c := callerOf(r); c != nil {
		return c.tok
	}
	return ""
}

// publicRoutes are reachable on a server with accounts without a session:
// the handlers check whatever step cookie they need.
var publicRoutes = map[string]bool{
	"GET /api/healthz":                         true,
	"GET /api/config":                          true,
	"GET /api/account":                         true,
	"POST /api/account/sign-up":                true,
	"POST /api/account/verify":                 true,
	"POST /api/account/activate":               true,
	"POST /api/account/sign-in":                true,
	"POST /api/account/sign-in/two-step":       true,
	"POST /api/account/sign-in/email-code":     true,
	"POST /api/account/sign-in/passkey/begin":  true,
	"POST /api/account/sign-in/passkey/finish": true,
	"POST /api/account/forgot":                 true,
	"POST /api/account/forgot/verify":          true,
	"POST /api/account/recover":                true,
	"POST /api/account/reset":                  true,
	// A clinician's: the share's viewer session is checked in
	// authoriseShare and by the handlers.
	"POST /api/share/open":   true,
	"GET /api/share":         true,
	"POST /api/share/finish": true,
	"POST /api/share/note":   true,
}

// singleVaultOnly are routes of a Ward with one vault: on a server with
// accounts, signing in replaces unlocking, and setting up a vault from the
// page or through the system browser has no place.
var singleVaultOnly = map[string]bool{
	"POST /api/vault/unlock":          true,
	"POST /api/vault/create":          true,
	"POST /api/vault/lock":            true,
	"POST /api/vault/passkey/begin":   true,
	"POST /api/vault/passkey/finish":  true,
	"POST /api/vault/passkey/browser": true,
}

// enrolOnly are what a session may use while the organisation requires
// two-step verification and the patient has not set it up yet.
func enrolOnly(path string) bool {
	return path == "/api/account" || strings.HasPrefix(path, "/api/account/") ||
		strings.HasPrefix(path, "/api/security/confirm") || path == "/api/config"
}

// authorise runs before the router on a server with accounts. It gives the
// request its caller, or answers it.
func (h *handler) authorise(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if strings.HasPrefix(r.URL.Path, "/api/remote/") {
		return h.authoriseRemote(w, r)
	}
	route := r.Method + " " + r.URL.Path
	if singleVaultOnly[route] || strings.HasPrefix(r.URL.Path, "/api/vault/passkey/browser/") {
		writeError(w, http.StatusNotFound, "not_found", "There is nothing at this address.")
		return r, false
	}
	changes := r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
	// A browser always sends Origin on these; without one the request did
	// not come from Ward's own page. The desktop window's origins, which
	// sameOrigin lets through on a Ward with one vault, are no page of a
	// server with accounts either.
	if o := r.Header.Get("Origin"); changes && o != "http://"+r.Host && o != "https://"+r.Host {
		writeError(w, http.StatusForbidden, "cross_origin", "This request came from another website, so Ward refused it.")
		return r, false
	}
	if h.opt.Sharing != nil {
		if r, handled, ok := h.authoriseShare(w, r, changes); handled {
			return r, ok
		}
	}
	c, err := h.resolve(r)
	if err == nil {
		r = r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
	}
	if publicRoutes[route] {
		return r, true
	}
	if err != nil {
		if errors.Is(err, signin.ErrSignedOut) {
			h.cookies.clear(w, sessionCookie)
		}
		said := words.Of(err)
		writeError(w, said.Status, said.Code, said.Text)
		return r, false
	}
	if changes && subtle.ConstantTimeCompare([]byte(r.Header.Get("X-CSRF-Token")), []byte(c.Session.CSRF)) != 1 {
		writeError(w, http.StatusForbidden, "csrf", "Ward could not check that this request came from your own page. Reload the page and try again.")
		return r, false
	}
	if !enrolOnly(r.URL.Path) {
		need, err := h.opt.Accounts.NeedsEnrolment(r.Context(), c.Account.ID)
		if err != nil || need {
			if err == nil {
				err = signin.ErrTwoStepNeeded
			}
			said := words.Of(err)
			writeError(w, said.Status, said.Code, said.Text)
			return r, false
		}
	}
	return r, true
}

// resolve finds the caller of a request with a session cookie whose vault
// still holds the cookie's token; anything less is signed out.
func (h *handler) resolve(r *http.Request) (*caller, error) {
	v, ok := h.cookies.getSession(r)
	if !ok {
		return nil, signin.ErrSignedOut
	}
	c, err := h.opt.Accounts.Resolve(r.Context(), v.S)
	if err != nil {
		return nil, err
	}
	if !c.Vault.Holds(v.T) {
		// The vault locked (idle, a restart, sign out everywhere): the
		// session is over too.
		h.opt.Accounts.SignOut(r.Context(), v.S, c, v.T) //nolint:errcheck // signed out either way
		return nil, signin.ErrSignedOut
	}
	return &caller{Caller: c, sid: v.S, tok: v.T}, nil
}

// passkeyServices keeps one ceremony service per vault, so a ceremony
// begun for one patient can never be finished against another's vault,
// and each vault's passkeys carry its own user handle (the account's: see
// account_passkey.go). signIn is the one server-wide service of passkey
// sign-in, whose ceremonies belong to no vault until the assertion names
// its account.
type passkeyServices struct {
	mu      sync.Mutex
	by      map[string]*passkey.Service
	imports map[string]*imports.Runner
	signIn  *passkey.Service
}

// importsFor is the request's vault's import runner: one import at a time
// per vault, and an import's id is found only by its own patient.
func (h *handler) importsFor(r *http.Request) *imports.Runner {
	if h.opt.Accounts == nil {
		return h.imports
	}
	m := h.vault(r)
	h.services.mu.Lock()
	defer h.services.mu.Unlock()
	if h.services.imports == nil {
		h.services.imports = map[string]*imports.Runner{}
	}
	rn := h.services.imports[m.VaultID()]
	// A Manager the registry closed and opened again is a new one: its
	// runner starts afresh (a locked vault had no import running).
	if rn == nil || rn.Vault != m {
		rn = &imports.Runner{Vault: m}
		h.services.imports[m.VaultID()] = rn
	}
	return rn
}

func (h *handler) passkeysFor(r *http.Request) *passkey.Service {
	if h.opt.Accounts == nil {
		return h.passkeys
	}
	m := h.vault(r)
	id := m.VaultID()
	h.services.mu.Lock()
	defer h.services.mu.Unlock()
	if h.services.by == nil {
		h.services.by = map[string]*passkey.Service{}
	}
	s := h.services.by[id]
	if s == nil {
		s = newAccountPasskeys(callerOf(r).Account.ID)
		h.services.by[id] = s
	}
	return s
}

// The second kind of caller on a server with accounts: a clinician with a
// share's viewer session (the ward-share cookie, share_clinician.go). Such
// a request reaches no vault at all: the record routes its sections cover
// read the share's own copy (share.Viewer.Record), the share's own routes
// work, GET /api/config and /api/healthz answer, and every other route is
// not there (404). Each request checks the share in the database, so a
// revocation or an expiry refuses the very next one, and each record page
// read goes into the share's access log, which the patient reads.

type viewerKey struct{}

// shareCaller is the request's clinician.
type shareCaller struct {
	v         *share.Viewer
	sid, csrf string
}

func viewerOf(r *http.Request) *shareCaller {
	c, _ := r.Context().Value(viewerKey{}).(*shareCaller)
	return c
}

// shareRecordRoutes are the record routes a share session may read, each
// with the section that must be shared: "" for those every share has (they
// show only what the copy holds), "health" for any of conditions,
// medicines, allergies and immunisations.
var shareRecordRoutes = map[string]string{
	"GET /api/summary":                            "",
	"GET /api/details":                            "",
	"GET /api/sources":                            "",
	"GET /api/search":                             "",
	"GET /api/timeline":                           "",
	"GET /api/results":                            "results",
	"GET /api/results/{id}":                       "results",
	"GET /api/tests":                              "results",
	"GET /api/history":                            "results",
	"GET /api/health":                             "health",
	"GET /api/visits":                             "visits",
	"GET /api/documents":                          "documents",
	"GET /api/documents/{id}":                     "documents",
	"GET /api/documents/{id}/attachments/{index}": "documents",
	"GET /api/other":                              share.Everything,
	"GET /api/other/{type}":                       share.Everything,
}

// shareOwnRoutes are the clinician's routes, which need the session.
var shareOwnRoutes = map[string]bool{
	"GET /api/share":         true,
	"POST /api/share/finish": true,
	"POST /api/share/note":   true,
}

// covers says whether a share of sections may read a route needing sec.
func covers(sections []string, sec string) bool {
	if sec == "" || slices.Contains(sections, share.Everything) {
		return true
	}
	if sec == "health" {
		for _, s := range []string{"conditions", "medicines", "allergies", "immunisations"} {
			if slices.Contains(sections, s) {
				return true
			}
		}
		return false
	}
	return slices.Contains(sections, sec)
}

// authoriseShare handles a request with a share cookie; handled is false
// when it is not a share request after all (no cookie, or one whose view
// has ended, on a route that is not the share's), which then goes on as a
// patient's.
func (h *handler) authoriseShare(w http.ResponseWriter, r *http.Request, changes bool) (_ *http.Request, handled, ok bool) {
	sv, has := h.getShareCookie(r)
	if !has {
		return r, false, false
	}
	_, pattern := h.mux.Handler(r)
	switch pattern {
	case "POST /api/share/open", "GET /api/healthz", "GET /api/config":
		return r, true, true
	}
	section, isRecord := shareRecordRoutes[pattern]
	mine := isRecord || shareOwnRoutes[pattern]
	vs := h.opt.Sharing.Service.Viewers()
	v, err := vs.Get(r.Context(), sv.S)
	if err != nil {
		if !errors.Is(err, share.ErrViewerEnded) {
			h.fail(w, err)
			return r, true, false
		}
		h.cookies.clear(w, shareCookie)
		if !mine {
			return r, false, false
		}
		if pattern == "POST /api/share/finish" {
			w.WriteHeader(http.StatusNoContent)
			return r, true, false
		}
		h.fail(w, err)
		return r, true, false
	}
	if !mine || (isRecord && !covers(v.Sections, section)) {
		writeError(w, http.StatusNotFound, "not_found", "There is nothing at this address.")
		return r, true, false
	}
	if changes && subtle.ConstantTimeCompare([]byte(r.Header.Get("X-CSRF-Token")), []byte(sv.C)) != 1 {
		writeError(w, http.StatusForbidden, "csrf", "Ward could not check that this request came from your own page. Reload the page and try again.")
		return r, true, false
	}
	if isRecord {
		if err := vs.LogAccess(r.Context(), v, r.URL.Path, h.clientIP(r), ua(r)); err != nil {
			h.fail(w, err)
			return r, true, false
		}
	}
	return r.WithContext(context.WithValue(r.Context(), viewerKey{}, &shareCaller{v: v, sid: sv.S, csrf: sv.C})), true, true
}
