package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/session"
)

func (h *handler) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *handler) config(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"product":      "Ward",
		"version":      h.opt.Version,
		"demo":         h.opt.Vault.Status("").Demo,
		"organisation": h.opt.Config.Organisation,
	})
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
	rec, err := h.opt.Vault.Record(bearer(r))
	switch {
	case err == nil:
		return rec, true
	case errors.Is(err, session.ErrNoVault):
		// No vault yet: an empty record, so the pages can say so.
		return nil, true
	case errors.Is(err, session.ErrLocked):
		writeError(w, http.StatusLocked, "locked", "Your record is locked. Unlock it to continue.")
	default:
		writeError(w, http.StatusUnauthorized, "unauthorised", "Unlock your record to continue.")
	}
	return nil, false
}

func (h *handler) summary(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	writeJSON(w, http.StatusOK, rec.Summary())
}
