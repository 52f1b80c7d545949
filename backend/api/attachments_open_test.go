package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/records"
)

// openAttachmentHandler is attachmentHandler's record with an OpenURL that
// records what it was asked to open (the window's system browser).
func openAttachmentHandler(t *testing.T, types []string, body string) (*handler, *[]string) {
	t.Helper()
	base := attachmentHandler(t, types, func(string) string { return body }).(*handler)
	var opened []string
	opt := base.opt
	opt.OpenURL = func(url string) error { opened = append(opened, url); return nil }
	return New(opt).(*handler), &opened
}

// postOpen sends POST .../attachments/{index}/open straight to the handler
// (what the route "POST /api/documents/{id}/attachments/{index}/open" runs).
func postOpen(h *handler, id, index string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/api/documents/"+id+"/attachments/"+index+"/open", nil)
	r.SetPathValue("id", id)
	r.SetPathValue("index", index)
	w := httptest.NewRecorder()
	h.withRecord(h.openAttachment)(w, r)
	return w
}

// In the window, opening an attachment hands the system browser a loopback
// URL that serves the file once, with the same headers as the download, and
// then never again.
func TestOpenAttachmentInSystemBrowser(t *testing.T) {
	h, opened := openAttachmentHandler(t, []string{"application/pdf", "image/svg+xml"}, "%PDF-1.4 clinic letter")
	for i, want := range []struct{ ctype, disposition string }{
		{"application/pdf", `inline; filename="Clinic letter_etc_passwd_html.pdf"`},
		{"application/octet-stream", `attachment; filename="Clinic letter_etc_passwd_html.bin"`},
	} {
		index := string(rune('0' + i))
		w := postOpen(h, "hostile", index)
		var got struct{ Opened bool }
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &got) != nil || !got.Opened {
			t.Fatalf("POST open %d = %d %s", i, w.Code, w.Body)
		}
		if len(*opened) != i+1 || !strings.HasPrefix((*opened)[i], "http://127.0.0.1:") {
			t.Fatalf("opened %q, want one loopback URL more", *opened)
		}
		res, err := http.Get((*opened)[i])
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || string(b) != "%PDF-1.4 clinic letter" {
			t.Fatalf("GET the opened URL = %d %q", res.StatusCode, b)
		}
		if ct, cd := res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"); ct != want.ctype || cd != want.disposition {
			t.Errorf("attachment %d served as %q, %q; want %q, %q", i, ct, cd, want.ctype, want.disposition)
		}
		if csp := res.Header.Get("Content-Security-Policy"); csp != attachmentSandbox {
			t.Errorf("Content-Security-Policy %q, want the attachment sandbox", csp)
		}
		if res, err := http.Get((*opened)[i]); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				t.Errorf("the URL served the file a second time")
			}
		}
	}
	if w := postOpen(h, "hostile", "7"); w.Code != 404 {
		t.Errorf("POST open of a missing attachment = %d, want 404", w.Code)
	}
	if w := postOpen(h, "hostile", "x"); w.Code != 404 {
		t.Errorf("POST open of index x = %d, want 404", w.Code)
	}
}

// A URL handed out before the vault locked does not serve the file after.
func TestOpenAttachmentAfterLock(t *testing.T) {
	base, tok := unlocked(t)
	if w := upload(base, tok, "name=demo.json&source=Demo+Hospital", demoBundle(t, 0)); w.Code != 200 {
		t.Fatalf("import = %d %s", w.Code, w.Body)
	}
	var opened []string
	opt := base.(*handler).opt
	opt.OpenURL = func(url string) error { opened = append(opened, url); return nil }
	h := New(opt).(*handler)
	var list struct{ Documents []records.Document }
	r := httptest.NewRequest(http.MethodGet, "/api/documents", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, d := range list.Documents {
		if len(d.Attachments) > 0 {
			id = d.ID
			break
		}
	}
	if id == "" {
		t.Fatal("the demo record has no document with an attachment")
	}
	r = httptest.NewRequest(http.MethodPost, "/api/documents/"+id+"/attachments/0/open", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	r.SetPathValue("id", id)
	r.SetPathValue("index", "0")
	w = httptest.NewRecorder()
	h.withRecord(h.openAttachment)(w, r)
	if w.Code != 200 || len(opened) != 1 {
		t.Fatalf("POST open = %d %s, opened %q", w.Code, w.Body, opened)
	}
	if r := call(t, h, "POST", "/api/vault/lock", tok, ""); r.code != 200 && r.code != 204 {
		t.Fatalf("lock = %d %v", r.code, r.body)
	}
	res, err := http.Get(opened[0])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusGone || !strings.Contains(string(b), "Open it again from Ward") {
		t.Fatalf("GET after lock = %d %q, want 410 without the file", res.StatusCode, b)
	}
}

// ward serve has no system browser to hand files to: no such address.
func TestOpenAttachmentNotInServe(t *testing.T) {
	h := attachmentHandler(t, []string{"application/pdf"}, func(string) string { return "%PDF" }).(*handler)
	if w := postOpen(h, "hostile", "0"); w.Code != 404 {
		t.Fatalf("POST open without OpenURL = %d, want 404", w.Code)
	}
}
