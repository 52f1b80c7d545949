package records

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

func TestCurrentVisits(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		resource string // the Encounter or Appointment, without id and subject
		want     string // "current", "upcoming", "past" or "" (not listed)
	}{
		{"in-progress stay", `"resourceType":"Encounter","status":"in-progress","period":{"start":"2026-02-27T09:00:00Z"}`, "current"},
		{"in-progress stay with an end planned", `"resourceType":"Encounter","status":"in-progress","period":{"start":"2026-02-27","end":"2026-03-05"}`, "current"},
		{"in progress by its status, ended by its period (never updated)", `"resourceType":"Encounter","status":"in-progress","period":{"start":"2018-11-21","end":"2018-11-21"}`, "past"},
		{"in progress, ends today", `"resourceType":"Encounter","status":"in-progress","period":{"start":"2026-02-27","end":"2026-03-01"}`, "current"},
		{"appointment arrived years ago", `"resourceType":"Appointment","status":"arrived","start":"2019-04-18T13:30:00Z","end":"2019-04-18T13:45:00Z","participant":[]`, "past"},
		{"arrived", `"resourceType":"Encounter","status":"arrived","period":{"start":"2026-03-01T11:00:00Z"}`, "current"},
		{"triaged", `"resourceType":"Encounter","status":"triaged","period":{"start":"2026-03-01T11:30:00Z"}`, "current"},
		{"on leave", `"resourceType":"Encounter","status":"onleave","period":{"start":"2026-02-20"}`, "current"},
		{"unknown status, started, no end", `"resourceType":"Encounter","status":"unknown","period":{"start":"2026-02-28"}`, "current"},
		{"unknown status, ended", `"resourceType":"Encounter","status":"unknown","period":{"start":"2026-02-20","end":"2026-02-21"}`, "past"},
		{"finished with no end", `"resourceType":"Encounter","status":"finished","period":{"start":"2026-02-20"}`, "past"},
		{"finished", `"resourceType":"Encounter","status":"finished","period":{"start":"2026-02-20","end":"2026-02-22"}`, "past"},
		{"planned in the past is not under way", `"resourceType":"Encounter","status":"planned","period":{"start":"2026-02-20"}`, "past"},
		{"planned", `"resourceType":"Encounter","status":"planned","period":{"start":"2026-04-20"}`, "upcoming"},
		{"cancelled", `"resourceType":"Encounter","status":"cancelled","period":{"start":"2026-02-28"}`, "past"},
		{"entered in error", `"resourceType":"Encounter","status":"entered-in-error","period":{"start":"2026-02-28"}`, ""},
		{"appointment checked in", `"resourceType":"Appointment","status":"checked-in","start":"2026-03-01T11:45:00Z","participant":[]`, "current"},
		{"appointment booked", `"resourceType":"Appointment","status":"booked","start":"2026-03-10T09:00:00Z","participant":[]`, "upcoming"},
		{"appointment cancelled", `"resourceType":"Appointment","status":"cancelled","start":"2026-03-10T09:00:00Z","participant":[]`, "past"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("v%d", i)
			rec := Build(now, Set{Source: Source{Name: "Test Trust"}, Resources: []fhir.Resource{
				mustParse(t, `{"resourceType":"Patient","id":"p","name":[{"given":["Robin"],"family":"Ash"}]}`),
				mustParse(t, `{"id":"`+id+`","subject":{"reference":"Patient/p"},"reasonCode":[{"text":"Chest pain"}],`+tt.resource+`}`),
			}})
			v := rec.Visits()
			got := ""
			for group, list := range map[string][]Visit{"current": v.Current, "upcoming": v.Upcoming, "past": v.Past} {
				for _, x := range list {
					if x.ID == id {
						got += group
					}
				}
			}
			if got != tt.want {
				t.Fatalf("visit is in %q, want %q", got, tt.want)
			}
			timeline, _ := rec.Timeline("", 10)
			search := rec.Search("chest", 10)
			if tt.want == "" {
				if len(timeline) != 0 || len(search) != 0 {
					t.Errorf("an entered-in-error visit is on the timeline %+v or in search %+v", timeline, search)
				}
				return
			}
			if len(timeline) != 1 || len(search) != 1 {
				t.Fatalf("timeline %+v, search %+v; want the visit once in each", timeline, search)
			}
			wantLabel := map[string]string{"current": "Current: ", "upcoming": "", "past": ""}[tt.want]
			if strings.Contains(tt.resource, `"cancelled"`) {
				wantLabel = "Cancelled: "
			}
			if !strings.HasPrefix(timeline[0].Detail, wantLabel+"Chest pain") || !strings.HasPrefix(search[0].Detail, wantLabel+"Chest pain") {
				t.Errorf("timeline detail %q, search detail %q; want them to start %q", timeline[0].Detail, search[0].Detail, wantLabel+"Chest pain")
			}
		})
	}
}

func TestVisitsOrder(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var rs []fhir.Resource
	rs = append(rs, mustParse(t, `{"resourceType":"Patient","id":"p"}`))
	for i, e := range []string{
		`"status":"in-progress","period":{"start":"2026-02-01"}`,
		`"status":"in-progress","period":{"start":"2026-02-25"}`,
		`"status":"finished","period":{"start":"2026-01-01","end":"2026-01-02"}`,
		`"status":"finished","period":{"start":"2026-02-01","end":"2026-02-02"}`,
	} {
		rs = append(rs, mustParse(t, fmt.Sprintf(`{"resourceType":"Encounter","id":"e%d","subject":{"reference":"Patient/p"},%s}`, i, e)))
	}
	v := Build(now, Set{Source: Source{Name: "Test"}, Resources: rs}).Visits()
	ids := func(vs []Visit) string {
		var s []string
		for _, x := range vs {
			s = append(s, x.ID)
		}
		return strings.Join(s, ",")
	}
	if ids(v.Current) != "e1,e0" || ids(v.Past) != "e3,e2" || len(v.Upcoming) != 0 {
		t.Errorf("current %s, upcoming %s, past %s; want e1,e0 newest first, none, e3,e2", ids(v.Current), ids(v.Upcoming), ids(v.Past))
	}
}
