package api

// The home page's view (what matters now) and "Test results, by test".

import (
	"net/http"
	"time"

	"github.com/ward-health/ward/backend/records"
)

// summaryView is the record's summary with what only the patient's own
// session knows: when they last looked, and an import that failed.
type summaryView struct {
	records.Summary
	// LastViewed is when the patient last marked the home page viewed
	// (POST /api/viewed); "" when never, and for a clinician's share.
	LastViewed string `json:"lastViewed"`
	// ImportFailed is the last import when it failed and none has
	// succeeded since, in words; nil otherwise.
	ImportFailed *failedImport `json:"importFailed"`
}

type failedImport struct {
	File    string `json:"file"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (h *handler) summary(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	v := summaryView{Summary: rec.Summary()}
	if viewerOf(r) == nil {
		if m := h.vault(r); m != nil {
			// Never viewed, no vault yet or the read failed: no markers,
			// which says nothing wrong.
			if t, err := m.LastViewed(r.Context(), h.token(r)); err == nil && !t.IsZero() {
				v.LastViewed = t.UTC().Format(time.RFC3339)
			}
		}
		if snap, ok := h.importsFor(r).LastFailure(); ok {
			s := worded(snap)
			v.ImportFailed = &failedImport{File: s.File, Code: s.Code, Message: s.Message}
		}
	}
	writeJSON(w, http.StatusOK, v)
}

// viewed keeps now as when the patient last looked at their home page.
func (h *handler) viewed(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.record(w, r); !ok {
		return
	}
	if err := h.vault(r).MarkViewed(r.Context(), h.token(r)); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) tests(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	writeJSON(w, http.StatusOK, map[string]any{"tests": rec.Tests()})
}
