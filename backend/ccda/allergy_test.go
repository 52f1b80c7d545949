package ccda

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/records"
)

// allergyEntry is an Allergy Concern Act whose substance's originalText
// references substanceRef and whose reaction references #reaction-n.
func allergyEntry(n, code, display, substanceRef, reactionCode, reactionName string) string {
	return `<entry><act classCode="ACT" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.30"/><statusCode code="active"/>
 <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.7"/>
  <value xsi:type="CD" code="416098002" codeSystem="2.16.840.1.113883.6.96" displayName="Drug allergy"/>
  <participant typeCode="CSM"><participantRole classCode="MANU"><playingEntity classCode="MMAT">
   <code code="` + code + `" codeSystem="2.16.840.1.113883.6.88" displayName="` + display + `"><originalText><reference value="` + substanceRef + `"/></originalText></code>
  </playingEntity></participantRole></participant>
  <entryRelationship typeCode="MFST" inversionInd="true"><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.9"/>
   <text><reference value="#reaction-` + n + `"/></text>
   <value xsi:type="CD" code="` + reactionCode + `" codeSystem="2.16.840.1.113883.6.96" displayName="` + reactionName + `"><originalText><reference value="#reaction-` + n + `"/></originalText></value>
  </observation></entryRelationship>
 </observation></entryRelationship></act></entry>`
}

// TestAllergySubstanceNotTheReaction: the participant's coded substance
// wins over an originalText reference that points at the reaction.
func TestAllergySubstanceNotTheReaction(t *testing.T) {
	in := doc(`<component><section><templateId root="2.16.840.1.113883.10.20.22.2.6.1"/><code code="48765-2"/>
<text><table><tbody>
 <tr><td ID="substance-1">Penicillin G benzathine</td><td ID="reaction-1">Hives</td></tr>
 <tr><td ID="substance-2">co-codamol (codeine)</td><td ID="reaction-2">Nausea</td></tr>
 <tr><td ID="substance-3">Aspirin</td><td ID="reaction-3">Wheezing</td></tr>
</tbody></table></text>` +
		// 1: the substance's reference points at the reaction's cell.
		allergyEntry("1", "7982", "Penicillin G benzathine", "#reaction-1", "247472004", "Hives") +
		// 2: it points at the substance's own cell: that text is kept.
		allergyEntry("2", "2670", "Codeine", "#substance-2", "422587007", "Nausea") +
		// 3: it points at another cell whose text is the reaction's.
		allergyEntry("3", "1191", "Aspirin", "#substance-3x", "56018004", "Wheezing") +
		`</section></component>`)
	in = strings.Replace(in, `<td ID="substance-3">Aspirin</td>`, `<td ID="substance-3x">Wheezing</td>`, 1)
	d, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	rec := records.Build(time.Now(), records.Set{Source: records.Source{Name: "x"}, Resources: append([]fhir.Resource{d.Doc}, d.Entries...)})
	got := map[string][]string{}
	for _, a := range rec.Health().Allergies {
		got[a.Substance] = a.Reactions
	}
	for substance, reaction := range map[string]string{"Penicillin G benzathine": "Hives", "co-codamol (codeine)": "Nausea", "Aspirin": "Wheezing"} {
		if !slices.Equal(got[substance], []string{reaction}) {
			t.Errorf("%s: reactions %v; all allergies %v", substance, got[substance], got)
		}
	}
	for _, reaction := range []string{"Hives", "Wheezing"} {
		if _, ok := got[reaction]; ok {
			t.Errorf("the reaction %q is shown as the substance", reaction)
		}
	}
}
