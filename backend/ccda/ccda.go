// Package ccda brings HL7 C-CDA documents (the XML summaries many EHRs
// export) into Ward. A document is kept whole, as a FHIR DocumentReference
// whose attachment is the original XML, so it is stored sealed like any
// other record, exports unchanged, and shows as a letter; package records
// renders its sections' narrative as sanitised HTML.
package ccda

import (
	"bytes"
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

// Read turns a C-CDA document into a DocumentReference. The id is derived
// from the content, so importing the same file again changes nothing.
func Read(r io.Reader) (fhir.Resource, string, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return fhir.Resource{}, "", fmt.Errorf("read C-CDA: %w", err)
	}
	if len(raw) > MaxBytes {
		return fhir.Resource{}, "", fmt.Errorf("this C-CDA document is larger than %d MB", MaxBytes>>20)
	}
	var h header
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.Strict = false
	if err := dec.Decode(&h); err != nil {
		if strings.Contains(err.Error(), "expected element type") {
			return fhir.Resource{}, "", ErrNotCDA
		}
		return fhir.Resource{}, "", fmt.Errorf("this XML could not be read: %v", err)
	}
	sum := sha256.Sum256(raw)
	id := "ccda-" + hex.EncodeToString(sum[:12])
	title := strings.TrimSpace(h.Title)
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
		return fhir.Resource{}, "", err
	}
	return fhir.Resource{Type: "DocumentReference", ID: id, Raw: b}, org, nil
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
