package records

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/fhir"
)

// Rebuild with the last build's decoding gives the record Build gives, and
// decodes again exactly the resources whose bytes are new.
func TestRebuildReusesOnlyTheSameBytes(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: now, Resources: 2000})
	if err != nil {
		t.Fatal(err)
	}
	set := func(rs []fhir.Resource) Set { return Set{Source: Source{Name: demo.OrganisationName}, Resources: rs} }
	_, prev := Rebuild(now, nil, set(rs))

	// Change one Observation's value (new bytes, same id), copy another's
	// bytes unchanged (equal but not the same bytes), leave the rest.
	next := append([]fhir.Resource(nil), rs...)
	changed, copied := -1, -1
	for i, r := range next {
		if r.Type != "Observation" {
			continue
		}
		switch {
		case changed < 0 && bytes.Contains(r.Raw, []byte(`"valueQuantity"`)):
			var o map[string]any
			json.Unmarshal(r.Raw, &o)
			o["valueQuantity"] = map[string]any{"value": 999, "unit": "g/L"}
			next[i].Raw, _ = json.Marshal(o)
			changed = i
		case copied < 0:
			next[i].Raw = bytes.Clone(r.Raw)
			copied = i
		}
	}
	got, dec := Rebuild(now, prev, set(next))
	want := Build(now, set(next))
	if a, b := mustJSON(t, got.Reports()), mustJSON(t, want.Reports()); a != b {
		t.Fatal("Rebuild with a cache differs from Build")
	}
	if a, b := mustJSON(t, got.Summary()), mustJSON(t, want.Summary()); a != b {
		t.Fatalf("summary %s, want %s", a, b)
	}

	old, cur := prev.set(demo.OrganisationName), dec.set(demo.OrganisationName)
	reused := 0
	for ref, o := range cur.obs {
		if old.obs[ref] == o {
			reused++
		}
	}
	for _, i := range []int{changed, copied} {
		ref := next[i].Ref()
		if cur.obs[ref] == old.obs[ref] {
			t.Errorf("%s was not decoded again though its bytes are new", ref)
		}
	}
	if want := len(cur.obs) - 2; reused != want {
		t.Errorf("reused %d decoded observations, want %d", reused, want)
	}
	if rep := findValue(got, "999"); !rep {
		t.Error("the changed value is not in the rebuilt record")
	}
}

func findValue(rec *Record, v string) bool {
	for _, rep := range rec.Reports() {
		for _, x := range rep.Results {
			if x.Value == v {
				return true
			}
		}
	}
	return false
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
