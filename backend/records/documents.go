package records

import (
	"encoding/base64"
	"mime"
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
	// NotCopied are attachments the record only points at (a URL, no
	// data): listed so nothing is dropped without a word.
	NotCopied []NotCopied `json:"notCopied"`
	// Status is "superseded" (replaced by a newer version), "preliminary"
	// (not final yet) or "" (current and final).
	Status string `json:"status"`
	// ReplacedBy is the id of the document that replaced this one, when
	// Ward holds it.
	ReplacedBy string `json:"replacedBy,omitempty"`
	HTML       string `json:"html,omitempty"`

	data []attachmentData
}

// Attachment describes one attached file. ContentType is its normalised
// media type (MediaType), without parameters.
type Attachment struct {
	Index       int    `json:"index"`
	ContentType string `json:"contentType"`
	Title       string `json:"title"`
	Size        int    `json:"size"`
}

// NotCopied is an attachment Ward has no copy of. Note says so in plain
// words: "A PDF held by Leeds Teaching Hospitals; not copied to Ward".
type NotCopied struct {
	ContentType string `json:"contentType"`
	Title       string `json:"title"`
	Note        string `json:"note"`
}

type attachmentData struct {
	mediaType string // normalised (MediaType)
	charset   string // a text file's declared charset, when it is a plain name
	title     string
	bytes     []byte
}

// AttachmentFile is an attachment as Ward hands it out: HTML (text/html or
// application/xhtml+xml, in any spelling) already sanitised and labelled
// text/html; every other type as its normalised media type with its bytes as
// stored. Whoever sends it decides, on MediaType, whether a browser may show
// it or must save it.
type AttachmentFile struct {
	MediaType string
	Charset   string
	Title     string
	Data      []byte
}

// MediaType reduces an attachment's declared content type to the bare,
// lower-case media type every decision about it is made on ("Text/HTML;
// charset=x" and " text/html" are "text/html"); anything that is not a
// type/subtype pair is "application/octet-stream".
func MediaType(declared string) string {
	mt, _, err := mime.ParseMediaType(declared)
	if err != nil && err != mime.ErrInvalidMediaParameter {
		return "application/octet-stream"
	}
	if i := strings.IndexByte(mt, '/'); i <= 0 || i == len(mt)-1 {
		return "application/octet-stream"
	}
	return mt
}

// isHTML reports whether a normalised media type is a web page.
func isHTML(mediaType string) bool {
	return mediaType == "text/html" || mediaType == "application/xhtml+xml"
}

// declaredCharset returns the charset parameter of a declared content type
// when it is a plain charset name, else "".
func declaredCharset(declared string) string {
	_, params, err := mime.ParseMediaType(declared)
	if err != nil {
		return ""
	}
	cs := strings.ToLower(params["charset"])
	if cs == "" || len(cs) > 40 {
		return ""
	}
	for _, c := range cs {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return ""
		}
	}
	return cs
}

type narrative struct {
	Div string `json:"div"`
}

// Documents returns letters and documents, newest first, without content.
func (r *Record) Documents() []Document {
	out := make([]Document, len(r.documents))
	for i, d := range r.documents {
		d.HTML, d.data = "", nil
		d.ReplacedBy = r.listed(d.ReplacedBy)
		out[i] = d
	}
	return out
}

// listed is id when the document is in the record, else "".
func (r *Record) listed(id string) string {
	if _, ok := r.docByID[id]; ok {
		return id
	}
	return ""
}

// Document returns one document with its sanitised HTML.
func (r *Record) Document(id string) (Document, bool) {
	d, ok := r.docByID[id]
	if !ok {
		return Document{}, false
	}
	out := *d
	out.data = nil
	out.ReplacedBy = r.listed(d.ReplacedBy)
	return out, true
}

// AttachmentFile returns one of a document's attachments (see the type).
func (r *Record) AttachmentFile(id string, index int) (AttachmentFile, bool) {
	d, ok := r.docByID[id]
	if !ok || index < 0 || index >= len(d.data) {
		return AttachmentFile{}, false
	}
	a := d.data[index]
	mt := MediaType(a.mediaType) // already normalised; again, so nothing else can slip past
	if isHTML(mt) {
		return AttachmentFile{MediaType: "text/html", Charset: "utf-8", Title: a.title, Data: []byte(Sanitize(string(a.bytes)))}, true
	}
	return AttachmentFile{MediaType: mt, Charset: a.charset, Title: a.title, Data: a.bytes}, true
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
	if d.Status == "entered-in-error" || d.DocStatus == "entered-in-error" || b.elsewhere(res, d.provenance, firstNonEmpty(d.Title, d.Description, "Document")) {
		return 0
	}
	doc := Document{ID: res.ID, Organisation: b.orgOf(res, d.provenance, refs(d.Custodian), nil), Attachments: []Attachment{}, NotCopied: []NotCopied{}, Date: firstNonEmpty(d.Date, d.Created)}
	doc.ReplacedBy = b.replacedBy(res)
	switch {
	case d.Status == "superseded" || doc.ReplacedBy != "":
		doc.Status = "superseded"
	case d.Status == "preliminary" || d.DocStatus == "preliminary":
		doc.Status = "preliminary"
	}
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
	if res.Type == "Composition" && d.Text != nil {
		// The Composition's own narrative, unless its sections say it all.
		if own := Sanitize(d.Text.Div); !saidBy(own, d.Section) {
			htmlParts = append(htmlParts, own)
		}
	}
	for _, c := range d.Content {
		a := c.Attachment
		raw, ctype, ok := b.attachmentBytes(a)
		title := firstNonEmpty(a.Title, doc.Type, "Attachment")
		if !ok {
			if nc, ok := notCopied(a, title, doc.Organisation); ok {
				doc.NotCopied = append(doc.NotCopied, nc)
			}
			continue
		}
		mt := MediaType(ctype)
		doc.Attachments = append(doc.Attachments, Attachment{Index: len(doc.data), ContentType: mt, Title: title, Size: len(raw)})
		doc.data = append(doc.data, attachmentData{mediaType: mt, charset: declaredCharset(ctype), title: title, bytes: raw})
		switch {
		case mt == "text/plain":
			htmlParts = append(htmlParts, textToHTML(string(raw)))
		case isHTML(mt):
			htmlParts = append(htmlParts, Sanitize(string(raw)))
		case isCDA(mt, raw):
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
	Section   []section `json:"section"`
	RelatesTo []struct {
		Code              string          `json:"code"`              // R4
		Type              string          `json:"type"`              // R5 Composition (RelatedArtifact)
		Target            *fhir.Reference `json:"target"`            // DocumentReference
		TargetReference   *fhir.Reference `json:"targetReference"`   // R4 Composition
		ResourceReference *fhir.Reference `json:"resourceReference"` // R5 Composition
	} `json:"relatesTo"`
	provenance
}
