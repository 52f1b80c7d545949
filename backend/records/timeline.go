package records

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// TimelineItem is one dated thing in the record.
type TimelineItem struct {
	Date         string `json:"date"`
	Kind         string `json:"kind"`
	Title        string `json:"title"`
	Detail       string `json:"detail"`
	Link         string `json:"link"`
	Organisation string `json:"organisation"`
	// Urgent marks a report with a critical result: red, and only then.
	Urgent bool `json:"urgent,omitempty"`
	// Upcoming marks an appointment still to come (booked, not cancelled):
	// the timeline shows these above "Today", everything else below it,
	// whatever its date.
	Upcoming bool `json:"upcoming,omitempty"`
}

// reportDetail says in a line what matters most about a report: urgent
// results, then those outside the range, then a status the reader must
// know (preliminary), else its kind.
func reportDetail(rep Report) string {
	var parts []string
	if rep.UrgentCount > 0 {
		parts = append(parts, strconv.Itoa(rep.UrgentCount)+" "+plural(rep.UrgentCount, "needs", "need")+" urgent attention")
	}
	if n := rep.AbnormalCount - rep.UrgentCount; n > 0 {
		parts = append(parts, strconv.Itoa(n)+" outside the normal range")
	}
	if rep.StatusLabel != "" {
		parts = append(parts, rep.StatusLabel)
	}
	if len(parts) == 0 {
		return rep.Category
	}
	return strings.Join(parts, "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (r *Record) buildTimeline() {
	add := func(it TimelineItem) {
		if it.Date != "" {
			r.timeline = append(r.timeline, it)
		}
	}
	for _, rep := range r.reports {
		add(TimelineItem{Date: rep.Taken, Kind: "result", Title: rep.Name, Detail: reportDetail(rep), Link: "#/results/" + url.PathEscape(rep.ID), Organisation: rep.Organisation, Urgent: rep.UrgentCount > 0})
	}
	for _, c := range r.health.Conditions {
		add(TimelineItem{Date: c.Onset, Kind: "condition", Title: c.Name, Detail: c.summary(), Link: "#/health", Organisation: c.Organisation})
	}
	for _, m := range r.health.Medications {
		add(TimelineItem{Date: m.date(), Kind: "medication", Title: m.Name, Detail: m.summary(), Link: "#/health", Organisation: m.Organisation})
	}
	for _, a := range r.health.Allergies {
		add(TimelineItem{Date: a.Recorded, Kind: "allergy", Title: a.Substance, Detail: a.summary(), Link: "#/health", Organisation: a.Organisation})
	}
	for _, im := range r.health.Immunisations {
		add(TimelineItem{Date: im.Date, Kind: "immunisation", Title: im.Name, Detail: im.summary(), Link: "#/health", Organisation: im.Organisation})
	}
	for _, v := range r.visits.list() {
		add(TimelineItem{Date: v.Start, Kind: "visit", Title: v.Title, Detail: v.withStatus(v.Reason), Link: "#/visits", Organisation: v.Organisation, Upcoming: v.upcoming})
	}
	for _, d := range r.documents {
		add(TimelineItem{Date: d.Date, Kind: "document", Title: d.Title, Detail: d.withStatus(d.Type), Link: "#/documents/" + url.PathEscape(d.ID), Organisation: d.Organisation})
	}
	sort.SliceStable(r.timeline, func(i, j int) bool { return r.timeline[i].Date > r.timeline[j].Date })
}

// Timeline returns up to limit items dated before `before` (all when
// empty), newest first, and the date to ask for next ("" at the end).
func (r *Record) Timeline(before string, limit int) ([]TimelineItem, string) {
	i := 0
	if before != "" {
		i = sort.Search(len(r.timeline), func(k int) bool { return r.timeline[k].Date < before })
	}
	end := min(i+limit, len(r.timeline))
	// Keep items of the same date together so paging by date loses none.
	for end < len(r.timeline) && end > i && r.timeline[end].Date == r.timeline[end-1].Date {
		end++
	}
	items := append([]TimelineItem{}, r.timeline[i:end]...)
	next := ""
	if end < len(r.timeline) && len(items) > 0 {
		next = items[len(items)-1].Date
	}
	return items, next
}
