package records

import (
	"encoding/json"
	"strings"
	"testing"
)

// unitsRecord is the safety record with the units fixture imported after it,
// as the end-to-end "safety" vault holds them.
func unitsRecord(t *testing.T) *Record {
	t.Helper()
	first := Set{Source: Source{Name: "Elm Tree Surgery"}, Resources: safetyResources(t)}
	units := Set{Source: Source{Name: "Old clinic"}, Resources: readFixture(t, "../../frontend/e2e/fixtures/safety/40-units.json")}
	return Build(safetyNow, first, units)
}

func mustHistory(t *testing.T, rec *Record, key string) *History {
	t.Helper()
	h, ok := rec.History(key)
	if !ok {
		t.Fatalf("no history for %s", key)
	}
	return h
}

func seriesUnits(h *History) []string {
	var out []string
	for _, s := range h.Series {
		out = append(out, s.Unit)
	}
	return out
}

func TestHistorySeries(t *testing.T) {
	rec := unitsRecord(t)
	t.Run("convertible units share a chart, the conversion named", func(t *testing.T) {
		h := mustHistory(t, rec, "loinc|29463-7")
		kg := h.Series[0]
		if kg.Unit != "kg" || len(kg.Points) != 5 {
			t.Fatalf("first series %s with %d points, want kg with 5: %+v", kg.Unit, len(kg.Points), h.Series)
		}
		if len(kg.Conversions) != 1 || kg.Conversions[0] != "Converted from lb: 1 lb = 0.4536 kg" {
			t.Errorf("conversions %q", kg.Conversions)
		}
		p := kg.Points[0]
		if !p.Converted || p.Value != "154 lb" || p.Number < 69.85 || p.Number > 69.86 {
			t.Errorf("oldest point %+v, want 154 lb as 69.85 kg, marked converted", p)
		}
		if last := kg.Points[len(kg.Points)-1]; last.Converted || last.Number != 66.8 || last.Value != "66.8 kg" {
			t.Errorf("newest point %+v", last)
		}
		if kg.Range != nil {
			t.Errorf("no range was given, series has %+v", kg.Range)
		}
	})
	t.Run("a number without a unit is a series of its own", func(t *testing.T) {
		h := mustHistory(t, rec, "loinc|29463-7")
		if got := seriesUnits(h); len(got) != 2 || got[1] != "" || len(h.Series[1].Points) != 1 {
			t.Fatalf("series units %q", got)
		}
		if len(h.Points) != 6 {
			t.Errorf("table has %d points, want all 6", len(h.Points))
		}
		for _, p := range h.Points {
			if p.Unit == "" && !p.UnitMissing {
				t.Errorf("%+v: a number with no unit should say so", p)
			}
		}
	})
	t.Run("units that do not convert are charts of their own", func(t *testing.T) {
		h := mustHistory(t, rec, "loinc|2345-7")
		if got := seriesUnits(h); len(got) != 2 || got[0] != "mmol/L" || got[1] != "mg/dL" {
			t.Fatalf("glucose series %q, want mmol/L (newest) then mg/dL", got)
		}
		for _, s := range h.Series {
			if len(s.Conversions) != 0 {
				t.Errorf("%s: no conversion without a molar mass, got %q", s.Unit, s.Conversions)
			}
			for _, p := range s.Points {
				if p.Converted {
					t.Errorf("%s: %+v converted", s.Unit, p)
				}
			}
		}
		mg := h.Series[1]
		if mg.Range == nil || mg.Range.Low != "70" || mg.Range.High != "99" {
			t.Errorf("mg/dL series range %+v, want 70 to 99", mg.Range)
		}
		if mmol := h.Series[0]; mmol.Range == nil || mmol.Range.High != "7.8" {
			t.Errorf("mmol/L series range %+v", mmol.Range)
		}
		if mg.Points[1].Value != "97.34851203958 mg/dL" {
			t.Errorf("the exact value as sent stays in the series: %q", mg.Points[1].Value)
		}
	})
	t.Run("comparator values are drawn, not dropped", func(t *testing.T) {
		h := mustHistory(t, rec, "loinc|1975-2")
		if len(h.Series) != 1 || len(h.Series[0].Points) != 4 {
			t.Fatalf("bilirubin series %+v", h.Series)
		}
		var below *SeriesPoint
		for i, p := range h.Series[0].Points {
			if p.Comparator != "" {
				below = &h.Series[0].Points[i]
			}
		}
		if below == nil || below.Comparator != "<" || below.Number != 2 || below.Value != "<2 µmol/L" {
			t.Fatalf("comparator point %+v", below)
		}
		for _, p := range h.Points {
			if p.Value == "<2" && (p.Comparator != "<" || p.Number == nil || *p.Number != 2) {
				t.Errorf("table point %+v", p)
			}
		}
	})
	t.Run("text values are in the table but on no chart", func(t *testing.T) {
		h := mustHistory(t, rec, "loinc|94500-6")
		if len(h.Points) == 0 || len(h.Series) != 0 {
			t.Errorf("%d points, %d series", len(h.Points), len(h.Series))
		}
	})
}

func num(f float64) *float64 { return &f }

func TestHistorySeriesOf(t *testing.T) {
	pt := func(taken, value string, n float64, unit string) Point {
		return Point{Taken: taken, Value: value, Number: num(n), Unit: unit}
	}
	for _, c := range []struct {
		name   string
		points []Point
		units  []string
		counts []int
		conv   []string
	}{
		{"g/dL and g/L are one chart in the newest unit",
			[]Point{pt("2024-01-01", "13.5", 13.5, "g/dL"), pt("2025-01-01", "128", 128, "g/L")},
			[]string{"g/L"}, []int{2}, []string{"Converted from g/dL: 1 g/dL = 10 g/L"}},
		{"thousands per microlitre and billions per litre",
			[]Point{pt("2024-01-01", "6.2", 6.2, "10*3/uL"), pt("2025-01-01", "5.9", 5.9, "10*9/L")},
			[]string{"10*9/L"}, []int{2}, []string{"Converted from ×10³/µL: 1 ×10³/µL = 1 ×10⁹/L"}},
		{"Fahrenheit and Celsius",
			[]Point{pt("2024-01-01", "98.6", 98.6, "[degF]"), pt("2025-01-01", "37.2", 37.2, "Cel")},
			[]string{"Cel"}, []int{2}, []string{"Converted from °F: °C = (°F − 32) ÷ 1.8"}},
		{"inches and centimetres",
			[]Point{pt("2024-01-01", "65", 65, "[in_i]"), pt("2025-01-01", "166", 166, "cm")},
			[]string{"cm"}, []int{2}, []string{"Converted from in: 1 in = 2.54 cm"}},
		{"mmol/l and mmol/L are one unit, with nothing to name",
			[]Point{pt("2024-01-01", "5", 5, "mmol/l"), pt("2025-01-01", "5.1", 5.1, "mmol/L")},
			[]string{"mmol/L"}, []int{2}, nil},
		{"an unreadable unit is its own chart",
			[]Point{pt("2024-01-01", "5", 5, "widgets"), pt("2025-01-01", "5.1", 5.1, "mmol/L")},
			[]string{"mmol/L", "widgets"}, []int{1, 1}, nil},
		{"HbA1c in % and mmol/mol are two scales, not two units",
			[]Point{pt("2024-01-01", "6.5", 6.5, "%"), pt("2025-01-01", "48", 48, "mmol/mol")},
			[]string{"mmol/mol", "%"}, []int{1, 1}, nil},
		{"the family with the newest result first",
			[]Point{pt("2024-01-01", "90", 90, "mg/dL"), pt("2024-06-01", "5", 5, "mmol/L"), pt("2025-01-01", "95", 95, "mg/dL")},
			[]string{"mg/dL", "mmol/L"}, []int{2, 1}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := seriesOf(c.points)
			if len(got) != len(c.units) {
				t.Fatalf("%d series, want %d: %+v", len(got), len(c.units), got)
			}
			var conv []string
			for i, s := range got {
				if s.Unit != c.units[i] || len(s.Points) != c.counts[i] {
					t.Errorf("series %d: %s with %d points, want %s with %d", i, s.Unit, len(s.Points), c.units[i], c.counts[i])
				}
				conv = append(conv, s.Conversions...)
			}
			if strings.Join(conv, "|") != strings.Join(c.conv, "|") {
				t.Errorf("conversions %q, want %q", conv, c.conv)
			}
		})
	}
}

func TestHistoryPointFields(t *testing.T) {
	rec := safetyRecord(t)
	k := mustHistory(t, rec, "loinc|2823-3")
	var urgent bool
	for _, p := range k.Points {
		urgent = urgent || p.Urgent
	}
	if !urgent {
		t.Errorf("the critical potassium is urgent in its history: %+v", k.Points)
	}
	for _, s := range k.Series {
		for _, p := range s.Points {
			if p.Urgent && !strings.HasPrefix(p.Flag, "critical") {
				t.Errorf("urgent point %+v", p)
			}
		}
	}
	f := mustHistory(t, rec, "loinc|2276-4")
	if p := f.Points[len(f.Points)-1]; p.Comparator != ">=" || p.RangeCheck == "" {
		t.Errorf("ferritin point %+v, want comparator >= and a range check", p)
	}
	if len(f.Series) != 1 || f.Series[0].Points[0].Comparator != ">=" {
		t.Errorf("ferritin series %+v", f.Series)
	}
	folate := mustHistory(t, rec, "loinc|2284-8")
	for _, p := range folate.Points {
		if p.StatusLabel == "" {
			t.Errorf("folate (registered) point without its status label: %+v", p)
		}
	}
	raw, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"series":`, `"rangeCheck":`, `"urgent":`, `"statusLabel":`, `"reportId":`, `"converted":`, `"conversions":`} {
		if !strings.Contains(string(raw), field) {
			t.Errorf("history JSON has no %s: %s", field, raw)
		}
	}
	for _, h := range []*History{k, f} {
		for _, p := range h.Points {
			if p.Range == nil && p.RangeCheck == "in" {
				t.Errorf("%s: %+v within a range it does not have", h.Name, p)
			}
		}
	}
}

func TestHistoryJSONIsTheHistory(t *testing.T) {
	rec := safetyRecord(t)
	h, ok := rec.History("loinc|2823-3")
	if !ok {
		t.Fatal("no potassium history")
	}
	want, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // encoded, then kept
		got, ok := rec.HistoryJSON("loinc|2823-3")
		if !ok || string(got) != string(want)+"\n" {
			t.Fatalf("HistoryJSON (call %d) = %s, want %s", i+1, got, want)
		}
	}
	if _, ok := rec.HistoryJSON("nope"); ok {
		t.Error("HistoryJSON found an unknown test")
	}
}
