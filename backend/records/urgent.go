package records

import "time"

// UrgentWindow is how long after it was taken a critical result is called
// out on the home page. Labs phone critical results through within hours;
// after three months the banner would be noise that teaches patients to
// ignore it. The red "Urgent" tag stays on the result for good.
const UrgentWindow = 90 * 24 * time.Hour

// Urgent is a critical result the home page calls out: "1 result needs
// urgent attention — Potassium, 20 November".
type Urgent struct {
	ReportID     string `json:"reportId"`
	Name         string `json:"name"`
	Taken        string `json:"taken"`
	Organisation string `json:"organisation"`
}

// findUrgent lists the tests whose newest result is critical and was
// taken within UrgentWindow of now (or has no date to tell), newest
// first. A later result of the same test that is not critical ends it.
// Reports must already be sorted newest first.
func (r *Record) findUrgent() []Urgent {
	out := []Urgent{}
	seen := map[string]bool{}
	for _, rep := range r.reports {
		for _, x := range rep.Results {
			if seen[x.TestKey] {
				continue
			}
			seen[x.TestKey] = true
			if !x.Urgent {
				continue
			}
			if t, err := parseTime(rep.Taken); err == nil && r.now.Sub(t) > UrgentWindow {
				continue
			}
			out = append(out, Urgent{ReportID: rep.ID, Name: x.Name, Taken: rep.Taken, Organisation: rep.Organisation})
		}
	}
	return out
}
