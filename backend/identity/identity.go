// Package identity decides whose record a file is. A vault belongs to one
// person; every file brought to it names (in its Patient resources, or a
// C-CDA recordTarget) the person it is about, and this package compares the
// two on identifiers (NHS number, a hospital number with its system) and on
// name and date of birth. It never guesses towards "same": a conflict or a
// doubt is reported so that nobody's results are filed under someone else.
package identity

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// NHSNumberSystem is the FHIR identifier system of NHS numbers.
const NHSNumberSystem = "https://fhir.nhs.uk/Id/nhs-number"

// Identifier is a value that names one person within its system.
type Identifier struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

// Name is a person's name as one record writes it.
type Name struct {
	Given  []string `json:"given,omitempty"`
	Family string   `json:"family,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Person is everything Ward knows about who a record is about.
type Person struct {
	Names       []Name       `json:"names,omitempty"`
	BirthDate   string       `json:"birthDate,omitempty"`
	Identifiers []Identifier `json:"identifiers,omitempty"`
	// Refs are the Patient references ("Patient/123") that have been
	// found to be this person, so later files that only refer to the
	// patient by id are recognised.
	Refs []string `json:"refs,omitempty"`
}

// Known reports whether p says anything that can identify someone.
func (p Person) Known() bool {
	return len(p.Identifiers) > 0 || p.BirthDate != "" || p.Label() != ""
}

// Label is the person's name as shown in messages, "Sam Rivera".
func (p Person) Label() string {
	for _, n := range p.Names {
		if s := n.String(); s != "" {
			return s
		}
	}
	return ""
}

// BirthYear is the year of birth, or "".
func (p Person) BirthYear() string {
	if len(p.BirthDate) >= 4 {
		return p.BirthDate[:4]
	}
	return ""
}

// NHSNumber is the person's first NHS number, or "".
func (p Person) NHSNumber() string {
	for _, id := range p.Identifiers {
		if id.System == NHSNumberSystem {
			return id.Value
		}
	}
	return ""
}

func (n Name) String() string {
	if len(n.Given) > 0 || n.Family != "" {
		return strings.TrimSpace(strings.Join(append(append([]string{}, n.Given...), n.Family), " "))
	}
	return strings.TrimSpace(n.Text)
}

// patientJSON is the part of a FHIR Patient that says who it is.
type patientJSON struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Name         []struct {
		Use    string   `json:"use"`
		Text   string   `json:"text"`
		Family string   `json:"family"`
		Given  []string `json:"given"`
	} `json:"name"`
	BirthDate  string `json:"birthDate"`
	Identifier []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	} `json:"identifier"`
	Link []struct {
		Other struct {
			Reference string `json:"reference"`
		} `json:"other"`
	} `json:"link"`
}

// FromPatient reads a FHIR Patient (or RelatedPerson) resource's JSON.
// links are the other Patient references it says are the same person.
func FromPatient(raw []byte) (p Person, links []string, err error) {
	var pj patientJSON
	if err := json.Unmarshal(raw, &pj); err != nil {
		return Person{}, nil, fmt.Errorf("read patient: %w", err)
	}
	for _, n := range pj.Name {
		if n.Use == "old" {
			continue // a name no longer used still names them, but is not shown first
		}
		p.Names = append(p.Names, Name{Given: n.Given, Family: n.Family, Text: n.Text})
	}
	for _, n := range pj.Name {
		if n.Use == "old" {
			p.Names = append(p.Names, Name{Given: n.Given, Family: n.Family, Text: n.Text})
		}
	}
	p.BirthDate = strings.TrimSpace(pj.BirthDate)
	for _, id := range pj.Identifier {
		if x, ok := normalID(id.System, id.Value); ok {
			p.Identifiers = append(p.Identifiers, x)
		}
	}
	if pj.ID != "" && pj.ResourceType == "Patient" {
		p.Refs = []string{"Patient/" + pj.ID}
	}
	for _, l := range pj.Link {
		if r := l.Other.Reference; r != "" {
			links = append(links, r)
		}
	}
	return p, links, nil
}

// normalID tidies an identifier so the same one written two ways compares
// equal; identifiers without a system cannot be compared and are dropped.
func normalID(system, value string) (Identifier, bool) {
	system, value = strings.TrimSpace(system), strings.TrimSpace(value)
	if system == "" || value == "" {
		return Identifier{}, false
	}
	switch strings.TrimRight(strings.ToLower(system), "/") {
	case "https://fhir.nhs.uk/id/nhs-number", "http://fhir.nhs.net/id/nhs-number", "urn:oid:2.16.840.1.113883.2.1.4.1":
		system = NHSNumberSystem
		value = strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' {
				return -1
			}
			return r
		}, value)
	}
	return Identifier{System: system, Value: value}, true
}

// Merge adds what o knows about the same person to p.
func (p *Person) Merge(o Person) {
	for _, n := range o.Names {
		if !p.hasName(n) {
			p.Names = append(p.Names, n)
		}
	}
	if p.BirthDate == "" {
		p.BirthDate = o.BirthDate
	}
	for _, id := range o.Identifiers {
		if !containsID(p.Identifiers, id) {
			p.Identifiers = append(p.Identifiers, id)
		}
	}
	for _, r := range o.Refs {
		if !p.HasRef(r) {
			p.Refs = append(p.Refs, r)
		}
	}
	sort.Strings(p.Refs)
}

// HasRef reports whether ref ("Patient/123") is known to be this person.
func (p Person) HasRef(ref string) bool {
	for _, r := range p.Refs {
		if r == ref {
			return true
		}
	}
	return false
}

func (p Person) hasName(n Name) bool {
	for _, m := range p.Names {
		if m.String() == n.String() {
			return true
		}
	}
	return false
}

func containsID(ids []Identifier, id Identifier) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// fold turns a name into the form compared: lower case, no accents, no
// digits (Synthea numbers its names), letters only.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// key is a name's family and first given name, folded.
func (n Name) key() (given, family string) {
	if len(n.Given) > 0 || n.Family != "" {
		if len(n.Given) > 0 {
			given = fold(n.Given[0])
		}
		return given, fold(n.Family)
	}
	parts := strings.Fields(n.Text)
	if len(parts) == 0 {
		return "", ""
	}
	if len(parts) == 1 {
		return "", fold(parts[0])
	}
	return fold(parts[0]), fold(parts[len(parts)-1])
}
