package records

import (
	"encoding/json"
	"testing"

	"github.com/ward-health/ward/backend/fhir"
)

func TestRangesInWords(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		text string
		want []bound
	}{
		{"3.5-5.0", []bound{{lo: f(3.5), hi: f(5)}}},
		{"3.5 - 5.0 mmol/L", []bound{{lo: f(3.5), hi: f(5)}}},
		{"(3.5–5.0)", []bound{{lo: f(3.5), hi: f(5)}}},
		{"3.5 to 5.0", []bound{{lo: f(3.5), hi: f(5)}}},
		{"-2 - 2", []bound{{lo: f(-2), hi: f(2)}}},
		{"< 6.5 %", []bound{{hi: f(6.5), hiExcl: true}}},
		{"<=6.5", []bound{{hi: f(6.5)}}},
		{">= 90", []bound{{lo: f(90)}}},
		{"> 60", []bound{{lo: f(60), loExcl: true}}},
		{"up to 5", []bound{{hi: f(5)}}},
		{"M 130-180 g/L; F 115-165 g/L", []bound{{lo: f(130), hi: f(180), sex: "male"}, {lo: f(115), hi: f(165), sex: "female"}}},
		{"Male: 130-180, Female: 115-165", []bound{{lo: f(130), hi: f(180), sex: "male"}, {lo: f(115), hi: f(165), sex: "female"}}},
		{"Women 115 - 165", []bound{{lo: f(115), hi: f(165), sex: "female"}}},
		// Not read: a half-understood range is worse than none.
		{"Negative", nil},
		{"5-3", nil},
		{"3.5-5.0; 4-6", nil}, // two ranges, not one per sex
		{"", nil},
	}
	for _, tt := range tests {
		got := parseRangeText(tt.text)
		if len(got) != len(tt.want) {
			t.Errorf("%q: %d ranges, want %d", tt.text, len(got), len(tt.want))
			continue
		}
		for i := range got {
			g, w := got[i], tt.want[i]
			if fmtNum(g.lo) != fmtNum(w.lo) || fmtNum(g.hi) != fmtNum(w.hi) || g.loExcl != w.loExcl || g.hiExcl != w.hiExcl || g.sex != w.sex {
				t.Errorf("%q [%d] = lo %s hi %s excl %v/%v sex %q; want lo %s hi %s excl %v/%v sex %q", tt.text, i,
					fmtNum(g.lo), fmtNum(g.hi), g.loExcl, g.hiExcl, g.sex, fmtNum(w.lo), fmtNum(w.hi), w.loExcl, w.hiExcl, w.sex)
			}
		}
	}
}

func TestComparatorValues(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	r4590 := bound{lo: f(45), hi: f(90)}
	r05 := bound{lo: f(0), hi: f(5)}
	below5 := bound{hi: f(5), hiExcl: true}
	above60 := bound{lo: f(60)}
	tests := []struct {
		name       string
		b          bound
		v          float64
		comparator string
		check      string
		flag       string
	}{
		{">=500 against 45-90 is high", r4590, 500, ">=", rangeOut, "high"},
		{">90 against 45-90 is high", r4590, 90, ">", rangeOut, "high"},
		{">=90 against 45-90 cannot be placed", r4590, 90, ">=", rangeUnclear, ""},
		{">50 against 45-90 cannot be placed", r4590, 50, ">", rangeUnclear, ""},
		{"<2 against 0-5 is in", r05, 2, "<", rangeIn, ""},
		{"<40 against 45-90 is low", r4590, 40, "<", rangeOut, "low"},
		{"<45 against 45-90 is low", r4590, 45, "<", rangeOut, "low"},
		{"<50 against 45-90 cannot be placed", r4590, 50, "<", rangeUnclear, ""},
		{">90 against >=60 is in", above60, 90, ">", rangeIn, ""},
		{"5 against <5 is high", below5, 5, "", rangeOut, "high"},
		{"4.9 against <5 is in", below5, 4.9, "", rangeIn, ""},
		{"plain high", r4590, 91, "", rangeOut, "high"},
		{"plain low", r4590, 44.9, "", rangeOut, "low"},
		{"plain at the ends is in", r4590, 45, "", rangeIn, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c, fl := tt.b.check(tt.v, tt.comparator); c != tt.check || fl != tt.flag {
				t.Errorf("check = %q, %q; want %q, %q", c, fl, tt.check, tt.flag)
			}
		})
	}
}

func TestSexSpecificRanges(t *testing.T) {
	both := parseRangeText("M 130-180 g/L; F 115-165 g/L")
	v := 120.0
	tests := []struct {
		sex    string
		n      int
		check  string
		flag   string
		forWho string
	}{
		{"female", 1, rangeIn, "", "Women"},
		{"male", 1, rangeOut, "low", "Men"},
		{"", 2, rangeUnclear, "", ""}, // normal for women, low for men: shown both, judged neither
	}
	for _, tt := range tests {
		bs := forPatient(both, tt.sex)
		c, fl := checkAll(bs, &v, "")
		if len(bs) != tt.n || c != tt.check || fl != tt.flag {
			t.Errorf("sex %q: %d ranges, %q %q; want %d, %q %q", tt.sex, len(bs), c, fl, tt.n, tt.check, tt.flag)
		}
		if tt.forWho != "" && bs[0].shown("g/L").For != tt.forWho {
			t.Errorf("sex %q: range for %q", tt.sex, bs[0].shown("g/L").For)
		}
	}
	structured := boundsOf([]fhir.ReferenceRange{
		{Text: "115-165", AppliesTo: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: "http://snomed.info/sct", Code: "248152002"}}}}},
		{Text: "130-180", AppliesTo: []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: "http://snomed.info/sct", Code: "248153007"}}}}},
	})
	if bs := forPatient(structured, "male"); len(bs) != 1 || fmtNum(bs[0].lo) != "130" {
		t.Errorf("appliesTo male: %+v", bs)
	}
}

func TestInterpretations(t *testing.T) {
	v3 := "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	coded := func(code, display string) []fhir.CodeableConcept {
		return []fhir.CodeableConcept{{Coding: []fhir.Coding{{System: v3, Code: code, Display: display}}}}
	}
	text := func(s string) []fhir.CodeableConcept { return []fhir.CodeableConcept{{Text: s}} }
	tests := []struct {
		name   string
		in     []fhir.CodeableConcept
		flag   string
		label  string
		normal bool
	}{
		{"HH", coded("HH", ""), "critical-high", "Very high: needs urgent attention", false},
		{"LL", coded("LL", ""), "critical-low", "Very low: needs urgent attention", false},
		{"AA", coded("AA", ""), "critical", "Very abnormal: needs urgent attention", false},
		{"HU is high, not urgent", coded("HU", ""), "high", "Much higher than normal", false},
		{"LU", coded("LU", ""), "low", "Much lower than normal", false},
		{"off scale high", coded(">", ""), "high", "Above what the test can measure", false},
		{"off scale low", coded("<", ""), "low", "Below what the test can measure", false},
		{"HX", coded("HX", ""), "high", "Above the upper limit", false},
		{"LX", coded("LX", ""), "low", "Below the lower limit", false},
		{"H with the source's words", coded("H", "Above high normal"), "high", "Above high normal", false},
		{"POS", coded("POS", ""), "abnormal", "Positive", false},
		{"DET", coded("DET", ""), "abnormal", "Detected", false},
		{"NEG", coded("NEG", ""), "", "Negative", true},
		{"ND", coded("ND", ""), "", "Not detected", true},
		{"IND is neither", coded("IND", ""), "", "Indeterminate", false},
		{"N", coded("N", ""), "", "Normal", true},
		{"lower case code", coded("hh", ""), "critical-high", "Very high: needs urgent attention", false},
		{"critical in a display only", coded("X1", "Critical high"), "critical-high", "Very high: needs urgent attention", false},
		{"critical in text only", text("CRITICAL LOW - phoned"), "critical-low", "Very low: needs urgent attention", false},
		{"panic value", text("Panic value"), "critical", "Very abnormal: needs urgent attention", false},
		{"not critical is not urgent", text("Not critical"), "", "Not critical", false},
		{"words only", text("Borderline"), "", "Borderline", false},
		{"words Ward reads", text("High"), "high", "High", false},
		{"nothing", nil, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := interpret(tt.in)
			if r.flag != tt.flag || r.label != tt.label || r.normal != tt.normal {
				t.Errorf("interpret = %+v; want flag %q label %q normal %v", r, tt.flag, tt.label, tt.normal)
			}
		})
	}
	for code, r := range interpretations {
		if r.label == "" {
			t.Errorf("%s has no words", code)
		}
		if urgentFlag(r.flag) != (code == "HH" || code == "LL" || code == "AA") {
			t.Errorf("%s: urgent %v; only HH, LL and AA are urgent", code, urgentFlag(r.flag))
		}
	}
}

func TestCodedValuesInWords(t *testing.T) {
	tests := []struct {
		cc   fhir.CodeableConcept
		want string
	}{
		{fhir.CodeableConcept{Coding: []fhir.Coding{{System: "http://snomed.info/sct", Code: "260373001"}}}, "Detected"},
		{fhir.CodeableConcept{Coding: []fhir.Coding{{System: "http://snomed.info/sct", Code: "260415000"}}}, "Not detected"},
		{fhir.CodeableConcept{Coding: []fhir.Coding{{System: "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", Code: "POS"}}}, "Positive"},
		{fhir.CodeableConcept{Coding: []fhir.Coding{{System: "http://snomed.info/sct", Code: "10828004", Display: "Positive (qualifier value)"}}}, "Positive (qualifier value)"},
		{fhir.CodeableConcept{Text: "Growth of E. coli"}, "Growth of E. coli"},
		{fhir.CodeableConcept{Coding: []fhir.Coding{{System: "http://example.org", Code: "XYZ"}}}, "XYZ"},
	}
	for _, tt := range tests {
		if got := meaningOf(&tt.cc); got != tt.want {
			t.Errorf("meaningOf(%+v) = %q, want %q", tt.cc, got, tt.want)
		}
	}
}

func FuzzParseRangeText(f *testing.F) {
	for _, s := range []string{"3.5-5.0", "< 6.5 %", ">= 90", "M 130-180 g/L; F 115-165 g/L", "(1-2)", "-", "M", "1e309-2", "Men: -5 to -1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, b := range parseRangeText(s) {
			if b.lo == nil && b.hi == nil {
				t.Fatalf("%q: a range with no ends", s)
			}
			if b.lo != nil && b.hi != nil && *b.lo > *b.hi {
				t.Fatalf("%q: low %v above high %v", s, *b.lo, *b.hi)
			}
			v := 1.0
			b.check(v, "<")
		}
	})
}

func TestRangeEndsAsWritten(t *testing.T) {
	lo, hi := json.Number("12.0"), json.Number("16.50")
	bs := boundsOf([]fhir.ReferenceRange{{Low: &fhir.Quantity{Value: &lo}, High: &fhir.Quantity{Value: &hi}}})
	if len(bs) != 1 {
		t.Fatalf("%d ranges", len(bs))
	}
	if r := bs[0].shown("g/dL"); r.Low != "12.0" || r.High != "16.50" || r.Text != "12.0 to 16.50 g/dL" {
		t.Errorf("range shown as %+v; want the ends as the source wrote them", r)
	}
}
