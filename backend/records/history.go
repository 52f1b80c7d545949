package records

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/ward-health/ward/backend/units"
)

// History is one test over time: every result for the table (Points, as
// sent), and the numbers to chart (Series), one series per kind of unit so
// that one chart never mixes units on one axis (hazard HAZ-040).
type History struct {
	Name   string  `json:"name"`
	Unit   string  `json:"unit"`
	Range  *Range  `json:"range"`
	Points []Point `json:"points"`
	// Series are the numeric results, one per unit family (units that
	// convert one to another), the family with the newest result first.
	Series []Series `json:"series"`
	latest string
}

// Point is one result in a test's history, with its value and unit as sent.
type Point struct {
	Taken  string   `json:"taken"`
	Value  string   `json:"value"`
	Number *float64 `json:"number"`
	Unit   string   `json:"unit"`
	// UnitMissing is true for a number sent with no unit at all.
	UnitMissing bool   `json:"unitMissing"`
	Comparator  string `json:"comparator"`
	// Range is this result's own normal range; nil when none was given.
	Range *Range `json:"range"`
	judged
	Organisation string `json:"organisation"`
}

// judged is what a result's report says of it, the same in the table and on
// a chart.
type judged struct {
	RangeCheck  string `json:"rangeCheck"`
	Flag        string `json:"flag"`
	FlagLabel   string `json:"flagLabel"`
	Urgent      bool   `json:"urgent"`
	StatusLabel string `json:"statusLabel"`
	ReportID    string `json:"reportId"`
}

// Series is the numeric results in one unit family, drawn as one chart.
type Series struct {
	// Unit is the axis unit: the newest result's unit in the family.
	Unit string `json:"unit"`
	// Conversions name each conversion made to Unit, in words:
	// "Converted from lb: 1 lb = 0.4536 kg".
	Conversions []string `json:"conversions"`
	// Range is the newest range given in Unit; nil when there is none.
	Range  *Range        `json:"range"`
	Points []SeriesPoint `json:"points"`
}

// SeriesPoint is one result on a chart, its number in the series unit.
type SeriesPoint struct {
	Taken  string  `json:"taken"`
	Number float64 `json:"number"`
	// Comparator is "<", "<=", ">", ">=" or "": "<2" is drawn as below 2.
	Comparator string `json:"comparator"`
	// Value is the original value with its unit: "154 lb".
	Value     string `json:"value"`
	Converted bool   `json:"converted"`
	judged
}

func (h *History) add(x Result, rep Report) {
	h.Points = append(h.Points, Point{
		Taken: rep.Taken, Value: x.Value, Number: x.number, Unit: x.Unit, UnitMissing: x.UnitMissing,
		Comparator: x.Comparator, Range: x.Range, Organisation: rep.Organisation,
		judged: judged{
			RangeCheck: x.RangeCheck, Flag: x.Flag, FlagLabel: x.FlagLabel, Urgent: x.Urgent,
			StatusLabel: x.StatusLabel, ReportID: rep.ID,
		},
	})
	// The newest result names the test and gives the range to draw.
	if rep.Taken >= h.latest {
		h.latest = rep.Taken
		h.Name = x.Name
		if x.Unit != "" {
			h.Unit = x.Unit
		}
		if x.Range != nil {
			h.Range = x.Range
		}
	}
}

// finish puts the points oldest first and builds the series from them.
func (h *History) finish() {
	sort.SliceStable(h.Points, func(i, j int) bool { return h.Points[i].Taken < h.Points[j].Taken })
	h.Series = seriesOf(h.Points)
}

// seriesOf groups the numeric points (oldest first) by unit family and
// converts each to the family's newest unit. Units that do not convert
// (mg/dL and mmol/L, a number with no unit, a unit Ward cannot read) are
// families of their own. Text values are in no series.
func seriesOf(points []Point) []Series {
	var kinds []string
	byKind := map[string][]Point{}
	for _, p := range points {
		if p.Number == nil {
			continue
		}
		k := units.Kind(p.Unit)
		if _, ok := byKind[k]; !ok {
			kinds = append(kinds, k)
		}
		byKind[k] = append(byKind[k], p)
	}
	out := make([]Series, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, oneSeries(byKind[k]))
	}
	// The family with the newest result first.
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Points[len(out[i].Points)-1].Taken > out[j].Points[len(out[j].Points)-1].Taken
	})
	return out
}

func oneSeries(ps []Point) Series {
	s := Series{Unit: ps[len(ps)-1].Unit, Conversions: []string{}, Points: make([]SeriesPoint, 0, len(ps))}
	noted := map[string]bool{}
	for _, p := range ps {
		sp := SeriesPoint{
			Taken: p.Taken, Number: *p.Number, Comparator: p.Comparator, Value: valueWithUnit(p.Value, p.Unit), judged: p.judged,
		}
		if !sameUnit(p.Unit, s.Unit) {
			n, ok := units.Convert(*p.Number, p.Unit, s.Unit)
			if !ok {
				continue // cannot happen: one family converts
			}
			sp.Number, sp.Converted = n, true
			if c := units.Conversion(p.Unit, s.Unit); c != "" && !noted[c] {
				noted[c] = true
				s.Conversions = append(s.Conversions, c)
			}
		} else if p.Range != nil {
			s.Range = p.Range // oldest first: the last one is the newest
		}
		s.Points = append(s.Points, sp)
	}
	return s
}

// sameUnit: "mmol/l" and "mmol/L" are one unit written two ways.
func sameUnit(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// valueWithUnit is the value as sent with its unit as people write it: "154 lb".
func valueWithUnit(value, unit string) string {
	u := units.Text(unit)
	switch {
	case u == "":
		return value
	case u == "%":
		return value + u
	}
	return value + " " + u
}

// History returns one test's results over time, oldest first.
func (r *Record) History(key string) (*History, bool) {
	h, ok := r.history[key]
	return h, ok
}

// HistoryJSON is History encoded as JSON, encoded once per test and kept:
// a long history (thousands of points, each in the table and on a chart)
// takes milliseconds to encode, and the Record never changes.
func (r *Record) HistoryJSON(key string) ([]byte, bool) {
	if b, ok := r.historyJSON.Load(key); ok {
		return b.([]byte), true
	}
	h, ok := r.history[key]
	if !ok {
		return nil, false
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, false // cannot happen: History is plain data
	}
	b = append(b, '\n')
	r.historyJSON.Store(key, b)
	return b, true
}
