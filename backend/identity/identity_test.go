package identity

import (
	"errors"
	"testing"
)

func person(given, family, birth string, ids ...Identifier) Person {
	p := Person{BirthDate: birth, Identifiers: ids}
	if given != "" || family != "" {
		p.Names = []Name{{Given: []string{given}, Family: family}}
	}
	return p
}

func nhs(v string) Identifier      { return Identifier{System: NHSNumberSystem, Value: v} }
func mrn(sys, v string) Identifier { return Identifier{System: sys, Value: v} }

func TestMatch(t *testing.T) {
	alex := person("Alex", "Morgan", "1968-04-02", nhs("9434765919"), mrn("https://trust-a.example/mrn", "A123"))
	for _, tc := range []struct {
		name string
		file Person
		want Verdict
		why  Reason
	}{
		{"same NHS number", person("Alexander", "Morgan", "1968-04-02", nhs("9434765919")), Same, ByIdentifier},
		{"NHS number written with spaces", person("Alex", "Morgan", "", Identifier{System: "https://fhir.nhs.uk/Id/nhs-number", Value: "943 476 5919"}), Same, ByIdentifier},
		{"same person at another trust, another MRN system", person("Alex", "Morgan", "1968-04-02", mrn("https://trust-b.example/mrn", "B999")), Same, ByNameAndBirth},
		{"two NHS numbers", person("Alex", "Morgan", "1968-04-02", nhs("9434765870")), Different, NHSNumberConflict},
		{"NHS conflict wins over a matching MRN", person("Alex", "Morgan", "1968-04-02", nhs("9434765870"), mrn("https://trust-a.example/mrn", "A123")), Different, NHSNumberConflict},
		{"same MRN system, other number", person("Alex", "Morgan", "1968-04-02", mrn("https://trust-a.example/mrn", "A124")), Different, IdentifierConflict},
		{"different person", person("Sam", "Rivera", "1948-01-09"), Different, BirthDateConflict},
		{"same birth date, other name", person("Sam", "Rivera", "1968-04-02"), Different, NameConflict},
		{"spelling only", person("Alec", "Morgen", "1968-04-02"), Unsure, NameSpelling},
		{"no birth date", person("Alex", "Morgan", ""), Unsure, BirthDateMissing},
		{"accents and Synthea digits", person("Álex123", "Mórgan456", "1968-04-02"), Same, ByNameAndBirth},
		{"birth year only agrees", person("Alex", "Morgan", "1968"), Same, ByNameAndBirth},
		{"known reference", Person{Refs: []string{"Patient/p1"}}, Same, ReferenceMatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := alex
			v.Refs = []string{"Patient/p1"}
			got, why := Match(v, tc.file)
			if got != tc.want || why != tc.why {
				t.Fatalf("Match = %v (%s), want %v (%s)", got, why, tc.want, tc.why)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	alex := person("Alex", "Morgan", "1968-04-02", nhs("9434765919"))
	sam := person("Sam", "Rivera", "1948-01-09")
	linkOnly := Found{Person: Person{Refs: []string{"Patient/x"}}, Links: []string{"Patient/a"}}
	alexA := alex
	alexA.Refs = []string{"Patient/a"}
	for _, tc := range []struct {
		name  string
		vault Person
		found []Found
		sure  bool
		want  error
		names int // names the kept person has afterwards
	}{
		{"first file sets the person", Person{}, []Found{{Person: alex}}, false, nil, 1},
		{"file without a Patient", alex, nil, false, nil, 1},
		{"same person links the identities", alex, []Found{{Person: person("Alexander", "Morgan", "1968-04-02", nhs("9434765919"))}}, false, nil, 2},
		{"someone else", alex, []Found{{Person: sam}}, false, ErrOtherPerson, 1},
		{"two people in one file", Person{}, []Found{{Person: alex}, {Person: sam}}, false, ErrSeveral, 0},
		{"two copies of one person in one file", Person{}, []Found{{Person: alex}, {Person: alex}}, false, nil, 1},
		{"payer's link-only Patient joins its person", Person{}, []Found{{Person: alexA}, linkOnly}, false, nil, 1},
		{"unsure needs a yes", alex, []Found{{Person: person("Alec", "Morgen", "1968-04-02")}}, false, ErrUnsure, 1},
		{"unsure and confirmed", alex, []Found{{Person: person("Alec", "Morgen", "1968-04-02")}}, true, nil, 2},
		{"a yes never overrides a conflict", alex, []Found{{Person: sam}}, true, ErrOtherPerson, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decide(tc.vault, tc.found, tc.sure)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decide error %v, want %v", err, tc.want)
			}
			var me *MismatchError
			if tc.want != nil && (!errors.As(err, &me) || len(me.File) == 0) {
				t.Fatalf("error %v does not name the file's people", err)
			}
			if len(got.Names) != tc.names {
				t.Fatalf("kept %d names (%v), want %d", len(got.Names), got.Names, tc.names)
			}
		})
	}
}

func TestFromPatient(t *testing.T) {
	p, links, err := FromPatient([]byte(`{"resourceType":"Patient","id":"7","name":[{"use":"old","family":"Smith","given":["Jo"]},{"use":"official","family":"Jones","given":["Jo","Anne"]}],
		"birthDate":"1990-05-01","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"943 476 5919"},{"value":"no-system"}],
		"link":[{"other":{"reference":"Patient/8"},"type":"seealso"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Label() != "Jo Anne Jones" || p.NHSNumber() != "9434765919" || len(p.Identifiers) != 1 || p.BirthYear() != "1990" {
		t.Fatalf("%+v", p)
	}
	if len(links) != 1 || links[0] != "Patient/8" || !p.HasRef("Patient/7") {
		t.Fatalf("links %v refs %v", links, p.Refs)
	}
	if _, _, err := FromPatient([]byte(`{"name":7}`)); err == nil {
		t.Fatal("a malformed Patient was read")
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("Alex", "Morgan", "1968", "Alec", "Morgen", "1968-04-02")
	f.Fuzz(func(t *testing.T, g1, f1, b1, g2, f2, b2 string) {
		a, b := person(g1, f1, b1), person(g2, f2, b2)
		v1, _ := Match(a, b)
		v2, _ := Match(b, a)
		if v1 != v2 {
			t.Fatalf("Match is not symmetric: %v vs %v", v1, v2)
		}
	})
}
