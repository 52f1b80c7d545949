package api

import (
	"net/http"
	"strconv"

	"github.com/ward-health/ward/backend/config"
	"github.com/ward-health/ward/backend/records"
)

// intParam reads a non-negative integer query parameter.
func intParam(r *http.Request, name string, def, max int) int {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || n < 0 {
		return def
	}
	return min(n, max)
}

// withRecord runs fn with the open record, or an empty one when there is
// no vault yet.
func (h *handler) withRecord(fn func(w http.ResponseWriter, r *http.Request, rec *records.Record)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec, ok := h.record(w, r)
		if !ok {
			return
		}
		if rec == nil {
			rec = records.Build(h.now())
		}
		fn(w, r, rec)
	}
}

func (h *handler) results(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	all := rec.Reports()
	if r.URL.Query().Get("outside") == "1" {
		all = rec.OutsideReports()
	}
	offset := intParam(r, "offset", 0, len(all))
	limit := intParam(r, "limit", 200, 1000)
	end := min(offset+limit, len(all))
	page := all[offset:end]
	if page == nil {
		page = []records.Report{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": len(all), "offset": offset, "reports": page})
}

// reportView is a report with how to reach the organisation that did the
// test, which an urgent result's next steps name (from the config), and
// each result with the same test's result before it (its Results, at the
// shallower depth, are the ones encoded).
type reportView struct {
	records.Report
	Results []records.ResultWithPrevious `json:"results"`
	Contact *config.Contact              `json:"contact"`
}

func (h *handler) result(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	if rep, ok := rec.Report(r.PathValue("id")); ok {
		v := reportView{Report: rep, Results: rec.WithPrevious(rep)}
		if c, ok := h.opt.Config.ContactFor(rep.Organisation); ok {
			v.Contact = &c
		}
		writeJSON(w, http.StatusOK, v)
		return
	}
	writeError(w, http.StatusNotFound, "not_found", "We could not find that test result.")
}

func (h *handler) history(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	if b, ok := rec.HistoryJSON(r.URL.Query().Get("test")); ok {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
		return
	}
	writeError(w, http.StatusNotFound, "not_found", "We could not find that test.")
}

func (h *handler) health(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	writeJSON(w, http.StatusOK, rec.Health())
}

func (h *handler) visits(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	writeJSON(w, http.StatusOK, rec.Visits())
}

func (h *handler) documents(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	writeJSON(w, http.StatusOK, map[string]any{"documents": rec.Documents()})
}

func (h *handler) document(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	if d, ok := rec.Document(r.PathValue("id")); ok {
		writeJSON(w, http.StatusOK, d)
		return
	}
	writeError(w, http.StatusNotFound, "not_found", "We could not find that document.")
}

func (h *handler) details(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	d := rec.Details()
	if d == nil {
		writeError(w, http.StatusNotFound, "not_found", "Your details are not in this record.")
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (h *handler) sources(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	writeJSON(w, http.StatusOK, map[string]any{"sources": rec.Sources()})
}

func (h *handler) search(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	q := r.URL.Query().Get("q")
	if len(q) > 200 {
		q = q[:200]
	}
	writeJSON(w, http.StatusOK, map[string]any{"query": q, "matches": rec.Search(q, 50)})
}

func (h *handler) timeline(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	items, next := rec.Timeline(r.URL.Query().Get("before"), intParam(r, "limit", 100, 500))
	var nextJSON any
	if next != "" {
		nextJSON = next
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next": nextJSON})
}

func (h *handler) otherTypes(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	writeJSON(w, http.StatusOK, map[string]any{"types": rec.OtherTypes()})
}

func (h *handler) other(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	if items, ok := rec.Other(r.PathValue("type")); ok {
		writeJSON(w, http.StatusOK, map[string]any{"items": items})
		return
	}
	writeError(w, http.StatusNotFound, "not_found", "There are no records of that kind.")
}
