package ccda

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/internal/shared"
	"github.com/ward-health/ward/backend/records"
)

const fixtures = "../../../shared/fixtures/ccda/"

func readFixture(t *testing.T, name string) *Document {
	t.Helper()
	fh, err := os.Open(fixtures + name)
	if err != nil {
		shared.Missing(t, fixtures+name)
	}
	defer fh.Close()
	d, err := Parse(fh)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}

func TestFixtures(t *testing.T) {
	files, _ := filepath.Glob(fixtures + "*.xml")
	if len(files) == 0 {
		shared.Missing(t, fixtures+"*.xml")
	}
	for _, f := range files {
		fh, _ := os.Open(f)
		res, _, _, err := Read(fh)
		fh.Close()
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		var d struct {
			Description string
			Date        string
			Content     []struct{ Attachment fhir.Attachment }
		}
		res.Decode(&d)
		if res.ID == "" || d.Description == "" || len(d.Content) != 1 || d.Content[0].Attachment.Data == "" {
			t.Errorf("%s: %+v", filepath.Base(f), d)
		}
		again, _ := os.Open(f)
		res2, _, _, _ := Read(again)
		again.Close()
		if res2.ID != res.ID {
			t.Errorf("%s: id not stable", filepath.Base(f))
		}
	}
}

// want is what a fixture must yield at least, checked against its XML.
type want struct {
	types map[string]int // resources per type, at least
	// health summary items, at least
	conditions, medications, allergies, immunisations int
	labValues                                         bool // a lab report with a number and a unit
	vitalValues                                       bool // a vital sign with a number and a unit
	skipped                                           int  // entries (or results) left out, at least
}

func TestEntries(t *testing.T) {
	for _, tc := range []struct {
		file string
		want want
	}{
		// Allergies (2, with reactions), medications (3), vital signs with
		// placeholders of 0; the problem, result and immunisation entries
		// are all nullFlavor or negated placeholders.
		{"MaryGrant-ClinicalSummary.xml", want{
			types:     map[string]int{"AllergyIntolerance": 2, "MedicationStatement": 3, "Observation": 5},
			allergies: 2, medications: 3, vitalValues: true, skipped: 3}},
		// "No known allergies" (negated), medications and problems are
		// nullFlavor sections, one pending result without a value, nine
		// vital signs.
		{"hl7_CCD_2_CCD.xml", want{
			types:       map[string]int{"DiagnosticReport": 1, "Observation": 10},
			vitalValues: true, skipped: 1}},
		{"hl7_Discharge_Summary_Discharge_Summary.xml", want{
			types:      map[string]int{"AllergyIntolerance": 3, "Condition": 2, "Immunization": 2, "MedicationStatement": 1, "Observation": 4},
			conditions: 2, medications: 1, allergies: 3, immunisations: 2, vitalValues: true}},
		{"hl7_Progress_Note_Progress_Note.xml", want{
			types:      map[string]int{"AllergyIntolerance": 2, "Condition": 3, "DiagnosticReport": 2, "MedicationStatement": 2, "Observation": 14},
			conditions: 3, medications: 2, allergies: 2, labValues: true, vitalValues: true}},
		{"vendor_Allscripts_C-CDA_101822_20130617114349_Williams_John.xml", want{
			types:      map[string]int{"AllergyIntolerance": 2, "Condition": 3, "DiagnosticReport": 4, "Immunization": 1, "MedicationStatement": 4, "Observation": 17},
			conditions: 3, medications: 4, allergies: 2, immunisations: 1, labValues: true, vitalValues: true}},
		{"vendor_Cerner_Transition_of_Care_Referral_Summary.xml", want{
			types:      map[string]int{"AllergyIntolerance": 2, "Condition": 5, "DiagnosticReport": 2, "Immunization": 1, "MedicationStatement": 4, "Observation": 15},
			conditions: 5, medications: 4, allergies: 2, immunisations: 1, labValues: true, vitalValues: true}},
		{"vendor_Greenway_26775_ClinicalVisitSummary_CCDA.xml", want{
			types:      map[string]int{"AllergyIntolerance": 3, "Condition": 4, "DiagnosticReport": 4, "MedicationStatement": 2, "Observation": 9},
			conditions: 4, medications: 2, allergies: 3, labValues: true, vitalValues: true}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			d := readFixture(t, tc.file)
			counts := map[string]int{}
			ids := map[string]bool{d.Doc.Ref(): true}
			for _, r := range d.Entries {
				counts[r.Type]++
				if err := fhir.Validate(r); err != nil {
					t.Errorf("%s: %v", r.Ref(), err)
				}
				if p, err := fhir.Parse(r.Raw); err != nil || p.Type != r.Type || p.ID != r.ID {
					t.Errorf("%s: envelope %+v %v", r.Ref(), p, err)
				}
				if ids[r.Ref()] {
					t.Errorf("%s twice", r.Ref())
				}
				ids[r.Ref()] = true
				if !strings.HasPrefix(r.ID, d.Doc.ID+"-") {
					t.Errorf("%s: id not derived from the document", r.Ref())
				}
			}
			for typ, n := range tc.want.types {
				if counts[typ] < n {
					t.Errorf("%s: %d, want at least %d (all: %v)", typ, counts[typ], n, counts)
				}
			}
			if len(d.Skipped) < tc.want.skipped {
				t.Errorf("skipped %v, want at least %d", d.Skipped, tc.want.skipped)
			}
			// References stay within the import.
			for _, r := range d.Entries {
				var rep struct{ Result []fhir.Reference }
				r.Decode(&rep)
				for _, ref := range rep.Result {
					if !ids[ref.Reference] {
						t.Errorf("%s: dangling %s", r.Ref(), ref.Reference)
					}
				}
			}

			// Same file, same resources.
			again := readFixture(t, tc.file)
			if len(again.Entries) != len(d.Entries) {
				t.Fatalf("second read: %d entries, first %d", len(again.Entries), len(d.Entries))
			}
			for i := range d.Entries {
				if again.Entries[i].Ref() != d.Entries[i].Ref() || string(again.Entries[i].Raw) != string(d.Entries[i].Raw) {
					t.Errorf("entry %d differs on a second read: %s vs %s", i, again.Entries[i].Ref(), d.Entries[i].Ref())
				}
			}

			// Ward's views show them.
			all := append([]fhir.Resource{d.Doc}, d.Entries...)
			rec := records.Build(time.Now(), records.Set{Source: records.Source{Name: "x"}, Resources: all})
			h := rec.Health()
			for _, c := range []struct {
				what      string
				got, want int
			}{
				{"conditions", len(h.Conditions), tc.want.conditions},
				{"medications", len(h.Medications), tc.want.medications},
				{"allergies", len(h.Allergies), tc.want.allergies},
				{"immunisations", len(h.Immunisations), tc.want.immunisations},
			} {
				if c.got < c.want || c.want == 0 && c.got != 0 {
					t.Errorf("health %s: %d, want %d", c.what, c.got, c.want)
				}
			}
			for _, c := range h.Conditions {
				if c.Name == "" || c.Name == "Condition" {
					t.Errorf("condition without a name: %+v", c)
				}
			}
			for _, m := range h.Medications {
				if m.Name == "" || m.Name == "Medicine" {
					t.Errorf("medicine without a name: %+v", m)
				}
			}
			for _, a := range h.Allergies {
				if a.Substance == "" || a.Substance == "Allergy" {
					t.Errorf("allergy without a substance: %+v", a)
				}
			}
			if len(rec.Documents()) != 1 {
				t.Errorf("documents: %d, want the letter", len(rec.Documents()))
			}
			lab, vital := false, false
			for _, rep := range rec.Reports() {
				for _, x := range rep.Results {
					if x.Value == "" || x.Unit == "" {
						continue
					}
					switch rep.Category {
					case "Blood and lab test":
						lab = true
					case "Measurement":
						vital = true
					}
				}
			}
			if lab != tc.want.labValues {
				t.Errorf("lab results with values and units: %v, want %v", lab, tc.want.labValues)
			}
			if vital != tc.want.vitalValues {
				t.Errorf("vital signs with values and units: %v, want %v", vital, tc.want.vitalValues)
			}
		})
	}
}

// TestFixtureDetails checks values read from the fixtures' XML by hand.
func TestFixtureDetails(t *testing.T) {
	all := func(name string) *records.Record {
		d := readFixture(t, name)
		return records.Build(time.Now(), records.Set{Source: records.Source{Name: "x"}, Resources: append([]fhir.Resource{d.Doc}, d.Entries...)})
	}

	// Progress Note: a CBC with hemoglobin 13.2 g/dL (12.0 to 15.5) and a
	// pending urea nitrogen.
	rec := all("hl7_Progress_Note_Progress_Note.xml")
	var hb *records.Result
	var cbc records.Report
	for _, rep := range rec.Reports() {
		for i, x := range rep.Results {
			if x.Code.Code == "718-7" {
				hb, cbc = &rep.Results[i], rep
			}
		}
	}
	if hb == nil || hb.Value != "13.2" || hb.Unit != "g/dL" || hb.Range == nil || (hb.Range.Low != "12.0" && hb.Range.Low != "12") || hb.Range.High != "15.5" {
		t.Errorf("hemoglobin: %+v", hb)
	} else if cbc.Name != "CBC W Auto Differential panel in Blood" || len(cbc.Results) != 5 || !strings.HasPrefix(cbc.Taken, "2013-03-11T08:30") {
		t.Errorf("CBC report: %+v", cbc)
	}
	h := rec.Health()
	if !slices.ContainsFunc(h.Conditions, func(c records.Condition) bool {
		return c.Name == "Pneumonia" && c.Status == "resolved" && c.Onset == "1998-03-10" && c.Resolved == "1998-03-16"
	}) {
		t.Errorf("pneumonia: %+v", h.Conditions)
	}
	if !slices.ContainsFunc(h.Allergies, func(a records.Allergy) bool {
		return a.Substance == "codeine" && slices.Equal(a.Reactions, []string{"Wheezing"}) && a.Severity == "moderate"
	}) {
		t.Errorf("codeine allergy: %+v", h.Allergies)
	}

	// Cerner: glucose 185 mg/dL flagged high; medicines named from the
	// narrative their originalText references.
	rec = all("vendor_Cerner_Transition_of_Care_Referral_Summary.xml")
	found := false
	for _, rep := range rec.Reports() {
		for _, x := range rep.Results {
			if x.Code.Code == "2339-0" {
				found = x.Value == "185" && x.Unit == "mg/dL" && x.Flag == "high" && x.Range != nil && x.Range.Text == "65-110 mg/dL"
			}
		}
	}
	if !found {
		t.Error("Cerner glucose not read as 185 mg/dL, high")
	}
	if !slices.ContainsFunc(rec.Health().Medications, func(m records.Medication) bool {
		return m.Name == "Lantus 100 units/ml subcutaneous solution" && m.Dose == "30 units, Subcutaneous, At Bedtime, 10 mL"
	}) {
		t.Errorf("Cerner medicines: %+v", rec.Health().Medications)
	}

	// Greenway: problems coded only in a translation of a nullFlavor
	// value, named through narrative references; the resolved one is
	// resolved. Allergy reactions given only as text.
	rec = all("vendor_Greenway_26775_ClinicalVisitSummary_CCDA.xml")
	h = rec.Health()
	names := map[string]string{}
	for _, c := range h.Conditions {
		names[c.Name] = c.Status
	}
	if names["Asthma"] != "active" || names["Acute Pharyngitis"] != "resolved" {
		t.Errorf("Greenway problems: %v", names)
	}
	if !slices.ContainsFunc(h.Allergies, func(a records.Allergy) bool {
		return a.Substance == "penicillin G benzathine" && slices.Equal(a.Reactions, []string{"rash"})
	}) {
		t.Errorf("Greenway allergies: %+v", h.Allergies)
	}
	for _, m := range h.Medications {
		if m.Status != "past" {
			t.Errorf("Greenway medicines are no longer active: %+v", m)
		}
	}

	// Discharge Summary: a refused vaccination is not-done.
	rec = all("hl7_Discharge_Summary_Discharge_Summary.xml")
	statuses := map[string]bool{}
	for _, im := range rec.Health().Immunisations {
		statuses[im.Status] = true
	}
	if !statuses["completed"] || !statuses["not-done"] {
		t.Errorf("Discharge Summary immunisations: %+v", rec.Health().Immunisations)
	}

	// CCD 2: "no known allergies" is no allergy.
	d := readFixture(t, "hl7_CCD_2_CCD.xml")
	if !slices.ContainsFunc(d.Skipped, func(s Skip) bool { return s.Section == Allergies }) {
		t.Errorf("CCD 2 skipped: %+v", d.Skipped)
	}

	// Mary Grant: vital signs sent as 0 are left out, the rest kept.
	d = readFixture(t, "MaryGrant-ClinicalSummary.xml")
	for _, r := range d.Entries {
		if strings.Contains(string(r.Raw), `"value":0}`) {
			t.Errorf("zero vital sign kept: %s", r.Raw)
		}
	}
}

// doc wraps sections in a minimal ClinicalDocument.
func doc(body string) string {
	return `<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<title>Test</title><recordTarget><patientRole><patient><name><given>Ann</given><family>Lee</family></name></patient></patientRole></recordTarget>
<component><structuredBody>` + body + `</structuredBody></component></ClinicalDocument>`
}

func TestLenient(t *testing.T) {
	in := doc(`
<component><section><templateId root="2.16.840.1.113883.10.20.22.2.5.1"/><code nullFlavor="NI"/>
<text><table><tr><td ID="p1">Migraine</td></tr></table></text>
<entry><act classCode="ACT" moodCode="EVN"><statusCode code="active"/>
 <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">
  <effectiveTime><low value="20200230"/></effectiveTime>
  <value xsi:type="CD" nullFlavor="OTH"><originalText><reference value="#p1"/></originalText></value>
 </observation></entryRelationship></act></entry>
<entry><act classCode="ACT" moodCode="EVN"><entryRelationship typeCode="SUBJ"><observation><value xsi:type="CD" nullFlavor="UNK"/></observation></entryRelationship></act></entry>
<entry/>
</section></component>
<component><section><code code="30954-2"/>
<entry><organizer classCode="BATTERY"><statusCode code="completed"/><effectiveTime value="202001021030+0100"/>
 <component><observation><code code="2345-7" codeSystem="2.16.840.1.113883.6.1" displayName="Glucose"/><statusCode code="completed"/>
  <value xsi:type="PQ" value=".5" unit="mmol/L"/><interpretationCode code="L"/>
  <referenceRange><observationRange><text>mmol/L</text></observationRange></referenceRange></observation></component>
 <component><observation><code code="5778-6" codeSystem="2.16.840.1.113883.6.1" displayName="Colour"/><statusCode code="completed"/>
  <value xsi:type="ST">Straw</value></observation></component>
 <component><observation><code nullFlavor="UNK"/><statusCode code="completed"/><value xsi:type="PQ" value="abc"/></observation></component>
</organizer></entry>
</section></component>`)
	d, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string][]map[string]any{}
	for _, r := range d.Entries {
		var m map[string]any
		json.Unmarshal(r.Raw, &m)
		byType[r.Type] = append(byType[r.Type], m)
		if err := fhir.Validate(r); err != nil {
			t.Error(err)
		}
	}
	conds := byType["Condition"]
	if len(conds) != 1 || conds[0]["code"].(map[string]any)["text"] != "Migraine" || conds[0]["onsetDateTime"] != nil {
		t.Errorf("conditions: %v", conds)
	}
	if s, _ := conds[0]["subject"].(map[string]any); s["display"] != "Ann Lee" {
		t.Errorf("subject: %v", conds[0]["subject"])
	}
	obs := byType["Observation"]
	if len(obs) != 2 {
		t.Fatalf("observations: %v", obs)
	}
	q := obs[0]["valueQuantity"].(map[string]any)
	if q["value"] != 0.5 || q["unit"] != "mmol/L" || obs[0]["referenceRange"] != nil || obs[0]["effectiveDateTime"] != "2020-01-02T10:30:00+01:00" {
		t.Errorf("glucose: %v", obs[0])
	}
	if obs[1]["valueString"] != "Straw" {
		t.Errorf("colour: %v", obs[1])
	}
	if reps := byType["DiagnosticReport"]; len(reps) != 1 || len(reps[0]["result"].([]any)) != 2 {
		t.Errorf("reports: %v", reps)
	}
	// The unnamed problem, the empty entry and the unnamed result.
	if len(d.Skipped) != 3 {
		t.Errorf("skipped: %+v", d.Skipped)
	}
}

func TestTime(t *testing.T) {
	for in, want := range map[string]string{
		"2012":                     "2012",
		"201203":                   "2012-03",
		"20120330":                 "2012-03-30",
		"20120330000000":           "2012-03-30", // no zone: the date only
		"201409161300-0500":        "2014-09-16T13:00:00-05:00",
		"20090109215300.000-0600":  "2009-01-09T21:53:00-06:00",
		"20141003103026-0500":      "2014-10-03T10:30:26-05:00",
		"000000":                   "",
		"20120231":                 "",
		"2012-03-30":               "",
		"":                         "",
		"20121301":                 "",
		"20120101256000+0000":      "",
		"20120101120000+9900":      "2012-01-01",
		"99999999999999999999999x": "",
	} {
		if got := fhirTime(in); got != want {
			t.Errorf("fhirTime(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNotCDA(t *testing.T) {
	for _, in := range []string{`<Patient xmlns="http://hl7.org/fhir"><id value="x"/></Patient>`, `<a>`, ``} {
		if _, _, _, err := Read(strings.NewReader(in)); err == nil {
			t.Errorf("Read(%q) succeeded", in)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(`<ClinicalDocument><title>x</title><effectiveTime value="20200101"/></ClinicalDocument>`)
	f.Add(doc(`<component><section><code code="11450-4"/><entry><act><entryRelationship typeCode="SUBJ"><observation><value code="1" displayName="x"/><effectiveTime><low value="2020"/><high value="2021"/></effectiveTime></observation></entryRelationship></act></entry></section></component>`))
	f.Add(doc(`<component><section><code code="30954-2"/><entry><organizer><component><observation><code code="1"/><value xsi:type="IVL_PQ"><low value="1"/></value><referenceRange><observationRange><value><high value="2"/></value></observationRange></referenceRange></observation></component></organizer></entry></section></component>`))
	f.Add(doc(`<component><section><code code="10160-0"/><text><content ID="a">x</content></text><entry><substanceAdministration negationInd="true"><text><reference value="#a"/></text><consumable><manufacturedProduct><manufacturedMaterial><code><originalText><reference value="#a"/></originalText></code></manufacturedMaterial></manufacturedProduct></consumable></substanceAdministration></entry></section></component>`))
	f.Add(doc(`<component><section><code code="48765-2"/><entry><act><entryRelationship typeCode="SUBJ"><observation><participant><participantRole><playingEntity><name>x</name></playingEntity></participantRole></participant><entryRelationship typeCode="MFST"><observation><value code="1"/><entryRelationship><observation><code code="SEV"/><value code="6736007"/></observation></entryRelationship></observation></entryRelationship></observation></entryRelationship></act></entry></section></component>`))
	f.Add(doc(`<component><section><code code="11369-6"/><entry><substanceAdministration><statusCode code="completed"/><effectiveTime value="20200101"/><consumable><manufacturedProduct><manufacturedMaterial><code code="88" codeSystem="2.16.840.1.113883.12.292"/></manufacturedMaterial></manufacturedProduct></consumable></substanceAdministration></entry></section></component>`))
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		if d.Doc.ID == "" || len(d.Doc.Raw) == 0 {
			t.Fatal("no resource and no error")
		}
		seen := map[string]bool{}
		for _, r := range d.Entries {
			if !json.Valid(r.Raw) {
				t.Fatalf("invalid JSON: %s", r.Raw)
			}
			if err := fhir.Validate(r); err != nil {
				t.Fatalf("%v: %s", err, r.Raw)
			}
			if seen[r.Ref()] {
				t.Fatalf("%s twice", r.Ref())
			}
			seen[r.Ref()] = true
		}
	})
}
