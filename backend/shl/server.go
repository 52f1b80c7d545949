package shl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultAttempts is the suggested lifetime limit on wrong passcodes for a
// link; the Store holds the actual count.
const DefaultAttempts = 10

// MaxFileTTL is the longest a .files.location URL may live (the
// specification's one hour).
const MaxFileTTL = time.Hour

// ErrNotFound is returned by a Store when a link does not exist, was
// revoked, has expired or has been disabled (no passcode attempts left).
var ErrNotFound = errors.New("shl: link not found or no longer active")

// Entry is what the Server needs to know about a link.
type Entry struct {
	// Expires is when the link stops resolving; zero for never.
	Expires time.Time
	// PasscodeHash is the HashPasscode output, or nil when the link has no
	// passcode (no P flag).
	PasscodeHash []byte
	// RemainingAttempts is the number of wrong passcodes still allowed
	// (only meaningful with a PasscodeHash). A Store should report the link
	// as ErrNotFound once it reaches 0.
	RemainingAttempts int
	// Key is the link's 32-byte file key (Link.Key).
	Key []byte
	// Label is the link's label (for logs and display only).
	Label string
}

// File is one file of a link, in plaintext.
type File struct {
	// ContentType is one of ContentTypeFHIR, ContentTypeSHC,
	// ContentTypeAPIAccess.
	ContentType string
	// Body is the plaintext (for ContentTypeFHIR, a FHIR resource as JSON).
	Body []byte
	// LastUpdated is when the file last changed; zero to omit.
	LastUpdated time.Time
	// FHIRVersion is the FHIR version of Body (e.g. "4.0.1"); empty to omit.
	FHIRVersion string
}

// Event is one request the Server logs through Store.Log.
type Event struct {
	Time      time.Time
	Kind      string // "manifest" or "file"
	Recipient string // as sent by the client (manifest) or the manifest's (file)
	Address   string // client address (Server.ClientAddress)
	Status    int    // HTTP status sent
}

// Store backs a Server. Implementations must be safe for concurrent use.
type Store interface {
	// Lookup returns the link with the given manifest id, or ErrNotFound
	// when there is none or it is revoked, expired or disabled.
	Lookup(ctx context.Context, id string) (Entry, error)
	// Attempt atomically takes one passcode try from the link's lifetime
	// budget BEFORE the passcode is checked and returns how many remain
	// after it. It returns ErrNotFound when the budget is already 0 (the
	// link is disabled) or the link is not active. Because the try is taken
	// first, N parallel requests can never check more than the budget of
	// passcodes. (SQL: UPDATE … SET attempts = attempts - 1 WHERE id = ? AND
	// attempts > 0 RETURNING attempts.)
	Attempt(ctx context.Context, id string) (remaining int, err error)
	// Refund gives back the try taken by Attempt when the passcode was
	// right: only wrong passcodes count against the lifetime limit.
	Refund(ctx context.Context, id string) error
	// Files returns the link's files in a stable order.
	Files(ctx context.Context, id string) ([]File, error)
	// Log records a request; it is called for every manifest request and
	// every file request that names a live token, whatever the outcome.
	Log(ctx context.Context, id string, ev Event)
}

// Server is the http.Handler for a SMART Health Links resource server. It
// serves, relative to where it is mounted (BaseURL):
//
//	POST /shl/{id}          manifest request
//	GET  /shl/file/{token}  file behind a .files.location URL
//
// Location tokens are 256-bit random, single-use, and live FileTTL (at most
// one hour); they are kept in this process's memory.
type Server struct {
	// Store is required.
	Store Store
	// BaseURL is the public URL the handler is mounted at, the same one
	// given to New; location URLs are BaseURL + "/shl/file/" + token.
	BaseURL string
	// FileTTL is the lifetime of a location URL; 0 means 5 minutes, and
	// values over MaxFileTTL are clamped to it.
	FileTTL time.Duration
	// DefaultEmbedMax is the embedded-length bound used when the client
	// sends no embeddedLengthMax; 0 means use location URLs only.
	DefaultEmbedMax int
	// ClientAddress gives the address logged for a request; nil means
	// r.RemoteAddr. Set it when behind a trusted proxy.
	ClientAddress func(r *http.Request) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives store errors; nil means slog.Default().
	Logger *slog.Logger
	// PasscodeForm gives the form a passcode is checked in (forgiving how
	// a person types it); nil: as sent.
	PasscodeForm func(string) string
	// MaxHashing bounds concurrent passcode checks (each Argon2id check
	// takes ~19 MiB and ~25 ms); 0 means 4.
	MaxHashing int

	mu     sync.Mutex
	tokens map[string]fileToken

	hashOnce sync.Once
	hashSem  chan struct{}
}

// checkPasscode runs CheckPasscode under the MaxHashing bound.
func (s *Server) checkPasscode(ctx context.Context, hash []byte, passcode string) (bool, error) {
	s.hashOnce.Do(func() {
		n := s.MaxHashing
		if n <= 0 {
			n = 4
		}
		s.hashSem = make(chan struct{}, n)
	})
	select {
	case s.hashSem <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.hashSem }()
	return CheckPasscode(hash, passcode)
}

type fileToken struct {
	id        string
	index     int
	recipient string
	expires   time.Time
}

// maxTokens bounds outstanding location tokens per Server.
const maxTokens = 1 << 16

// maxRequestBody bounds a manifest request body.
const maxRequestBody = 16 << 10

// maxRecipientLength bounds the recipient string (bytes).
const maxRecipientLength = 512

// NewServer returns a Server for store, mounted at baseURL.
func NewServer(store Store, baseURL string) *Server {
	return &Server{Store: store, BaseURL: strings.TrimSuffix(baseURL, "/")}
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) fileTTL() time.Duration {
	switch {
	case s.FileTTL <= 0:
		return 5 * time.Minute
	case s.FileTTL > MaxFileTTL:
		return MaxFileTTL
	}
	return s.FileTTL
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) address(r *http.Request) string {
	if s.ClientAddress != nil {
		return s.ClientAddress(r)
	}
	return r.RemoteAddr
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Receivers may be browser apps on other origins; nothing here uses
	// cookies or ambient credentials, so any origin may read the responses.
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")

	rest, ok := strings.CutPrefix(r.URL.Path, "/shl/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if token, ok := strings.CutPrefix(rest, "file/"); ok {
		s.serveFile(w, r, token)
		return
	}
	s.serveManifest(w, r, rest)
}

type manifestRequest struct {
	Recipient         *string `json:"recipient"`
	Passcode          *string `json:"passcode"`
	EmbeddedLengthMax *int64  `json:"embeddedLengthMax"`
}

// ManifestFile is one entry of a manifest's files array.
type ManifestFile struct {
	ContentType string `json:"contentType"`
	Location    string `json:"location,omitempty"`
	Embedded    string `json:"embedded,omitempty"`
	LastUpdated string `json:"lastUpdated,omitempty"`
	FHIRVersion string `json:"fhirVersion,omitempty"`
}

// Manifest is the SMART Health Link manifest file.
type Manifest struct {
	Files []ManifestFile `json:"files"`
}

func (s *Server) serveManifest(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method == http.MethodOptions {
		preflight(w, "POST, OPTIONS")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		httpError(w, http.StatusMethodNotAllowed)
		return
	}
	if !validToken(id, IDSize) {
		httpError(w, http.StatusNotFound)
		return
	}
	ctx := r.Context()
	ev := Event{Kind: "manifest", Address: s.address(r)}
	status := http.StatusInternalServerError
	defer func() {
		ev.Time = s.now()
		ev.Status = status
		s.Store.Log(ctx, id, ev)
	}()

	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		status = http.StatusUnsupportedMediaType
		httpError(w, status)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil || len(body) > maxRequestBody {
		status = http.StatusBadRequest
		httpError(w, status)
		return
	}
	req, ok := parseManifestRequest(body)
	if req.Recipient != nil {
		ev.Recipient = *req.Recipient
	}
	if !ok {
		status = http.StatusBadRequest
		httpError(w, status)
		return
	}

	entry, err := s.Store.Lookup(ctx, id)
	if err != nil {
		status = s.storeStatus(w, err, "lookup")
		return
	}
	if !entry.Expires.IsZero() && !s.now().Before(entry.Expires) {
		status = http.StatusNotFound
		httpError(w, status)
		return
	}
	if entry.PasscodeHash != nil {
		if req.Passcode == nil || *req.Passcode == "" {
			// No passcode supplied: tell the client one is needed without
			// spending an attempt.
			status = http.StatusUnauthorized
			writeJSON(w, status, map[string]int{"remainingAttempts": max(entry.RemainingAttempts, 0)})
			return
		}
		remaining, err := s.Store.Attempt(ctx, id)
		if err != nil {
			status = s.storeStatus(w, err, "attempt")
			return
		}
		passcode := *req.Passcode
		if s.PasscodeForm != nil {
			passcode = s.PasscodeForm(passcode)
		}
		good, err := s.checkPasscode(ctx, entry.PasscodeHash, passcode)
		if err != nil {
			// No verdict (cancelled, or a corrupt hash): give the try back.
			if rerr := s.Store.Refund(ctx, id); rerr != nil {
				s.logger().Error("shl: refund attempt", "err", rerr)
			}
			if ctx.Err() == nil {
				s.logger().Error("shl: passcode hash", "err", err)
			}
			httpError(w, status)
			return
		}
		if !good {
			status = http.StatusUnauthorized
			writeJSON(w, status, map[string]int{"remainingAttempts": remaining})
			return
		}
		if err := s.Store.Refund(ctx, id); err != nil {
			s.logger().Error("shl: refund attempt", "err", err)
		}
	}

	files, err := s.Store.Files(ctx, id)
	if err != nil {
		status = s.storeStatus(w, err, "files")
		return
	}
	embedMax := int64(s.DefaultEmbedMax)
	if req.EmbeddedLengthMax != nil {
		embedMax = *req.EmbeddedLengthMax
	}
	m := Manifest{Files: make([]ManifestFile, 0, len(files))}
	for i, f := range files {
		if !knownContentType(f.ContentType) {
			s.logger().Error("shl: unsupported content type in store", "contentType", f.ContentType)
			httpError(w, status)
			return
		}
		mf := ManifestFile{ContentType: f.ContentType, FHIRVersion: f.FHIRVersion}
		if !f.LastUpdated.IsZero() {
			mf.LastUpdated = f.LastUpdated.UTC().Format(time.RFC3339)
		}
		if embedMax > 0 && embeddedLength(f) <= embedMax {
			jwe, err := Encrypt(entry.Key, f.ContentType, f.Body)
			if err != nil {
				s.logger().Error("shl: encrypt", "err", err)
				httpError(w, status)
				return
			}
			mf.Embedded = jwe
		}
		if mf.Embedded == "" {
			loc, err := s.newLocation(id, i, ev.Recipient)
			if err != nil {
				status = http.StatusServiceUnavailable
				httpError(w, status)
				return
			}
			mf.Location = loc
		}
		m.Files = append(m.Files, mf)
	}
	status = http.StatusOK
	writeJSON(w, status, m)
}

// parseManifestRequest decodes the body; ok is false when it is not a JSON
// object, or recipient is missing, empty or unreasonable, or
// embeddedLengthMax is negative. Unknown properties are ignored.
func parseManifestRequest(body []byte) (req manifestRequest, ok bool) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '{' {
		return req, false
	}
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil {
		return req, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, false
	}
	// Exact, case-sensitive property names.
	if v, ok := m["recipient"]; ok {
		var s string
		if json.Unmarshal(v, &s) != nil {
			return req, false
		}
		req.Recipient = &s
	}
	if v, ok := m["passcode"]; ok && string(bytes.TrimSpace(v)) != "null" {
		var s string
		if json.Unmarshal(v, &s) != nil {
			return req, false
		}
		req.Passcode = &s
	}
	if v, ok := m["embeddedLengthMax"]; ok && string(bytes.TrimSpace(v)) != "null" {
		var n int64
		if json.Unmarshal(v, &n) != nil || n < 0 {
			return req, false
		}
		req.EmbeddedLengthMax = &n
	}
	if req.Recipient == nil {
		return req, false
	}
	r := *req.Recipient
	if strings.TrimSpace(r) == "" || len(r) > maxRecipientLength || !utf8.ValidString(r) {
		return req, false
	}
	for _, c := range r {
		if c < ' ' || c == 0x7f {
			return req, false
		}
	}
	return req, true
}

// embeddedLength is the exact length of the compact JWE Encrypt makes for f:
// base64url(protected header) + ".." + 16 (IV) + "." + base64url(ciphertext)
// + "." + 22 (tag). The header is go-jose's, with keys sorted.
func embeddedLength(f File) int64 {
	hdr, _ := json.Marshal(map[string]string{"alg": "dir", "cty": f.ContentType, "enc": "A256GCM"})
	b64 := func(n int) int64 { return int64((n*8 + 5) / 6) }
	return b64(len(hdr)) + 2 + 16 + 1 + b64(len(f.Body)) + 1 + 22
}

func knownContentType(ct string) bool {
	switch ct {
	case ContentTypeFHIR, ContentTypeSHC, ContentTypeAPIAccess:
		return true
	}
	return false
}

func (s *Server) newLocation(id string, index int, recipient string) (string, error) {
	token, err := randomToken(32)
	if err != nil {
		return "", err
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		s.tokens = make(map[string]fileToken)
	}
	if len(s.tokens) >= maxTokens {
		for k, t := range s.tokens {
			if !now.Before(t.expires) {
				delete(s.tokens, k)
			}
		}
		if len(s.tokens) >= maxTokens {
			return "", errors.New("shl: too many outstanding file tokens")
		}
	}
	s.tokens[token] = fileToken{id: id, index: index, recipient: recipient, expires: now.Add(s.fileTTL())}
	return s.BaseURL + "/shl/file/" + token, nil
}

// takeToken removes and returns a live token (single use).
func (s *Server) takeToken(token string) (fileToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	if !ok {
		return t, false
	}
	delete(s.tokens, token)
	return t, s.now().Before(t.expires)
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, token string) {
	if r.Method == http.MethodOptions {
		preflight(w, "GET, OPTIONS")
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, OPTIONS")
		httpError(w, http.StatusMethodNotAllowed)
		return
	}
	if !validToken(token, 32) {
		httpError(w, http.StatusNotFound)
		return
	}
	t, ok := s.takeToken(token)
	if !ok {
		httpError(w, http.StatusNotFound)
		return
	}
	ctx := r.Context()
	status := http.StatusInternalServerError
	defer func() {
		s.Store.Log(ctx, t.id, Event{Time: s.now(), Kind: "file", Recipient: t.recipient, Address: s.address(r), Status: status})
	}()
	// The link may have been revoked or expired since the manifest.
	entry, err := s.Store.Lookup(ctx, t.id)
	if err != nil {
		status = s.storeStatus(w, err, "lookup")
		return
	}
	if !entry.Expires.IsZero() && !s.now().Before(entry.Expires) {
		status = http.StatusNotFound
		httpError(w, status)
		return
	}
	files, err := s.Store.Files(ctx, t.id)
	if err != nil {
		status = s.storeStatus(w, err, "files")
		return
	}
	if t.index >= len(files) || !knownContentType(files[t.index].ContentType) {
		status = http.StatusNotFound
		httpError(w, status)
		return
	}
	f := files[t.index]
	jwe, err := Encrypt(entry.Key, f.ContentType, f.Body)
	if err != nil {
		s.logger().Error("shl: encrypt", "err", err)
		httpError(w, status)
		return
	}
	status = http.StatusOK
	w.Header().Set("Content-Type", "application/jose")
	w.WriteHeader(status)
	io.WriteString(w, jwe)
}

// storeStatus answers a store error: 404 for ErrNotFound, else 500.
func (s *Server) storeStatus(w http.ResponseWriter, err error, op string) int {
	if errors.Is(err, ErrNotFound) {
		httpError(w, http.StatusNotFound)
		return http.StatusNotFound
	}
	s.logger().Error("shl: store", "op", op, "err", err)
	httpError(w, http.StatusInternalServerError)
	return http.StatusInternalServerError
}

func preflight(w http.ResponseWriter, methods string) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", methods)
	h.Set("Access-Control-Allow-Headers", "Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

func httpError(w http.ResponseWriter, status int) {
	http.Error(w, http.StatusText(status), status)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		httpError(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
