package units

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestConvert(t *testing.T) {
	for _, c := range []struct {
		name     string
		value    float64
		from, to string
		want     float64
	}{
		{"lb to kg", 154, "[lb_av]", "kg", 69.8532249},
		{"typed lbs to kg", 154, "lbs", "kg", 69.8532249},
		{"kg to lb", 70, "kg", "[lb_av]", 154.3235835},
		{"stone to kg", 11, "[stone_av]", "kg", 69.8532249},
		{"mg/dL to g/L", 180, "mg/dL", "g/L", 1.8},
		{"g/dL to g/L", 13.5, "g/dL", "g/L", 135},
		{"thousands per microlitre to billions per litre", 6.2, "10*3/uL", "10*9/L", 6.2},
		{"typed x10^9 per litre", 6.2, "x10^9/L", "10*9/L", 6.2},
		{"typed 10^9 per litre in lower case", 6.2, "10^9/l", "10*3/uL", 6.2},
		{"printed ×10⁹ per litre", 6.2, "×10⁹/L", "10*9/L", 6.2},
		{"cells per microlitre", 6200, "{cells}/uL", "10*9/L", 6.2},
		{"umol/L to mmol/L", 85, "umol/L", "mmol/L", 0.085},
		{"µmol/L typed with a micro sign", 85, "µmol/L", "mmol/L", 0.085},
		{"mmol/l in lower case", 5.5, "mmol/l", "mmol/L", 5.5},
		{"Fahrenheit to Celsius", 98.6, "[degF]", "Cel", 37},
		{"typed °F to °C", 212, "°F", "°C", 100},
		{"Celsius to Fahrenheit", 37, "Cel", "[degF]", 98.6},
		{"inches to cm", 70, "[in_i]", "cm", 177.8},
		{"feet to m", 6, "[ft_i]", "m", 1.8288},
		{"mmHg to kPa", 120, "mm[Hg]", "kPa", 15.9986865},
		{"typed mmHg", 120, "mmHg", "mm[Hg]", 120},
		{"beats per minute", 72, "{beats}/min", "/min", 72},
		{"bpm", 72, "bpm", "{beats}/min", 72},
		{"kg/m2 typed with a power", 24, "kg/m^2", "kg/m2", 24},
		{"kg/m² printed", 24, "kg/m²", "kg/m2", 24},
		{"eGFR", 90, "mL/min/{1.73_m2}", "mL/min", 90},
		{"milli-international units", 2500, "m[IU]/L", "[IU]/L", 2.5},
		{"mEq/L", 140, "meq/L", "mmol/L", 0},
		{"percent", 45, "%", "%", 45},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := Convert(c.value, c.from, c.to)
			if c.want == 0 {
				if ok {
					t.Fatalf("Convert(%v, %q, %q) = %v, want no conversion", c.value, c.from, c.to, got)
				}
				return
			}
			if !ok || math.Abs(got-c.want) > 1e-6*math.Abs(c.want) {
				t.Fatalf("Convert(%v, %q, %q) = %v, %v; want %v", c.value, c.from, c.to, got, ok, c.want)
			}
		})
	}
}

func TestNotConvertible(t *testing.T) {
	for _, c := range [][2]string{
		{"mg/dL", "mmol/L"},  // needs a molar mass
		{"%", "mmol/mol"},    // HbA1c: two scales, not two units
		{"[IU]/L", "U/L"},    // arbitrary units
		{"", "kg"},           // no unit
		{"kg", "kg/m2"},      // different kinds
		{"Cel", "mm[Hg]"},    // different kinds
		{"mEq/L", "mmol/L"},  // needs a valence
		{"furlongs", "m"},    // unknown
		{"Cel/min", "Cel/h"}, // a temperature in a compound has no offset to apply
	} {
		if v, ok := Convert(1, c[0], c[1]); ok {
			t.Errorf("Convert(1, %q, %q) = %v, want no conversion", c[0], c[1], v)
		}
		if s := Conversion(c[0], c[1]); s != "" {
			t.Errorf("Conversion(%q, %q) = %q, want none", c[0], c[1], s)
		}
	}
}

func TestParse(t *testing.T) {
	for _, s := range []string{"kg", "mg/dL", "10*9/L", "x10^9/L", "10^9/l", "°C", "lbs", "{score}", "1", "%", "mL/min/{1.73_m2}", "/min", "g.m-2", "mmol/(24.h)", "ug/mL", "fL", "pg"} {
		if _, ok := Parse(s); !ok {
			t.Errorf("Parse(%q) failed", s)
		}
	}
	for _, s := range []string{"", " ", "blah", "mg/", "kg//m", "{unclosed", "[lb_av", "m^", "10*", "0/L", "Cel2", "/Cel", "10*999/L", "mx"} {
		if u, ok := Parse(s); ok {
			t.Errorf("Parse(%q) = %+v, want not understood", s, u)
		}
	}
}

func TestKind(t *testing.T) {
	if Kind("[lb_av]") != Kind("kg") || Kind("mg/dL") != Kind("g/L") || Kind("10*3/uL") != Kind("10*9/L") {
		t.Error("convertible units should be one kind")
	}
	if Kind("mg/dL") == Kind("mmol/L") || Kind("") == Kind("1") || Kind("blah") == Kind("bleh") || Kind("%") == Kind("mmol/mol") {
		t.Error("units that do not convert should be different kinds")
	}
	if Kind("") != "" || Kind("  ") != "" {
		t.Error("no unit is the kind \"\"")
	}
}

func TestConversion(t *testing.T) {
	for _, c := range [][3]string{
		{"[lb_av]", "kg", "Converted from lb: 1 lb = 0.4536 kg"},
		{"kg", "[lb_av]", "Converted from kg: 1 kg = 2.205 lb"},
		{"mg/dL", "g/L", "Converted from mg/dL: 1 mg/dL = 0.01 g/L"},
		{"10*3/uL", "10*9/L", "Converted from ×10³/µL: 1 ×10³/µL = 1 ×10⁹/L"},
		{"umol/L", "mmol/L", "Converted from µmol/L: 1 µmol/L = 0.001 mmol/L"},
		{"[in_i]", "cm", "Converted from in: 1 in = 2.54 cm"},
		{"[degF]", "Cel", "Converted from °F: °C = (°F − 32) ÷ 1.8"},
		{"Cel", "[degF]", "Converted from °C: °F = °C × 1.8 + 32"},
		{"kg", "kg", ""},
		{"{beats}/min", "/min", "Converted from beats/min: 1 beats/min = 1 /min"},
	} {
		if got := Conversion(c[0], c[1]); got != c[2] {
			t.Errorf("Conversion(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{{0.45359237, "0.4536"}, {2.20462262, "2.205"}, {1000, "1000"}, {0.01, "0.01"}, {1, "1"}, {0, "0"}, {1e-9, "1e-09"}, {-32, "-32"}, {1.8, "1.8"}} {
		if got := Number(c.x); got != c.want {
			t.Errorf("Number(%v) = %q, want %q", c.x, got, c.want)
		}
	}
}

// TestText checks the unit display rules on the table the page's tests use too.
func TestText(t *testing.T) {
	data, err := os.ReadFile("testdata/text.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Units [][2]string `json:"units"`
	}
	if err := json.Unmarshal(data, &table); err != nil {
		t.Fatal(err)
	}
	if len(table.Units) < 20 {
		t.Fatalf("%d cases", len(table.Units))
	}
	for _, c := range table.Units {
		if got := Text(c[0]); got != c[1] {
			t.Errorf("Text(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"kg", "mg/dL", "10*9/L", "x10^9/L", "°C", "[lb_av]", "mL/min/{1.73_m2}", "mmol/(24.h)", "kg/m²", "10⁻³", "{", "(", "/", "m-1.s^2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = Text(s)
		u, ok := Parse(s)
		if !ok {
			return
		}
		if !(u.factor > 0) || math.IsInf(u.factor, 0) {
			t.Fatalf("Parse(%q) factor %v", s, u.factor)
		}
		if !u.SameKind(u) {
			t.Fatalf("Parse(%q) is not its own kind", s)
		}
		if v, ok := Convert(37.5, s, s); !ok || !near(v, 37.5) {
			t.Fatalf("Convert(37.5, %q, %q) = %v, %v", s, s, v, ok)
		}
		if Kind(s) == "" {
			t.Fatalf("Kind(%q) is empty for a unit", s)
		}
	})
}
