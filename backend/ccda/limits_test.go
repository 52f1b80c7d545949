package ccda

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/records"
)

// split is about size bytes of text cut into one-character pieces by
// comments, which the XML decoder hands over as separate tokens.
func split(size int) string { return strings.Repeat("a<!---->", size/8) }

const problemSection = `<code code="11450-4"/><templateId root="2.16.840.1.113883.10.20.22.2.5.1"/>`

// problemEntry is a problem whose name is the narrative element #id.
func problemEntry(id string) string {
	return `<entry><act classCode="ACT" moodCode="EVN"><statusCode code="active"/><entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">` +
		`<value xsi:type="CD" nullFlavor="OTH"><originalText><reference value="#` + id + `"/></originalText></value></observation></entryRelationship></act></entry>`
}

// adversarial generates documents of about size bytes built to make a
// careless reader do work quadratic in their size.
var adversarial = []struct {
	name string
	gen  func(size int) string
}{
	{"comment-split narrative", func(size int) string {
		return doc(`<component><section>` + problemSection + `<title>Problems</title><text><paragraph ID="n1">` + split(size) + `</paragraph></text>` + problemEntry("n1") + `</section></component>`)
	}},
	{"comment-split section title", func(size int) string {
		return doc(`<component><section>` + problemSection + `<title>` + split(size) + `</title><text>x</text></section></component>`)
	}},
	{"comment-split document title", func(size int) string {
		return strings.Replace(doc(`<component><section><title>S</title><text>x</text></section></component>`), "<title>Test</title>", "<title>"+split(size)+"</title>", 1)
	}},
	{"comment-split entry text", func(size int) string {
		return doc(`<component><section>` + problemSection + `<entry><act><entryRelationship typeCode="SUBJ"><observation><value xsi:type="CD" nullFlavor="OTH"><originalText>` + split(size) + `</originalText></value></observation></entryRelationship></act></entry></section></component>`)
	}},
	{"many entries naming one huge element", func(size int) string {
		var b strings.Builder
		b.WriteString(`<component><section>` + problemSection + `<text><content ID="n1">`)
		b.WriteString(strings.Repeat("<br/>", size/2/5))
		b.WriteString(`</content></text>`)
		entry := problemEntry("n1")
		for range size / 2 / len(entry) {
			b.WriteString(entry)
		}
		b.WriteString(`</section></component>`)
		return doc(b.String())
	}},
}

// cost is the best of runs timings of fn, to keep scheduler noise out.
func cost(runs int, fn func()) time.Duration {
	best := time.Duration(1 << 62)
	for range runs {
		t := time.Now()
		fn()
		best = min(best, time.Since(t))
	}
	return best
}

// assertLinear fails unless fn on a 2 MB input costs at most 60 times what
// it costs on a 100 KB one (20 times the size; a quadratic reader costs
// 400 times). A machine busy with other work can make one measurement
// look bad, so it fails only when three in a row do.
func assertLinear(t *testing.T, gen func(int) string, fn func(string)) {
	t.Helper()
	small, large := gen(100<<10), gen(2<<20)
	fn(small) // warm up
	var ratio float64
	for range 3 {
		ts := cost(5, func() { fn(small) })
		tl := cost(2, func() { fn(large) })
		ratio = float64(tl) / float64(max(ts, time.Microsecond))
		t.Logf("%d bytes: %v, %d bytes: %v (%.1f×)", len(small), ts, len(large), tl, ratio)
		if ratio <= 60 {
			return
		}
	}
	t.Errorf("20× the input took %.0f× the time: reading is not linear", ratio)
}

func TestAdversarialParseIsLinear(t *testing.T) {
	for _, a := range adversarial {
		t.Run(a.name, func(t *testing.T) {
			assertLinear(t, a.gen, func(in string) {
				if _, err := Parse(strings.NewReader(in)); err != nil {
					var le *LimitError
					if !errors.As(err, &le) {
						t.Fatalf("refused with %v, want a *LimitError", err)
					}
				}
			})
		})
	}
}

// TestAdversarialLetterIsLinear renders comment-split C-CDA documents as
// letters (package records), which reads the XML again on its own.
func TestAdversarialLetterIsLinear(t *testing.T) {
	for _, a := range adversarial[:3] {
		t.Run(a.name, func(t *testing.T) {
			assertLinear(t, a.gen, func(in string) {
				raw := `{"resourceType":"DocumentReference","id":"d","status":"current","content":[{"attachment":{"contentType":"application/hl7-v3+xml","data":"` +
					base64.StdEncoding.EncodeToString([]byte(in)) + `"}}]}`
				rec := records.Build(time.Now(), records.Set{Source: records.Source{Name: "x"}, Resources: []fhir.Resource{{Type: "DocumentReference", ID: "d", Raw: []byte(raw)}}})
				d, ok := rec.Document("d")
				if !ok || d.HTML == "" || len(d.Title) > 4<<10 {
					t.Fatalf("letter: found %v, %d bytes of HTML, %d-byte title", ok, len(d.HTML), len(d.Title))
				}
			})
		})
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		ctx     func() context.Context
		nodes   int    // maxNodes for the test, when not the real one
		want    error  // matched with errors.Is, or
		limit   string // the LimitError's What
		problem string // else: the problem's name
	}{
		{name: "too many elements", in: doc(strings.Repeat("<a/>", maxNodes)), limit: "elements"},
		{name: "too many text runs", in: doc(strings.Repeat("<a/>x", 501)), nodes: 1000, limit: "elements"},
		{name: "title too long", in: strings.Replace(doc(""), "Test", strings.Repeat("t", maxTitle+1), 1), limit: "title"},
		{name: "long title split by comments", in: strings.Replace(doc(""), "Test", split(8*(maxTitle+1)), 1), limit: "title"},
		{name: "whitespace between elements is not counted", in: doc(strings.Repeat("<a/>\n ", 900)), nodes: 1000},
		{name: "long text cut short", in: doc(`<component><section>` + problemSection + `<text><paragraph ID="n1">` + strings.Repeat("é", maxNodeText) + `</paragraph></text>` + problemEntry("n1") + `</section></component>`), problem: strings.Repeat("é", maxText/2) + "…"},
		{name: "split text joins up", in: doc(`<component><section>` + problemSection + `<text><paragraph ID="n1">Mig<!-- x -->raine<?pi?></paragraph></text>` + problemEntry("n1") + `</section></component>`), problem: "Migraine"},
		{name: "cancelled", in: doc(""), ctx: func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, want: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.nodes > 0 {
				defer func(n int) { maxNodes = n }(maxNodes)
				maxNodes = tt.nodes
			}
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx()
			}
			d, err := ParseContext(ctx, strings.NewReader(tt.in))
			var le *LimitError
			switch {
			case tt.want != nil:
				if !errors.Is(err, tt.want) {
					t.Fatalf("error %v, want %v", err, tt.want)
				}
			case tt.limit != "":
				if !errors.As(err, &le) || le.What != tt.limit || strings.Contains(err.Error(), "%!") {
					t.Fatalf("error %v, want a *LimitError for the %s", err, tt.limit)
				}
			case err != nil:
				t.Fatal(err)
			case tt.problem != "":
				if len(d.Entries) != 1 {
					t.Fatalf("%d entries, skipped %+v", len(d.Entries), d.Skipped)
				}
				if got := fmt.Sprint(decode(t, d.Entries[0])["code"].(map[string]any)["text"]); got != tt.problem {
					t.Errorf("problem named %.40q (%d bytes), want %.40q (%d bytes)", got, len(got), tt.problem, len(tt.problem))
				}
			}
		})
	}
}

func decode(t *testing.T, r fhir.Resource) map[string]any {
	t.Helper()
	var m map[string]any
	if err := r.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func BenchmarkParseCommentSplit(b *testing.B) {
	in := adversarial[0].gen(2 << 20)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Parse(strings.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
