package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/config"
	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/records"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

const (
	hostileHTML = `<html><head><meta http-equiv="refresh" content="0;url=https://phish.example/"></head>` +
		`<body><p>Dear patient</p><script>top.location="https://phish.example/"</script></body></html>`
	hostileSVG = `<svg xmlns="http://www.w3.org/2000/svg" onload="top.location='https://phish.example/'">` +
		`<script>top.location="https://phish.example/"</script></svg>`
)

// attachmentHandler serves the demo record plus one letter whose attachments
// are declared with each of types, all carrying body.
func attachmentHandler(t *testing.T, types []string, body func(declared string) string) http.Handler {
	t.Helper()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	patient := ""
	for _, r := range rs {
		if r.Type == "Patient" {
			patient = r.ID
			break
		}
	}
	var content []map[string]any
	for _, ct := range types {
		content = append(content, map[string]any{"attachment": map[string]any{
			"contentType": ct, "title": "Clinic letter: ../../etc/passwd.html",
			"data": base64.StdEncoding.EncodeToString([]byte(body(ct))),
		}})
	}
	raw, _ := json.Marshal(map[string]any{
		"resourceType": "DocumentReference", "id": "hostile", "status": "current", "date": "2026-01-01",
		"subject": map[string]string{"reference": "Patient/" + patient}, "content": content,
	})
	doc, err := fhir.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	kek, err := vault.LoadOrCreateKEK(filepath.Join(dir, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.OpenDemo(context.Background(), dir, kek, store.Source{Name: demo.OrganisationName, LastUpdated: now}, append(rs, doc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return New(Options{Config: config.Demo(demo.OrganisationName), Version: "test", Vault: m})
}

// Every declared type, however it is spelt, is either one of the few a
// browser may show (HTML only sanitised) or an application/octet-stream
// download; every attachment response carries the sandbox policy and nosniff.
func TestAttachmentServedTypes(t *testing.T) {
	tests := []struct {
		declared, view, ctype, disposition string
	}{
		{"text/html", "text/html", "text/html; charset=utf-8", `inline; filename="Clinic letter_etc_passwd_html.html"`},
		{"Text/HTML", "text/html", "text/html; charset=utf-8", "inline"},
		{" text/html", "text/html", "text/html; charset=utf-8", "inline"},
		{"TEXT/HTML; charset=ISO-8859-1", "text/html", "text/html; charset=utf-8", "inline"},
		{"application/xhtml+xml", "application/xhtml+xml", "text/html; charset=utf-8", "inline"},
		{"Application/XHTML+XML ", "application/xhtml+xml", "text/html; charset=utf-8", "inline"},
		{"image/svg+xml", "image/svg+xml", "application/octet-stream", `attachment; filename="Clinic letter_etc_passwd_html.bin"`},
		{"IMAGE/SVG+XML; charset=utf-8", "image/svg+xml", "application/octet-stream", "attachment"},
		{"text/javascript", "text/javascript", "application/octet-stream", "attachment"},
		{"application/javascript", "application/javascript", "application/octet-stream", "attachment"},
		{"text/xml", "text/xml", "application/octet-stream", "attachment"},
		{"application/xml", "application/xml", "application/octet-stream", "attachment"},
		{"text/html, text/plain", "application/octet-stream", "application/octet-stream", "attachment"},
		{"", "application/octet-stream", "application/octet-stream", "attachment"},
		{"application/msword", "application/msword", "application/octet-stream", `attachment; filename="Clinic letter_etc_passwd_html.doc"`},
		{"Application/PDF", "application/pdf", "application/pdf", `inline; filename="Clinic letter_etc_passwd_html.pdf"`},
		{"image/PNG", "image/png", "image/png", "inline"},
		{"image/jpeg", "image/jpeg", "image/jpeg", "inline"},
		{"image/gif", "image/gif", "image/gif", "inline"},
		{"Text/Plain; charset=ISO-8859-1", "text/plain", "text/plain; charset=iso-8859-1", "inline"},
		{"text/plain", "text/plain", "text/plain", "inline"},
	}
	var types []string
	for _, tt := range tests {
		types = append(types, tt.declared)
	}
	isHTML := func(ct string) bool {
		v := records.MediaType(ct)
		return v == "text/html" || v == "application/xhtml+xml"
	}
	h := attachmentHandler(t, types, func(ct string) string {
		if isHTML(ct) {
			return hostileHTML
		}
		return hostileSVG
	})
	var doc records.Document
	if w := get(t, h, "/api/documents/hostile", &doc); w.Code != 200 || len(doc.Attachments) != len(tests) {
		t.Fatalf("GET document = %d, %d attachments", w.Code, len(doc.Attachments))
	}
	for _, bad := range []string{"<script", "<meta", "<svg", "onload=\""} {
		if strings.Contains(doc.HTML, bad) {
			t.Errorf("document HTML has %q: %s", bad, doc.HTML)
		}
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.declared), func(t *testing.T) {
			if got := doc.Attachments[i].ContentType; got != tt.view {
				t.Errorf("view contentType = %q, want %q", got, tt.view)
			}
			w := get(t, h, fmt.Sprintf("/api/documents/hostile/attachments/%d", i), nil)
			hd := w.Header()
			if w.Code != 200 || hd.Get("Content-Type") != tt.ctype {
				t.Errorf("status %d, Content-Type %q; want 200, %q", w.Code, hd.Get("Content-Type"), tt.ctype)
			}
			if d := hd.Get("Content-Disposition"); d != tt.disposition && !strings.HasPrefix(d, tt.disposition+"; filename=") {
				t.Errorf("Content-Disposition %q, want %q", d, tt.disposition)
			}
			if csp := hd.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox;") || !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if hd.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			body := w.Body.String()
			if strings.HasPrefix(tt.ctype, "text/html") {
				if strings.Contains(body, "<script") || strings.Contains(body, "refresh") || !strings.Contains(body, "Dear patient") {
					t.Errorf("HTML served unsanitised: %s", body)
				}
			} else if body != hostileSVG {
				t.Errorf("body changed: %s", body)
			}
		})
	}
}

func TestSafeFilename(t *testing.T) {
	for title, want := range map[string]string{
		"Clinic letter":                "Clinic letter.pdf",
		"../../etc/passwd":             "etc_passwd.pdf",
		`a"b\c;d`:                      "a_b_c_d.pdf",
		"Lettre médicale":              "Lettre m_dicale.pdf",
		"evil.html":                    "evil_html.pdf",
		"   ":                          "attachment.pdf",
		"CON":                          "attachment.pdf",
		"\u202Egpj.exe":                "gpj_exe.pdf",
		"x\r\nContent-Type: text/html": "x_Content-Type_text_html.pdf",
		strings.Repeat("a", 200):       strings.Repeat("a", 60) + ".pdf",
	} {
		if got := safeFilename(title, ".pdf"); got != want {
			t.Errorf("safeFilename(%q) = %q, want %q", title, got, want)
		}
	}
}
