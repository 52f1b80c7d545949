package records

import (
	"unsafe"

	"github.com/ward-health/ward/backend/fhir"
)

// Decoded is what one Build decoded, kept so that the next Build (after an
// import of a few resources into a large record) decodes only what is new
// or changed. Decoding Observations and DiagnosticReports is most of the
// cost of building the views, so reusing it makes a rebuild cost roughly
// the views' own bookkeeping plus the changed resources, not a full decode.
//
// A Decoded is never modified once returned: a rebuild that is thrown away
// (the vault was locked meanwhile) leaves the previous one usable, and
// several rebuilds may read it at once. It holds plaintext-derived values,
// so whoever keeps it must drop it when the vault locks.
//
// The price is memory: kept between builds, the decoded results cost about
// twice what the record's views do (at 100,000 demo resources, 137 MB on
// top of 56 MB for the record and 88 MB for the resources' bytes).
type Decoded struct {
	sets map[string]*setIndex // by source name
}

// set returns what prev decoded for one source, or nil.
func (d *Decoded) set(name string) *setIndex {
	if d == nil {
		return nil
	}
	return d.sets[name]
}

// sameBytes reports whether a and b are the same bytes in memory, not
// merely equal: a cheap, exact test that a resource is unchanged.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && len(a) > 0 && unsafe.SliceData(a) == unsafe.SliceData(b)
}

// decodeCached is decodeResults for one source, taking from prev (the
// source's last build, or nil) whatever it decoded from the very same
// bytes, and decoding only the rest.
func decodeCached(rs []fhir.Resource, prev *setIndex) (map[string]*observationJSON, map[string]*reportJSON, map[string]error) {
	if prev == nil {
		return decodeResults(rs)
	}
	obs := make(map[string]*observationJSON, len(prev.obs))
	reps := make(map[string]*reportJSON, len(prev.reports))
	bad := map[string]error{}
	var fresh []fhir.Resource
	for _, r := range rs {
		if r.Type != "Observation" && r.Type != "DiagnosticReport" {
			continue
		}
		ref := r.Ref()
		old, ok := prev.byRef[ref]
		if !ok || !sameBytes(old.Raw, r.Raw) {
			fresh = append(fresh, r)
			continue
		}
		if o, ok := prev.obs[ref]; ok {
			obs[ref] = o
		} else if d, ok := prev.reports[ref]; ok {
			reps[ref] = d
		} else if err, ok := prev.bad[ref]; ok {
			bad[ref] = err
		}
	}
	o, d, e := decodeResults(fresh)
	for k, v := range o {
		obs[k] = v
	}
	for k, v := range d {
		reps[k] = v
	}
	for k, v := range e {
		bad[k] = v
	}
	return obs, reps, bad
}
