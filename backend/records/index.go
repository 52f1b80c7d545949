package records

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/identity"
)

// index resolves references across everything loaded, preferring the
// referring resource's own source.
type index struct {
	sets   []*setIndex
	names  map[string]string // resolved display names, by set and reference
	person *identity.Person  // the patient, once worked out (see self)
	gender *string           // the patient's administrative gender, once read (see sex)
}

type setIndex struct {
	obs      map[string]*observationJSON // decoded Observations, by "Type/id"
	reports  map[string]*reportJSON      // decoded DiagnosticReports, by "Type/id"
	byRef    map[string]fhir.Resource    // "Type/id"
	byID     map[string]fhir.Resource    // bare id, for urn:uuid references
	inReport map[string]bool             // Observations some report lists
	bad      map[string]error            // results that failed to decode, by "Type/id"
}

func newIndex(sets []Set, prev *Decoded) *index {
	all := &index{names: map[string]string{}}
	for _, s := range sets {
		si := &setIndex{
			byRef:    make(map[string]fhir.Resource, len(s.Resources)),
			byID:     make(map[string]fhir.Resource, len(s.Resources)),
			inReport: map[string]bool{},
		}
		for _, r := range s.Resources {
			si.byRef[r.Ref()] = r
			si.byID[r.ID] = r
		}
		si.obs, si.reports, si.bad = decodeCached(s.Resources, prev.set(s.Source.Name))
		all.sets = append(all.sets, si)
	}
	return all
}

// decodeResults decodes every Observation and DiagnosticReport up front, on
// all cores: they are most of a record, and decoding is most of the work of
// building the views.
func decodeResults(rs []fhir.Resource) (map[string]*observationJSON, map[string]*reportJSON, map[string]error) {
	workers := max(1, runtime.GOMAXPROCS(0))
	obs := make([]map[string]*observationJSON, workers)
	reps := make([]map[string]*reportJSON, workers)
	bads := make([]map[string]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			om, rm, bad := map[string]*observationJSON{}, map[string]*reportJSON{}, map[string]error{}
			for i := w; i < len(rs); i += workers {
				switch rs[i].Type {
				case "Observation":
					o := new(observationJSON)
					if err := rs[i].Decode(o); err == nil {
						om[rs[i].Ref()] = o
					} else {
						bad[rs[i].Ref()] = err
					}
				case "DiagnosticReport":
					d := new(reportJSON)
					if err := rs[i].Decode(d); err == nil {
						rm[rs[i].Ref()] = d
					} else {
						bad[rs[i].Ref()] = err
					}
				}
			}
			obs[w], reps[w], bads[w] = om, rm, bad
		}(w)
	}
	wg.Wait()
	for w := 1; w < workers; w++ {
		for k, v := range obs[w] {
			obs[0][k] = v
		}
		for k, v := range reps[w] {
			reps[0][k] = v
		}
		for k, v := range bads[w] {
			bads[0][k] = v
		}
	}
	return obs[0], reps[0], bads[0]
}

// observation returns a decoded Observation.
func (ix *index) observation(r fhir.Resource) (*observationJSON, bool) {
	for _, si := range ix.sets {
		if o, ok := si.obs[r.Ref()]; ok {
			if rr, ok := si.byRef[r.Ref()]; ok && &rr.Raw[0] == &r.Raw[0] {
				return o, true
			}
		}
	}
	o := new(observationJSON)
	return o, r.Decode(o) == nil
}

// key reduces any reference form to "Type/id" (or "uuid:<id>" for a
// urn:uuid full URL), and "" for contained ("#id") or unusable references.
func key(ref string) string {
	switch {
	case ref == "", strings.HasPrefix(ref, "#"):
		return ""
	case strings.HasPrefix(ref, "urn:uuid:"):
		return "uuid:" + strings.TrimPrefix(ref, "urn:uuid:")
	case strings.HasPrefix(ref, "urn:oid:"):
		return ""
	}
	// Absolute URLs and versioned references: keep the last Type/id.
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(strings.TrimRight(ref, "/"), "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[len(parts)-2] + "/" + parts[len(parts)-1]
}

// resolve finds the resource a reference points to.
func (ix *index) resolve(own *setIndex, ref string) (fhir.Resource, bool) {
	k := key(ref)
	if k == "" {
		return fhir.Resource{}, false
	}
	look := func(si *setIndex) (fhir.Resource, bool) {
		if id, ok := strings.CutPrefix(k, "uuid:"); ok {
			r, ok := si.byID[id]
			return r, ok
		}
		r, ok := si.byRef[k]
		return r, ok
	}
	if own != nil {
		if r, ok := look(own); ok {
			return r, true
		}
	}
	for _, si := range ix.sets {
		if si == own {
			continue
		}
		if r, ok := look(si); ok {
			return r, true
		}
	}
	return fhir.Resource{}, false
}

// named is the handful of fields that give a referenced resource a name.
type named struct {
	ResourceType string                `json:"resourceType"`
	Name         json.RawMessage       `json:"name"`
	Code         *fhir.CodeableConcept `json:"code"`
	Practitioner *fhir.Reference       `json:"practitioner"`
	Organization *fhir.Reference       `json:"organization"`
}

// contained is a resource's contained resources, for "#id" references.
type contained struct {
	Contained []json.RawMessage `json:"contained"`
}

// name returns a display name for what ref points at: the reference's own
// display, else the target's name (person, organisation, place, medicine).
// Placeholder names ("UNKNOWN", "GP - MISSING": isPlaceholderName) name
// nobody: they give "" (or the target's own name, when the display was one).
func (b *builder) name(ref fhir.Reference, containedIn fhir.Resource) string {
	if ref.Display != "" && !isPlaceholderName(ref.Display) {
		return strings.TrimSpace(ref.Display)
	}
	var target fhir.Resource
	ok := false
	if strings.HasPrefix(ref.Reference, "#") && containedIn.Raw != nil {
		target, ok = b.resolveFrom(containedIn, ref.Reference)
	} else {
		// Thousands of results name the same few clinicians.
		ck := fmt.Sprintf("%p|%s", b.idx, ref.Reference)
		if n, seen := b.all.names[ck]; seen {
			return n
		}
		target, ok = b.all.resolve(b.idx, ref.Reference)
		n := ""
		if ok {
			n = b.nameOf(target, 0)
		}
		b.all.names[ck] = n
		return n
	}
	if !ok {
		return ""
	}
	return b.nameOf(target, 0)
}

func (b *builder) nameOf(target fhir.Resource, depth int) string {
	var n named
	if json.Unmarshal(target.Raw, &n) != nil {
		return ""
	}
	if len(n.Name) > 0 {
		var s string
		if json.Unmarshal(n.Name, &s) == nil {
			return realName(s) // Organization, Location
		}
		var hn []fhir.HumanName
		if json.Unmarshal(n.Name, &hn) == nil && len(hn) > 0 {
			for _, h := range hn { // the first that names somebody
				if s := personName(h); s != "" {
					return s
				}
			}
			return ""
		}
	}
	if n.Code != nil {
		return realName(n.Code.Label()) // Medication
	}
	if depth == 0 && n.Practitioner != nil { // PractitionerRole
		if r, ok := b.all.resolve(b.idx, n.Practitioner.Reference); ok {
			return b.nameOf(r, 1)
		}
		return realName(n.Practitioner.Display)
	}
	return ""
}

// resolveFrom resolves a reference made by from, including references to
// resources contained in it ("#id").
func (b *builder) resolveFrom(from fhir.Resource, ref string) (fhir.Resource, bool) {
	id, isContained := strings.CutPrefix(ref, "#")
	if !isContained {
		return b.all.resolve(b.idx, ref)
	}
	var c contained
	if json.Unmarshal(from.Raw, &c) != nil {
		return fhir.Resource{}, false
	}
	for _, raw := range c.Contained {
		if r, err := fhir.Parse(raw); err == nil && r.ID == id {
			return r, true
		}
	}
	return fhir.Resource{}, false
}
