package records

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// safetyNow is the day the safety record is read on in these tests.
var safetyNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// safetyRecord builds the made-up record the end-to-end safety tests use
// too (frontend/e2e/fixtures/safety/00-results.json): one of each results
// hazard, its dates written as "{{daysAgo N}}" before safetyNow.
func safetyRecord(t *testing.T) *Record {
	t.Helper()
	return Build(safetyNow, Set{Source: Source{Name: "Elm Tree Surgery"}, Resources: safetyResources(t)})
}

func mustReport(t *testing.T, rec *Record, id string) Report {
	t.Helper()
	rep, ok := rec.Report(id)
	if !ok {
		t.Fatalf("report %s not found", id)
	}
	return rep
}

func resultNamed(t *testing.T, rep Report, name string) Result {
	t.Helper()
	for _, x := range rep.Results {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("report %s has no result %q", rep.ID, name)
	return Result{}
}

func TestUrgentResultStandsOut(t *testing.T) {
	rec := safetyRecord(t)
	kidney := mustReport(t, rec, "kidney")
	k := resultNamed(t, kidney, "Potassium")
	if !k.Urgent || k.Flag != "critical-high" || k.FlagLabel != "Very high: needs urgent attention" {
		t.Errorf("potassium 6.8 HH: urgent %v, flag %q %q", k.Urgent, k.Flag, k.FlagLabel)
	}
	if kidney.UrgentCount != 1 || kidney.AbnormalCount != 1 {
		t.Errorf("kidney report: urgent %d, abnormal %d; want 1, 1", kidney.UrgentCount, kidney.AbnormalCount)
	}
	hba1c := resultNamed(t, mustReport(t, rec, "diabetes"), "HbA1c")
	if hba1c.Urgent || hba1c.Flag != "high" {
		t.Errorf("a mildly high HbA1c is high, not urgent: %+v", hba1c)
	}
	urgent := rec.Summary().Urgent
	if len(urgent) != 1 || urgent[0].Name != "Potassium" || urgent[0].ReportID != "kidney" || urgent[0].Organisation != "Riverside Pathology" {
		t.Fatalf("home page urgent = %+v; want just the potassium (not the entered-in-error ones)", urgent)
	}
	var tl []TimelineItem
	for _, it := range rec.timeline {
		if it.Urgent {
			tl = append(tl, it)
		}
	}
	if len(tl) != 1 || tl[0].Title != "Kidney function" || !strings.Contains(tl[0].Detail, "1 needs urgent attention") {
		t.Errorf("timeline urgent items = %+v", tl)
	}
	if m := rec.Search("potassium", 5); len(m) != 1 || !m[0].Urgent || !strings.Contains(m[0].Detail, "urgent") {
		t.Errorf("search potassium = %+v; want the urgent result, marked", m)
	}

	// Later: past the window the banner goes (the tag stays); a newer
	// result of the same test that is not critical ends it at once.
	old := Build(safetyNow.Add(UrgentWindow+4*24*time.Hour), Set{Resources: safetyResources(t)})
	if u := old.Summary().Urgent; len(u) != 0 {
		t.Errorf("%d days on the banner still shows %+v", int(UrgentWindow.Hours()/24)+4, u)
	}
	if k := resultNamed(t, mustReport(t, old, "kidney"), "Potassium"); !k.Urgent {
		t.Error("the urgent tag went with the banner")
	}
	later := append(safetyResources(t), mustParse(t, `{"resourceType":"Observation","id":"k2","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2823-3"}],"text":"Potassium"},"subject":{"reference":"Patient/robin"},"effectiveDateTime":"2026-11-22","valueQuantity":{"value":4.6,"unit":"mmol/L"},"referenceRange":[{"low":{"value":3.5},"high":{"value":5.3}}]}`))
	if u := Build(safetyNow, Set{Resources: later}).Summary().Urgent; len(u) != 0 {
		t.Errorf("a normal potassium since: banner still %+v", u)
	}
}

// safetyResources reads the safety record's resources, its
// "{{daysAgo N}}" dates counted back from safetyNow.
func safetyResources(t *testing.T) []fhir.Resource {
	t.Helper()
	raw, err := os.ReadFile("../../frontend/e2e/fixtures/safety/00-results.json")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\{\{daysAgo (\d+)\}\}`)
	raw = re.ReplaceAllFunc(raw, func(m []byte) []byte {
		n, _ := strconv.Atoi(string(re.FindSubmatch(m)[1]))
		return []byte(safetyNow.AddDate(0, 0, -n).Format("2006-01-02"))
	})
	var rs []fhir.Resource
	for res, err := range fhir.Read(strings.NewReader(string(raw))) {
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, res)
	}
	return rs
}

func TestVoidResultsCountNowhere(t *testing.T) {
	rec := safetyRecord(t)
	kidney := mustReport(t, rec, "kidney")
	for _, x := range kidney.Results {
		if x.Name == "Creatinine" {
			t.Fatal("an entered-in-error creatinine is among the kidney results")
		}
	}
	if len(kidney.Withdrawn) != 1 || kidney.Withdrawn[0].Name != "Creatinine" || kidney.Withdrawn[0].Flag != "" || kidney.Withdrawn[0].Urgent ||
		kidney.Withdrawn[0].StatusLabel != "Entered in error — do not use this result" {
		t.Errorf("withdrawn = %+v; want the creatinine, struck through, with no flag", kidney.Withdrawn)
	}
	for _, id := range []string{"fbc-eie", "lft-cancelled", "obs-k-eie-lone"} {
		rep := mustReport(t, rec, id) // a direct link still finds it
		if !rep.Void || len(rep.Results) != 0 || len(rep.Withdrawn) == 0 || rep.UrgentCount != 0 || rep.AbnormalCount != 0 {
			t.Errorf("%s: void %v, %d results, %d withdrawn, urgent %d", id, rep.Void, len(rep.Results), len(rep.Withdrawn), rep.UrgentCount)
		}
		for _, x := range rep.Withdrawn {
			if x.Flag != "" || x.FlagLabel != "" || x.Urgent {
				t.Errorf("%s: withdrawn %s still flagged %q", id, x.Name, x.FlagLabel)
			}
		}
		if !strings.Contains(rep.StatusLabel, "do not use this result") {
			t.Errorf("%s: status label %q", id, rep.StatusLabel)
		}
		for _, r := range rec.Reports() {
			if r.ID == id {
				t.Errorf("%s is in the results list", id)
			}
		}
		for _, it := range rec.timeline {
			if strings.HasSuffix(it.Link, "/"+id) {
				t.Errorf("%s is on the timeline", id)
			}
		}
	}
	for _, q := range []string{"full blood", "liver", "alt", "creatinine"} {
		if m := rec.Search(q, 10); len(m) != 0 {
			t.Errorf("search %q finds %+v", q, m)
		}
	}
	if h, _ := rec.History("loinc|718-7"); h == nil || len(h.Points) != 1 || h.Points[0].ReportID != "obs-hb-sex" {
		t.Errorf("haemoglobin history = %+v; want only the one that counts", h)
	}
	if h, _ := rec.History("loinc|2823-3"); h == nil || len(h.Points) != 1 {
		t.Errorf("potassium history = %+v; want the entered-in-error one left out", h)
	}
	if _, ok := rec.History("loinc|2160-0"); ok {
		t.Error("creatinine (entered in error) has a history")
	}
	if got, want := rec.Summary().Counts.Results, len(rec.Reports()); got != want {
		t.Errorf("count %d, list %d", got, want)
	}
}

func TestStatusesLabelled(t *testing.T) {
	rec := safetyRecord(t)
	tests := []struct{ report, result, label string }{
		{"obs-crp", "CRP", "Preliminary: this result may change"},
		{"obs-b12", "Vitamin B12", "Amended: changed after it was first issued"},
		{"obs-folate-reg", "Folate", "Registered: the result is not ready yet"},
	}
	for _, tt := range tests {
		rep := mustReport(t, rec, tt.report)
		if rep.StatusLabel != tt.label || resultNamed(t, rep, tt.result).StatusLabel != tt.label {
			t.Errorf("%s: report label %q, result label %q; want %q", tt.report, rep.StatusLabel, resultNamed(t, rep, tt.result).StatusLabel, tt.label)
		}
		found := false
		for _, it := range rec.timeline {
			if strings.HasSuffix(it.Link, "/"+tt.report) && strings.Contains(it.Detail, tt.label) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the timeline does not say %q", tt.report, tt.label)
		}
	}
}

func TestNoFalseReassurance(t *testing.T) {
	rec := safetyRecord(t)
	tests := []struct {
		report     string
		allInRange bool
		unranged   int
	}{
		{"vitamin-d", false, 1},     // no range at all
		{"thyroid", false, 1},       // a range in words for one, none for the other
		{"lipids", true, 0},         // ranges in words, both inside
		{"obs-psa", false, 1},       // the source's own words, no range
		{"obs-glucose-n", false, 0}, // the source says normal, the range says high
		{"obs-mg-absent", false, 1}, // no value
	}
	for _, tt := range tests {
		rep := mustReport(t, rec, tt.report)
		if rep.AllInRange != tt.allInRange || rep.UnrangedCount != tt.unranged {
			t.Errorf("%s: all in range %v, unranged %d; want %v, %d", tt.report, rep.AllInRange, rep.UnrangedCount, tt.allInRange, tt.unranged)
		}
	}
	if x := resultNamed(t, mustReport(t, rec, "vitamin-d"), "Vitamin D"); x.RangeCheck != "none" || x.Range != nil {
		t.Errorf("vitamin D without a range: check %q, range %+v", x.RangeCheck, x.Range)
	}
	if x := resultNamed(t, mustReport(t, rec, "thyroid"), "TSH"); x.RangeCheck != "in" {
		t.Errorf("TSH 2.1 in 0.27-4.2 (words): check %q", x.RangeCheck)
	}
}

func TestMissedAbnormalValues(t *testing.T) {
	rec := safetyRecord(t)
	ferritin := resultNamed(t, mustReport(t, rec, "obs-ferritin"), "Ferritin")
	if ferritin.Value != ">=500" || ferritin.Flag != "high" || ferritin.RangeCheck != "out" {
		t.Errorf(">=500 against 45-90: %+v", ferritin)
	}
	crp := resultNamed(t, mustReport(t, rec, "obs-crp"), "CRP")
	if crp.Flag != "high" {
		t.Errorf("CRP 12 against \"< 5\": flag %q", crp.Flag)
	}
	hb := resultNamed(t, mustReport(t, rec, "obs-hb-sex"), "Haemoglobin")
	if hb.Flag != "" || hb.RangeCheck != "in" || hb.Range == nil || hb.Range.For != "Women" || len(hb.Ranges) != 1 {
		t.Errorf("Hb 120 for a woman (F 115-165): flag %q, check %q, ranges %+v", hb.Flag, hb.RangeCheck, hb.Ranges)
	}
	psa := resultNamed(t, mustReport(t, rec, "obs-psa"), "PSA")
	if psa.Interpretation != "Borderline" || psa.Flag != "" {
		t.Errorf("interpretation in words only: %+v", psa)
	}
	if r := mustReport(t, rec, "obs-covid"); r.AbnormalCount != 1 || r.OutsideCount != 0 {
		t.Errorf("a positive result is abnormal, not outside a range: abnormal %d, outside %d", r.AbnormalCount, r.OutsideCount)
	}
	covid := resultNamed(t, mustReport(t, rec, "obs-covid"), "Coronavirus (COVID-19) test")
	if covid.Value != "Detected" || covid.FlagLabel != "Positive" || covid.Flag != "abnormal" {
		t.Errorf("coded value and interpretation: value %q, flag %q %q", covid.Value, covid.Flag, covid.FlagLabel)
	}
	glucose := resultNamed(t, mustReport(t, rec, "obs-glucose-n"), "Glucose")
	if glucose.Flag != "" || glucose.Interpretation != "Normal" || glucose.Computed != "Outside the normal range given: high" {
		t.Errorf("source says normal, range says high; both shown: %+v", glucose)
	}
	mg := resultNamed(t, mustReport(t, rec, "obs-mg-absent"), "Magnesium")
	if mg.Absent != "Sample haemolysed" || mg.Value != "" {
		t.Errorf("data absent: %+v", mg)
	}
	kidney := mustReport(t, rec, "kidney")
	if kidney.OrderedBy != "Dr Priya Shah" || kidney.PerformedBy != "Tom Reed" {
		t.Errorf("asked for by %q, done by %q; want the requester and the performer apart", kidney.OrderedBy, kidney.PerformedBy)
	}
	if ferritin := mustReport(t, rec, "obs-ferritin"); ferritin.OrderedBy != "" {
		t.Errorf("a result with no order names %q as asking for it", ferritin.OrderedBy)
	}
}
