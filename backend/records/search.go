package records

import (
	"net/url"
	"sort"
	"strings"
)

// Match is one search result.
type Match struct {
	Kind         string `json:"kind"`
	Title        string `json:"title"`
	Detail       string `json:"detail"`
	Date         string `json:"date"`
	Link         string `json:"link"`
	Organisation string `json:"organisation"`
	// Urgent marks a critical result: red, and only then.
	Urgent bool `json:"urgent,omitempty"`
}

type searchEntry struct {
	Match
	title string // lower case
	hay   string // lower case title and detail
}

// buildSearch indexes one entry per distinct test (its newest result) and
// per condition, medicine, allergy, immunisation, visit and document, so
// the index stays small however many results a patient has.
func (r *Record) buildSearch() {
	add := func(m Match) {
		r.search = append(r.search, searchEntry{Match: m, title: strings.ToLower(m.Title), hay: strings.ToLower(m.Title + " " + m.Detail)})
	}
	seen := map[string]bool{}
	for _, rep := range r.reports { // newest first
		if !seen["report|"+rep.Name] {
			seen["report|"+rep.Name] = true
			add(Match{Kind: "result", Title: rep.Name, Detail: reportDetail(rep), Date: rep.Taken, Link: "#/results/" + url.PathEscape(rep.ID), Organisation: rep.Organisation, Urgent: rep.UrgentCount > 0})
		}
		for _, x := range rep.Results {
			if seen[x.TestKey] || x.Name == rep.Name {
				seen[x.TestKey] = true
				continue
			}
			seen[x.TestKey] = true
			detail := strings.TrimSpace(x.Value + " " + x.Unit)
			for _, w := range []string{x.FlagLabel, x.Interpretation, x.StatusLabel} {
				if w != "" {
					detail += ", " + w
				}
			}
			// A test inside a report: its history across reports, not
			// the newest report it happens to be in.
			add(Match{Kind: "result", Title: x.Name, Detail: strings.TrimPrefix(detail, ", "), Date: rep.Taken, Link: testLink(x.TestKey), Organisation: rep.Organisation, Urgent: x.Urgent})
		}
	}
	for _, c := range r.health.Conditions {
		add(Match{Kind: "condition", Title: c.Name, Detail: c.summary(), Date: c.Onset, Link: "#/health", Organisation: c.Organisation})
	}
	for _, m := range r.health.Medications {
		add(Match{Kind: "medication", Title: m.Name, Detail: joinWords(". ", m.summary(), m.DoseText), Date: m.date(), Link: "#/health", Organisation: m.Organisation})
	}
	for _, a := range r.health.Allergies {
		add(Match{Kind: "allergy", Title: a.Substance, Detail: a.summary(), Date: a.Recorded, Link: "#/health", Organisation: a.Organisation})
	}
	for _, im := range r.health.Immunisations {
		add(Match{Kind: "immunisation", Title: im.Name, Detail: im.summary(), Date: im.Date, Link: "#/health", Organisation: im.Organisation})
	}
	for _, v := range r.visits.list() {
		add(Match{Kind: "visit", Title: v.Title, Detail: v.withStatus(v.Reason + " " + v.Place), Date: v.Start, Link: "#/visits", Organisation: v.Organisation})
	}
	for _, d := range r.documents {
		add(Match{Kind: "document", Title: d.Title, Detail: d.withStatus(d.Type), Date: d.Date, Link: "#/documents/" + url.PathEscape(d.ID), Organisation: d.Organisation})
	}
}

// testLink is the address of a test's history page (the frontend's
// router: "#/tests/<testKey>").
func testLink(key string) string { return "#/tests/" + url.PathEscape(key) }

// Search finds up to limit entries containing every word of q (a lay
// word such as "sugar" standing for the tests it means, search_synonyms.go),
// best first: titles starting with the query, then titles with a word
// starting with it, then anything containing it; newest first within each.
func (r *Record) Search(q string, limit int) []Match {
	q = strings.ToLower(strings.TrimSpace(q))
	out := []Match{}
	if q == "" {
		return out
	}
	terms := queryTerms(q)
	if len(terms) == 0 {
		terms = []term{{alts: []string{q}, synonym: []bool{false}}}
	}
	type scored struct {
		score int
		e     *searchEntry
	}
	var hits []scored
	for i := range r.search {
		e := &r.search[i]
		phrase := q
		ok := true
		for _, t := range terms {
			a, found := t.found(e.hay)
			if !found {
				ok = false
				break
			}
			if len(terms) == 1 {
				phrase = a // "sugar" found as HbA1c ranks as a search for HbA1c
			}
		}
		if !ok {
			continue
		}
		score := 3
		switch {
		case strings.HasPrefix(e.title, phrase):
			score = 0
		case strings.Contains(e.title, " "+phrase):
			score = 1
		case strings.Contains(e.title, phrase):
			score = 2
		}
		hits = append(hits, scored{score, e})
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score < hits[j].score
		}
		return hits[i].e.Date > hits[j].e.Date
	})
	for i := 0; i < len(hits) && i < limit; i++ {
		out = append(out, hits[i].e.Match)
	}
	return out
}
