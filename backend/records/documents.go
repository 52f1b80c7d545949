package records

import (
	"encoding/base64"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// Document is a letter or other document.
type Document struct {
	ID           string       `json:"id"`
	Title        string       `json:"title"`
	Type         string       `json:"type"`
	Date         string       `json:"date"`
	Author       string       `json:"author"`
	Organisation string       `json:"organisation"`
	Attachments  []Attachment `json:"attachments"`
	HTML         string       `json:"html,omitempty"`

	data []attachmentData
}

// Attachment describes one attached file.
type Attachment struct {
	Index       int    `json:"index"`
	ContentType string `json:"contentType"`
	Title       string `json:"title"`
	Size        int    `json:"size"`
}

type attachmentData struct {
	contentType string
	bytes       []byte
}

type narrative struct {
	Div string `json:"div"`
}

// Documents returns letters and documents, newest first, without content.
func (r *Record) Documents() []Document {
	out := make([]Document, len(r.documents))
	for i, d := range r.documents {
		d.HTML, d.data = "", nil
		out[i] = d
	}
	return out
}

// Document returns one document with its sanitised HTML.
func (r *Record) Document(id string) (Document, bool) {
	d, ok := r.docByID[id]
	if !ok {
		return Document{}, false
	}
	out := *d
	out.data = nil
	return out, true
}

// AttachmentData returns an attachment's bytes and content type. HTML is
// sanitised; other types are returned as stored.
func (r *Record) AttachmentData(id string, index int) (string, []byte, bool) {
	d, ok := r.docByID[id]
	if !ok || index < 0 || index >= len(d.data) {
		return "", nil, false
	}
	a := d.data[index]
	if strings.HasPrefix(a.contentType, "text/html") || strings.HasPrefix(a.contentType, "application/xhtml") {
		return "text/html; charset=utf-8", []byte(Sanitize(string(a.bytes))), true
	}
	return a.contentType, a.bytes, true
}

// attachmentBytes reads an attachment inline (base64) or from a Binary
// resource in the record.
func (b *builder) attachmentBytes(a fhir.Attachment) ([]byte, string, bool) {
	if a.Data != "" {
		raw, err := base64.StdEncoding.DecodeString(a.Data)
		return raw, a.ContentType, err == nil
	}
	if a.URL == "" {
		return nil, "", false
	}
	bin, ok := b.all.resolve(b.idx, a.URL)
	if !ok || bin.Type != "Binary" {
		return nil, "", false
	}
	var bj struct {
		ContentType string `json:"contentType"`
		Data        string `json:"data"`
	}
	if bin.Decode(&bj) != nil || bj.Data == "" {
		return nil, "", false
	}
	raw, err := base64.StdEncoding.DecodeString(bj.Data)
	return raw, firstNonEmpty(a.ContentType, bj.ContentType), err == nil
}

func (b *builder) document(res fhir.Resource) int {
	var d documentJSON
	if err := res.Decode(&d); err != nil {
		return b.unreadable(res, err)
	}
	if d.Status == "entered-in-error" || b.elsewhere(res, d.provenance, firstNonEmpty(d.Title, d.Description, "Document")) {
		return 0
	}
	doc := Document{ID: res.ID, Organisation: b.orgOf(res, d.provenance, refs(d.Custodian), nil), Attachments: []Attachment{}, Date: firstNonEmpty(d.Date, d.Created)}
	if d.Type != nil {
		doc.Type = d.Type.Label()
	}
	for _, a := range d.Author {
		if n := b.name(a, res); n != "" {
			doc.Author = n
			break
		}
	}
	var htmlParts []string
	for i, c := range d.Content {
		a := c.Attachment
		raw, ctype, ok := b.attachmentBytes(a)
		title := firstNonEmpty(a.Title, doc.Type, "Attachment")
		if !ok {
			continue
		}
		doc.Attachments = append(doc.Attachments, Attachment{Index: len(doc.data), ContentType: ctype, Title: title, Size: len(raw)})
		doc.data = append(doc.data, attachmentData{contentType: ctype, bytes: raw})
		_ = i
		switch {
		case strings.HasPrefix(ctype, "text/plain"):
			htmlParts = append(htmlParts, textToHTML(string(raw)))
		case strings.HasPrefix(ctype, "text/html"), strings.HasPrefix(ctype, "application/xhtml"):
			htmlParts = append(htmlParts, Sanitize(string(raw)))
		case isCDA(ctype, raw):
			if h, cdaTitle := cdaHTML(raw); h != "" {
				htmlParts = append(htmlParts, h)
				if d.Title == "" {
					d.Title = cdaTitle
				}
			}
		}
	}
	for _, s := range d.Section {
		htmlParts = append(htmlParts, s.html(2))
	}
	if len(htmlParts) == 0 && d.Text != nil && d.Text.Div != "" {
		htmlParts = append(htmlParts, Sanitize(d.Text.Div))
	}
	doc.HTML = strings.Join(htmlParts, "\n")
	doc.Title = firstNonEmpty(d.Title, d.Description, doc.Type, "Document")
	b.rec.documents = append(b.rec.documents, doc)
	return 1
}

type section struct {
	Title   string     `json:"title"`
	Text    *narrative `json:"text"`
	Section []section  `json:"section"`
}

func (s section) html(level int) string {
	var b strings.Builder
	if s.Title != "" && level <= 6 {
		tag := "h" + string(rune('0'+level))
		b.WriteString("<" + tag + ">" + htmlEscape(s.Title) + "</" + tag + ">")
	}
	if s.Text != nil {
		b.WriteString(Sanitize(s.Text.Div))
	}
	for _, sub := range s.Section {
		b.WriteString(sub.html(level + 1))
	}
	return b.String()
}

// documentJSON is the part of a document Ward reads.
type documentJSON struct {
	Status      string                `json:"status"`
	DocStatus   string                `json:"docStatus"`
	Type        *fhir.CodeableConcept `json:"type"`
	Title       string                `json:"title"`
	Description string                `json:"description"`
	Date        string                `json:"date"`
	Created     string                `json:"created"`
	Author      []fhir.Reference      `json:"author"`
	Custodian   *fhir.Reference       `json:"custodian"`
	Text        *narrative            `json:"text"`
	Content     []struct {
		Attachment fhir.Attachment `json:"attachment"`
	} `json:"content"`
	Section []section `json:"section"`
	provenance
}
