package records

import (
	"slices"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// builder adds one source's resources to a Record.
type builder struct {
	rec *Record
	org string
	idx *setIndex
	all *index

	replaced map[string]string // documents another replaces: "Type/id" to the newer one's id (replacedBy)
}

// Details is the "Your details" page.
type Details struct {
	Name         string    `json:"name"`
	OtherNames   []string  `json:"otherNames"`
	BirthDate    string    `json:"birthDate"`
	Gender       string    `json:"gender"`
	NHSNumber    string    `json:"nhsNumber"`
	Addresses    []Address `json:"addresses"`
	Telecom      []Telecom `json:"telecom"`
	Contacts     []Contact `json:"contacts"`
	GP           string    `json:"gp"`
	Organisation string    `json:"organisation"`
}

type Address struct {
	Use   string   `json:"use"`
	Lines []string `json:"lines"`
}

type Telecom struct {
	System string `json:"system"`
	Use    string `json:"use"`
	Value  string `json:"value"`
}

type Contact struct {
	Relationship string    `json:"relationship"`
	Name         string    `json:"name"`
	Telecom      []Telecom `json:"telecom"`
}

type patientJSON struct {
	fhir.Patient
	Contact []struct {
		Relationship []fhir.CodeableConcept `json:"relationship"`
		Name         *fhir.HumanName        `json:"name"`
		Telecom      []rawTelecom           `json:"telecom"`
	} `json:"contact"`
	GeneralPractitioner []fhir.Reference `json:"generalPractitioner"`
}

type rawTelecom struct {
	System string `json:"system"`
	Value  string `json:"value"`
	Use    string `json:"use"`
}

const nhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number"

func title(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func telecoms(ts []rawTelecom) []Telecom {
	out := []Telecom{}
	for _, t := range ts {
		if isPlaceholderValue(t.Value) { // "", "UNKNOWN", "N/A", "*"
			continue
		}
		sys := map[string]string{"phone": "Phone", "email": "Email", "sms": "Text message", "fax": "Fax"}[t.System]
		out = append(out, Telecom{System: firstNonEmpty(sys, title(t.System)), Use: title(t.Use), Value: t.Value})
	}
	return out
}

// patient fills in the summary and details from the first Patient found
// (records from several organisations describe the same person).
func (b *builder) patient(res fhir.Resource) {
	var p patientJSON
	if res.Decode(&p) != nil {
		return
	}
	if b.rec.details != nil {
		// A later source may know the NHS number when the first did not.
		if b.rec.details.NHSNumber == "" {
			for _, id := range p.Identifier {
				if id.System == nhsNumberSystem {
					b.rec.details.NHSNumber = FormatNHSNumber(id.Value)
					b.rec.summary.Patient.NHSNumber = b.rec.details.NHSNumber
				}
			}
		}
		return
	}
	d := &Details{OtherNames: []string{}, Addresses: []Address{}, Contacts: []Contact{}, Organisation: b.org, BirthDate: p.BirthDate, Gender: title(p.Gender)}
	sum := &Patient{BirthDate: p.BirthDate}
	// The official name, else the first; a placeholder ("UNKNOWN") is no name.
	full := make([]string, len(p.Name))
	best := -1
	for i, n := range p.Name {
		full[i] = realName(n.Text)
		if len(n.Given) > 0 || n.Family != "" {
			full[i] = personName(fhir.HumanName{Given: n.Given, Family: n.Family})
		}
		if full[i] != "" && (best < 0 || (n.Use == "official" && p.Name[best].Use != "official")) {
			best = i
		}
	}
	if best >= 0 {
		d.Name, sum.Name = full[best], full[best]
		for _, g := range p.Name[best].Given {
			if sum.GivenName = realName(g); sum.GivenName != "" {
				break
			}
		}
	}
	for i, f := range full {
		if i != best && f != "" && f != d.Name && !slices.Contains(d.OtherNames, f) {
			d.OtherNames = append(d.OtherNames, f)
		}
	}
	for _, id := range p.Identifier {
		if id.System == nhsNumberSystem {
			d.NHSNumber = FormatNHSNumber(id.Value)
			sum.NHSNumber = d.NHSNumber
		}
	}
	for _, a := range p.Address {
		lines := append([]string{}, a.Line...)
		if a.Text != "" && len(lines) == 0 {
			lines = append(lines, a.Text)
		}
		for _, x := range []string{a.City, a.PostalCode} {
			if x != "" {
				lines = append(lines, x)
			}
		}
		d.Addresses = append(d.Addresses, Address{Use: title(a.Use), Lines: lines})
	}
	var tel []rawTelecom
	for _, t := range p.Telecom {
		tel = append(tel, rawTelecom{System: t.System, Value: t.Value, Use: t.Use})
	}
	d.Telecom = telecoms(tel)
	for _, c := range p.Contact {
		ct := Contact{Telecom: telecoms(c.Telecom)}
		if len(c.Relationship) > 0 {
			ct.Relationship = realName(c.Relationship[0].Label())
		}
		if c.Name != nil {
			ct.Name = personName(*c.Name)
		}
		if ct.Name == "" && len(ct.Telecom) == 0 {
			continue // "UNKNOWN" with no way to reach them is nobody to contact
		}
		d.Contacts = append(d.Contacts, ct)
	}
	for _, gp := range p.GeneralPractitioner {
		if n := b.name(gp, res); n != "" {
			d.GP = n
			break
		}
	}
	b.rec.details, b.rec.summary.Patient = d, sum
}

// Details returns the patient's details, or nil when no Patient is loaded.
func (r *Record) Details() *Details { return r.details }
