package api

// Sharing from a computer (docs/api.md "Publishing from a computer"): on
// a Ward with one vault (the desktop window) the Share pages call the same
// routes as on a server, and this Ward seals the chosen sections here and
// publishes the sealed copy to the Ward server set in Security settings,
// with the publishing key the patient made there (package publish). The
// list, revoking and access logs are the server's, passed through as the
// server gives them, so the pages read one shape.

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/ward-health/ward/backend/publish"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/share"
)

func (h *handler) publishRoutes() {
	h.handle("GET /api/security/share-server", h.shareServer)
	h.handle("POST /api/security/share-server", h.setShareServer)
	h.handle("DELETE /api/security/share-server", h.forgetShareServer)
	h.handle("POST /api/shares", h.publishShare)
	h.handle("GET /api/shares", h.publishedShares)
	h.handle("POST /api/shares/{id}/revoke", h.revokePublished)
	h.handle("GET /api/shares/{id}/access", h.publishedAccess)
}

// publisher is the client for this vault's server; publish.ErrNoServer
// when none is set.
func (h *handler) publisher(r *http.Request) (*publish.Client, *session.PublishTarget, error) {
	t, err := h.vault(r).PublishTarget(r.Context(), h.token(r))
	if err != nil {
		return nil, nil, err
	}
	if t == nil {
		return nil, nil, publish.ErrNoServer
	}
	return &publish.Client{Server: t.Server, Key: t.Key, HTTP: h.opt.PublishHTTP}, t, nil
}

// shareServer says which server this vault shares through (never the key).
func (h *handler) shareServer(w http.ResponseWriter, r *http.Request) {
	t, err := h.vault(r).PublishTarget(r.Context(), h.token(r))
	if err != nil {
		h.writeWords(w, err)
		return
	}
	if t == nil {
		writeJSON(w, http.StatusOK, map[string]any{"server": "", "organisation": ""})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"server": t.Server, "organisation": t.Organisation})
}

// setShareServer checks the address and key with the server before
// keeping them, so a typo is found now, not when a clinician is waiting.
func (h *handler) setShareServer(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Server string `json:"server"`
		Key    string `json:"key"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	m, tok := h.vault(r), h.token(r)
	if err := m.Fresh(tok); err != nil {
		h.writeWords(w, err)
		return
	}
	server, err := publish.CheckServer(req.Server)
	if err != nil {
		h.writeWords(w, err)
		return
	}
	c := &publish.Client{Server: server, Key: strings.TrimSpace(req.Key), HTTP: h.opt.PublishHTTP}
	if c.Key == "" {
		h.writeWords(w, publish.ErrKeyRefused)
		return
	}
	hello, err := c.Hello(r.Context())
	if err != nil {
		h.writeWords(w, err)
		return
	}
	t := &session.PublishTarget{Server: server, Key: c.Key, Organisation: hello.Organisation}
	if err := m.SetPublishTarget(r.Context(), tok, t); err != nil {
		h.writeWords(w, err)
		return
	}
	h.security("share_server_set", r, "outcome", "ok")
	writeJSON(w, http.StatusOK, map[string]any{"server": t.Server, "organisation": t.Organisation})
}

func (h *handler) forgetShareServer(w http.ResponseWriter, r *http.Request) {
	if err := h.vault(r).SetPublishTarget(r.Context(), h.token(r), nil); err != nil {
		h.writeWords(w, err)
		return
	}
	h.security("share_server_removed", r, "outcome", "ok")
	w.WriteHeader(http.StatusNoContent)
}

// publishShare seals the chosen sections here and publishes them: the
// same request and answer as POST /api/shares on a server.
func (h *handler) publishShare(w http.ResponseWriter, r *http.Request) {
	var req shareAsk
	if !readJSON(w, r, &req) {
		return
	}
	sections, err := readSections(req.Sections)
	if err != nil {
		h.writeWords(w, err)
		return
	}
	if _, err := req.ttl(); err != nil {
		h.writeWords(w, err)
		return
	}
	c, _, err := h.publisher(r)
	if err != nil {
		h.writeWords(w, err)
		return
	}
	m, tok := h.vault(r), h.token(r)
	contents, err := m.Contents(r.Context(), tok)
	if err != nil {
		h.writeWords(w, err)
		return
	}
	up, code, err := share.Prepare(contents, sections)
	if err != nil {
		h.writeWords(w, err)
		return
	}
	patient := patientName(m, tok)
	answer, err := c.Publish(r.Context(), map[string]any{"share": up, "code": code, "recipient": req.Recipient,
		"minutes": req.Minutes, "patient": patient, "notify": req.Notify})
	if err != nil {
		h.writeWords(w, err)
		return
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(answer, &body); err != nil || body["share"] == nil {
		h.writeWords(w, publish.ErrNotWard)
		return
	}
	// The code never came back from the server: the page shows this
	// Ward's own, once.
	body["code"], _ = json.Marshal(code)
	writeJSON(w, http.StatusCreated, body)
}

func (h *handler) publishedShares(w http.ResponseWriter, r *http.Request) {
	h.passThrough(w, r, func(c *publish.Client) (json.RawMessage, error) { return c.List(r.Context()) })
}

func (h *handler) publishedAccess(w http.ResponseWriter, r *http.Request) {
	h.passThrough(w, r, func(c *publish.Client) (json.RawMessage, error) { return c.Access(r.Context(), r.PathValue("id")) })
}

func (h *handler) revokePublished(w http.ResponseWriter, r *http.Request) {
	c, _, err := h.publisher(r)
	if err == nil {
		err = c.Revoke(r.Context(), r.PathValue("id"))
	}
	if err != nil {
		h.writeWords(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// passThrough answers with what the server gave.
func (h *handler) passThrough(w http.ResponseWriter, r *http.Request, call func(*publish.Client) (json.RawMessage, error)) {
	c, _, err := h.publisher(r)
	var b json.RawMessage
	if err == nil {
		b, err = call(c)
	}
	if err != nil {
		h.writeWords(w, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}
