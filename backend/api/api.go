// Package api is Ward's single HTTP handler: the JSON API under /api/ and the
// built frontend everywhere else. The desktop window reaches it through
// Wails' AssetServer and `ward serve` through net/http, so both faces run
// exactly the same code.
package api

import (
	"encoding/json"

	"github.com/gorilla/securecookie"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/ward-health/ward/backend/browserauth"
	"github.com/ward-health/ward/backend/config"
	"github.com/ward-health/ward/backend/imports"
	"github.com/ward-health/ward/backend/passkey"
	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/serverkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/share"
	"github.com/ward-health/ward/backend/shl"
	"github.com/ward-health/ward/backend/signin"
)

// Options wires the handler to the rest of Ward.
type Options struct {
	Config  config.Config
	Version string
	// Assets is the built frontend; nil serves the API only.
	Assets fs.FS
	// Vault is the patient's vault, locked or open.
	Vault  *session.Manager
	Logger *slog.Logger
	// LoopbackOnly refuses requests whose Host header is not a loopback
	// name, so a web page cannot reach a Ward listening on 127.0.0.1 by
	// pointing its own domain there (DNS rebinding).
	LoopbackOnly bool
	// PublicHosts are the other names LoopbackOnly lets through: those
	// browsers use for a Ward others can reach (see hosts.go).
	PublicHosts []string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (--trusted-proxy); without any the header is never read.
	TrustedProxies []netip.Prefix
	// AllowSetup lets the page create a vault in an empty data folder:
	// right for the desktop window and for a server on loopback, not for a
	// server others can reach, where the first visitor would choose the
	// password (set those up with "ward vault init").
	AllowSetup bool
	// OpenURL opens a URL in the system browser (the desktop window's
	// runtime.BrowserOpenURL), for passkey ceremonies the window cannot run
	// itself and for attachments it hands to the system viewer (handoff);
	// nil in `ward serve`, where the page opens the URL.
	OpenURL func(url string) error
	// Accounts, when set, makes this a server for many patients, each
	// signing in to their own vault (Vault is then nil).
	Accounts *signin.Service
	// CookieKeys sign and encrypt the session cookie, newest first.
	CookieKeys []serverkey.CookieKey
	// SecureCookies marks cookies Secure with the __Host- prefix: set
	// whenever browsers reach Ward over TLS (--tls-cert, or an https
	// --public-url behind a proxy).
	SecureCookies bool
	// Sharing, on a server with accounts, lets patients share part of
	// their record with a clinician (share.go); nil: no sharing.
	Sharing *Sharing
	// PublishHTTP is the client a Ward with one vault publishes shares
	// with (nil: one with a 60-second timeout; tests set their own).
	PublishHTTP *http.Client
	// FirstAPICall, if set, runs once when the first /api/ request arrives:
	// the desktop shell uses it to know the page inside the window is alive.
	FirstAPICall func()
}

type handler struct {
	now      func() time.Time
	passkeys *passkey.Service
	pending  pendingPasskeys
	browser  *browserauth.Flows
	imports  *imports.Runner
	opt      Options
	mux      *http.ServeMux
	first    sync.Once
	cookies  *cookies
	services passkeyServices
	// routes are the patterns registered, for the test that every route
	// keeps one patient out of another's record.
	routes []string
	// shareCodecs sign and encrypt the clinician's ward-share cookie;
	// shl serves SMART Health Links at /shl/.
	shareCodecs []securecookie.Codec
	shl         *shl.Server
}

func (h *handler) handle(pattern string, fn http.HandlerFunc) {
	h.routes = append(h.routes, pattern)
	h.mux.HandleFunc(pattern, fn)
}

// New returns the handler.
func New(opt Options) http.Handler {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{opt: opt, mux: http.NewServeMux(), now: time.Now, imports: &imports.Runner{Vault: opt.Vault}}
	h.passkeys = newPasskeys(opt.Vault)
	if opt.Accounts != nil {
		h.cookies = newCookies(opt.CookieKeys, opt.SecureCookies, opt.Accounts.Policy().Absolute)
		h.accountRoutes()
		if opt.Sharing != nil {
			h.shareCodecs = newShareCodecs(opt.CookieKeys)
			h.shareRoutes()
			h.remoteRoutes()
			h.shl = shl.NewServer(&linkStore{db: opt.Sharing.Accounts, key: opt.Sharing.LookupKey, now: time.Now},
				h.publicURLOf())
			h.shl.ClientAddress = h.clientIP
			h.shl.PasscodeForm = share.CanonicalCode
			h.shl.Logger = opt.Logger
		}
	}
	if opt.Accounts == nil && opt.Vault != nil {
		h.publishRoutes()
	}
	h.browser = browserauth.New(opt.OpenURL, time.Now)
	h.handle("GET /api/healthz", h.healthz)
	h.handle("GET /api/config", h.config)
	for pattern, fn := range map[string]func(http.ResponseWriter, *http.Request, *records.Record){
		"GET /api/summary":                                  h.summary,
		"GET /api/results":                                  h.results,
		"GET /api/results/{id}":                             h.result,
		"GET /api/tests":                                    h.tests,
		"GET /api/history":                                  h.history,
		"GET /api/health":                                   h.health,
		"GET /api/visits":                                   h.visits,
		"GET /api/documents":                                h.documents,
		"GET /api/documents/{id}":                           h.document,
		"GET /api/documents/{id}/attachments/{index}":       h.attachment,
		"POST /api/documents/{id}/attachments/{index}/open": h.openAttachment,
		"GET /api/details":                                  h.details,
		"GET /api/sources":                                  h.sources,
		"GET /api/search":                                   h.search,
		"GET /api/timeline":                                 h.timeline,
		"GET /api/other":                                    h.otherTypes,
		"GET /api/other/{type}":                             h.other,
	} {
		h.handle(pattern, h.withRecord(fn))
	}
	h.handle("POST /api/viewed", h.viewed)
	h.handle("GET /api/vault", h.vaultStatus)
	h.handle("POST /api/vault/unlock", h.unlock)
	h.handle("POST /api/vault/lock", h.lock)
	h.handle("POST /api/vault/create", h.create)
	h.handle("POST /api/vault/passkey/begin", h.passkeyBegin)
	h.handle("POST /api/vault/passkey/finish", h.passkeyFinish)
	h.handle("POST /api/vault/passkey/browser", h.browserStart)
	h.handle("GET /api/vault/passkey/browser/{id}", h.browserStatus)
	h.handle("GET /api/security", h.securityView)
	h.handle("POST /api/security/confirm", h.confirm)
	h.handle("POST /api/security/confirm/passkey/begin", h.passkeyBegin)
	h.handle("POST /api/security/confirm/passkey/finish", h.confirmPasskeyFinish)
	h.handle("POST /api/security/passkeys/begin", h.addPasskeyBegin)
	h.handle("POST /api/security/passkeys/finish", h.addPasskeyFinish)
	h.handle("POST /api/security/passkeys/{id}/rename", h.renamePasskey)
	h.handle("DELETE /api/security/passkeys/{id}", h.removePasskey)
	h.handle("POST /api/security/password", h.setPassword)
	h.handle("DELETE /api/security/password", h.removePassword)
	h.handle("POST /api/security/recovery-key", h.newRecoveryKey)
	h.handle("POST /api/security/auto-lock", h.setAutoLock)
	h.handle("POST /api/imports", h.startImport)
	h.handle("GET /api/imports/{id}", h.importStatus)
	h.handle("POST /api/imports/{id}/cancel", h.cancelImport)
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "There is nothing at this address.")
	})
	if opt.Assets != nil {
		h.mux.Handle("/", static(opt.Assets))
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	secureHeaders(sw.Header())
	isAPI := len(r.URL.Path) >= 5 && r.URL.Path[:5] == "/api/"
	if isAPI {
		sw.Header().Set("Cache-Control", "no-store")
		if h.opt.FirstAPICall != nil {
			h.first.Do(h.opt.FirstAPICall)
		}
	}
	path := r.URL.Path
	if h.opt.LoopbackOnly && !h.knownHost(r.Host) {
		writeError(sw, http.StatusMisdirectedRequest, "wrong_host", h.wrongHost())
	} else if h.shl != nil && strings.HasPrefix(r.URL.Path, "/shl/") {
		// SMART Health Links: receivers on any origin, no cookies, no
		// CSRF. The path holds the link's manifest id, which opens the
		// shared copy: it is never logged.
		path = "/shl/…"
		sw.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		h.shl.ServeHTTP(sw, r)
	} else if !sameOrigin(r) {
		writeError(sw, http.StatusForbidden, "cross_origin", "This request came from another website, so Ward refused it.")
	} else if h.opt.Accounts == nil || !isAPI {
		h.mux.ServeHTTP(sw, r)
	} else if r, ok := h.authorise(sw, r); ok {
		h.mux.ServeHTTP(sw, r)
	}
	// Only the path is logged: query strings may carry search terms, which
	// are health information.
	h.opt.Logger.Debug("request", "method", r.Method, "path", path, "status", sw.status, "duration", time.Since(start))
}

// secureHeaders sets a strict policy on every response: the frontend is
// built to need nothing outside its own origin, no inline script or style.
func secureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
}

// sameOrigin refuses state-changing requests sent by other sites (CSRF).
// Browsers send Sec-Fetch-Site and Origin on such requests; tools like curl
// send neither and are allowed, as they carry no ambient credentials.
func sameOrigin(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" && s != "none" {
		return false
	}
	// "null" is refused: sandboxed frames and data: or file: pages send it,
	// and any site can make one. The window sends wails://wails (WebKit on
	// Linux and macOS) or http://wails.localhost (WebView2 on Windows).
	if o := r.Header.Get("Origin"); o != "" {
		return o == "http://"+r.Host || o == "https://"+r.Host || o == "wails://"+r.Host ||
			o == "wails://wails" || o == "wails://wails.localhost"
	}
	return true
}

// loopbackHost reports whether a Host header names this computer.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || host == "wails.localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// RetryAfterSeconds, on a 429, is the wait (also in Retry-After).
	RetryAfterSeconds int `json:"retryAfterSeconds,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]apiError{"error": {Code: code, Message: message}})
}
