package records

import (
	"encoding/json"

	"github.com/ward-health/ward/backend/fhir"
)

// Medication is one medicine, prescribed or reported.
type Medication struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Status is where the medicine is listed: "current", "on-hold",
	// "not-started" (draft or intended), "unknown", "past" (completed or
	// stopped) or "not-taken" (cancelled or not taken). Only "current" is
	// listed as current.
	Status string `json:"status"`
	// StatusLabel names any status other than current in plain words ("On
	// hold", "Not started yet", "Status not known", "Cancelled — not
	// taken"); SourceStatus is the record's own code.
	StatusLabel  string `json:"statusLabel"`
	SourceStatus string `json:"sourceStatus"`
	// Dose is how to take it, in plain words written from the structured
	// dosage (see dosageWords), else the source's own text. DoseText is the
	// source's own text when it says something different from Dose.
	Dose     string `json:"dose"`
	DoseText string `json:"doseText"`
	// Started and Stopped are set only for a medicine that was taken (or
	// is being taken); a cancelled, not-taken or not-yet-started one has
	// only the date it was Recorded.
	Started  string `json:"started"`
	Stopped  string `json:"stopped"`
	Recorded string `json:"recorded"`
	// Prescriber is the person who prescribed it, never an organisation.
	Prescriber   string `json:"prescriber"`
	Organisation string `json:"organisation"`
	Codes        []Code `json:"codes"`
}

// medicineStatuses maps a MedicationRequest or MedicationStatement status
// to where it is listed and its label.
var medicineStatuses = map[string][2]string{
	"active":    {"current", ""},
	"on-hold":   {"on-hold", "On hold"},
	"draft":     {"not-started", "Not started yet"},
	"intended":  {"not-started", "Not started yet"},
	"unknown":   {"unknown", "Status not known"},
	"":          {"unknown", "Status not known"},
	"completed": {"past", "Finished"},
	"stopped":   {"past", "Stopped"},
	"cancelled": {"not-taken", "Cancelled — not taken"},
	"not-taken": {"not-taken", "Not taken"},
}

func (m Medication) date() string { return firstNonEmpty(m.Started, m.Recorded) }

// summary is the medicine's detail line in the timeline and search.
func (m Medication) summary() string {
	if m.StatusLabel == "" {
		return m.Dose
	}
	return joinWords(": ", m.StatusLabel, m.Dose)
}

func (b *builder) medication(res fhir.Resource) int {
	var m medicationJSON
	if err := res.Decode(&m); err != nil {
		return b.unreadable(res, err)
	}
	if m.Status == "entered-in-error" || b.elsewhere(res, m.provenance, "Medicine") {
		return 0
	}
	med := Medication{ID: res.ID, SourceStatus: m.Status, Organisation: b.orgOf(res, m.provenance, nil, refs(m.Requester, m.Performer)), Codes: []Code{}}
	if m.MedicationCodeableConcept != nil {
		med.Name = m.MedicationCodeableConcept.Label()
		med.Codes = codesOf(m.MedicationCodeableConcept)
	} else if m.MedicationReference != nil {
		med.Name = b.name(*m.MedicationReference, res)
	}
	med.Name = firstNonEmpty(med.Name, "Medicine")
	med.Dose, med.DoseText = doseOf(append(m.DosageInstruction, m.Dosage...))
	st, ok := medicineStatuses[m.Status]
	if !ok {
		st = [2]string{"unknown", "Status not known"}
	}
	med.Status, med.StatusLabel = st[0], st[1]
	date := firstNonEmpty(m.AuthoredOn, m.EffectiveDateTime, periodStart(m.EffectivePeriod), m.DateAsserted)
	switch med.Status {
	case "not-taken", "not-started":
		med.Recorded = date
	default:
		med.Started = date
		if m.EffectivePeriod != nil {
			med.Stopped = m.EffectivePeriod.End
		}
	}
	for _, who := range []*fhir.Reference{m.Requester, m.InformationSource} {
		if n := b.prescriber(res, who); n != "" {
			med.Prescriber = n
			break
		}
	}
	b.rec.health.Medications = append(b.rec.health.Medications, med)
	return 1
}

// prescriber names the person ref points to: a Practitioner (or their
// role), or a name given with no reference. An organisation, a patient, a
// relative or a device is not a prescriber.
func (b *builder) prescriber(res fhir.Resource, ref *fhir.Reference) string {
	if ref == nil {
		return ""
	}
	typ := refType(ref.Reference)
	if target, ok := b.resolveFrom(res, ref.Reference); ok && ref.Reference != "" {
		typ = target.Type
	}
	switch typ {
	case "Practitioner", "PractitionerRole":
		return b.name(*ref, res)
	case "":
		if ref.Reference == "" {
			return ref.Display
		}
	}
	return ""
}

// medicationJSON is the part of a medication Ward reads. Dosages are read
// one by one (see doseOf), so that a malformed dosage costs only its own
// structured words, never the medicine.
type medicationJSON struct {
	Status                    string                `json:"status"`
	MedicationCodeableConcept *fhir.CodeableConcept `json:"medicationCodeableConcept"`
	MedicationReference       *fhir.Reference       `json:"medicationReference"`
	AuthoredOn                string                `json:"authoredOn"`
	EffectiveDateTime         string                `json:"effectiveDateTime"`
	EffectivePeriod           *fhir.Period          `json:"effectivePeriod"`
	DateAsserted              string                `json:"dateAsserted"`
	Requester                 *fhir.Reference       `json:"requester"`
	InformationSource         *fhir.Reference       `json:"informationSource"`
	DosageInstruction         []json.RawMessage     `json:"dosageInstruction"`
	Dosage                    []json.RawMessage     `json:"dosage"`
	provenance
	Performer *fhir.Reference `json:"performer"`
}
