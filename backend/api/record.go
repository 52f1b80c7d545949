package api

import (
	"net/http"

	"github.com/ward-health/ward/backend/records"
)

func (h *handler) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *handler) config(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"product":      "Ward",
		"version":      h.opt.Version,
		"demo":         h.opt.Demo,
		"organisation": h.opt.Config.Organisation,
	})
}

func (h *handler) summary(w http.ResponseWriter, r *http.Request) {
	rec := h.opt.Record()
	if rec == nil {
		writeJSON(w, http.StatusOK, records.Summary{Sources: []records.Source{}})
		return
	}
	writeJSON(w, http.StatusOK, rec.Summary())
}

func (h *handler) results(w http.ResponseWriter, r *http.Request) {
	reports := []records.Report{}
	if rec := h.opt.Record(); rec != nil {
		reports = rec.Reports()
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": reports})
}

func (h *handler) result(w http.ResponseWriter, r *http.Request) {
	rec := h.opt.Record()
	if rec != nil {
		if rep, ok := rec.Report(r.PathValue("id")); ok {
			writeJSON(w, http.StatusOK, rep)
			return
		}
	}
	writeError(w, http.StatusNotFound, "not_found", "We could not find that test result.")
}
