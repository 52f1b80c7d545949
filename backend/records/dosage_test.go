package records

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDosageWords: structured FHIR dosages are written out in plain words,
// and the source's own text is kept beside them when it says otherwise.
func TestDosageWords(t *testing.T) {
	for _, tc := range []struct {
		name, dosages string // a JSON array of Dosage
		dose, text    string
	}{
		{"once a day by mouth", `[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},"route":{"coding":[{"system":"http://snomed.info/sct","code":"26643006","display":"Oral route"}]},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]`,
			"1 tablet once a day, by mouth", ""},
		{"when needed for a reason", `[{"asNeededCodeableConcept":{"text":"Wheeze"},"doseAndRate":[{"doseQuantity":{"value":2,"unit":"puff"}}]}]`,
			"2 puffs when needed for wheeze", ""},
		{"when needed", `[{"asNeededBoolean":true,"doseAndRate":[{"doseQuantity":{"value":1,"code":"{tablet}"}}]}]`,
			"1 tablet when needed", ""},
		{"timing code BID", `[{"timing":{"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation","code":"BID"}]}},"doseAndRate":[{"doseQuantity":{"value":500,"unit":"mg"}}]}]`,
			"500 mg twice a day", ""},
		{"timing code QD and TID", `[{"timing":{"code":{"coding":[{"code":"TID"}]}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"capsule"}}]}]`,
			"1 capsule 3 times a day", ""},
		{"every 6 hours", `[{"timing":{"repeat":{"frequency":1,"period":6,"periodUnit":"h"}},"doseAndRate":[{"doseQuantity":{"value":10,"unit":"ml"}}]}]`,
			"10 ml every 6 hours", ""},
		{"every 4 to 6 hours when needed", `[{"asNeededBoolean":true,"timing":{"repeat":{"frequency":1,"period":4,"periodMax":6,"periodUnit":"h"}},"doseAndRate":[{"doseRange":{"low":{"value":1,"unit":"tablet"},"high":{"value":2,"unit":"tablet"}}}],"maxDosePerPeriod":{"numerator":{"value":8,"unit":"tablet"},"denominator":{"value":24,"unit":"h","code":"h"}}}]`,
			"1 to 2 tablets every 4 to 6 hours when needed. No more than 8 tablets in 24 hours", ""},
		{"up to 4 times a day when needed", `[{"asNeededBoolean":true,"timing":{"repeat":{"frequency":4,"period":1,"periodUnit":"d"}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]`,
			"1 tablet up to 4 times a day when needed", ""},
		{"with meals and an instruction", `[{"text":"2 tablet - 4 times a day - at a meal","additionalInstruction":[{"coding":[{"display":"Dissolve or mix with water before taking"}]}],"timing":{"repeat":{"frequency":4,"period":1,"periodUnit":"d","when":["C"]}},"doseAndRate":[{"doseQuantity":{"value":2,"unit":"tablet"}}]}]`,
			"2 tablets 4 times a day with meals. Dissolve or mix with water before taking", "2 tablet - 4 times a day - at a meal"},
		{"before bed", `[{"timing":{"repeat":{"when":["HS"]}},"doseAndRate":[{"doseQuantity":{"value":20,"unit":"mg"}}]}]`,
			"20 mg before bed", ""},
		{"30 minutes before breakfast", `[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","when":["ACM"],"offset":30}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]`,
			"1 tablet once a day 30 minutes before breakfast", ""},
		{"weekly on a day, with a method verb", `[{"method":{"text":"Inject"},"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"wk","dayOfWeek":["mon"]}},"route":{"coding":[{"code":"34206005"}]},"doseAndRate":[{"doseQuantity":{"value":10,"unit":"milligram"}}]}]`,
			"Inject 10 mg once a week on Monday, injected under the skin", ""},
		{"times of day", `[{"timing":{"repeat":{"timeOfDay":["08:00:00","20:30:00"]}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"drop"}}],"site":{"text":"Left eye"}}]`,
			"1 drop at 8am and 8:30pm, to the left eye", ""},
		{"bounds and count", `[{"timing":{"repeat":{"frequency":3,"period":1,"periodUnit":"d","boundsDuration":{"value":7,"unit":"days","code":"d"}}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"capsule"}}]}]`,
			"1 capsule 3 times a day for 7 days", ""},
		{"bounds period", `[{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d","boundsPeriod":{"start":"2024-03-01","end":"2024-03-08"}}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]`,
			"1 tablet twice a day from 1 March 2024 to 8 March 2024", ""},
		{"once only", `[{"timing":{"repeat":{"count":1,"periodUnit":"d"}},"route":{"coding":[{"system":"http://standardterms.edqm.eu","code":"20053000","display":"Oral use"}]},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet","code":"1"}}]}]`,
			"1 tablet once only, by mouth", ""},
		{"three times every two days", `[{"timing":{"repeat":{"frequency":3,"period":2,"periodUnit":"d"}},"doseAndRate":[{"doseQuantity":{"value":5,"unit":"ml"}}]}]`,
			"5 ml 3 times every 2 days", ""},
		{"a dose with no unit says so", `[{"timing":{"repeat":{"frequency":1,"period":6,"periodUnit":"h"}},"doseAndRate":[{"doseQuantity":{"value":1}}]}]`,
			"1 (no unit given) every 6 hours", ""},
		{"a tapering course", `[{"sequence":1,"text":"2 tablets on day 1","timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","boundsDuration":{"value":1,"code":"d"}}},"doseAndRate":[{"doseQuantity":{"value":2,"unit":"tablet"}}]},{"sequence":2,"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","boundsDuration":{"value":4,"code":"d"}}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]`,
			"2 tablets once a day for 1 day, then 1 tablet once a day for 4 days", "2 tablets on day 1"},
		{"text only is the dose", `[{"text":"Take one tablet twice a day with food"}]`,
			"Take one tablet twice a day with food", ""},
		{"the same words are not repeated", `[{"text":"1 tablet once a day.","timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]`,
			"1 tablet once a day", ""},
		{"text wins over a structure that says less", `[{"text":"30 units, Subcutaneous, At Bedtime","route":{"text":"Subcutaneous"},"doseAndRate":[{"doseQuantity":{"value":30.0}}]}]`,
			"30 units, Subcutaneous, At Bedtime", ""},
		{"a structure with no text that says less is still written", `[{"route":{"text":"Inhalation Route of Administration"},"doseAndRate":[{"doseQuantity":{"value":2}}]}]`,
			"2 (no unit given), inhaled", ""},
		{"patient instruction kept", `[{"text":"10 milligram once weekly","patientInstruction":"As directed","timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"wk"}},"doseAndRate":[{"doseQuantity":{"value":10,"unit":"milligram"}}]}]`,
			"10 mg once a week", "10 milligram once weekly. As directed"},
		{"a malformed dosage keeps its text", `[{"text":"One daily","timing":{"repeat":{"frequency":"often"}}}]`,
			"One daily", ""},
		{"unknown route named as given", `[{"route":{"text":"Intrathecal"},"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"mo"}},"doseAndRate":[{"doseQuantity":{"value":12,"unit":"mg"}}]}]`,
			"12 mg once a month, route: Intrathecal", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var raws []json.RawMessage
			if err := json.Unmarshal([]byte(tc.dosages), &raws); err != nil {
				t.Fatal(err)
			}
			dose, text := doseOf(raws)
			if dose != tc.dose || text != tc.text {
				t.Errorf("doseOf:\n got %q, %q\nwant %q, %q", dose, text, tc.dose, tc.text)
			}
		})
	}
}

// FuzzDosageWords: any dosage JSON gives words without panicking, never
// Go's own formatting, and a dosage's text is never lost.
func FuzzDosageWords(f *testing.F) {
	for _, s := range []string{
		`{"text":"One daily"}`,
		`{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}`,
		`{"asNeededCodeableConcept":{"text":"Wheeze"},"doseAndRate":[{"doseRange":{"low":{"value":1},"high":{"value":2,"unit":"puff"}}}]}`,
		`{"timing":{"repeat":{"frequency":1e400,"period":-1,"periodUnit":"h","when":["AC"],"offset":90,"timeOfDay":["25:00"]}}}`,
		`{"maxDosePerPeriod":{"numerator":{"value":8},"denominator":{"value":0,"code":"h"}},"method":{"text":"É"}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		raw := json.RawMessage(s)
		if !json.Valid(raw) {
			return
		}
		dose, text := doseOf([]json.RawMessage{raw})
		for _, out := range []string{dose, text} {
			if strings.Contains(out, "%!") || strings.Contains(out, "<nil>") || strings.Contains(out, "NaN") || strings.Contains(out, "Inf") && !strings.Contains(s, "Inf") {
				t.Errorf("doseOf(%s) = %q", s, out)
			}
			if !utf8.ValidString(out) && utf8.ValidString(s) {
				t.Errorf("doseOf(%s) is not valid UTF-8: %q", s, out)
			}
		}
		var d struct {
			Text string `json:"text"`
		}
		if json.Unmarshal(raw, &d) == nil && strings.TrimSpace(d.Text) != "" && !strings.Contains(dose+text, strings.TrimSpace(d.Text)) && !sameText(dose, d.Text) {
			t.Errorf("doseOf(%s) lost the text: %q, %q", s, dose, text)
		}
	})
}
