package fhir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestXMLToJSON(t *testing.T) {
	in := `<Patient xmlns="http://hl7.org/fhir">
  <id value="p1"/>
  <meta><profile value="https://example.org/p"/></meta>
  <text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello <b>there</b></p></div></text>
  <extension url="https://example.org/ext"><valueCodeableConcept><coding><system value="s"/><code value="c"/></coding></valueCodeableConcept></extension>
  <identifier><system value="https://fhir.nhs.uk/Id/nhs-number"/><value value="9990001234"/></identifier>
  <active value="true"/>
  <name><use value="official"/><family value="Smith"/><given value="Richard"/><given value="James"><extension url="https://example.org/e"><valueString value="x"/></extension></given></name>
  <telecom><system value="phone"/><value value="01234"/></telecom>
  <birthDate value="1964-11-01"/>
  <multipleBirthInteger value="2"/>
  <contact><name><family value="Jones"/></name><address><line value="1 Road"/></address></contact>
  <managingOrganization><reference value="Organization/o"/><identifier><value value="X"/></identifier></managingOrganization>
</Patient>`
	b, err := XMLToJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	json.Unmarshal(b, &got)
	want := map[string]any{}
	json.Unmarshal([]byte(`{"resourceType":"Patient","id":"p1","meta":{"profile":["https://example.org/p"]},
	  "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Hello <b>there</b></p></div>"},
	  "extension":[{"url":"https://example.org/ext","valueCodeableConcept":{"coding":[{"system":"s","code":"c"}]}}],
	  "identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9990001234"}],
	  "active":true,
	  "name":[{"use":"official","family":"Smith","given":["Richard","James"],"_given":[null,{"extension":[{"url":"https://example.org/e","valueString":"x"}]}]}],
	  "telecom":[{"system":"phone","value":"01234"}],
	  "birthDate":"1964-11-01","multipleBirthInteger":2,
	  "contact":[{"name":{"family":"Jones"},"address":{"line":["1 Road"]}}],
	  "managingOrganization":{"reference":"Organization/o","identifier":{"value":"X"}}}`), &want)
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("got\n%s\nwant\n%s", g, w)
	}
}

func TestXMLQuantityAndBundle(t *testing.T) {
	in := `<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/>
	<entry><resource><Observation><id value="o"/><status value="final"/><code><text value="Albumin"/></code>
	  <valueQuantity><value value="40.0"/><unit value="g/L"/></valueQuantity>
	  <referenceRange><low><value value="35"/></low><high><value value="50"/></high></referenceRange></Observation></resource></entry>
	<entry><resource><Patient><id value="p"/></Patient></resource></entry></Bundle>`
	b, err := XMLToJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var rs []Resource
	for r, err := range Read(strings.NewReader(string(b))) {
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	if len(rs) != 2 || rs[0].Type != "Observation" {
		t.Fatalf("%d resources: %s", len(rs), b)
	}
	var o Observation
	if err := rs[0].Decode(&o); err != nil {
		t.Fatal(err)
	}
	if o.ValueQuantity == nil || o.ValueQuantity.Value.String() != "40.0" || len(o.ReferenceRange) != 1 || o.ReferenceRange[0].High.Value.String() != "50" {
		t.Fatalf("observation %s", rs[0].Raw)
	}
}

// TestUKCoreXML converts the UK Core XML examples and decodes the fields
// Ward shows from each.
func TestUKCoreXML(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "fhir/uk-core/xml/*.xml"))
	if len(files) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the shared fixtures are missing; CI must test them")
		}
		t.Skip("fixtures not present")
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := XMLToJSON(fh)
		fh.Close()
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		n := 0
		for r, err := range Read(strings.NewReader(string(b))) {
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
				break
			}
			n++
			var generic map[string]any
			json.Unmarshal(r.Raw, &generic)
			// Every element the views decode as a list must be a list.
			for _, k := range []string{"identifier", "extension", "performer", "interpretation", "referenceRange", "note", "reaction", "dosage", "participant", "reasonCode"} {
				if v, ok := generic[k]; ok {
					if _, isList := v.([]any); !isList {
						t.Errorf("%s: %s is not a list", filepath.Base(f), k)
					}
				}
			}
			switch r.Type {
			case "Patient":
				var p Patient
				if err := r.Decode(&p); err != nil || len(p.Name) == 0 || p.Name[0].Family == "" || p.BirthDate == "" {
					t.Errorf("%s: patient %v %+v", filepath.Base(f), err, p)
				}
			case "Observation":
				var o Observation
				if err := r.Decode(&o); err != nil || o.Code.Label() == "" {
					t.Errorf("%s: observation %v", filepath.Base(f), err)
				}
			default:
				var any map[string]any
				if err := r.Decode(&any); err != nil {
					t.Errorf("%s: %v", filepath.Base(f), err)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no resources", filepath.Base(f))
		}
	}
}

func TestNotFHIRXML(t *testing.T) {
	for _, in := range []string{`<ClinicalDocument xmlns="urn:hl7-org:v3"/>`, `<a`, ``} {
		if _, err := XMLToJSON(strings.NewReader(in)); err == nil {
			t.Errorf("%q converted", in)
		}
	}
}

func FuzzXMLToJSON(f *testing.F) {
	f.Add(`<Patient xmlns="http://hl7.org/fhir"><id value="p"/><name><given value="A"/></name></Patient>`)
	f.Fuzz(func(t *testing.T, s string) {
		b, err := XMLToJSON(strings.NewReader(s))
		if err == nil && !json.Valid(b) {
			t.Fatalf("invalid JSON from %q", s)
		}
	})
}
