package records

import (
	"sort"

	"github.com/ward-health/ward/backend/fhir"
)

// Health is the health summary: conditions, medicines, allergies and
// immunisations.
type Health struct {
	Conditions    []Condition    `json:"conditions"`
	Medications   []Medication   `json:"medications"`
	Allergies     []Allergy      `json:"allergies"`
	Immunisations []Immunisation `json:"immunisations"`
}

type Condition struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	Onset        string `json:"onset"`
	Resolved     string `json:"resolved"`
	Organisation string `json:"organisation"`
	Codes        []Code `json:"codes"`
}

type Medication struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	Dose         string `json:"dose"`
	Started      string `json:"started"`
	Stopped      string `json:"stopped"`
	Prescriber   string `json:"prescriber"`
	Organisation string `json:"organisation"`
	Codes        []Code `json:"codes"`
}

type Allergy struct {
	ID           string   `json:"id"`
	Substance    string   `json:"substance"`
	Reactions    []string `json:"reactions"`
	Severity     string   `json:"severity"`
	Criticality  string   `json:"criticality"`
	Status       string   `json:"status"`
	Recorded     string   `json:"recorded"`
	Organisation string   `json:"organisation"`
	Codes        []Code   `json:"codes"`
}

type Immunisation struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Date         string `json:"date"`
	Status       string `json:"status"`
	Organisation string `json:"organisation"`
	Codes        []Code `json:"codes"`
}

func (h *Health) sort() {
	if h.Conditions == nil {
		h.Conditions = []Condition{}
	}
	if h.Medications == nil {
		h.Medications = []Medication{}
	}
	if h.Allergies == nil {
		h.Allergies = []Allergy{}
	}
	if h.Immunisations == nil {
		h.Immunisations = []Immunisation{}
	}
	sort.SliceStable(h.Conditions, func(i, j int) bool { return h.Conditions[i].Onset > h.Conditions[j].Onset })
	sort.SliceStable(h.Medications, func(i, j int) bool { return h.Medications[i].Started > h.Medications[j].Started })
	sort.SliceStable(h.Allergies, func(i, j int) bool { return h.Allergies[i].Recorded > h.Allergies[j].Recorded })
	sort.SliceStable(h.Immunisations, func(i, j int) bool { return h.Immunisations[i].Date > h.Immunisations[j].Date })
}

// Health returns the health summary.
func (r *Record) Health() Health { return r.health }

func statusCode(c *fhir.CodeableConcept) string {
	if c == nil {
		return ""
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.Code
		}
	}
	return c.Text
}

func (b *builder) condition(res fhir.Resource) int {
	var c conditionJSON
	if err := res.Decode(&c); err != nil {
		return b.unreadable(res, err)
	}
	if b.elsewhere(res, c.provenance, c.Code.Label()) {
		return 0
	}
	if v := statusCode(c.VerificationStatus); v == "entered-in-error" || v == "refuted" {
		return 0
	}
	status := statusCode(c.ClinicalStatus)
	if status == "" && c.AbatementDateTime != "" {
		status = "resolved"
	}
	if status == "" || status == "recurrence" || status == "relapse" {
		status = "active"
	}
	b.rec.health.Conditions = append(b.rec.health.Conditions, Condition{
		ID: res.ID, Name: firstNonEmpty(c.Code.Label(), "Condition"), Status: status,
		Onset:    firstNonEmpty(c.OnsetDateTime, periodStart(c.OnsetPeriod), c.RecordedDate),
		Resolved: c.AbatementDateTime, Organisation: b.orgOf(res, c.provenance, nil, nil), Codes: codesOf(&c.Code),
	})
	return 1
}

func (b *builder) medication(res fhir.Resource) int {
	var m medicationJSON
	if err := res.Decode(&m); err != nil {
		return b.unreadable(res, err)
	}
	if m.Status == "entered-in-error" || b.elsewhere(res, m.provenance, "Medicine") {
		return 0
	}
	med := Medication{ID: res.ID, Organisation: b.orgOf(res, m.provenance, nil, refs(m.Requester, m.Performer)), Codes: []Code{}}
	if m.MedicationCodeableConcept != nil {
		med.Name = m.MedicationCodeableConcept.Label()
		med.Codes = codesOf(m.MedicationCodeableConcept)
	} else if m.MedicationReference != nil {
		med.Name = b.name(*m.MedicationReference, res)
	}
	med.Name = firstNonEmpty(med.Name, "Medicine")
	for _, d := range append(m.DosageInstruction, m.Dosage...) {
		if d.Text != "" {
			med.Dose = d.Text
			break
		}
	}
	med.Started = firstNonEmpty(m.AuthoredOn, m.EffectiveDateTime, periodStart(m.EffectivePeriod), m.DateAsserted)
	if m.EffectivePeriod != nil {
		med.Stopped = m.EffectivePeriod.End
	}
	switch m.Status {
	case "active", "on-hold", "draft", "intended", "unknown", "":
		med.Status = "current"
	default: // completed, stopped, cancelled, not-taken
		med.Status = "past"
	}
	for _, who := range []*fhir.Reference{m.Requester, m.InformationSource} {
		if who != nil {
			if n := b.name(*who, res); n != "" {
				med.Prescriber = n
				break
			}
		}
	}
	b.rec.health.Medications = append(b.rec.health.Medications, med)
	return 1
}

func (b *builder) allergy(res fhir.Resource) int {
	var a allergyJSON
	if err := res.Decode(&a); err != nil {
		return b.unreadable(res, err)
	}
	if b.elsewhere(res, a.provenance, "Allergy: "+a.Code.Label()) {
		return 0
	}
	if v := statusCode(a.VerificationStatus); v == "entered-in-error" || v == "refuted" {
		return 0
	}
	al := Allergy{ID: res.ID, Substance: a.Code.Label(), Reactions: []string{}, Criticality: a.Criticality,
		Status: firstNonEmpty(statusCode(a.ClinicalStatus), "active"), Recorded: firstNonEmpty(a.RecordedDate, a.OnsetDateTime),
		Organisation: b.orgOf(res, a.provenance, nil, nil), Codes: codesOf(&a.Code)}
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
	al.Substance = firstNonEmpty(al.Substance, "Allergy")
	b.rec.health.Allergies = append(b.rec.health.Allergies, al)
	return 1
}

func (b *builder) immunisation(res fhir.Resource) int {
	var im immunisationJSON
	if err := res.Decode(&im); err != nil {
		return b.unreadable(res, err)
	}
	if im.Status == "entered-in-error" || b.elsewhere(res, im.provenance, im.VaccineCode.Label()) {
		return 0
	}
	b.rec.health.Immunisations = append(b.rec.health.Immunisations, Immunisation{
		ID: res.ID, Name: firstNonEmpty(im.VaccineCode.Label(), "Vaccination"),
		Date:   firstNonEmpty(im.OccurrenceDateTime, im.OccurrenceString, im.Recorded),
		Status: im.Status, Organisation: b.orgOf(res, im.provenance, nil, im.actors()), Codes: codesOf(&im.VaccineCode),
	})
	return 1
}

// conditionJSON is the part of a condition Ward reads.
type conditionJSON struct {
	ClinicalStatus     *fhir.CodeableConcept `json:"clinicalStatus"`
	VerificationStatus *fhir.CodeableConcept `json:"verificationStatus"`
	Code               fhir.CodeableConcept  `json:"code"`
	OnsetDateTime      string                `json:"onsetDateTime"`
	OnsetPeriod        *fhir.Period          `json:"onsetPeriod"`
	AbatementDateTime  string                `json:"abatementDateTime"`
	RecordedDate       string                `json:"recordedDate"`
	provenance
}

// medicationJSON is the part of a medication Ward reads.
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
	DosageInstruction         []struct {
		Text string `json:"text"`
	} `json:"dosageInstruction"`
	Dosage []struct {
		Text string `json:"text"`
	} `json:"dosage"`
	DispenseRequest *struct {
		ValidityPeriod *fhir.Period `json:"validityPeriod"`
	} `json:"dispenseRequest"`
	provenance
	Performer *fhir.Reference `json:"performer"`
}

// allergyJSON is the part of a allergy Ward reads.
type allergyJSON struct {
	ClinicalStatus     *fhir.CodeableConcept `json:"clinicalStatus"`
	VerificationStatus *fhir.CodeableConcept `json:"verificationStatus"`
	Code               fhir.CodeableConcept  `json:"code"`
	Criticality        string                `json:"criticality"`
	RecordedDate       string                `json:"recordedDate"`
	OnsetDateTime      string                `json:"onsetDateTime"`
	Reaction           []struct {
		Substance     *fhir.CodeableConcept  `json:"substance"`
		Manifestation []fhir.CodeableConcept `json:"manifestation"`
		Severity      string                 `json:"severity"`
	} `json:"reaction"`
	provenance
}

// immunisationJSON is the part of a immunisation Ward reads.
type immunisationJSON struct {
	Status             string               `json:"status"`
	VaccineCode        fhir.CodeableConcept `json:"vaccineCode"`
	OccurrenceDateTime string               `json:"occurrenceDateTime"`
	OccurrenceString   string               `json:"occurrenceString"`
	Recorded           string               `json:"recorded"`
	provenance
	Performers []struct {
		Actor fhir.Reference `json:"actor"`
	} `json:"performer"`
}

func (im *immunisationJSON) actors() []fhir.Reference {
	var out []fhir.Reference
	for _, p := range im.Performers {
		out = append(out, p.Actor)
	}
	return out
}

// refs lists the references that are set.
func refs(rs ...*fhir.Reference) []fhir.Reference {
	var out []fhir.Reference
	for _, r := range rs {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out
}
