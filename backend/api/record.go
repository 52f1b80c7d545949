package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/words"
)

func (h *handler) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *handler) config(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{
		"product":      "Ward",
		"version":      h.opt.Version,
		"demo":         h.opt.Vault != nil && h.opt.Vault.Status("").Demo,
		"accounts":     h.accountsConfig(),
		"organisation": h.opt.Config.Organisation,
	}
	if s := h.sharingConfig(); s != nil {
		body["sharing"] = s
	}
	writeJSON(w, http.StatusOK, body)
}

// bearer is the session token the request carries, if any.
func bearer(r *http.Request) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(tok)
}

// record returns the open record for this request, or writes why not.
func (h *handler) record(w http.ResponseWriter, r *http.Request) (*records.Record, bool) {
	if sc := viewerOf(r); sc != nil {
		// A clinician's share session: the share's own copy, never a vault.
		return sc.v.Record, true
	}
	rec, err := h.vault(r).Record(h.token(r))
	switch {
	case err == nil:
		return rec, true
	case errors.Is(err, session.ErrNoVault):
		// No vault yet: an empty record, so the pages can say so.
		return nil, true
	}
	// Locked, or open to someone else: the same words either way
	// (backend/words), so a stranger cannot tell which.
	said := words.Of(err)
	writeError(w, said.Status, said.Code, said.Text)
	return nil, false
}
