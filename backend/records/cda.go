package records

import (
	"bytes"
	"encoding/xml"
	"html"
	"strings"
)

func htmlEscape(s string) string { return html.EscapeString(s) }

// isCDA reports whether an attachment is an HL7 C-CDA document.
func isCDA(contentType string, raw []byte) bool {
	if !strings.Contains(contentType, "xml") {
		return false
	}
	head := raw[:min(len(raw), 4096)]
	return bytes.Contains(head, []byte("ClinicalDocument"))
}

// maxCDATitle bounds the document title taken from a C-CDA (real ones are
// a line; the rest of a longer one is dropped).
const maxCDATitle = 1 << 10

// cdaHTML renders a C-CDA document's human-readable sections (each
// section's title and narrative block) as sanitised HTML, and returns the
// document's title. The narrative block's elements (paragraph, list, item,
// table, content) map onto their HTML equivalents. Everything is written
// to builders, so text split into many pieces (by comments: a<!---->b)
// costs time linear in the document.
func cdaHTML(raw []byte) (string, string) {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.Strict = false
	var out, docTitle strings.Builder
	depth := 0          // depth inside <text> of a section
	inTitle := false    // inside a section <title>
	inDocTitle := false // inside the document's own <title>
	sectionDepth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			switch {
			case depth > 0:
				depth++
				if tag := cdaTag(name); tag != "" {
					out.WriteString("<" + tag + ">")
				}
			case name == "section":
				sectionDepth++
			case name == "title" && sectionDepth > 0:
				inTitle = true
				out.WriteString("<h2>")
			case name == "title" && sectionDepth == 0 && docTitle.Len() == 0:
				inDocTitle = true
			case name == "text" && sectionDepth > 0:
				depth = 1
			}
		case xml.EndElement:
			name := t.Name.Local
			switch {
			case depth > 1:
				depth--
				if tag := cdaTag(name); tag != "" {
					out.WriteString("</" + tag + ">")
				}
			case depth == 1:
				depth = 0
			case name == "section":
				sectionDepth--
			case inTitle && name == "title":
				inTitle = false
				out.WriteString("</h2>")
			case inDocTitle && name == "title":
				inDocTitle = false
			}
		case xml.CharData:
			switch {
			case depth > 0 || inTitle:
				out.WriteString(html.EscapeString(string(t)))
			case inDocTitle && docTitle.Len() < maxCDATitle:
				docTitle.WriteString(strings.TrimSpace(string(t)))
			}
		}
	}
	title := docTitle.String()
	if len(title) > maxCDATitle {
		title = strings.ToValidUTF8(title[:maxCDATitle], "")
	}
	return Sanitize(out.String()), title
}

func cdaTag(name string) string {
	switch name {
	case "paragraph":
		return "p"
	case "list":
		return "ul"
	case "item":
		return "li"
	case "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "sub", "sup", "br":
		return name
	case "content":
		return "span"
	}
	return ""
}
