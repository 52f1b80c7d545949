package records

import (
	"bytes"
	"html"
	"regexp"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// replacedBy returns the id of the document that replaces res (its
// relatesTo says "replaces" and points at res), or "". The first call reads
// every document in the record once; one entered in error replaces nothing.
func (b *builder) replacedBy(res fhir.Resource) string {
	if b.replaced == nil {
		b.replaced = map[string]string{}
		for _, si := range b.all.sets {
			for _, r := range si.byRef {
				if (r.Type != "DocumentReference" && r.Type != "Composition") || !bytes.Contains(r.Raw, []byte(`"relatesTo"`)) {
					continue
				}
				var d documentJSON
				if r.Decode(&d) != nil || d.Status == "entered-in-error" || d.DocStatus == "entered-in-error" {
					continue
				}
				for _, rel := range d.RelatesTo {
					if firstNonEmpty(rel.Code, rel.Type) != "replaces" {
						continue
					}
					for _, t := range []*fhir.Reference{rel.Target, rel.TargetReference, rel.ResourceReference} {
						if t == nil {
							continue
						}
						if old, ok := b.all.resolve(si, t.Reference); ok && old.Ref() != r.Ref() {
							if prev, seen := b.replaced[old.Ref()]; !seen || r.ID < prev { // the same answer every time
								b.replaced[old.Ref()] = r.ID
							}
						}
					}
				}
			}
		}
	}
	return b.replaced[res.Ref()]
}

var tags = regexp.MustCompile(`<[^>]*>`)

// plainText is sanitised HTML's words, for comparing what two pieces say.
func plainText(h string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(h, " "))), " ")
}

// saidBy reports whether a Composition's own (sanitised) narrative says
// nothing its sections do not: an empty one, or one generated from them.
func saidBy(own string, sections []section) bool {
	words := plainText(own)
	if words == "" {
		return true
	}
	var withTitles, bodies strings.Builder
	var walk func([]section)
	walk = func(ss []section) {
		for _, s := range ss {
			withTitles.WriteString(" " + s.Title)
			if s.Text != nil {
				t := " " + plainText(Sanitize(s.Text.Div))
				withTitles.WriteString(t)
				bodies.WriteString(t)
			}
			walk(s.Section)
		}
	}
	walk(sections)
	return strings.Contains(plainText(withTitles.String()), words) || strings.Contains(plainText(bodies.String()), words)
}

// notCopied describes an attachment whose bytes Ward does not have: one the
// record only points at (a URL) or whose data cannot be read. An attachment
// with neither data nor a URL is nothing to describe.
func notCopied(a fhir.Attachment, title, org string) (NotCopied, bool) {
	mt := ""
	if strings.TrimSpace(a.ContentType) != "" {
		mt = MediaType(a.ContentType)
	}
	nc := NotCopied{ContentType: mt, Title: title}
	kind := fileKind(mt)
	switch {
	case a.Data != "":
		nc.Note = kind + " in the record that Ward could not read"
	case a.URL != "" && org != "":
		nc.Note = kind + " held by " + org + "; not copied to Ward"
	case a.URL != "":
		nc.Note = kind + " held elsewhere; not copied to Ward"
	default:
		return NotCopied{}, false
	}
	return nc, true
}

// fileKind names a media type the way a person would: "A PDF", "An image".
func fileKind(mediaType string) string {
	switch {
	case mediaType == "application/pdf":
		return "A PDF"
	case strings.HasPrefix(mediaType, "image/"):
		return "An image"
	case isHTML(mediaType):
		return "A web page"
	case mediaType == "text/plain":
		return "A text file"
	case mediaType == "application/msword", mediaType == "application/rtf", mediaType == "text/rtf",
		strings.HasPrefix(mediaType, "application/vnd.openxmlformats-officedocument.wordprocessingml"),
		mediaType == "application/vnd.oasis.opendocument.text":
		return "A word-processor document"
	case strings.Contains(mediaType, "hl7") || strings.Contains(mediaType, "fhir") || strings.HasSuffix(mediaType, "xml"):
		return "A clinical document"
	case strings.HasPrefix(mediaType, "video/"):
		return "A video"
	case strings.HasPrefix(mediaType, "audio/"):
		return "A sound recording"
	}
	return "A file"
}

// statusLabel is a document's status in plain words, "" when it is current
// and final.
func (d Document) statusLabel() string {
	return map[string]string{"superseded": "Replaced by a newer version", "preliminary": "Not final yet"}[d.Status]
}

// withStatus puts the document's status before detail, for the timeline
// and search: "Not final yet: Discharge summary".
func (d Document) withStatus(detail string) string {
	switch l := d.statusLabel(); {
	case l == "":
		return detail
	case detail == "":
		return l
	default:
		return l + ": " + detail
	}
}
