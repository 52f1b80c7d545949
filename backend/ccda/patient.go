package ccda

import (
	"encoding/json"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// NHSNumberOID is the OID C-CDA and HL7 v3 use for NHS numbers.
const NHSNumberOID = "2.16.840.1.113883.2.1.4.1"

// patientOf makes a FHIR Patient of the document's recordTarget (names,
// birth date, gender, identifiers), so that the intake can tell whose
// record the document is; nil when the document names nobody.
func patientOf(root *node, docID string) *fhir.Resource {
	role := root.path("recordTarget", "patientRole")
	if role == nil {
		return nil
	}
	id := docID + "-patient"
	p := map[string]any{"resourceType": "Patient", "id": id}
	var ids []map[string]string
	for _, n := range role.children("id") {
		root, ext := n.attr("root"), n.attr("extension")
		if n.null() || root == "" || ext == "" {
			continue // a root alone names the system, not the person
		}
		sys := "urn:oid:" + root
		if root == NHSNumberOID {
			sys = "https://fhir.nhs.uk/Id/nhs-number"
		}
		ids = append(ids, map[string]string{"system": sys, "value": ext})
	}
	if ids != nil {
		p["identifier"] = ids
	}
	pat := role.child("patient")
	var names []map[string]any
	for _, n := range pat.children("name") {
		if n.null() {
			continue
		}
		name := map[string]any{}
		var given []string
		for _, k := range n.kids {
			switch k.name {
			case "given":
				if t := cleanText(k.plainText()); t != "" {
					given = append(given, t)
				}
			case "family":
				if t := cleanText(k.plainText()); t != "" {
					name["family"] = t
				}
			}
		}
		if given != nil {
			name["given"] = given
		}
		if len(name) == 0 {
			if t := cleanText(n.plainText()); t != "" {
				name["text"] = t
			}
		}
		if len(name) > 0 {
			names = append(names, name)
		}
	}
	if names != nil {
		p["name"] = names
	}
	if bt := pat.child("birthTime"); !bt.null() {
		if t := fhirTime(bt.attr("value")); t != "" {
			p["birthDate"] = strings.SplitN(t, "T", 2)[0]
		}
	}
	switch g := pat.child("administrativeGenderCode"); {
	case g.null():
	case g.attr("code") == "M":
		p["gender"] = "male"
	case g.attr("code") == "F":
		p["gender"] = "female"
	}
	if len(p) == 2 {
		return nil
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil
	}
	return &fhir.Resource{Type: "Patient", ID: id, Raw: raw}
}
