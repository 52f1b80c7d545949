package records

import (
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

func TestIsPlaceholderName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"UNKNOWN", true},
		{"Unknown", true},
		{" unknown ", true},
		{"Unknown Unknown", true},
		{"UNKNOWN, UNKNOWN", true},
		{"NOT KNOWN", true},
		{"Not Known", true},
		{"GP - MISSING", true},
		{"Practitioner name - MISSING", true},
		{"Consultant - unknown", true},
		{"MISSING", true},
		{"*", true},
		{"**", true},
		{"-", true},
		{"?", true},
		{"", true},
		{"   ", true},
		{"N/A", true},
		{"n/a", true},
		{"Dr UNKNOWN", true},
		{"Dr. Unknown", true},
		{"Not recorded", true},
		{"No name", true},
		{"0000", true},
		{"Dr Sarah Jones", false},
		{"Sarah Jones", false},
		{"Ward 3", false},
		{"Malcolm X", false},
		{"Na", false},
		{"Leeds Teaching Hospitals NHS Trust", false},
		{"Knowles", false},
		{"Dr Nott", false},
		{"Tom Unknownson", false},
		{"3M Health", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isPlaceholderName(tt.name); got != tt.want {
				t.Errorf("isPlaceholderName(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestPersonName(t *testing.T) {
	tests := []struct {
		name string
		in   fhir.HumanName
		want string
	}{
		{"given and family", fhir.HumanName{Given: []string{"Sarah"}, Family: "Jones", Prefix: []string{"Dr"}}, "Dr Sarah Jones"},
		{"text wins", fhir.HumanName{Text: "Dr S Jones", Family: "Jones"}, "Dr S Jones"},
		{"placeholder text falls back to the parts", fhir.HumanName{Text: "UNKNOWN", Family: "Jones"}, "Jones"},
		{"placeholder given left out", fhir.HumanName{Given: []string{"UNKNOWN"}, Family: "Jones"}, "Jones"},
		{"all placeholder", fhir.HumanName{Given: []string{"Unknown"}, Family: "Unknown"}, ""},
		{"title alone is nobody", fhir.HumanName{Prefix: []string{"Dr"}, Family: "NOT KNOWN"}, ""},
		{"missing suffix", fhir.HumanName{Text: "GP - MISSING"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := personName(tt.in); got != tt.want {
				t.Errorf("personName(%+v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestPlaceholderNamesShownAsNobody builds a record whose people are all
// placeholders, by every route a name is resolved: a reference's display,
// the Practitioner it points at, a PractitionerRole, a contained resource.
func TestPlaceholderNamesShownAsNobody(t *testing.T) {
	rec := Build(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Set{Source: Source{Name: "Test Trust"}, Resources: []fhir.Resource{
		mustParse(t, `{"resourceType":"Patient","id":"p","name":[{"use":"usual","text":"UNKNOWN"},{"use":"official","given":["Unknown"],"family":"Unknown"},{"given":["Robin"],"family":"Ash"}],
			"telecom":[{"system":"phone","value":"N/A"},{"system":"phone","value":"0113 496 0000"}],
			"generalPractitioner":[{"reference":"Practitioner/gp","display":"GP - MISSING"}],
			"contact":[{"relationship":[{"text":"Next of kin"}],"name":{"text":"NOT KNOWN"}},
				{"relationship":[{"text":"UNKNOWN"}],"name":{"family":"Unknown","given":["Unknown"]},"telecom":[{"system":"phone","value":"07700 900111"}]},
				{"relationship":[{"text":"Sister"}],"name":{"given":["Sam"],"family":"Ash"}}]}`),
		mustParse(t, `{"resourceType":"Practitioner","id":"gp","name":[{"text":"*"}]}`),
		mustParse(t, `{"resourceType":"Practitioner","id":"unk","name":[{"family":"UNKNOWN"}]}`),
		mustParse(t, `{"resourceType":"Practitioner","id":"real","name":[{"text":"UNKNOWN"},{"prefix":["Dr"],"given":["Lee"],"family":"Park"}]}`),
		mustParse(t, `{"resourceType":"PractitionerRole","id":"role","practitioner":{"display":"N/A"}}`),
		mustParse(t, `{"resourceType":"Encounter","id":"e1","status":"finished","subject":{"reference":"Patient/p"},"period":{"start":"2026-01-02"},
			"participant":[{"individual":{"reference":"Practitioner/unk"}},{"individual":{"reference":"PractitionerRole/role"}},{"individual":{"reference":"Practitioner/real","display":"Unknown Unknown"}}]}`),
		mustParse(t, `{"resourceType":"Encounter","id":"e2","status":"finished","subject":{"reference":"Patient/p"},"period":{"start":"2026-01-03"},
			"participant":[{"individual":{"reference":"Practitioner/unk","display":"NOT KNOWN"}}]}`),
		mustParse(t, `{"resourceType":"DocumentReference","id":"d1","status":"current","subject":{"reference":"Patient/p"},"date":"2026-01-04","description":"Letter",
			"contained":[{"resourceType":"Practitioner","id":"a","name":[{"text":"Author - MISSING"}]}],
			"author":[{"reference":"#a"},{"display":"*"}],"content":[{"attachment":{"contentType":"text/plain","data":"SGVsbG8="}}]}`),
	}})

	d := rec.Details()
	if d == nil {
		t.Fatal("no details")
	}
	if d.Name != "Robin Ash" || strings.Join(d.OtherNames, "|") != "" {
		t.Errorf("name = %q, other names = %q; want Robin Ash and none", d.Name, d.OtherNames)
	}
	if rec.Summary().Patient.GivenName != "Robin" {
		t.Errorf("given name = %q", rec.Summary().Patient.GivenName)
	}
	if d.GP != "" {
		t.Errorf("GP = %q, want none", d.GP)
	}
	if len(d.Telecom) != 1 || d.Telecom[0].Value != "0113 496 0000" {
		t.Errorf("telecom = %+v", d.Telecom)
	}
	if len(d.Contacts) != 2 {
		t.Fatalf("contacts = %+v; want the one with a phone number and Sam Ash", d.Contacts)
	}
	if c := d.Contacts[0]; c.Name != "" || c.Relationship != "" || len(c.Telecom) != 1 {
		t.Errorf("contact with a placeholder name = %+v; want no name, no relationship, its phone", c)
	}
	if c := d.Contacts[1]; c.Name != "Sam Ash" || c.Relationship != "Sister" {
		t.Errorf("contact = %+v", c)
	}

	clinicians := map[string]string{}
	for _, v := range rec.Visits().Past {
		clinicians[v.ID] = v.Clinician
	}
	if clinicians["e1"] != "Dr Lee Park" || clinicians["e2"] != "" {
		t.Errorf("clinicians = %v; want Dr Lee Park for e1 (past the placeholders) and nobody for e2", clinicians)
	}
	doc, ok := rec.Document("d1")
	if !ok || doc.Author != "" {
		t.Errorf("document author = %q, want none", doc.Author)
	}
}

func TestIsPlaceholderValue(t *testing.T) {
	for v, want := range map[string]bool{
		"0113 496 0000": false, "+44 7700 900111": false, "sam@example.org": false,
		"N/A": true, "UNKNOWN": true, "-": true, "": true, "*": true, "not known": true,
	} {
		if got := isPlaceholderValue(v); got != want {
			t.Errorf("isPlaceholderValue(%q) = %v, want %v", v, got, want)
		}
	}
}
