package records

import (
	"strings"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/identity"
)

// Types of records kept under "Other records" for reasons of their own.
const (
	// AboutSomeoneElse holds records whose subject is not the patient (a
	// contained Patient who is someone else, a family member): kept, never
	// shown as the patient's own.
	AboutSomeoneElse = "AboutSomeoneElse"
	// Unreadable holds records Ward stores but cannot show, each with why.
	Unreadable = "Unreadable"
)

// self is the person the record is about: every top-level Patient in it
// (the intake refuses files about anyone else, so they are one person).
func (ix *index) self() *identity.Person {
	if ix.person != nil {
		return ix.person
	}
	p := &identity.Person{}
	for _, si := range ix.sets {
		for _, r := range si.byRef {
			if r.Type == "Patient" {
				if q, _, err := identity.FromPatient(r.Raw); err == nil {
					p.Merge(q)
				}
			}
		}
	}
	ix.person = p
	return p
}

// sex is the patient's administrative gender, "male" or "female", to
// choose a sex-specific reference range; "" when no Patient says (then
// every range is shown and a value is judged only where they agree).
func (ix *index) sex() string {
	if ix == nil {
		return ""
	}
	if ix.gender != nil {
		return *ix.gender
	}
	g := ""
	for _, si := range ix.sets {
		for _, r := range si.byRef {
			if r.Type != "Patient" || g != "" {
				continue
			}
			var p struct {
				Gender string `json:"gender"`
			}
			if r.Decode(&p) == nil && (p.Gender == "male" || p.Gender == "female") {
				g = p.Gender
			}
		}
	}
	ix.gender = &g
	return g
}

// elsewhere files res under "Other records" when it is about someone other
// than the patient, and reports whether it did. what is the record's name.
func (b *builder) elsewhere(res fhir.Resource, p provenance, what string) bool {
	who, other := b.someoneElse(res, p.about())
	if !other {
		return false
	}
	label := "someone else"
	if who != "" {
		label = who
	}
	b.rec.other[AboutSomeoneElse] = append(b.rec.other[AboutSomeoneElse], OtherItem{
		ID: res.ID, Summary: firstNonEmpty(what, typeLabel(res.Type)) + " (about " + label + ", not you)",
		Organisation: b.org, About: label, Kind: typeLabel(res.Type),
	})
	return true
}

// someoneElse reports whether ref (a record's subject) is another person,
// and their name when known.
func (b *builder) someoneElse(from fhir.Resource, ref *fhir.Reference) (string, bool) {
	if ref == nil || ref.Reference == "" && ref.Display == "" {
		return "", false
	}
	self := b.all.self()
	kind := refType(ref.Reference)
	if strings.HasPrefix(ref.Reference, "urn:uuid:") {
		kind = "Patient"
		if t, ok := b.all.resolve(b.idx, ref.Reference); ok {
			kind = t.Type
		}
	}
	switch {
	case strings.HasPrefix(ref.Reference, "#"):
		t, ok := b.resolveFrom(from, ref.Reference)
		if !ok || t.Type != "Patient" {
			return firstNonEmpty(realName(ref.Display), b.name(*ref, from)), ok
		}
		p, _, err := identity.FromPatient(t.Raw)
		if err != nil || !p.Known() || !self.Known() {
			return "", false
		}
		if v, _ := identity.Match(*self, p); v == identity.Different {
			return p.Label(), true
		}
		return "", false
	case kind != "" && kind != "Patient":
		// A RelatedPerson, a Group, a Device: not the patient.
		return firstNonEmpty(realName(ref.Display), b.name(*ref, from)), true
	}
	if t, ok := b.all.resolve(b.idx, ref.Reference); ok && t.Type == "Patient" {
		return "", false // every stored Patient is the patient
	}
	if self.HasRef(ref.Reference) || realName(ref.Display) == "" || !self.Known() {
		return "", false
	}
	// Only a name to go on: someone else when it is clearly another name.
	named := identity.Person{Names: []identity.Name{{Text: ref.Display}}}
	probe := identity.Person{Names: self.Names}
	if v, _ := identity.Match(probe, named); v == identity.Different {
		return ref.Display, true
	}
	return "", false
}

// unreadable files a record that is stored but cannot be shown; it
// returns 0 (nothing added to the views).
func (b *builder) unreadable(res fhir.Resource, err error) int {
	if err == nil {
		return 0
	}
	b.rec.other[Unreadable] = append(b.rec.other[Unreadable], OtherItem{
		ID: res.ID, Summary: ProblemText(res, err), Organisation: b.org, Kind: typeLabel(res.Type),
	})
	return 0
}
