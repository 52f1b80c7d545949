package records

import (
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// documentRecord builds a record of one patient and the given documents.
func documentRecord(t *testing.T, docs ...string) *Record {
	t.Helper()
	rs := []fhir.Resource{
		mustParse(t, `{"resourceType":"Patient","id":"p","name":[{"given":["Robin"],"family":"Ash"}]}`),
		mustParse(t, `{"resourceType":"Organization","id":"lth","name":"Leeds Teaching Hospitals"}`),
	}
	for _, d := range docs {
		rs = append(rs, mustParse(t, d))
	}
	return Build(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Set{Source: Source{Name: "Test Trust"}, Resources: rs})
}

func TestCompositionNarrative(t *testing.T) {
	tests := []struct {
		name     string
		doc      string
		want     []string // in the document's HTML, in this order
		notTwice string   // appears once only
	}{
		{"narrative only",
			`{"resourceType":"Composition","id":"c","status":"final","subject":{"reference":"Patient/p"},"date":"2026-01-05","title":"Discharge summary",
				"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Stop taking warfarin.</p><script>alert(1)</script></div>"}}`,
			[]string{"Stop taking warfarin."}, ""},
		{"narrative and sections",
			`{"resourceType":"Composition","id":"c","status":"final","subject":{"reference":"Patient/p"},"date":"2026-01-05","title":"Discharge summary",
				"text":{"div":"<div><p>Follow-up in 2 weeks with Dr Park.</p></div>"},
				"section":[{"title":"Medicines","text":{"div":"<div>Aspirin 75 mg</div>"}}]}`,
			[]string{"Follow-up in 2 weeks", "Medicines", "Aspirin 75 mg"}, ""},
		{"narrative generated from the sections is not repeated",
			`{"resourceType":"Composition","id":"c","status":"final","subject":{"reference":"Patient/p"},"date":"2026-01-05","title":"Summary",
				"text":{"div":"<div><h2>Medicines</h2><p>Aspirin 75 mg</p></div>"},
				"section":[{"title":"Medicines","text":{"div":"<div>Aspirin 75 mg</div>"}}]}`,
			[]string{"Medicines", "Aspirin 75 mg"}, "Aspirin 75 mg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, ok := documentRecord(t, tt.doc).Document("c")
			if !ok {
				t.Fatal("the Composition is not listed")
			}
			if strings.Contains(doc.HTML, "script") {
				t.Errorf("narrative not sanitised: %s", doc.HTML)
			}
			at := 0
			for _, w := range tt.want {
				i := strings.Index(doc.HTML[at:], w)
				if i < 0 {
					t.Fatalf("HTML %q lacks %q (after %d)", doc.HTML, w, at)
				}
				at += i
			}
			if tt.notTwice != "" && strings.Count(doc.HTML, tt.notTwice) != 1 {
				t.Errorf("HTML %q says %q %d times", doc.HTML, tt.notTwice, strings.Count(doc.HTML, tt.notTwice))
			}
		})
	}
}

func TestDocumentsNotCopied(t *testing.T) {
	tests := []struct {
		name       string
		content    string
		custodian  string
		want       string // the note; "" for none
		wantCopied int
	}{
		{"PDF by URL", `{"attachment":{"contentType":"application/pdf","url":"https://fhir.example.org/Binary/123","title":"Clinic letter"}}`, `"custodian":{"reference":"Organization/lth"},`,
			"A PDF held by Leeds Teaching Hospitals; not copied to Ward", 0},
		{"URL with a charset, no custodian", `{"attachment":{"contentType":"Application/PDF; x=1","url":"Binary/elsewhere"}}`, "",
			"A PDF held by Test Trust; not copied to Ward", 0},
		{"image by URL", `{"attachment":{"contentType":"image/jpeg","url":"https://fhir.example.org/Binary/9"}}`, `"custodian":{"display":"St Elsewhere"},`,
			"An image held by St Elsewhere; not copied to Ward", 0},
		{"no content type", `{"attachment":{"url":"https://fhir.example.org/Binary/9"}}`, `"custodian":{"reference":"Organization/lth"},`,
			"A file held by Leeds Teaching Hospitals; not copied to Ward", 0},
		{"data that cannot be read", `{"attachment":{"contentType":"application/pdf","data":"%%%not base64"}}`, "",
			"A PDF in the record that Ward could not read", 0},
		{"data", `{"attachment":{"contentType":"application/pdf","data":"JVBERi0="}}`, "", "", 1},
		{"a Binary in the record", `{"attachment":{"contentType":"application/pdf","url":"Binary/b1"}}`, "", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := documentRecord(t,
				`{"resourceType":"Binary","id":"b1","contentType":"application/pdf","data":"JVBERi0="}`,
				`{"resourceType":"DocumentReference","id":"d","status":"current",`+tt.custodian+`"subject":{"reference":"Patient/p"},"date":"2026-01-05","type":{"text":"Letter"},"content":[`+tt.content+`]}`)
			list := rec.Documents()
			if len(list) != 1 {
				t.Fatalf("%d documents listed, want 1", len(list))
			}
			d := list[0]
			if len(d.Attachments) != tt.wantCopied {
				t.Errorf("attachments = %+v", d.Attachments)
			}
			if tt.want == "" {
				if len(d.NotCopied) != 0 {
					t.Errorf("notCopied = %+v, want none", d.NotCopied)
				}
				return
			}
			if len(d.NotCopied) != 1 || d.NotCopied[0].Note != tt.want {
				t.Fatalf("notCopied = %+v, want %q", d.NotCopied, tt.want)
			}
			if full, _ := rec.Document("d"); len(full.NotCopied) != 1 {
				t.Errorf("the document page lacks the note: %+v", full.NotCopied)
			}
		})
	}
}

func TestDocumentStatus(t *testing.T) {
	const letter = `"subject":{"reference":"Patient/p"},"date":"2026-01-05","content":[{"attachment":{"contentType":"text/plain","data":"SGVsbG8="}}]`
	tests := []struct {
		name   string
		docs   []string
		want   map[string]string // id to status; a missing id is not listed
		newer  map[string]string // id to replacedBy
		absent []string
	}{
		{"superseded by status",
			[]string{`{"resourceType":"DocumentReference","id":"old","status":"superseded",` + letter + `}`},
			map[string]string{"old": "superseded"}, nil, nil},
		{"superseded by a newer one that replaces it",
			[]string{
				`{"resourceType":"DocumentReference","id":"old","status":"current",` + letter + `}`,
				`{"resourceType":"DocumentReference","id":"new","status":"current","relatesTo":[{"code":"replaces","target":{"reference":"DocumentReference/old"}}],` + letter + `}`,
			},
			map[string]string{"old": "superseded", "new": ""}, map[string]string{"old": "new"}, nil},
		{"the newer one listed first in the file",
			[]string{
				`{"resourceType":"Composition","id":"new","status":"final","relatesTo":[{"code":"replaces","targetReference":{"reference":"Composition/old"}}],"title":"Summary v2","subject":{"reference":"Patient/p"},"date":"2026-01-06","text":{"div":"<div>v2</div>"}}`,
				`{"resourceType":"Composition","id":"old","status":"final","title":"Summary","subject":{"reference":"Patient/p"},"date":"2026-01-05","text":{"div":"<div>v1</div>"}}`,
			},
			map[string]string{"old": "superseded", "new": ""}, map[string]string{"old": "new"}, nil},
		{"a replacement entered in error replaces nothing",
			[]string{
				`{"resourceType":"DocumentReference","id":"old","status":"current",` + letter + `}`,
				`{"resourceType":"DocumentReference","id":"bad","status":"entered-in-error","relatesTo":[{"code":"replaces","target":{"reference":"DocumentReference/old"}}],` + letter + `}`,
			},
			map[string]string{"old": ""}, nil, []string{"bad"}},
		{"preliminary DocumentReference",
			[]string{`{"resourceType":"DocumentReference","id":"d","status":"current","docStatus":"preliminary",` + letter + `}`},
			map[string]string{"d": "preliminary"}, nil, nil},
		{"preliminary Composition",
			[]string{`{"resourceType":"Composition","id":"c","status":"preliminary","title":"Draft summary","subject":{"reference":"Patient/p"},"date":"2026-01-05","text":{"div":"<div>Draft</div>"}}`},
			map[string]string{"c": "preliminary"}, nil, nil},
		{"entered in error is not listed",
			[]string{
				`{"resourceType":"DocumentReference","id":"e1","status":"entered-in-error",` + letter + `}`,
				`{"resourceType":"DocumentReference","id":"e2","status":"current","docStatus":"entered-in-error",` + letter + `}`,
				`{"resourceType":"Composition","id":"e3","status":"entered-in-error","title":"Wrong patient","subject":{"reference":"Patient/p"},"date":"2026-01-05"}`,
			},
			map[string]string{}, nil, []string{"e1", "e2", "e3"}},
		{"final and current",
			[]string{`{"resourceType":"DocumentReference","id":"d","status":"current","docStatus":"final",` + letter + `}`},
			map[string]string{"d": ""}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := documentRecord(t, tt.docs...)
			list := rec.Documents()
			if len(list) != len(tt.want) {
				t.Errorf("%d documents listed, want %d: %+v", len(list), len(tt.want), list)
			}
			for _, d := range list {
				want, ok := tt.want[d.ID]
				if !ok {
					t.Errorf("%s is listed", d.ID)
					continue
				}
				if d.Status != want || d.ReplacedBy != tt.newer[d.ID] {
					t.Errorf("%s: status %q replaced by %q on the list, want %q and %q", d.ID, d.Status, d.ReplacedBy, want, tt.newer[d.ID])
				}
				if page, _ := rec.Document(d.ID); page.Status != want || page.ReplacedBy != tt.newer[d.ID] {
					t.Errorf("%s: status %q replaced by %q on its page", d.ID, page.Status, page.ReplacedBy)
				}
			}
			label := map[string]string{"superseded": "Replaced by a newer version", "preliminary": "Not final yet"}
			items, _ := rec.Timeline("", 20)
			for _, it := range items {
				id := strings.TrimPrefix(it.Link, "#/documents/")
				if want := label[tt.want[id]]; !strings.HasPrefix(it.Detail, want) || (want == "" && strings.Contains(it.Detail, "final")) {
					t.Errorf("%s on the timeline: %q, want it to start %q", id, it.Detail, want)
				}
			}
			for _, id := range tt.absent {
				if _, ok := rec.Document(id); ok {
					t.Errorf("%s can be opened", id)
				}
			}
		})
	}
}
