package records

import (
	"sort"
	"strings"

	"github.com/ward-health/ward/backend/units"
)

// Test is one test in "Test results, by test": the test once, with its
// latest result and how that compares with the one before. The latest is
// the result in the newest report (the order findUrgent uses), so the
// list, the home page and the urgent banner never disagree about which
// result is current.
type Test struct {
	// Result is the latest result, as its report gives it.
	Result
	Taken        string `json:"taken"`
	ReportID     string `json:"reportId"`
	ReportName   string `json:"reportName"`
	Organisation string `json:"organisation"`
	// Outside is what the "Only results outside the normal range" filter
	// keeps: flagged in any way by the source, or outside the range given.
	Outside bool `json:"outside"`
	// Count is how many results of this test the record holds.
	Count int `json:"count"`
	// Previous is the result before the latest (nil for a first result).
	Previous *Earlier `json:"previous"`
	// Change is "up", "down" or "same" when both results are plain numbers
	// in units that convert one to the other; "" when they cannot be
	// compared (a comparator, text, units of different kinds), so the page
	// never says "down from" about two results that are not comparable.
	Change string `json:"change"`
}

// Earlier is a test's previous result.
type Earlier struct {
	Value    string `json:"value"`
	Unit     string `json:"unit"`
	Taken    string `json:"taken"`
	ReportID string `json:"reportId"`
}

// Tests returns every test once, by name (A to Z).
func (r *Record) Tests() []Test { return r.tests }

// LatestTests returns the n tests with the newest latest results.
func (r *Record) LatestTests(n int) []Test {
	out := append([]Test{}, r.tests...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Taken > out[j].Taken })
	return out[:min(n, len(out))]
}

// buildTests runs once reports are sorted newest first and histories are
// finished. The previous result is the report page's (previousPoint), so
// the list and the report never disagree about it either.
func (r *Record) buildTests() {
	seen := map[string]bool{}
	r.tests = []Test{}
	for _, rep := range r.reports {
		for _, x := range rep.Results {
			if seen[x.TestKey] {
				continue
			}
			seen[x.TestKey] = true
			t := latestTest(x, rep)
			if h, ok := r.history[x.TestKey]; ok {
				t.Count = len(h.Points)
				t.Previous = previousPoint(h.Points, rep)
				if p := pointOf(h.Points, t.Previous); p != nil {
					t.Change = change(x.number, x.Comparator, x.Unit, p.Number, p.Comparator, p.Unit)
				}
			}
			r.tests = append(r.tests, t)
		}
	}
	sort.SliceStable(r.tests, func(i, j int) bool {
		a, b := strings.ToLower(r.tests[i].Name), strings.ToLower(r.tests[j].Name)
		if a != b {
			return a < b
		}
		return r.tests[i].Taken > r.tests[j].Taken
	})
}

// pointOf is the history point e was made from.
func pointOf(points []Point, e *Earlier) *Point {
	if e == nil {
		return nil
	}
	for i := range points {
		if p := &points[i]; p.ReportID == e.ReportID && p.Taken == e.Taken && p.Value == e.Value {
			return p
		}
	}
	return nil
}

func latestTest(x Result, rep Report) Test {
	return Test{
		Result: x, Taken: rep.Taken, ReportID: rep.ID, ReportName: rep.Name, Organisation: rep.Organisation,
		Outside: x.Flag != "" || x.Computed != "", Count: 1,
	}
}

// change compares the latest number with the previous one, converting the
// previous to the latest's unit when they are of one kind.
func change(latest *float64, lc, lu string, prev *float64, pc, pu string) string {
	if latest == nil || prev == nil || lc != "" || pc != "" {
		return ""
	}
	p := *prev
	if !sameUnit(lu, pu) {
		if units.Kind(lu) != units.Kind(pu) {
			return ""
		}
		n, ok := units.Convert(p, pu, lu)
		if !ok {
			return ""
		}
		p = n
	}
	switch {
	case *latest > p:
		return "up"
	case *latest < p:
		return "down"
	}
	return "same"
}

// OutsideReports are the reports, newest first, with a result outside the
// normal range (as Test.Outside judges it): "By date" with the filter on.
func (r *Record) OutsideReports() []Report {
	r.outsideOnce.Do(func() {
		r.outside = []Report{}
		for _, rep := range r.reports {
			for _, x := range rep.Results {
				if x.Flag != "" || x.Computed != "" {
					r.outside = append(r.outside, rep)
					break
				}
			}
		}
	})
	return r.outside
}
