package records

// History is one test over time.
type History struct {
	Name   string  `json:"name"`
	Unit   string  `json:"unit"`
	Range  *Range  `json:"range"`
	Points []Point `json:"points"`
	latest string
}

// Point is one result in a test's history.
type Point struct {
	Taken        string   `json:"taken"`
	Value        string   `json:"value"`
	Number       *float64 `json:"number"`
	Unit         string   `json:"unit"`
	Flag         string   `json:"flag"`
	FlagLabel    string   `json:"flagLabel"`
	ReportID     string   `json:"reportId"`
	Organisation string   `json:"organisation"`
}

func (h *History) add(x Result, rep Report) {
	h.Points = append(h.Points, Point{
		Taken: rep.Taken, Value: x.Value, Number: x.number, Unit: x.Unit,
		Flag: x.Flag, FlagLabel: x.FlagLabel, ReportID: rep.ID, Organisation: rep.Organisation,
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

// History returns one test's results over time, oldest first.
func (r *Record) History(key string) (*History, bool) {
	h, ok := r.history[key]
	return h, ok
}
