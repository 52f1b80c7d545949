package records

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// Visit is a past visit (Encounter) or an appointment.
type Visit struct {
	ID           string `json:"id"`
	Kind         string `json:"kind"` // "appointment" or "visit"
	Title        string `json:"title"`
	Start        string `json:"start"`
	End          string `json:"end"`
	Place        string `json:"place"`
	Clinician    string `json:"clinician"`
	Reason       string `json:"reason"`
	Status       string `json:"status"`
	Organisation string `json:"organisation"`
	// Address is where the place is, on one line ("1 Example Road,
	// Exampleton, ZZ99 3AA"), from its Location or Organization.
	Address string `json:"address"`
	// Phone is the place's phone number, else that of the organisation
	// running it.
	Phone string `json:"phone"`
	// Minutes is how long it lasts (end minus start, else an appointment's
	// minutesDuration); 0 when not known or a day or more.
	Minutes int `json:"minutes"`
	// Related are the reports and letters dated on the visit's days (past
	// and current visits that took place; none for upcoming ones).
	Related []Related `json:"related"`

	current  bool // in Visits.Current
	upcoming bool // in Visits.Upcoming
}

// Visits splits visits into current (a stay or visit under way, newest
// first), upcoming (soonest first) and past (newest first).
type Visits struct {
	Current  []Visit `json:"current"`
	Upcoming []Visit `json:"upcoming"`
	Past     []Visit `json:"past"`
	all      []Visit
}

// Visits returns past visits and upcoming appointments.
func (r *Record) Visits() Visits { return r.visits }

func (v *Visits) sort(now time.Time) {
	v.Current, v.Upcoming, v.Past = []Visit{}, []Visit{}, []Visit{}
	for _, x := range v.all {
		t, err := parseTime(x.Start)
		upcoming := err == nil && t.After(now) && !notHappening(x.Status)
		switch {
		case isCurrent(x, now):
			x.current = true
			v.Current = append(v.Current, x)
		case upcoming:
			x.upcoming = true
			v.Upcoming = append(v.Upcoming, x)
		default:
			v.Past = append(v.Past, x)
		}
	}
	sort.SliceStable(v.Current, func(i, j int) bool { return v.Current[i].Start > v.Current[j].Start })
	sort.SliceStable(v.Upcoming, func(i, j int) bool { return v.Upcoming[i].Start < v.Upcoming[j].Start })
	sort.SliceStable(v.Past, func(i, j int) bool { return v.Past[i].Start > v.Past[j].Start })
}

// list is every visit: current, then upcoming, then past.
func (v Visits) list() []Visit {
	return append(append(append([]Visit{}, v.Current...), v.Upcoming...), v.Past...)
}

// withStatus puts what a visit's status means for the patient ("Current",
// "Cancelled", "Did not attend") before detail, for the timeline and search.
func (x Visit) withStatus(detail string) string {
	detail = strings.TrimSpace(detail)
	label := map[string]string{"cancelled": "Cancelled", "noshow": "Did not attend"}[x.Status]
	if x.current {
		label = "Current"
	}
	switch {
	case label == "":
		return detail
	case detail == "":
		return label
	}
	return label + ": " + detail
}

// isCurrent reports whether a visit is under way: a stay whose status says
// so (in progress, arrived, triaged, on leave; an appointment the patient
// has arrived or checked in for) unless its own period ended before now (a
// status never updated: past, with its status shown), or one that has
// started, has no end and is not finished, cancelled or only planned. Such
// a visit is never "past".
func isCurrent(x Visit, now time.Time) bool {
	switch x.Status {
	case "in-progress", "arrived", "triaged", "onleave", "checked-in":
		return !endedBefore(x.End, now)
	case "finished", "fulfilled", "cancelled", "noshow", "entered-in-error", "planned", "proposed", "pending", "booked", "waitlist":
		return false
	}
	if x.Kind != "visit" || x.Start == "" || x.End != "" {
		return false
	}
	t, err := parseTime(x.Start)
	return err == nil && !t.After(now)
}

// floatingLayout is a time with no zone, which FHIR forbids but some
// systems send: the place's own clock time.
const floatingLayout = "2006-01-02T15:04:05"

// parseTime reads FHIR dateTime and date values. A time with no zone is
// taken as UK time (where the record's places are), not UTC, so an
// appointment at 10:30 is not an hour late in summer.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(floatingLayout, s); err == nil {
		return t.Add(-ukOffset(t)), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.RFC3339, s)
}

type participant struct {
	Individual *fhir.Reference `json:"individual"`
	Actor      *fhir.Reference `json:"actor"`
}

func (b *builder) visit(res fhir.Resource) int {
	var e visitJSON
	if err := res.Decode(&e); err != nil {
		return b.unreadable(res, err)
	}
	if e.Status == "entered-in-error" || b.elsewhere(res, provenance{Subject: e.Subject}, firstNonEmpty(e.Description, "Visit")) {
		return 0
	}
	v := Visit{ID: res.ID, Kind: "visit", Status: e.Status, Organisation: b.orgOf(res, provenance{Meta: e.Meta}, refs(e.ServiceProvider), nil), Related: []Related{}}
	if res.Type == "Appointment" {
		v.Kind = "appointment"
		v.Start, v.End = e.Start, e.End
		v.Title = firstNonEmpty(serviceType(e.ServiceType), e.Description)
		if v.Title == "" && len(e.Type) > 0 {
			v.Title = e.Type[0].Label()
		}
		v.Title = firstNonEmpty(v.Title, "Appointment")
	} else {
		if e.Period != nil {
			v.Start, v.End = e.Period.Start, e.Period.End
		}
		if len(e.Type) > 0 {
			v.Title = e.Type[0].Label()
		}
		if v.Title == "" && e.Class != nil {
			v.Title = classTitle(e.Class)
		}
		v.Title = firstNonEmpty(v.Title, "Visit")
	}
	for _, r := range e.ReasonCode {
		if l := r.Label(); l != "" {
			v.Reason = l
			break
		}
	}
	var place *fhir.Reference // what Place names, for its address and phone
	for _, p := range e.Participant {
		ref := p.Individual
		if ref == nil {
			ref = p.Actor
		}
		if ref == nil {
			continue
		}
		switch {
		case hasType(ref.Reference, "Location") && v.Place == "":
			v.Place, place = b.name(*ref, res), ref
		case hasType(ref.Reference, "Patient"):
		case v.Clinician == "":
			v.Clinician = b.name(*ref, res)
		}
	}
	for _, l := range e.Location {
		if v.Place == "" {
			v.Place, place = b.name(l.Location, res), &l.Location
		}
	}
	if v.Place == "" && e.ServiceProvider != nil {
		v.Place, place = b.name(*e.ServiceProvider, res), e.ServiceProvider
	}
	v.Address, v.Phone = b.placeContact(place, res)
	if v.Phone == "" {
		_, v.Phone = b.placeContact(e.ServiceProvider, res)
	}
	v.Minutes = visitMinutes(v.Start, v.End, e.MinutesDuration)
	b.rec.visits.all = append(b.rec.visits.all, v)
	return 1
}

func hasType(ref, typ string) bool {
	k := key(ref)
	return len(k) > len(typ) && k[:len(typ)+1] == typ+"/"
}

// serviceType reads Appointment.serviceType, a list of concepts in R4.
func serviceType(raw json.RawMessage) string {
	var list []fhir.CodeableConcept
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return list[0].Label()
	}
	return ""
}

func classTitle(c *fhir.Coding) string {
	switch c.Code {
	case "AMB":
		return "Outpatient appointment"
	case "EMER":
		return "Emergency department visit"
	case "IMP", "ACUTE", "NONAC":
		return "Hospital stay"
	case "VR":
		return "Video or phone appointment"
	case "HH":
		return "Home visit"
	}
	return firstNonEmpty(c.Display, "Visit")
}

// visitJSON is the part of a visit Ward reads.
type visitJSON struct {
	Subject     *fhir.Reference        `json:"subject"`
	Status      string                 `json:"status"`
	Class       *fhir.Coding           `json:"class"`
	Type        []fhir.CodeableConcept `json:"type"`
	ServiceType json.RawMessage        `json:"serviceType"`
	Description string                 `json:"description"`
	Period      *fhir.Period           `json:"period"`
	Start       string                 `json:"start"`
	End         string                 `json:"end"`
	// MinutesDuration is an Appointment's length when its times do not give it.
	MinutesDuration int                    `json:"minutesDuration"`
	ReasonCode      []fhir.CodeableConcept `json:"reasonCode"`
	Participant     []participant          `json:"participant"`
	Location        []struct {
		Location fhir.Reference `json:"location"`
	} `json:"location"`
	ServiceProvider *fhir.Reference `json:"serviceProvider"`
	Meta            *struct {
		Source string `json:"source"`
	} `json:"meta"`
}

// endedBefore reports whether end (a FHIR date or dateTime) is before now; a
// date alone lasts the whole day.
func endedBefore(end string, now time.Time) bool {
	t, err := parseTime(end)
	if err != nil {
		return false
	}
	if len(end) == len("2006-01-02") {
		t = t.AddDate(0, 0, 1)
	}
	return t.Before(now)
}
