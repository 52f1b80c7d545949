package demo

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/records"
)

var now = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func TestDeterministic(t *testing.T) {
	a, err := Generate(Options{Seed: 7, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(Options{Seed: 7, Now: now})
	c, _ := Generate(Options{Seed: 8, Now: now})
	ba, _ := Bundle(a)
	bb, _ := Bundle(b)
	bc, _ := Bundle(c)
	if !bytes.Equal(ba, bb) {
		t.Fatal("same options gave different records")
	}
	if bytes.Equal(ba, bc) {
		t.Fatal("different seeds gave the same record")
	}
}

func TestExactSize(t *testing.T) {
	for _, n := range []int{1000, 1001, 10000, 100000} {
		rs, err := Generate(Options{Seed: 1, Now: now, Resources: n})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != n {
			t.Errorf("Resources: %d gave %d resources", n, len(rs))
		}
	}
}

// TestValid checks every resource parses, ids are unique per type, every
// relative reference points at a resource in the record, and the dates of
// blood tests are in the past while appointments are in the future.
func TestValid(t *testing.T) {
	for _, n := range []int{0, 5000} {
		rs, err := Generate(Options{Seed: 3, Now: now, Resources: n})
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, r := range rs {
			p, err := fhir.Parse(r.Raw)
			if err != nil {
				t.Fatal(err)
			}
			if p.Type != r.Type || p.ID != r.ID {
				t.Fatalf("envelope %s/%s != %s/%s", p.Type, p.ID, r.Type, r.ID)
			}
			if have[r.Ref()] {
				t.Fatalf("duplicate %s", r.Ref())
			}
			have[r.Ref()] = true
		}
		for _, r := range rs {
			var walk func(v any)
			walk = func(v any) {
				switch v := v.(type) {
				case map[string]any:
					if ref, ok := v["reference"].(string); ok && !have[ref] {
						t.Errorf("%s refers to missing %s", r.Ref(), ref)
					}
					for _, x := range v {
						walk(x)
					}
				case []any:
					for _, x := range v {
						walk(x)
					}
				}
			}
			var m any
			if err := json.Unmarshal(r.Raw, &m); err != nil {
				t.Fatal(err)
			}
			walk(m)
			var dates struct {
				Effective string `json:"effectiveDateTime"`
				Start     string `json:"start"`
			}
			json.Unmarshal(r.Raw, &dates)
			switch r.Type {
			case "Observation":
				if ts, _ := time.Parse(time.RFC3339, dates.Effective); !ts.Before(now) {
					t.Errorf("%s taken %s, not before now", r.Ref(), dates.Effective)
				}
			case "Appointment":
				if ts, _ := time.Parse(time.RFC3339, dates.Start); !ts.After(now) {
					t.Errorf("%s starts %s, not after now", r.Ref(), dates.Start)
				}
			}
		}
	}
}

func TestHasEveryKind(t *testing.T) {
	rs, _ := Generate(Options{Seed: 1, Now: now})
	got := strings.Join(Types(rs), ",")
	want := "AllergyIntolerance,Appointment,Condition,DiagnosticReport,DocumentReference,Encounter,Immunization,Location,MedicationRequest,Observation,Organization,Patient,Practitioner"
	if got != want {
		t.Fatalf("types = %s\nwant    %s", got, want)
	}
	b, _ := Bundle(rs)
	for _, s := range []string{NHSNumber, OrganisationName, PatientFamily} {
		if !bytes.Contains(b, []byte(s)) {
			t.Errorf("record lacks %q", s)
		}
	}
	if !strings.HasPrefix(NHSNumber, "999") {
		t.Errorf("NHS number %s is outside the 999 test range", NHSNumber)
	}
}

// TestAppointments: the appointments page has something to show on the
// demo: every upcoming appointment has a place, an address, a length and a
// phone number, and past visits link to that day's letter and results.
func TestAppointments(t *testing.T) {
	for _, n := range []int{0, 5000} {
		rs, err := Generate(Options{Seed: 1, Now: now, Resources: n})
		if err != nil {
			t.Fatal(err)
		}
		v := records.Build(now, records.Set{Source: records.Source{Name: OrganisationName}, Resources: rs}).Visits()
		if len(v.Upcoming) < 3 || len(v.Past) < 5 {
			t.Fatalf("%d upcoming, %d past; want at least 3 and 5", len(v.Upcoming), len(v.Past))
		}
		for _, a := range v.Upcoming {
			if a.Place == "" || a.Address == "" || a.Minutes == 0 || a.Phone == "" {
				t.Errorf("upcoming %s: place %q, address %q, minutes %d, phone %q; want all", a.Title, a.Place, a.Address, a.Minutes, a.Phone)
			}
		}
		kinds := map[string]int{}
		withBoth := 0
		for _, p := range v.Past {
			k := map[string]bool{}
			for _, r := range p.Related {
				kinds[r.Kind]++
				k[r.Kind] = true
			}
			if k["document"] && k["result"] {
				withBoth++
			}
		}
		if withBoth == 0 || kinds["result"] < 3 {
			t.Errorf("past visits link %v; want one with a letter and results, and results on more than one", kinds)
		}
	}
}

func TestNeedsNow(t *testing.T) {
	if _, err := Generate(Options{}); err == nil {
		t.Fatal("Generate without Now succeeded")
	}
}

func BenchmarkGenerate10k(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Options{Seed: 1, Now: now, Resources: 10000}); err != nil {
			b.Fatal(err)
		}
	}
}
