package records

import (
	"net/url"
	"time"
)

// Related is a test result report or a letter from the day of a past visit
// (any day of a stay): what the page links to from the visit. The link says
// only that they share a day, not that one came from the other.
type Related struct {
	Kind  string `json:"kind"` // "result" or "document"
	Title string `json:"title"`
	Link  string `json:"link"` // "#/results/<id>" or "#/documents/<id>"
}

// maxRelatedDays bounds the days of a long stay searched for its letters
// and results (from its first day on).
const maxRelatedDays = 31

// notHappening reports whether a visit's status says it did not or will not
// take place: never upcoming, never offered for a calendar, nothing linked
// to it.
func notHappening(status string) bool {
	switch status {
	case "cancelled", "noshow", "entered-in-error":
		return true
	}
	return false
}

// relateVisits links each past and current visit to the reports and
// documents dated on its days (in UK time, as the pages show them). A
// document replaced by a newer version is left out: the newer one is linked
// if it is from those days.
func (r *Record) relateVisits() {
	near := r.visitDaysNear()
	byDay := map[string][]Related{}
	add := func(date string, x Related) {
		// Only dates written near a visit's day can be on it: a record of
		// thousands of reports reads the few that are.
		if len(date) >= 10 && near[date[:10]] {
			if d := localDay(date); d != "" {
				byDay[d] = append(byDay[d], x)
			}
		}
	}
	for _, rep := range r.reports {
		add(rep.Taken, Related{Kind: "result", Title: rep.Name, Link: "#/results/" + url.PathEscape(rep.ID)})
	}
	for _, doc := range r.documents {
		if doc.Status != "superseded" {
			add(doc.Date, Related{Kind: "document", Title: doc.Title, Link: "#/documents/" + url.PathEscape(doc.ID)})
		}
	}
	for _, list := range [][]Visit{r.visits.Current, r.visits.Past} {
		for i := range list {
			list[i].Related = relatedOn(byDay, list[i])
		}
	}
}

// visitDaysNear is every date within two days of a day of a past or
// current visit: as written, a dateTime's date is at most two days from
// its day in UK time (offsets go to ±14 hours; UK time is UTC or an hour on).
func (r *Record) visitDaysNear() map[string]bool {
	near := map[string]bool{}
	for _, list := range [][]Visit{r.visits.Current, r.visits.Past} {
		for _, v := range list {
			for _, d := range visitDays(v) {
				for k := -2; k <= 2; k++ {
					near[d.AddDate(0, 0, k).Format(time.DateOnly)] = true
				}
			}
		}
	}
	return near
}

// visitDays are the days of v in UK time, from its first to its last (its
// first only, when it has no end), at most maxRelatedDays; none for a visit
// that did not happen.
func visitDays(v Visit) []time.Time {
	first, err := time.Parse(time.DateOnly, localDay(v.Start))
	if err != nil || notHappening(v.Status) {
		return nil
	}
	last, err := time.Parse(time.DateOnly, localDay(v.End))
	if err != nil || last.Before(first) {
		last = first
	}
	var days []time.Time
	for d := first; !d.After(last) && len(days) < maxRelatedDays; d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	return days
}

// relatedOn is what byDay holds for the days of v, from its first day to
// its last (its first only, when it has no end or a very long one), letters
// first.
func relatedOn(byDay map[string][]Related, v Visit) []Related {
	out := []Related{}
	var results []Related
	for _, d := range visitDays(v) {
		for _, x := range byDay[d.Format(time.DateOnly)] {
			if x.Kind == "document" {
				out = append(out, x)
			} else {
				results = append(results, x)
			}
		}
	}
	return append(out, results...)
}

// localDay is the calendar day ("2026-12-15") of a FHIR date or dateTime as
// the patient reads it: a date as written; a time with no zone as written
// (it is already the place's own time and is never shifted); an instant in
// UK time. "" for a partial date (a month or a year) or anything unreadable.
func localDay(s string) string {
	if len(s) < len(time.DateOnly) {
		return ""
	}
	if _, err := time.Parse(time.DateOnly, s[:10]); err != nil {
		return ""
	}
	if len(s) == 10 || isFloating(s) {
		return s[:10]
	}
	t, err := parseTime(s)
	if y := t.UTC().Year(); err != nil || y < 1 || y > 9998 { // outside what a date can be written as
		return ""
	}
	return t.UTC().Add(ukOffset(t)).Format(time.DateOnly)
}

// isFloating reports whether a FHIR dateTime has a time but no zone
// ("2026-12-15T10:30:00"), which FHIR forbids but some systems send.
func isFloating(s string) bool {
	if !hasClock(s) {
		return false
	}
	_, err := time.Parse(floatingLayout, s) // a fraction of a second is allowed too
	return err == nil
}

// ukOffset is UK time's offset from UTC at t: one hour of summer time from
// 01:00 UTC on the last Sunday in March to 01:00 UTC on the last Sunday in
// October (the rule since 1996; this needs no time zone database, which a
// Windows computer does not have). Older dates may be an hour out, which
// moves a day only for times close to midnight.
func ukOffset(t time.Time) time.Duration {
	t = t.UTC()
	if !t.Before(lastSunday(t.Year(), time.March)) && t.Before(lastSunday(t.Year(), time.October)) {
		return time.Hour
	}
	return 0
}

// lastSunday is 01:00 UTC on the last Sunday of month in year.
func lastSunday(year int, month time.Month) time.Time {
	d := time.Date(year, month+1, 1, 1, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	return d.AddDate(0, 0, -int(d.Weekday()))
}
