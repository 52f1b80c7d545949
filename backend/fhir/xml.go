package fhir

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// FHIR XML carries no type information, and JSON needs some: whether an
// element repeats (a JSON array even when it occurs once) and whether a
// primitive is a number or a boolean. Ward converts FHIR R4 XML to JSON
// with the tables below, which cover the data types and the resources Ward
// shows; an element they do not know becomes an array only when it repeats.

const (
	fhirNS  = "http://hl7.org/fhir"
	xhtmlNS = "http://www.w3.org/1999/xhtml"
)

// MaxXMLBytes bounds one FHIR XML file.
const MaxXMLBytes = 256 << 20

// repeats lists elements that are arrays wherever they occur.
var repeats = set("extension", "modifierExtension", "contained", "coding", "given", "prefix", "suffix", "line",
	"telecom", "performer", "interpretation", "referenceRange", "component", "note", "result", "hasMember",
	"derivedFrom", "basedOn", "partOf", "reasonCode", "reasonReference", "participant", "serviceType",
	"specialty", "reaction", "manifestation", "dosage", "dosageInstruction", "additionalInstruction",
	"doseAndRate", "event", "dayOfWeek", "timeOfDay", "when", "evidence", "stage", "statusHistory",
	"classHistory", "episodeOfCare", "account", "diagnosis", "media", "presentedForm", "conclusionCode",
	"imagingStudy", "content", "author", "protocolApplied", "targetDisease", "programEligibility", "education",
	"generalPractitioner", "communication", "qualification", "profile", "security", "tag", "entry", "section",
	"relatesTo", "attester", "supportingInformation", "insurance", "instantiatesCanonical", "instantiatesUri",
	"complication", "followUp", "usedReference", "usedCode", "focalDevice", "report", "goal", "activity",
	"addresses", "careTeam", "contributor", "detail", "substitution", "eventHistory", "detectedIssue",
	"relatedArtifact", "condition", "relationship", "link", "focus", "contact", "appliesTo",
	"specialArrangement", "dietPreference", "specialCourtesy")

// repeatsIn lists elements that are arrays only in some places: as direct
// children of some resource types, or under some parent elements
// (elsewhere the same name is a single value).
var repeatsIn = map[string]map[string]bool{
	"identifier": nil, // arrays at a resource's top level; a Reference's identifier is single
	"name":       set("Patient", "Practitioner", "RelatedPerson", "Person"),
	"address":    set("Patient", "Practitioner", "RelatedPerson", "Person", "Organization"),
	"category": set("Observation", "Condition", "AllergyIntolerance", "DiagnosticReport", "MedicationRequest",
		"CarePlan", "DocumentReference", "Composition", "ServiceRequest", "Communication", "Flag", "Goal", "Consent",
		"CareTeam", "DetectedIssue", "RiskAssessment", "MedicationAdministration"),
	"type":     set("Encounter", "Organization", "Location", "HealthcareService", "EpisodeOfCare", "Endpoint", "participant"),
	"location": set("Encounter"),
	"bodySite": set("Condition", "Procedure"),
	"code":     set("PractitionerRole", "evidence"),
	"specimen": set("DiagnosticReport", "ServiceRequest"),
}

// quantityParents hold Quantity-like values, whose "value" is a number (an
// Identifier's or a ContactPoint's "value" is text, even when it is digits).
var quantityParents = set("valueQuantity", "low", "high", "quantity", "numerator", "denominator", "doseQuantity",
	"rateQuantity", "length", "valueAge", "onsetAge", "abatementAge", "valueDuration", "valueCount", "valueDistance",
	"valueMoney", "amount", "net", "gross", "unitPrice", "maxDosePerAdministration", "maxDosePerLifetime", "age",
	"boundsDuration", "quantityQuantity", "origin", "expectedSupplyDuration", "valueSimpleQuantity")

// notRepeatsTop are resources whose top-level identifier is single.
var notRepeatsTop = set("Bundle", "Composition", "QuestionnaireResponse")

// numbers and booleans are primitives written as JSON numbers or booleans.
// Choice types say so in their names (valueInteger, deceasedBoolean), which
// typedSuffix handles.
var numbers = set("frequency", "frequencyMax", "period", "periodMax", "count", "countMax", "duration",
	"durationMax", "size", "sequence", "rank", "numberOfSeries", "doseNumberPositiveInt", "seriesDosesPositiveInt",
	"multipleBirthInteger", "numberOfInstances", "numberOfFrames", "total", "factor", "lowerLimit", "upperLimit",
	"dimensions", "offset", "priority", "minutesDuration", "numberOfRepeatsAllowed", "quantityInteger")

var booleans = set("active", "primarySource", "isSubpotent", "reported", "deceasedBoolean", "multipleBirthBoolean",
	"asNeededBoolean", "preferred", "inactive", "abstract", "experimental", "doNotPerform", "userSelected",
	"mustSupport", "isModifier", "wasNull", "allowedBoolean", "immutable", "exact")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func typedSuffix(name string) string {
	for _, s := range []string{"Boolean", "Integer", "PositiveInt", "UnsignedInt", "Decimal"} {
		if strings.HasSuffix(name, s) && len(name) > len(s) {
			return s
		}
	}
	return ""
}

// xnode is a parsed XML element.
type xnode struct {
	name     xml.Name
	attrs    map[string]string
	children []*xnode
	xhtml    string // for a narrative div: its markup
}

// ErrNotFHIRXML means an XML file is not FHIR.
var ErrNotFHIRXML = errors.New("this XML is not FHIR")

// XMLToJSON converts a FHIR R4 XML resource (a Bundle too) to FHIR JSON.
func XMLToJSON(r io.Reader) ([]byte, error) {
	dec := xml.NewDecoder(io.LimitReader(r, MaxXMLBytes))
	root, err := parseXML(dec)
	if err != nil {
		return nil, err
	}
	if root.name.Space != fhirNS {
		return nil, ErrNotFHIRXML
	}
	return json.Marshal(resource(root))
}

func parseXML(dec *xml.Decoder) (*xnode, error) {
	var stack []*xnode
	var root *xnode
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("this XML could not be read: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > MaxDepth*2 {
				return nil, fmt.Errorf("the XML is nested more than %d levels deep", MaxDepth*2)
			}
			if t.Name.Space == xhtmlNS && t.Name.Local == "div" {
				markup, err := captureXHTML(dec, t)
				if err != nil {
					return nil, err
				}
				depth--
				n := &xnode{name: t.Name, xhtml: markup}
				if len(stack) > 0 {
					stack[len(stack)-1].children = append(stack[len(stack)-1].children, n)
				}
				continue
			}
			n := &xnode{name: t.Name, attrs: map[string]string{}}
			for _, a := range t.Attr {
				if a.Name.Space == "" {
					n.attrs[a.Name.Local] = a.Value
				}
			}
			if len(stack) > 0 {
				stack[len(stack)-1].children = append(stack[len(stack)-1].children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			depth--
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if root == nil {
		return nil, errors.New("this XML file has no elements")
	}
	return root, nil
}

// captureXHTML re-serialises a narrative div (FHIR JSON keeps it as a
// string); the records views sanitise it before showing it.
func captureXHTML(dec *xml.Decoder, start xml.StartElement) (string, error) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	start.Attr = append([]xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: xhtmlNS}}, withoutNS(start.Attr)...)
	start.Name = xml.Name{Local: "div"}
	enc.EncodeToken(start)
	depth := 1
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("this XML could not be read: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			t.Name = xml.Name{Local: t.Name.Local}
			t.Attr = withoutNS(t.Attr)
			enc.EncodeToken(t)
		case xml.EndElement:
			depth--
			enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: t.Name.Local}})
		case xml.CharData:
			enc.EncodeToken(t)
		}
	}
	enc.Flush()
	return buf.String(), nil
}

func withoutNS(attrs []xml.Attr) []xml.Attr {
	out := attrs[:0:0]
	for _, a := range attrs {
		if a.Name.Space == "" && a.Name.Local != "xmlns" {
			out = append(out, a)
		}
	}
	return out
}

// resource converts a resource element (its name is the resource type).
func resource(n *xnode) map[string]any {
	obj := element(n, n.name.Local, true)
	obj["resourceType"] = n.name.Local
	return obj
}

// element converts a complex element's attributes and children.
func element(n *xnode, rtype string, top bool) map[string]any {
	obj := map[string]any{}
	if id, ok := n.attrs["id"]; ok {
		obj["id"] = id
	}
	if url, ok := n.attrs["url"]; ok {
		obj["url"] = url
	}
	count := map[string]int{}
	for _, c := range n.children {
		count[c.name.Local]++
	}
	for _, c := range n.children {
		name := c.name.Local
		array := count[name] > 1 || repeats[name]
		if types, ok := repeatsIn[name]; ok {
			switch {
			case name == "identifier":
				array = array || (top && !notRepeatsTop[rtype])
			case top:
				array = array || types[rtype]
			default:
				array = array || types[n.name.Local]
			}
		}
		if top && name == "id" {
			if v, ok := c.attrs["value"]; ok {
				obj["id"] = v
				continue
			}
		}
		value, ext := convert(c, name, rtype, n.name.Local)
		if ext != nil || value != nil {
			add(obj, name, value, array)
			if _, isPrimitive := c.attrs["value"]; isPrimitive || ext != nil {
				add(obj, "_"+name, ext, array)
			}
		}
	}
	// Parallel primitive arrays keep nulls only where some item has an
	// extension; drop an all-null "_name".
	for k, v := range obj {
		if strings.HasPrefix(k, "_") {
			if arr, ok := v.([]any); ok && allNil(arr) {
				delete(obj, k)
			} else if v == nil {
				delete(obj, k)
			}
		}
	}
	return obj
}

func allNil(a []any) bool {
	for _, x := range a {
		if x != nil {
			return false
		}
	}
	return true
}

func add(obj map[string]any, name string, v any, array bool) {
	if !array {
		obj[name] = v
		return
	}
	arr, _ := obj[name].([]any)
	obj[name] = append(arr, v)
}

// convert returns an element's JSON value and, for a primitive, the
// "_name" object holding its id and extensions (nil when it has none).
func convert(c *xnode, name, rtype, parent string) (any, any) {
	if c.xhtml != "" {
		return c.xhtml, nil
	}
	// A resource inside contained, entry.resource or outcome.
	if (name == "contained" || name == "resource" || name == "outcome") && len(c.children) == 1 && c.children[0].name.Space == fhirNS && isResourceName(c.children[0].name.Local) {
		return resource(c.children[0]), nil
	}
	raw, primitive := c.attrs["value"]
	if !primitive {
		return element(c, rtype, false), nil
	}
	var ext any
	if len(c.children) > 0 || c.attrs["id"] != "" {
		e := element(c, rtype, false)
		delete(e, "url")
		ext = e
	}
	return typed(name, parent, raw), ext
}

func isResourceName(s string) bool { return r4Types[s] }

// typed gives a primitive's JSON type.
func typed(name, parent, raw string) any {
	suffix := typedSuffix(name)
	switch {
	case name == "value" && quantityParents[parent]:
		if _, err := strconv.ParseFloat(raw, 64); err == nil && !strings.ContainsAny(raw, "xXeE") {
			return json.Number(strings.TrimPrefix(raw, "+"))
		}
	case booleans[name] || suffix == "Boolean":
		if b, err := strconv.ParseBool(raw); err == nil {
			return b
		}
	case numbers[name] || suffix == "Integer" || suffix == "PositiveInt" || suffix == "UnsignedInt" || suffix == "Decimal":
		// Decimals keep their written precision ("5.0" stays 5.0).
		if _, err := strconv.ParseFloat(raw, 64); err == nil && !strings.ContainsAny(raw, "xXeE") {
			return json.Number(strings.TrimPrefix(raw, "+"))
		}
	}
	return raw
}
