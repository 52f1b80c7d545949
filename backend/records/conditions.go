package records

import (
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// Condition is one diagnosis or problem.
type Condition struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Status is the record's clinical status code ("active", "resolved",
	// …), "" when the record gives none.
	Status string `json:"status"`
	// Group is where the condition is listed: "current", "past", or
	// "unknown" when the record does not say whether it still applies.
	Group       string `json:"group"`
	StatusLabel string `json:"statusLabel"`
	// Verification is the verification status code; VerificationLabel is
	// "Possible — not confirmed" for a differential, provisional or
	// unconfirmed diagnosis.
	Verification      string `json:"verification"`
	VerificationLabel string `json:"verificationLabel"`
	Onset             string `json:"onset"`
	Resolved          string `json:"resolved"`
	// DateNote explains dates that cannot both be right (an end before the
	// start).
	DateNote     string `json:"dateNote"`
	Organisation string `json:"organisation"`
	Codes        []Code `json:"codes"`
}

// The wording of conditions' labels, shared by every view.
const (
	PossibleNotConfirmed = "Possible — not confirmed"
	NoStatusRecorded     = "Status not recorded"
	EndBeforeStartNote   = "The record gives an end date before the start date, so one of these dates is wrong. Ask the organisation that recorded it."
)

var conditionStatusLabels = map[string]string{
	"active":     "Current",
	"recurrence": "Current: it has come back",
	"relapse":    "Current: it has come back",
	"inactive":   "No longer active",
	"remission":  "In remission",
	"resolved":   "Resolved",
}

// summary is the condition's detail line in the timeline and search.
func (c Condition) summary() string {
	words := joinWords(", ", c.StatusLabel, c.VerificationLabel)
	if c.DateNote != "" {
		words = joinWords(". ", words, "Dates do not agree")
	}
	return words
}

func (b *builder) condition(res fhir.Resource) int {
	var c conditionJSON
	if err := res.Decode(&c); err != nil {
		return b.unreadable(res, err)
	}
	if b.elsewhere(res, c.provenance, c.Code.Label()) {
		return 0
	}
	ver := statusCode(c.VerificationStatus)
	if ver == "entered-in-error" || ver == "refuted" {
		return 0
	}
	cond := Condition{
		ID: res.ID, Name: firstNonEmpty(c.Code.Label(), "Condition"), Status: statusCode(c.ClinicalStatus), Verification: ver,
		Onset:        firstNonEmpty(c.OnsetDateTime, periodStart(c.OnsetPeriod), c.RecordedDate),
		Resolved:     firstNonEmpty(c.AbatementDateTime, periodStart(c.AbatementPeriod)),
		Organisation: b.orgOf(res, c.provenance, nil, nil), Codes: codesOf(&c.Code),
	}
	cond.Group, cond.StatusLabel = conditionGroup(cond.Status, cond.Resolved)
	if possibleDiagnosis(ver) {
		cond.VerificationLabel = PossibleNotConfirmed
	}
	if dateBefore(cond.Resolved, cond.Onset) {
		cond.DateNote = EndBeforeStartNote
	}
	b.rec.health.Conditions = append(b.rec.health.Conditions, cond)
	return 1
}

// conditionGroup places a condition by its clinical status. With no status
// it is never called current: it is "past" when the record gives an end
// date, else "unknown", and labelled so either way.
func conditionGroup(status, resolved string) (group, label string) {
	switch status {
	case "active", "recurrence", "relapse":
		return "current", conditionStatusLabels[status]
	case "inactive", "remission", "resolved":
		return "past", conditionStatusLabels[status]
	case "":
		if resolved != "" {
			return "past", NoStatusRecorded
		}
		return "unknown", NoStatusRecorded
	}
	return "unknown", NoStatusRecorded + " (the record says “" + status + "”)"
}

// possibleDiagnosis reports whether a verification status says the
// diagnosis is not (yet) confirmed.
func possibleDiagnosis(ver string) bool {
	switch ver {
	case "unconfirmed", "provisional", "differential", "presumed", "suspected":
		return true
	}
	for _, w := range []string{"provisional", "differential", "unconfirmed", "not confirmed", "suspected", "possible", "probable"} {
		if strings.Contains(ver, w) {
			return true
		}
	}
	return false
}

// statuses are the fields conditions and allergies share.
type statuses struct {
	ClinicalStatus     *fhir.CodeableConcept `json:"clinicalStatus"`
	VerificationStatus *fhir.CodeableConcept `json:"verificationStatus"`
	Code               fhir.CodeableConcept  `json:"code"`
}

// conditionJSON is the part of a condition Ward reads.
type conditionJSON struct {
	statuses
	OnsetDateTime     string       `json:"onsetDateTime"`
	OnsetPeriod       *fhir.Period `json:"onsetPeriod"`
	AbatementDateTime string       `json:"abatementDateTime"`
	AbatementPeriod   *fhir.Period `json:"abatementPeriod"`
	RecordedDate      string       `json:"recordedDate"`
	provenance
}
