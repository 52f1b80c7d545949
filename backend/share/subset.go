package share

// Sections, the subset of a vault a share copies, and the record built
// from it for the clinician.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/store"
)

// Sections a patient can share, in the order the page lists them.
// "everything" shares every resource, of any type.
var Sections = []string{"results", "conditions", "medicines", "allergies", "immunisations", "visits", "documents"}

// Everything is the section that shares the whole record.
const Everything = "everything"

// sectionOf maps a FHIR resource type to its section.
var sectionOf = map[string]string{
	"Observation":              "results",
	"DiagnosticReport":         "results",
	"Specimen":                 "results",
	"Condition":                "conditions",
	"MedicationRequest":        "medicines",
	"MedicationStatement":      "medicines",
	"Medication":               "medicines",
	"MedicationAdministration": "medicines",
	"MedicationDispense":       "medicines",
	"AllergyIntolerance":       "allergies",
	"Immunization":             "immunisations",
	"Encounter":                "visits",
	"DocumentReference":        "documents",
	"Composition":              "documents",
	"Binary":                   "documents",
}

// contextTypes go with every share: who the record is about and who the
// shared items name, so the pages read as they do for the patient.
var contextTypes = map[string]bool{
	"Patient": true, "Organization": true, "Practitioner": true, "PractitionerRole": true, "Location": true,
}

// SectionOf says which section a resource type belongs to: "context" for
// the types every share carries, "" for types shared only with everything.
func SectionOf(typ string) string {
	if contextTypes[typ] {
		return "context"
	}
	return sectionOf[typ]
}

// ErrBadSections is an empty list of sections or one Ward does not know.
var ErrBadSections = errors.New("share: choose at least one of results, conditions, medicines, allergies, immunisations, visits, documents or everything")

// ErrNoBirthDate is a record with no full date of birth to check the
// clinician against.
var ErrNoBirthDate = errors.New("share: the record has no full date of birth, which the clinician is asked for")

// NormaliseSections checks sections and gives them sorted in the page's
// order without repeats; with "everything" it is just that.
func NormaliseSections(sections []string) ([]string, error) {
	if len(sections) == 0 || len(sections) > 16 {
		return nil, ErrBadSections
	}
	want := map[string]bool{}
	for _, s := range sections {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != Everything && !slices.Contains(Sections, s) {
			return nil, ErrBadSections
		}
		want[s] = true
	}
	if want[Everything] {
		return []string{Everything}, nil
	}
	var out []string
	for _, s := range Sections {
		if want[s] {
			out = append(out, s)
		}
	}
	return out, nil
}

// included says whether a resource of typ goes in a share of sections
// (already normalised).
func included(typ string, sections []string) bool {
	if contextTypes[typ] {
		return true
	}
	if len(sections) == 1 && sections[0] == Everything {
		return true
	}
	s := sectionOf[typ]
	return s != "" && slices.Contains(sections, s)
}

// PayloadVersion is the version of the Payload format this build writes.
const PayloadVersion = 1

// Payload is what a share seals: versioned JSON.
type Payload struct {
	V        int            `json:"v"`
	Label    string         `json:"label"`
	Patient  PatientSummary `json:"patient"`
	Sections []string       `json:"sections"`
	Sources  []Source       `json:"sources"`
}

// PatientSummary is who the share is about.
type PatientSummary struct {
	Name      string `json:"name"`
	BirthDate string `json:"birthDate"`
}

// Source is one organisation's shared resources, as the patient's vault
// holds them (the raw JSON, unchanged).
type Source struct {
	Name        string            `json:"name"`
	LastUpdated time.Time         `json:"lastUpdated"`
	Notices     []string          `json:"notices,omitempty"`
	Resources   []json.RawMessage `json:"resources"`
}

// Subset copies from c the resources of sections (see NormaliseSections)
// and the context types, grouped by source and sorted by source name, and
// reads the patient's name and date of birth from the Patient resources.
func Subset(c *store.Contents, sections []string) (Payload, error) {
	sections, err := NormaliseSections(sections)
	if err != nil {
		return Payload{}, err
	}
	p := Payload{V: PayloadVersion, Sections: sections, Sources: []Source{}}
	bySource := map[string]*Source{}
	var order []string
	for _, s := range c.Sources {
		bySource[s.Name] = &Source{Name: s.Name, LastUpdated: s.LastUpdated, Notices: s.Notices, Resources: []json.RawMessage{}}
		order = append(order, s.Name)
	}
	var patients []fhir.Resource
	for _, r := range c.Records {
		if !included(r.Type, sections) {
			continue
		}
		if r.Type == "Patient" {
			patients = append(patients, fhir.Resource{Type: r.Type, ID: r.ID, Raw: r.Raw})
		}
		src := bySource[r.Source]
		if src == nil {
			src = &Source{Name: r.Source, Resources: []json.RawMessage{}}
			bySource[r.Source] = src
			order = append(order, r.Source)
		}
		src.Resources = append(src.Resources, json.RawMessage(bytes.Clone(r.Raw)))
	}
	sort.Strings(order)
	for _, name := range order {
		if s := bySource[name]; len(s.Resources) > 0 {
			p.Sources = append(p.Sources, *s)
		}
	}
	if len(patients) > 0 {
		rec := records.Build(time.Now(), records.Set{Resources: patients})
		if pt := rec.Summary().Patient; pt != nil {
			p.Patient = PatientSummary{Name: pt.Name, BirthDate: pt.BirthDate}
		}
	}
	return p, nil
}

// sets turns the payload back into the sets records.Rebuild reads,
// leaving out anything its sections do not cover (a payload is sealed,
// so this is a second line, not the first).
func (p Payload) sets() []records.Set {
	sections, err := NormaliseSections(p.Sections)
	if err != nil {
		return nil
	}
	out := make([]records.Set, 0, len(p.Sources))
	for _, s := range p.Sources {
		set := records.Set{Source: records.Source{Name: s.Name, LastUpdated: s.LastUpdated, Notices: s.Notices}}
		for _, raw := range s.Resources {
			r, err := fhir.Parse(raw)
			if err != nil || !included(r.Type, sections) {
				continue
			}
			set.Resources = append(set.Resources, r)
		}
		out = append(out, set)
	}
	return out
}

// Record builds the record the clinician reads, with the same code as the
// patient's own pages, as of now.
func Record(p Payload, now time.Time) *records.Record {
	rec, _ := records.Rebuild(now, nil, p.sets()...)
	return rec
}

// What is sealed is the payload's header (the Payload without its
// sources) on one line, then the whole Payload: Redeem checks the date of
// birth in the header and reads the records only for the right one, so a
// wrong date costs the same whatever the size of the share.

// encodeSealed gives the plaintext to seal for p.
func encodeSealed(p Payload) ([]byte, error) {
	h := p
	h.Sources = nil
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return append(append(hb, '\n'), b...), nil
}

// decodeHeader reads the header line of a sealed plaintext and gives it
// with the rest.
func decodeHeader(plain []byte) (Payload, []byte, error) {
	i := bytes.IndexByte(plain, '\n')
	if i < 0 {
		return Payload{}, nil, errors.New("share: payload has no header")
	}
	p, err := decodePayload(plain[:i])
	return p, plain[i+1:], err
}

// decodePayload reads a payload's JSON.
func decodePayload(plain []byte) (Payload, error) {
	if len(plain) > MaxSealed {
		return Payload{}, ErrTooLarge
	}
	var p Payload
	if err := json.Unmarshal(plain, &p); err != nil {
		return Payload{}, fmt.Errorf("share: read payload: %w", err)
	}
	if p.V != PayloadVersion {
		return Payload{}, fmt.Errorf("share: payload version %d, this Ward reads %d", p.V, PayloadVersion)
	}
	return p, nil
}

// label describes a share's sections in words: "Results, medicines".
func label(sections []string) string {
	if len(sections) == 1 && sections[0] == Everything {
		return "Everything"
	}
	s := strings.Join(sections, ", ")
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
