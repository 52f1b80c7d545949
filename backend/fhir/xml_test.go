package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/internal/shared"
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
		shared.Missing(t, filepath.Join(fixtureDir, "fhir/uk-core/xml/*.xml"))
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

// TestXMLEdges covers what the streaming converter decides on its own: a
// Bundle's resourceType first (so Read streams its entries), members
// after the entries, numbers that are not JSON numbers, names FHIR
// cannot have.
func TestXMLEdges(t *testing.T) {
	tests := []struct {
		name, in, want string
		prefix         string // the JSON must start so
	}{
		{"bundle: resourceType first, signature after the entries",
			`<Bundle xmlns="http://hl7.org/fhir"><id value="b"/><link><url value="u"/></link><entry><resource><Patient><id value="p"/></Patient></resource></entry><entry><resource><Patient><id value="q"/></Patient></resource></entry><signature><data value="x"/></signature></Bundle>`,
			`{"resourceType":"Bundle","id":"b","link":[{"url":"u"}],"entry":[{"resource":{"resourceType":"Patient","id":"p"}},{"resource":{"resourceType":"Patient","id":"q"}}],"signature":{"data":"x"}}`,
			`{"resourceType":"Bundle",`},
		{"bundle without entries", `<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/></Bundle>`, `{"resourceType":"Bundle","type":"collection"}`, ""},
		{"not JSON numbers stay text", `<Observation xmlns="http://hl7.org/fhir"><valueInteger value=".5"/><component><valueDecimal value="007"/></component><component><valueDecimal value="+1.50"/></component></Observation>`,
			`{"resourceType":"Observation","valueInteger":".5","component":[{"valueDecimal":"007"},{"valueDecimal":1.50}]}`, ""},
		{"names FHIR cannot have", `<Patient xmlns="http://hl7.org/fhir"><id value="p"/><_id value="x"/><resourceType value="Basic"/><gender value="male" id="g"/></Patient>`,
			`{"resourceType":"Patient","id":"p","gender":"male","_gender":{"id":"g"}}`, ""},
		{"extension url is an attribute", `<Patient xmlns="http://hl7.org/fhir"><birthDate value="2000-01-01"><extension url="u"><valueString value="s"/></extension></birthDate></Patient>`,
			`{"resourceType":"Patient","birthDate":"2000-01-01","_birthDate":{"extension":[{"url":"u","valueString":"s"}]}}`, ""},
		{"many children", `<Patient xmlns="http://hl7.org/fhir">` + strings.Repeat(`<name><family value="F"/></name><telecom><value value="1"/></telecom>`, 20) + `<active value="true"/></Patient>`,
			`{"resourceType":"Patient","name":[` + strings.Repeat(`{"family":"F"},`, 19) + `{"family":"F"}],"telecom":[` + strings.Repeat(`{"value":"1"},`, 19) + `{"value":"1"}],"active":true}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := XMLToJSON(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%v: %s", err, b)
			}
			json.Unmarshal([]byte(tt.want), &want)
			if !reflect.DeepEqual(got, want) || !strings.HasPrefix(string(b), tt.prefix) {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
			if err := duplicateKey(b); err != nil {
				t.Error(err)
			}
		})
	}
	if duplicateKey([]byte(`{"a":{"a":1},"b":[{"a":1},{"a":2}],"c":1}`)) != nil || duplicateKey([]byte(`{"a":{"b":1},"c":[1],"c":2}`)) == nil {
		t.Error("duplicateKey is wrong")
	}
	if _, err := XMLToJSON(strings.NewReader(`<ClinicalDocument xmlns="urn:hl7-org:v3"><title>` + strings.Repeat("x", 1<<20))); err != ErrNotFHIRXML {
		t.Errorf("C-CDA: %v, want ErrNotFHIRXML as soon as the root is read", err)
	}
}

// duplicateKey reports a key written twice in one JSON object (which
// readers resolve differently).
func duplicateKey(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next token in an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					return fmt.Errorf("key %q twice in %s", k, b)
				}
				top.keys[k] = true
				top.key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if top != nil && top.object {
				top.key = true
			}
			stack = append(stack, &frame{keys: map[string]bool{}, object: tok == json.Delim('{'), key: true})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		default:
			if top != nil && top.object {
				top.key = true
			}
		}
	}
}

func FuzzXMLToJSON(f *testing.F) {
	f.Add(`<Patient xmlns="http://hl7.org/fhir"><id value="p"/><name><given value="A"/></name></Patient>`)
	f.Add(`<Bundle xmlns="http://hl7.org/fhir"><id value="b"/><entry><resource><Observation><valueQuantity><value value="1.0"/></valueQuantity></Observation></resource></entry><signature><data value="x"/></signature></Bundle>`)
	f.Add(`<Observation xmlns="http://hl7.org/fhir"><extension url="u"><valueBoolean value="true"/></extension><component id="c"><code><text value="a"/></code></component><component><valueInteger value="3"/></component></Observation>`)
	f.Fuzz(func(t *testing.T, s string) {
		b, err := XMLToJSON(strings.NewReader(s))
		if err != nil {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("invalid JSON from %q", s)
		}
		if err := duplicateKey(b); err != nil {
			t.Fatalf("%v, from %q", err, s)
		}
	})
}
