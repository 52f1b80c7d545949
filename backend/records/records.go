// Package records turns stored FHIR resources into what a patient reads:
// their details, test results grouped by report with each test's history,
// their health summary, visits, letters and documents, a search index and a
// timeline. Build decodes everything once (at unlock) into memory; the API
// reads from the Record it returns, which never changes afterwards.
package records

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// Source is one organisation's contribution to the record: one place its
// files came from, which may name several organisations item by item.
type Source struct {
	Name string `json:"name"`
	// LastUpdated is when records from this source last changed on this
	// computer (an import with nothing new leaves it alone).
	LastUpdated time.Time `json:"lastUpdated"`
	// DataUpTo is the newest date in its records (upcoming appointments
	// aside): "Records up to 12 March 1985 · copied 2 December 2026".
	DataUpTo string `json:"dataUpTo"`
	// Notices are what its files said about themselves ("may not contain
	// the entire record").
	Notices []string `json:"notices"`
	// Organisations are those its items name (a lab, a clinic), sorted.
	Organisations []string `json:"organisations"`
	Counts        Counts   `json:"counts"`
	// OutOfDate is true when its records were copied more than StaleAfter
	// ago: newer results are likely to be missing, and the home page says so.
	OutOfDate bool `json:"outOfDate"`
}

// StaleAfter is how old a source's copy may be before the home page asks
// for a newer one. Hospital results arrive within days; after three months
// a copy that has not changed is likely to be missing some.
const StaleAfter = 90 * 24 * time.Hour

// Set is the resources that came from one source.
type Set struct {
	Source    Source
	Resources []fhir.Resource
}

// Patient is the person the record is about.
type Patient struct {
	Name      string `json:"name"`
	GivenName string `json:"givenName"`
	BirthDate string `json:"birthDate"`
	NHSNumber string `json:"nhsNumber"`
}

// Counts is how many items of each kind the record holds.
type Counts struct {
	Results       int `json:"results"`
	Conditions    int `json:"conditions"`
	Medications   int `json:"medications"`
	Allergies     int `json:"allergies"`
	Immunisations int `json:"immunisations"`
	Appointments  int `json:"appointments"`
	Documents     int `json:"documents"`
	Other         int `json:"other"`
}

func (c *Counts) add(o Counts) {
	c.Results += o.Results
	c.Conditions += o.Conditions
	c.Medications += o.Medications
	c.Allergies += o.Allergies
	c.Immunisations += o.Immunisations
	c.Appointments += o.Appointments
	c.Documents += o.Documents
	c.Other += o.Other
}

// Summary is what the home page shows.
type Summary struct {
	Patient *Patient `json:"patient"`
	Sources []Source `json:"sources"`
	// Organisations are every organisation the items name, across sources.
	Organisations []string `json:"organisations"`
	Counts        Counts   `json:"counts"`
	// Urgent are the critical results to call out at the top of the page.
	Urgent []Urgent `json:"urgent"`
	// NextAppointment is the soonest upcoming appointment, nil for none.
	NextAppointment *Visit `json:"nextAppointment"`
	// LatestResults are the three tests with the newest results.
	LatestResults []Test `json:"latestResults"`
	// LatestLetter is the newest letter or document, nil for none.
	LatestLetter *Document `json:"latestLetter"`
}

// Record is the decoded view of everything loaded.
type Record struct {
	summary Summary
	details *Details
	reports []Report
	byID    map[string]int
	void    map[string]Report // entered in error or cancelled: by direct link only
	history map[string]*History
	// historyJSON caches encoded histories by test key ([]byte values).
	historyJSON sync.Map
	health      Health
	visits      Visits
	documents   []Document
	docByID     map[string]*Document
	tests       []Test
	outside     []Report // OutsideReports, made on first use
	outsideOnce sync.Once
	search      []searchEntry
	timeline    []TimelineItem
	other       map[string][]OtherItem
	now         time.Time
}

// Build decodes the sets into a Record, as of now (which splits past visits
// from upcoming ones). Resources it cannot decode are left out of the views
// (they are still stored and export unchanged); it never fails on content.
func Build(now time.Time, sets ...Set) *Record {
	rec, _ := Rebuild(now, nil, sets...)
	return rec
}

// Rebuild is Build reusing prev (nil for none): an Observation or
// DiagnosticReport whose bytes are the very same bytes prev decoded (same
// backing array and length) is not decoded again. Callers must not change
// a resource's Raw in place once it has been built, which Ward never does:
// an imported or updated resource arrives in new bytes and is decoded.
// It returns the record and what to pass as prev next time.
func Rebuild(now time.Time, prev *Decoded, sets ...Set) (*Record, *Decoded) {
	rec := &Record{
		byID:    map[string]int{},
		void:    map[string]Report{},
		history: map[string]*History{},
		docByID: map[string]*Document{},
		other:   map[string][]OtherItem{},
		now:     now,
	}
	rec.summary.Sources = []Source{}
	all := newIndex(sets, prev)
	next := &Decoded{sets: make(map[string]*setIndex, len(sets))}
	for i, s := range sets {
		m := rec.mark()
		counts := rec.add(s, all.sets[i], all)
		s.Source.Counts = counts
		s.Source.DataUpTo, s.Source.Organisations = rec.since(m)
		s.Source.OutOfDate = !s.Source.LastUpdated.IsZero() && now.Sub(s.Source.LastUpdated) > StaleAfter
		if s.Source.Notices == nil {
			s.Source.Notices = []string{}
		}
		rec.summary.Sources = append(rec.summary.Sources, s.Source)
		rec.summary.Counts.add(counts)
		if _, dup := next.sets[s.Source.Name]; !dup {
			si := all.sets[i] // only the read-only parts
			next.sets[s.Source.Name] = &setIndex{obs: si.obs, reports: si.reports, bad: si.bad, byRef: si.byRef}
		}
	}
	rec.summary.Organisations = organisations(rec.summary.Sources)
	rec.finish()
	return rec, next
}

// add decodes one source's resources into the views and returns what it
// contributed.
func (r *Record) add(s Set, idx *setIndex, all *index) Counts {
	var c Counts
	b := builder{rec: r, org: s.Source.Name, idx: idx, all: all}
	for _, res := range s.Resources {
		switch res.Type {
		case "Patient":
			b.patient(res)
		case "DiagnosticReport":
			c.Results += b.report(res)
		case "Observation":
			// Observations in a report are added with it; the rest below.
		case "Condition":
			c.Conditions += b.condition(res)
		case "MedicationRequest", "MedicationStatement":
			c.Medications += b.medication(res)
		case "AllergyIntolerance":
			c.Allergies += b.allergy(res)
		case "Immunization":
			c.Immunisations += b.immunisation(res)
		case "Encounter", "Appointment":
			c.Appointments += b.visit(res)
		case "DocumentReference", "Composition":
			c.Documents += b.document(res)
		case "Organization", "Practitioner", "PractitionerRole", "Location", "Medication", "Binary", "Provenance":
			// Shown through the records that refer to them.
		default:
			c.Other += b.otherRecord(res)
		}
	}
	for _, res := range s.Resources {
		if res.Type == "Observation" && !idx.inReport[res.Ref()] {
			c.Results += b.loneObservation(res)
		}
	}
	return c
}

// finish sorts every view and builds the lookups.
func (r *Record) finish() {
	sort.SliceStable(r.reports, func(i, j int) bool { return r.reports[i].Taken > r.reports[j].Taken })
	for i, rep := range r.reports {
		r.byID[rep.ID] = i
	}
	for _, h := range r.history {
		h.finish() // oldest first, and a chart series per unit family
	}
	r.health.sort()
	r.visits.sort(r.now)
	sort.SliceStable(r.documents, func(i, j int) bool { return r.documents[i].Date > r.documents[j].Date })
	for i := range r.documents {
		r.docByID[r.documents[i].ID] = &r.documents[i]
	}
	for t := range r.other {
		items := r.other[t]
		sort.SliceStable(items, func(i, j int) bool { return items[i].Date > items[j].Date })
	}
	// Once reports and documents are sorted: each visit's links to that
	// day's letters and results (before the home page copies the next one).
	r.relateVisits()
	r.summary.Urgent = r.findUrgent()
	r.buildTests()
	r.summary.LatestResults = r.LatestTests(3)
	if len(r.visits.Upcoming) > 0 {
		next := r.visits.Upcoming[0]
		r.summary.NextAppointment = &next
	}
	for _, d := range r.documents {
		if d.Status != "superseded" {
			d.HTML, d.data = "", nil
			d.ReplacedBy = r.listed(d.ReplacedBy)
			r.summary.LatestLetter = &d
			break
		}
	}
	r.buildSearch()
	r.buildTimeline()
}

// Summary returns the home page view.
func (r *Record) Summary() Summary { return r.summary }

// Sources returns the organisations the record comes from.
func (r *Record) Sources() []Source { return r.summary.Sources }

// Reports returns all test result reports, newest first.
func (r *Record) Reports() []Report { return r.reports }

// Report returns one report by id, including one entered in error (its
// Void set), which no list has.
func (r *Record) Report(id string) (Report, bool) {
	i, ok := r.byID[id]
	if !ok {
		rep, ok := r.void[id]
		return rep, ok
	}
	return r.reports[i], true
}

// FormatNHSNumber spaces a 10-digit NHS number as 3-3-4, the way it is
// printed on NHS letters; anything else is returned unchanged.
func FormatNHSNumber(s string) string {
	d := strings.ReplaceAll(s, " ", "")
	if len(d) != 10 {
		return s
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return s
		}
	}
	return d[:3] + " " + d[3:6] + " " + d[6:]
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
