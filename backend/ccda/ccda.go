// Package ccda brings HL7 C-CDA documents (the XML summaries many EHRs
// export) into Ward. A document is kept whole, as a FHIR DocumentReference
// whose attachment is the original XML, so it is stored sealed like any
// other record, exports unchanged, and shows as a letter; package records
// renders its sections' narrative as sanitised HTML.
package ccda

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// MaxBytes bounds one C-CDA document.
const MaxBytes = 64 << 20

// header is the part of a ClinicalDocument Ward reads.
type header struct {
	XMLName xml.Name `xml:"ClinicalDocument"`
	Title   string   `xml:"title"`
	Code    struct {
		Code        string `xml:"code,attr"`
		DisplayName string `xml:"displayName,attr"`
	} `xml:"code"`
	EffectiveTime struct {
		Value string `xml:"value,attr"`
	} `xml:"effectiveTime"`
	Custodian struct {
		Name string `xml:"assignedCustodian>representedCustodianOrganization>name"`
	} `xml:"custodian"`
	Author []struct {
		Given  []string `xml:"assignedAuthor>assignedPerson>name>given"`
		Family string   `xml:"assignedAuthor>assignedPerson>name>family"`
		Org    string   `xml:"assignedAuthor>representedOrganization>name"`
	} `xml:"author"`
}

// ErrNotCDA is returned for XML that is not a ClinicalDocument.
var ErrNotCDA = errors.New("this XML file is not a C-CDA document")

// Document is what Ward makes of a C-CDA document.
type Document struct {
	// Doc is the whole document as a DocumentReference (shown as a letter).
	Doc fhir.Resource
	// Entries are the structured entries of its problem, medication,
	// allergy, result, immunisation and vital signs sections as FHIR R4
	// resources, each with an id derived from the document and the entry.
	Entries []fhir.Resource
	// Org is the custodian organisation, when named.
	Org string
	// Patient is the recordTarget as a FHIR Patient (nil if none), which
	// the entries refer to as their subject.
	Patient *fhir.Resource
	// Skipped lists the entries of those sections left out, and why.
	Skipped []Skip
}

// Read turns a C-CDA document into a DocumentReference holding the whole
// document and the FHIR resources its structured entries describe. Ids are
// derived from the content, so importing the same file again changes
// nothing.
func Read(r io.Reader) (doc fhir.Resource, entries []fhir.Resource, org string, err error) {
	d, err := Parse(r)
	if err != nil {
		return fhir.Resource{}, nil, "", err
	}
	return d.Doc, d.Entries, d.Org, nil
}

// Parse is Read, also reporting the entries it skipped.
func Parse(r io.Reader) (*Document, error) {
	return ParseContext(context.Background(), r)
}

// ParseContext is Parse, giving up (with an error wrapping ctx's) once ctx
// is done. Its cost is linear in the document's size: a document over
// one of the limits is refused with a *LimitError.
func ParseContext(ctx context.Context, r io.Reader) (*Document, error) {
	raw, err := io.ReadAll(io.LimitReader(ctxReader{ctx, r}, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read C-CDA: %w", err)
	}
	if len(raw) > MaxBytes {
		return nil, fmt.Errorf("this C-CDA document is larger than %d MB", MaxBytes>>20)
	}
	var h header
	dec := xml.NewDecoder(ctxReader{ctx, bytes.NewReader(raw)})
	dec.Strict = false
	if err := dec.Decode(&h); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("read C-CDA: %w", ctx.Err())
		}
		if strings.Contains(err.Error(), "expected element type") {
			return nil, ErrNotCDA
		}
		return nil, fmt.Errorf("this XML could not be read: %v", err)
	}
	title := strings.TrimSpace(h.Title)
	if len(title) > maxTitle {
		return nil, &LimitError{What: "title", Limit: maxTitle}
	}
	sum := sha256.Sum256(raw)
	id := "ccda-" + hex.EncodeToString(sum[:12])
	if title == "" {
		title = firstNonEmpty(h.Code.DisplayName, "Clinical document")
	}
	doc := map[string]any{
		"resourceType": "DocumentReference",
		"id":           id,
		"status":       "current",
		"type": map[string]any{
			"coding": []map[string]string{{"system": "http://loinc.org", "code": firstNonEmpty(h.Code.Code, "34133-9"), "display": firstNonEmpty(h.Code.DisplayName, "Summary of episode note")}},
			"text":   firstNonEmpty(h.Code.DisplayName, "Clinical document"),
		},
		"description": title,
		"content": []map[string]any{{"attachment": map[string]any{
			"contentType": "application/hl7-v3+xml",
			"title":       title,
			"data":        base64.StdEncoding.EncodeToString(raw),
		}}},
	}
	if t := cdaTime(h.EffectiveTime.Value); t != "" {
		doc["date"] = t
	}
	var authors []map[string]string
	for _, a := range h.Author {
		name := strings.TrimSpace(strings.Join(append(a.Given, a.Family), " "))
		if name != "" {
			authors = append(authors, map[string]string{"display": name})
		}
	}
	if authors != nil {
		doc["author"] = authors
	}
	org := strings.TrimSpace(h.Custodian.Name)
	if org != "" {
		doc["custodian"] = map[string]string{"display": org}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	d := &Document{Doc: fhir.Resource{Type: "DocumentReference", ID: id, Raw: b}, Org: org}
	root, err := parseTree(ctx, raw)
	if err != nil {
		return nil, err
	}
	if root != nil {
		p := &parser{docID: id, nar: indexNarrative(root)}
		d.Patient = patientOf(root, id)
		if name := patientName(root); name != "" {
			p.subject = map[string]any{"display": name}
		}
		if d.Patient != nil {
			if p.subject == nil {
				p.subject = map[string]any{}
			}
			p.subject["reference"] = "Patient/" + d.Patient.ID
		}
		if p.readAll(root) {
			d.Entries, d.Skipped = p.out, p.skipped
		}
	}
	return d, nil
}

// readAll reads the entries; it reports false (keeping none) if reading
// failed in a way no single entry accounts for: the document is still kept.
func (p *parser) readAll(root *node) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	p.entries(root)
	return true
}

// patientName is the recordTarget's name, as written.
func patientName(root *node) string {
	name := root.path("recordTarget", "patientRole", "patient", "name")
	if name.null() {
		return ""
	}
	var parts []string
	for _, k := range name.kids {
		if k.name == "given" || k.name == "family" {
			if t := cleanText(k.plainText()); t != "" {
				parts = append(parts, t)
			}
		}
	}
	if parts == nil {
		return cleanText(name.plainText())
	}
	return strings.Join(parts, " ")
}

// cdaTime turns a CDA timestamp (YYYYMMDDHHMMSS+ZZZZ, any precision) into
// a FHIR dateTime.
func cdaTime(v string) string {
	for _, layout := range []string{"20060102150405-0700", "20060102150405", "200601021504-0700", "200601021504", "20060102"} {
		if t, err := time.Parse(layout, v); err == nil {
			if len(v) == 8 {
				return t.Format("2006-01-02")
			}
			return t.Format(time.RFC3339)
		}
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
