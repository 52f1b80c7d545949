package fhir

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
)

// xmlBundle generates a FHIR XML Bundle of about size bytes: a patient
// and observations like a laboratory's, each with a narrative.
func xmlBundle(size int) string {
	var b strings.Builder
	b.WriteString(`<Bundle xmlns="http://hl7.org/fhir"><id value="b"/><type value="collection"/>`)
	b.WriteString(`<entry><fullUrl value="urn:uuid:p"/><resource><Patient><id value="p"/><name><family value="Lee"/><given value="Ann"/></name><birthDate value="1970-01-01"/></Patient></resource></entry>`)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `<entry><fullUrl value="urn:uuid:o%d"/><resource><Observation><id value="o%d"/>`+
			`<text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>Haemoglobin <b>%d</b> g/L</p></div></text>`+
			`<status value="final"/><category><coding><system value="http://terminology.hl7.org/CodeSystem/observation-category"/><code value="laboratory"/></coding></category>`+
			`<code><coding><system value="http://loinc.org"/><code value="718-7"/><display value="Hemoglobin"/></coding><text value="Haemoglobin"/></code>`+
			`<subject><reference value="Patient/p"/></subject><effectiveDateTime value="2020-01-02T10:30:00Z"/>`+
			`<valueQuantity><value value="%d.0"/><unit value="g/L"/><system value="http://unitsofmeasure.org"/><code value="g/L"/></valueQuantity>`+
			`<interpretation><coding><code value="N"/></coding></interpretation>`+
			`<referenceRange><low><value value="130"/></low><high><value value="180"/></high></referenceRange></Observation></resource></entry>`, i, i, 100+i%80, 100+i%80)
	}
	b.WriteString(`</Bundle>`)
	return b.String()
}

// xmlDense generates one resource of about size bytes made of many tiny
// elements, which must be held as a tree until it ends.
func xmlDense(size int) string {
	var b strings.Builder
	b.WriteString(`<Observation xmlns="http://hl7.org/fhir"><id value="d"/><status value="final"/><code><text value="x"/></code>`)
	for b.Len() < size {
		b.WriteString(`<component><code><text value="c"/></code><valueInteger value="1"/></component>`)
	}
	b.WriteString(`</Observation>`)
	return b.String()
}

// TestXMLMemory converts 20 MB of FHIR XML and reads the result, as the
// intake does, and reports the heap it took. Reading may hold 4 times the
// largest resource and 64 MB besides. The collector runs more often than
// usual meanwhile, so the peak sampled is what the conversion holds, not
// when the collector happened to run (with the usual setting, add about
// half as much again). The old converter, holding the whole file as
// maps, took about 30 times the file either way.
func TestXMLMemory(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	for _, tt := range []struct {
		name    string
		in      string
		largest int // bytes of XML in the largest resource
	}{
		{"bundle of observations", xmlBundle(20 << 20), 1 << 10},
		{"one resource of tiny elements", xmlDense(20 << 20), 20 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var n int
			peak, total := peakHeap(func() {
				js, err := XMLToJSON(strings.NewReader(tt.in))
				if err != nil {
					t.Fatal(err)
				}
				for _, err := range Read(bytes.NewReader(js)) {
					if err != nil {
						t.Fatal(err)
					}
					n++
				}
			})
			t.Logf("%d MB of XML, %d resources: peak heap %d MB (%.1f× the file), %d MB allocated", len(tt.in)/mb, n, peak/mb, float64(peak)/float64(len(tt.in)), total/mb)
			if limit := uint64(4*tt.largest + 64*mb); peak > limit {
				t.Errorf("converting and reading held %d MB at its peak, more than %d MB", peak/mb, limit/mb)
			}
		})
	}
}

// TestXMLTooLarge refuses FHIR XML over MaxXMLBytes with a plain error,
// instead of cutting it short (or holding all of it).
func TestXMLTooLarge(t *testing.T) {
	in := gen(`<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/><entry><resource><Binary><data value="`, int64(MaxXMLBytes), `"/></Binary></resource></entry></Bundle>`)
	var err error
	peak, _ := peakHeap(func() { _, err = XMLToJSON(in) })
	t.Logf("peak heap %d MB: %v", peak/mb, err)
	var fe *FormatError
	if !errors.As(err, &fe) || !strings.Contains(fe.Msg, "larger than") {
		t.Fatalf("error %v, want a *FormatError saying the file is too large", err)
	}
}
