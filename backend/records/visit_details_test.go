package records

import (
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// buildVisits builds a record of the patient Robin Ash and resources (JSON
// objects), as of now.
func buildVisits(t *testing.T, now time.Time, resources ...string) *Record {
	t.Helper()
	rs := []fhir.Resource{mustParse(t, `{"resourceType":"Patient","id":"p","name":[{"given":["Robin"],"family":"Ash"}]}`)}
	for _, s := range resources {
		rs = append(rs, mustParse(t, s))
	}
	return Build(now, Set{Source: Source{Name: "Test Trust"}, Resources: rs})
}

// visitByID finds a visit in any of the lists, and says which.
func visitByID(v Visits, id string) (Visit, string) {
	for group, list := range map[string][]Visit{"current": v.Current, "upcoming": v.Upcoming, "past": v.Past} {
		for _, x := range list {
			if x.ID == id {
				return x, group
			}
		}
	}
	return Visit{}, ""
}

const (
	clinicLocation = `{"resourceType":"Location","id":"clinic","name":"Eye Clinic","address":{"line":["Level 2","1 Example Road"],"city":"Exampleton","postalCode":"ZZ99 3AA"},"telecom":[{"system":"email","value":"eyes@example.org"},{"system":"phone","value":"0300 000 0001","use":"work"}],"managingOrganization":{"reference":"Organization/trust"}}`
	bareLocation   = `{"resourceType":"Location","id":"bare","name":"Ward 7","telecom":[{"system":"phone","value":"UNKNOWN"}],"managingOrganization":{"reference":"Organization/trust"}}`
	trustOrg       = `{"resourceType":"Organization","id":"trust","name":"Test Trust","address":[{"text":"UNKNOWN"},{"line":["1 Example Road"],"city":"Exampleton"}],"telecom":[{"system":"phone","value":"07700 900000","use":"mobile"},{"system":"phone","value":"0300 000 0000"}]}`
)

func TestVisitPlaceAddressAndPhone(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, visit           string // the visit, without id and subject
		place, address, phone string
	}{
		{"a location's own address and work phone", `"resourceType":"Appointment","status":"booked","start":"2026-12-15T10:30:00Z","participant":[{"actor":{"reference":"Location/clinic"}}]`,
			"Eye Clinic", "Level 2, 1 Example Road, Exampleton, ZZ99 3AA", "0300 000 0001"},
		{"a location with neither takes both from its organisation, skipping placeholders", `"resourceType":"Appointment","status":"booked","start":"2026-12-15T10:30:00Z","participant":[{"actor":{"reference":"Location/bare","display":"Ward 7 (Oak)"}}]`,
			"Ward 7 (Oak)", "1 Example Road, Exampleton", "0300 000 0000"},
		{"an encounter's location", `"resourceType":"Encounter","status":"finished","period":{"start":"2026-11-01T09:00:00Z"},"location":[{"location":{"reference":"Location/clinic"}}]`,
			"Eye Clinic", "Level 2, 1 Example Road, Exampleton, ZZ99 3AA", "0300 000 0001"},
		{"an encounter with only a service provider", `"resourceType":"Encounter","status":"finished","period":{"start":"2026-11-01T09:00:00Z"},"serviceProvider":{"reference":"Organization/trust"}`,
			"Test Trust", "1 Example Road, Exampleton", "0300 000 0000"},
		{"a contained location", `"resourceType":"Appointment","status":"booked","start":"2026-12-15T10:30:00Z","contained":[{"resourceType":"Location","id":"l1","name":"Room 4","address":{"text":"Room 4, Health Centre"}}],"participant":[{"actor":{"reference":"#l1"}}]`,
			"", "", ""}, // "#l1" is not typed Location: not taken as the place
		{"a place the record does not hold", `"resourceType":"Appointment","status":"booked","start":"2026-12-15T10:30:00Z","participant":[{"actor":{"reference":"Location/elsewhere","display":"Elsewhere Clinic"}}]`,
			"Elsewhere Clinic", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := buildVisits(t, now, clinicLocation, bareLocation, trustOrg, `{"id":"v","subject":{"reference":"Patient/p"},`+tt.visit+`}`)
			v, _ := visitByID(rec.Visits(), "v")
			if v.Place != tt.place || v.Address != tt.address || v.Phone != tt.phone {
				t.Errorf("place %q, address %q, phone %q; want %q, %q, %q", v.Place, v.Address, v.Phone, tt.place, tt.address, tt.phone)
			}
		})
	}
}

func TestVisitMinutes(t *testing.T) {
	tests := []struct {
		name, start, end string
		minutesDuration  int
		want             int
	}{
		{"from start and end", "2026-12-15T10:30:00Z", "2026-12-15T11:00:00Z", 0, 30},
		{"start and end win over minutesDuration", "2026-12-15T10:30:00Z", "2026-12-15T10:45:00Z", 30, 15},
		{"offsets compared as instants", "2026-07-15T10:30:00+01:00", "2026-07-15T09:50:00Z", 0, 20},
		{"minutesDuration when there is no end", "2026-12-15T10:30:00Z", "", 45, 45},
		{"minutesDuration when the times are dates only", "2026-12-15", "2026-12-15", 20, 20},
		{"zoneless times", "2026-12-15T10:30:00", "2026-12-15T11:15:00", 0, 45},
		{"end before start says nothing", "2026-12-15T10:30:00Z", "2026-12-15T10:00:00Z", 30, 0},
		{"a day or more is a stay, not a length", "2026-12-15T10:30:00Z", "2026-12-17T10:30:00Z", 0, 0},
		{"nothing known", "2026-12-15T10:30:00Z", "", 0, 0},
		{"a nonsense minutesDuration", "2026-12-15", "", 100000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := visitMinutes(tt.start, tt.end, tt.minutesDuration); got != tt.want {
				t.Errorf("visitMinutes(%q, %q, %d) = %d, want %d", tt.start, tt.end, tt.minutesDuration, got, tt.want)
			}
		})
	}
	rec := buildVisits(t, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		`{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-12-15T10:30:00Z","minutesDuration":30,"participant":[]}`)
	if v, _ := visitByID(rec.Visits(), "a"); v.Minutes != 30 {
		t.Errorf("Appointment.minutesDuration 30 gave minutes %d", v.Minutes)
	}
}

// TestNeverUpcoming: an appointment that will not happen is never upcoming,
// in the visits or on the timeline, whatever its date (HAZ: a cancelled
// appointment offered as one to go to, or to add to a calendar).
func TestNeverUpcoming(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		status string
		want   string // "upcoming", "past" or "" (not listed)
	}{
		{"booked", "upcoming"},
		{"pending", "upcoming"},
		{"cancelled", "past"},
		{"noshow", "past"},
		{"entered-in-error", ""},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			rec := buildVisits(t, now, clinicLocation, trustOrg, `{"resourceType":"Appointment","id":"a","subject":{"reference":"Patient/p"},"status":"`+tt.status+`","start":"2026-12-15T10:30:00Z","participant":[{"actor":{"reference":"Location/clinic"}}]}`)
			v, group := visitByID(rec.Visits(), "a")
			if group != tt.want {
				t.Fatalf("a %s appointment next month is in %q, want %q", tt.status, group, tt.want)
			}
			items, _ := rec.Timeline("", 10)
			for _, it := range items {
				if it.Upcoming != (tt.want == "upcoming") {
					t.Errorf("timeline item %+v: upcoming %v, want %v", it, it.Upcoming, tt.want == "upcoming")
				}
			}
			if tt.want != "" && len(items) != 1 {
				t.Errorf("timeline %+v, want the appointment once", items)
			}
			if len(v.Related) != 0 {
				t.Errorf("an appointment that has not happened has related items %+v", v.Related)
			}
		})
	}
}

// TestZonelessTimes: a time sent with no zone is the place's own clock time:
// never shifted for the day it is on, and compared with now as UK time.
func TestZonelessTimes(t *testing.T) {
	if got, want := must(parseTime("2026-07-01T10:30:00")), time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("summer zoneless 10:30 parsed as %v, want %v (10:30 BST)", got, want)
	}
	if got, want := must(parseTime("2026-12-01T10:30:00.000")), time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("winter zoneless 10:30 parsed as %v, want %v", got, want)
	}
	// At 09:45 UTC (10:45 BST) an appointment at 10:30 local time is over.
	rec := buildVisits(t, time.Date(2026, 7, 1, 9, 45, 0, 0, time.UTC),
		`{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-07-01T10:30:00","participant":[]}`)
	if _, group := visitByID(rec.Visits(), "a"); group != "past" {
		t.Errorf("a zoneless 10:30 appointment at 10:45 UK time is %q, want past", group)
	}
}

func TestLocalDay(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2026-12-15", "2026-12-15"},
		{"2026-07-01T23:30:00Z", "2026-07-02"}, // 00:30 BST
		{"2026-12-01T23:30:00Z", "2026-12-01"}, // GMT
		{"2026-07-01T23:30:00", "2026-07-01"},  // zoneless: as written
		{"2026-07-02T00:30:00+01:00", "2026-07-02"},
		{"2026-07-01T20:00:00-05:00", "2026-07-02"}, // 01:00Z, 02:00 BST
		{"2026-03-29T00:59:00Z", "2026-03-29"},      // just before summer time
		{"2026-03-28T23:30:00Z", "2026-03-28"},
		{"2026-10-24T23:30:00Z", "2026-10-25"}, // still summer time
		{"2026-10-25T23:30:00Z", "2026-10-25"}, // winter again
		{"2026-12", ""},
		{"2026", ""},
		{"", ""},
		{"2026-13-01", ""},
		{"soon", ""},
	}
	for _, tt := range tests {
		if got := localDay(tt.in); got != tt.want {
			t.Errorf("localDay(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUKOffset(t *testing.T) {
	tests := []struct {
		at   time.Time
		want time.Duration
	}{
		{time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC), 0},
		{time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), time.Hour},
		{time.Date(2026, 10, 25, 0, 59, 0, 0, time.UTC), time.Hour},
		{time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC), 0},
		{time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC), time.Hour}, // last Sunday of March 2027
		{time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC), 0},
	}
	for _, tt := range tests {
		if got := ukOffset(tt.at); got != tt.want {
			t.Errorf("ukOffset(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

func TestVisitRelated(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	report := func(id, name, taken string) string {
		return `{"resourceType":"DiagnosticReport","id":"` + id + `","status":"final","code":{"text":"` + name + `"},"subject":{"reference":"Patient/p"},"effectiveDateTime":"` + taken + `"}`
	}
	letter := func(id, title, date, status string) string {
		return `{"resourceType":"DocumentReference","id":"` + id + `","status":"` + status + `","description":"` + title + `","subject":{"reference":"Patient/p"},"date":"` + date + `","content":[{"attachment":{"contentType":"text/plain","data":"SGVsbG8="}}]}`
	}
	rs := []string{
		report("r1", "HbA1c", "2026-07-01T08:10:00Z"),
		report("r2", "Kidney function", "2026-07-01T23:30:00Z"), // 2 July in the UK
		report("r3", "Cholesterol", "2026-06-30"),
		report("r4", "Full blood count", "2026-08-11T10:00:00Z"),
		report("r5", "Glucose", "2026-07-01T20:00:00-05:00"), // 02:00 on 2 July in the UK
		letter("d1", "Clinic letter", "2026-07-01T16:00:00+01:00", "current"),
		letter("d2", "Old clinic letter", "2026-07-01T12:00:00Z", "superseded"),
		letter("d3", "Discharge summary", "2026-08-12", "current"),
		`{"resourceType":"Encounter","id":"clinic","subject":{"reference":"Patient/p"},"status":"finished","period":{"start":"2026-07-01T09:30:00Z","end":"2026-07-01T10:00:00Z"}}`,
		`{"resourceType":"Encounter","id":"stay","subject":{"reference":"Patient/p"},"status":"finished","period":{"start":"2026-08-10","end":"2026-08-12"}}`,
		`{"resourceType":"Encounter","id":"zoneless","subject":{"reference":"Patient/p"},"status":"finished","period":{"start":"2026-07-02T00:15:00"}}`,
		`{"resourceType":"Appointment","id":"cancelled","subject":{"reference":"Patient/p"},"status":"cancelled","start":"2026-07-01T14:00:00Z","participant":[]}`,
		`{"resourceType":"Appointment","id":"noshow","subject":{"reference":"Patient/p"},"status":"noshow","start":"2026-08-11T14:00:00Z","participant":[]}`,
		`{"resourceType":"Appointment","id":"next","subject":{"reference":"Patient/p"},"status":"booked","start":"2026-12-15T10:00:00Z","participant":[]}`,
		`{"resourceType":"Encounter","id":"nothing","subject":{"reference":"Patient/p"},"status":"finished","period":{"start":"2026-05-05"}}`,
	}
	rec := buildVisits(t, now, rs...)
	tests := []struct{ id, want string }{
		{"clinic", "document Clinic letter #/documents/d1; result HbA1c #/results/r1"},
		{"stay", "document Discharge summary #/documents/d3; result Full blood count #/results/r4"},
		{"zoneless", "result Kidney function #/results/r2; result Glucose #/results/r5"},
		{"cancelled", ""},
		{"noshow", ""},
		{"next", ""},
		{"nothing", ""},
	}
	for _, tt := range tests {
		v, group := visitByID(rec.Visits(), tt.id)
		if group == "" {
			t.Fatalf("visit %s not listed", tt.id)
		}
		if v.Related == nil {
			t.Errorf("%s: related is nil (null in JSON), want a list", tt.id)
		}
		var got []string
		for _, x := range v.Related {
			got = append(got, x.Kind+" "+x.Title+" "+x.Link)
		}
		if strings.Join(got, "; ") != tt.want {
			t.Errorf("%s related %q, want %q", tt.id, strings.Join(got, "; "), tt.want)
		}
	}
}

func TestAddressText(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`{"line":["1 Example Road"],"city":"Exampleton","postalCode":"ZZ99 3AA"}`, "1 Example Road, Exampleton, ZZ99 3AA"},
		{`[{"line":["N/A"],"city":"UNKNOWN"},{"text":"Health Centre, High Street"}]`, "Health Centre, High Street"},
		{`{"text":"Ignored when there are lines","line":["2 Main Street"],"district":"Westshire"}`, "2 Main Street, Westshire"},
		{`"a string"`, ""},
		{`null`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		if got := addressText([]byte(tt.raw)); got != tt.want {
			t.Errorf("addressText(%s) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

// FuzzLocalDay: any input gives "" or a real calendar day, and never panics.
func FuzzLocalDay(f *testing.F) {
	for _, s := range []string{"2026-12-15", "2026-07-01T23:30:00Z", "2026-07-01T23:30:00", "2026-07-01T23:30:00.123+05:30", "2026", "", "2026-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := localDay(s)
		if d == "" {
			return
		}
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			t.Fatalf("localDay(%q) = %q, not a date", s, d)
		}
	})
}

// FuzzAddressText: any JSON gives a line or "", and never panics.
func FuzzAddressText(f *testing.F) {
	f.Add(`{"line":["1 Example Road"],"city":"Exampleton"}`)
	f.Add(`[{"text":"x"},{"line":[null, "y"]}]`)
	f.Fuzz(func(t *testing.T, s string) {
		if got := addressText([]byte(s)); strings.Contains(got, "\n") && !strings.Contains(s, `\n`) && !strings.Contains(s, "\n") {
			t.Fatalf("addressText(%q) = %q: a line break from nowhere", s, got)
		}
	})
}

func must(t time.Time, err error) time.Time {
	if err != nil {
		panic(err)
	}
	return t
}
