package records

import (
	"sort"
	"strings"
)

// ResultWithPrevious is a result as its report page shows it: with the
// same test's result from before the report was taken, so that the page can
// say what it was without a second request. Only GET /api/results/{id}
// carries it; the lists do not need it and stay small.
type ResultWithPrevious struct {
	Result
	// Previous is the newest result of the same test (TestKey) taken
	// strictly before this report; nil when there is none. A withdrawn
	// (entered-in-error) result or a void report is never a previous one:
	// neither is in a test's history.
	Previous *Earlier `json:"previous"`
}

// WithPrevious returns rep's results, each with the result before it.
func (r *Record) WithPrevious(rep Report) []ResultWithPrevious {
	out := make([]ResultWithPrevious, len(rep.Results))
	for i, x := range rep.Results {
		out[i].Result = x
		if h, ok := r.history[x.TestKey]; ok {
			out[i].Previous = previousPoint(h.Points, rep)
		}
	}
	return out
}

// dayPrefix is the date part of a FHIR date or dateTime ("2026-11-20").
func dayPrefix(s string) string { return s[:min(len(s), 10)] }

// previousPoint finds, in a history's points (sorted oldest first by their
// text), the newest one taken strictly before rep and not from rep itself.
// Text order and time order can differ by a time-zone offset, so the search
// starts two days after the report and ends two days before the best found.
func previousPoint(points []Point, rep Report) *Earlier {
	taken, err := parseTime(rep.Taken)
	if err != nil {
		return nil // no date: nothing is known to be before it
	}
	after := taken.AddDate(0, 0, 2).Format("2006-01-02")
	end := sort.Search(len(points), func(i int) bool { return dayPrefix(points[i].Taken) >= after })
	var best *Point
	stop := ""
	for i := end - 1; i >= 0; i-- {
		p := &points[i]
		if stop != "" && dayPrefix(p.Taken) < stop {
			break
		}
		if p.ReportID == rep.ID || !takenBefore(p.Taken, rep.Taken) {
			continue
		}
		if best == nil || takenBefore(best.Taken, p.Taken) {
			best = p
			if t, err := parseTime(p.Taken); err == nil {
				stop = t.AddDate(0, 0, -2).Format("2006-01-02")
			}
		}
	}
	if best == nil {
		return nil
	}
	return &Earlier{Value: best.Value, Unit: best.Unit, Taken: best.Taken, ReportID: best.ReportID}
}

// takenBefore says whether a was taken strictly before b. When either is a
// date without a time ("2026-11-20"), only the dates are compared: a result
// of the morning of 20 November is not "before" a report of 20 November.
func takenBefore(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if !strings.Contains(a, "T") || !strings.Contains(b, "T") {
		n := min(len(a), len(b), 10)
		return a[:n] < b[:n]
	}
	ta, errA := parseTime(a)
	tb, errB := parseTime(b)
	if errA != nil || errB != nil {
		return a < b
	}
	return ta.Before(tb)
}
