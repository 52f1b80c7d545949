package records

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// Allergy is one allergy or intolerance.
type Allergy struct {
	ID        string   `json:"id"`
	Substance string   `json:"substance"`
	Reactions []string `json:"reactions"`
	Severity  string   `json:"severity"`
	// Criticality is "high", "low" or "unable-to-assess".
	Criticality string `json:"criticality"`
	// Status is the clinical status code, "" when the record gives none.
	Status string `json:"status"`
	// Group is "current", or "past" for an inactive or resolved allergy.
	Group       string `json:"group"`
	StatusLabel string `json:"statusLabel"`
	// Verification is the verification status code; VerificationLabel is
	// "Not confirmed" for an unconfirmed (or presumed) allergy.
	Verification      string `json:"verification"`
	VerificationLabel string `json:"verificationLabel"`
	Recorded          string `json:"recorded"`
	Organisation      string `json:"organisation"`
	Codes             []Code `json:"codes"`
}

// AllergyStatement is a record that says there is no allergy, or that
// nobody asked: "No allergies recorded by X".
type AllergyStatement struct {
	ID string `json:"id"`
	// Kind is "none" (no known allergies of the kind named) or "unknown"
	// (not asked, not on file).
	Kind string `json:"kind"`
	Text string `json:"text"`
	// Detail is the record's own words, and for "unknown" that this does
	// not mean there are none.
	Detail       string `json:"detail"`
	Recorded     string `json:"recorded"`
	Organisation string `json:"organisation"`
	Codes        []Code `json:"codes"`
}

const NotConfirmed = "Not confirmed"

// noAllergyCodes are codes that say there is no allergy (of a kind), or
// that it is not known: the value is the kind ("" for any allergy,
// "unknown" when nobody knows).
var noAllergyCodes = map[string]string{
	// SNOMED CT situations.
	"716186003":     "",              // No known allergy
	"409137002":     "drug",          // No known drug allergy
	"428607008":     "environmental", // No known environmental allergy
	"429625007":     "food",          // No known food allergy
	"428197003":     "insect",        // No known insect allergy
	"1003774007":    "latex",         // No known Hevea brasiliensis latex allergy
	"1003744002":    "",              // No known allergy (another concept of the same meaning)
	"1631000175102": "unknown",       // Patient not asked (Epic's "Not on File")
	// IPS absent-unknown codes.
	"no-known-allergies":               "",
	"no-known-medication-allergies":    "drug",
	"no-known-environmental-allergies": "environmental",
	"no-known-food-allergies":          "food",
	"no-allergy-info":                  "unknown",
}

// absentSystems are code systems whose every code means "no data".
var absentSystems = map[string]bool{
	"http://terminology.hl7.org/CodeSystem/data-absent-reason": true,
	"http://hl7.org/fhir/data-absent-reason":                   true,
	"http://terminology.hl7.org/CodeSystem/v3-NullFlavor":      true,
}

var (
	notAllergyWords = regexp.MustCompile(`[^a-z]+`)
	noKnownWording  = regexp.MustCompile(`^(no|nil|none)( known)?( history of)?( (drug|medication|medicine|food|environmental|environment|latex|insect))? (allergy|allergies)( known)?$`)
	unknownWording  = regexp.MustCompile(`^((patient )?not asked|not on file|no allergy (information|info)|allergies? (unknown|not known)|allergy status unknown|unknown allergies|not known|unknown)$`)
)

// noAllergyKind says whether an AllergyIntolerance is really a statement
// that there is none ("none", with the kind) or that nobody knows
// ("unknown"); ok is false for a real allergy.
func noAllergyKind(code fhir.CodeableConcept, absent bool) (kind string, ok bool) {
	if absent {
		return "unknown", true
	}
	for _, cd := range code.Coding {
		if k, found := noAllergyCodes[cd.Code]; found {
			return k, true
		}
		if absentSystems[cd.System] {
			return "unknown", true
		}
	}
	for _, s := range []string{code.Text, firstDisplay(code)} {
		w := strings.TrimSpace(notAllergyWords.ReplaceAllString(strings.ToLower(s), " "))
		switch {
		case w == "":
		case w == "nka" || w == "nkda" || w == "nkfa" || w == "none" || w == "nil" || w == "none known" || w == "nil known":
			return map[string]string{"nkda": "drug", "nkfa": "food"}[w], true
		case unknownWording.MatchString(w):
			return "unknown", true
		case noKnownWording.MatchString(w):
			m := noKnownWording.FindStringSubmatch(w)
			return map[string]string{"drug": "drug", "medication": "drug", "medicine": "drug", "food": "food",
				"environmental": "environmental", "environment": "environmental", "latex": "latex", "insect": "insect"}[m[5]], true
		}
	}
	return "", false
}

func firstDisplay(c fhir.CodeableConcept) string {
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	return ""
}

// statementText is the plain statement for a no-allergy record.
func statementText(kind, org string) string {
	by := ""
	if org != "" {
		by = " by " + org
	}
	switch kind {
	case "drug", "food", "environmental", "insect":
		return "No " + kind + " allergies recorded" + by
	case "latex":
		return "No latex allergy recorded" + by
	}
	return "No allergies recorded" + by
}

// summary is the allergy's detail line in the timeline and search.
func (a Allergy) summary() string {
	return joinWords(". ", strings.Join(a.Reactions, ", "), a.VerificationLabel, a.StatusLabel)
}

func (b *builder) allergy(res fhir.Resource) int {
	var a allergyJSON
	if err := res.Decode(&a); err != nil {
		return b.unreadable(res, err)
	}
	if b.elsewhere(res, a.provenance, "Allergy: "+a.Code.Label()) {
		return 0
	}
	ver := statusCode(a.VerificationStatus)
	if ver == "entered-in-error" || ver == "refuted" {
		return 0
	}
	status := statusCode(a.ClinicalStatus)
	org := b.orgOf(res, a.provenance, nil, nil)
	recorded := firstNonEmpty(a.RecordedDate, a.OnsetDateTime)
	if kind, ok := noAllergyKind(a.Code, codeAbsent(res)); ok {
		// Not an allergy. One that is no longer true (inactive, resolved)
		// says nothing about today, so it is not shown.
		if status == "inactive" || status == "resolved" {
			return 0
		}
		st := AllergyStatement{ID: res.ID, Kind: "none", Text: statementText(kind, org), Recorded: recorded, Organisation: org, Codes: codesOf(&a.Code)}
		said := firstNonEmpty(a.Code.Text, firstDisplay(a.Code))
		if said != "" {
			st.Detail = "The record says “" + said + "”."
		}
		if kind == "unknown" {
			st.Kind = "unknown"
			st.Detail = joinWords(" ", st.Detail, "It does not say whether you have any allergies, so this does not mean you have none.")
		}
		b.rec.health.AllergyStatements = append(b.rec.health.AllergyStatements, st)
		return 0
	}
	al := Allergy{ID: res.ID, Substance: a.substance(), Reactions: []string{}, Criticality: a.Criticality,
		Status: status, Group: "current", Verification: ver, Recorded: recorded, Organisation: org, Codes: codesOf(&a.Code)}
	switch status {
	case "inactive":
		al.Group, al.StatusLabel = "past", "No longer active"
	case "resolved":
		al.Group, al.StatusLabel = "past", "Resolved"
	case "active":
	default:
		al.StatusLabel = NoStatusRecorded
	}
	if ver == "unconfirmed" || ver == "presumed" || possibleDiagnosis(ver) {
		al.VerificationLabel = NotConfirmed
	}
	for _, r := range a.Reaction {
		if al.Substance == "" && r.Substance != nil {
			al.Substance = r.Substance.Label()
		}
		for _, m := range r.Manifestation {
			if l := m.Label(); l != "" {
				al.Reactions = append(al.Reactions, l)
			}
		}
		if r.Severity != "" {
			al.Severity = r.Severity
		}
	}
	al.Substance = firstNonEmpty(al.Substance, "Substance not recorded")
	b.rec.health.Allergies = append(b.rec.health.Allergies, al)
	return 1
}

// substance names what the patient is allergic to: the code's text, unless
// that text is one of the reactions (a C-CDA originalText reference that
// pointed at the reaction's cell, converted as is) and the code names the
// substance too: then the coded substance wins.
func (a allergyJSON) substance() string {
	text := strings.TrimSpace(a.Code.Text)
	if coded := firstDisplay(a.Code); text != "" && coded != "" && !strings.EqualFold(text, coded) {
		for _, r := range a.Reaction {
			for _, m := range r.Manifestation {
				if strings.EqualFold(text, strings.TrimSpace(m.Text)) || strings.EqualFold(text, firstDisplay(m)) {
					return coded
				}
			}
		}
	}
	return a.Code.Label()
}

// codeAbsent reports whether the record's code carries a
// data-absent-reason extension in place of a substance.
func codeAbsent(res fhir.Resource) bool {
	var x struct {
		Code struct {
			Extension []struct {
				URL string `json:"url"`
			} `json:"extension"`
		} `json:"code"`
	}
	if json.Unmarshal(res.Raw, &x) != nil {
		return false
	}
	for _, e := range x.Code.Extension {
		if e.URL == "http://hl7.org/fhir/StructureDefinition/data-absent-reason" {
			return true
		}
	}
	return false
}

// allergyJSON is the part of a allergy Ward reads.
type allergyJSON struct {
	statuses
	Criticality   string `json:"criticality"`
	RecordedDate  string `json:"recordedDate"`
	OnsetDateTime string `json:"onsetDateTime"`
	Reaction      []struct {
		Substance     *fhir.CodeableConcept  `json:"substance"`
		Manifestation []fhir.CodeableConcept `json:"manifestation"`
		Severity      string                 `json:"severity"`
	} `json:"reaction"`
	provenance
}
