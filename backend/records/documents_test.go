package records

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// hostileLetter is a page that, shown as it is, would run script and send
// the tab to another site.
const hostileLetter = `<html><head><meta http-equiv="refresh" content="0;url=https://phish.example/"></head>` +
	`<body><p>Dear patient</p><script>top.location="https://phish.example/"</script>` +
	`<a href="https://phish.example/" target="_top" onclick="x()">Sign in</a></body></html>`

func TestAttachmentMediaTypes(t *testing.T) {
	tests := []struct {
		declared  string
		mediaType string // in the view and in AttachmentFile
		html      bool   // sanitised into the document's HTML and served sanitised
	}{
		{"text/html", "text/html", true},
		{"Text/HTML", "text/html", true},
		{" text/html", "text/html", true},
		{"TEXT/HTML ; charset=UTF-8", "text/html", true},
		{"text/html;charset=\"utf-8\";x", "text/html", true}, // bad parameter: the type still counts
		{"application/xhtml+xml", "application/xhtml+xml", true},
		{"Application/XHTML+XML; charset=utf-8", "application/xhtml+xml", true},
		{"image/svg+xml", "image/svg+xml", false},
		{" Image/SVG+XML", "image/svg+xml", false},
		{"text/javascript", "text/javascript", false},
		{"application/javascript; charset=utf-8", "application/javascript", false},
		{"text/xml", "text/xml", false},
		{"application/pdf", "application/pdf", false},
		{"", "application/octet-stream", false},
		{"html", "application/octet-stream", false},
		{"text/", "application/octet-stream", false},
		{"text /html", "application/octet-stream", false},
		{"text/html, text/plain", "application/octet-stream", false},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.declared), func(t *testing.T) {
			if got := MediaType(tt.declared); got != tt.mediaType {
				t.Errorf("MediaType(%q) = %q, want %q", tt.declared, got, tt.mediaType)
			}
			body := hostileLetter
			if !tt.html {
				body = `<svg xmlns="http://www.w3.org/2000/svg" onload="top.location='https://phish.example/'"><script>top.location="https://phish.example/"</script></svg>`
			}
			rec := Build(time.Now(), Set{Source: Source{Name: "Test"}, Resources: []fhir.Resource{
				mustParse(t, `{"resourceType":"Patient","id":"p","name":[{"family":"Test","given":["Pat"]}]}`),
				mustParse(t, fmt.Sprintf(`{"resourceType":"DocumentReference","id":"d%d","status":"current","subject":{"reference":"Patient/p"},"date":"2026-01-01",
					"content":[{"attachment":{"contentType":%q,"title":"Letter","data":%q}}]}`, i, tt.declared, base64.StdEncoding.EncodeToString([]byte(body)))),
			}})
			doc, ok := rec.Document(fmt.Sprintf("d%d", i))
			if !ok || len(doc.Attachments) != 1 {
				t.Fatalf("document = %+v, %v", doc, ok)
			}
			if got := doc.Attachments[0].ContentType; got != tt.mediaType {
				t.Errorf("view contentType = %q, want %q", got, tt.mediaType)
			}
			if strings.Contains(doc.HTML, "script") || strings.Contains(doc.HTML, "refresh") || strings.Contains(doc.HTML, "onload") || strings.Contains(doc.HTML, "_top") {
				t.Errorf("document HTML is not sanitised: %s", doc.HTML)
			}
			if tt.html != strings.Contains(doc.HTML, "Dear patient") {
				t.Errorf("document HTML = %q; want the letter's text: %v", doc.HTML, tt.html)
			}
			f, ok := rec.AttachmentFile(doc.ID, 0)
			if !ok {
				t.Fatal("no attachment file")
			}
			if tt.html {
				if f.MediaType != "text/html" || strings.Contains(string(f.Data), "script") || strings.Contains(string(f.Data), "refresh") || !strings.Contains(string(f.Data), "Dear patient") {
					t.Errorf("HTML attachment served as %q: %s", f.MediaType, f.Data)
				}
			} else if f.MediaType != tt.mediaType || string(f.Data) != body {
				t.Errorf("attachment file = %q %q, want %q and the bytes as stored", f.MediaType, f.Data, tt.mediaType)
			}
			if f.Title != "Letter" {
				t.Errorf("title = %q", f.Title)
			}
		})
	}
}

func TestAttachmentCharset(t *testing.T) {
	for declared, want := range map[string]string{
		"text/plain; charset=ISO-8859-1":         "iso-8859-1",
		"text/plain":                             "",
		`text/plain; charset="a b"`:              "",
		"text/plain; charset=utf-8\r\nX-Evil: 1": "",
	} {
		if got := declaredCharset(declared); got != want {
			t.Errorf("declaredCharset(%q) = %q, want %q", declared, got, want)
		}
	}
}
