package records

import "github.com/ward-health/ward/backend/fhir"

// Immunisation is one vaccination, given or not.
type Immunisation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Date string `json:"date"`
	// Status is "completed" or "not-done".
	Status string `json:"status"`
	// StatusLabel is "Not given" for a vaccination that was not done, and
	// Reason says why (statusReason), when the record says.
	StatusLabel  string `json:"statusLabel"`
	Reason       string `json:"reason"`
	Organisation string `json:"organisation"`
	Codes        []Code `json:"codes"`
}

const NotGiven = "Not given"

// summary is the vaccination's detail line in the timeline and search.
func (im Immunisation) summary() string {
	if im.Reason != "" {
		return im.StatusLabel + ": " + im.Reason
	}
	return im.StatusLabel
}

func (b *builder) immunisation(res fhir.Resource) int {
	var im immunisationJSON
	if err := res.Decode(&im); err != nil {
		return b.unreadable(res, err)
	}
	if im.Status == "entered-in-error" || b.elsewhere(res, im.provenance, im.VaccineCode.Label()) {
		return 0
	}
	out := Immunisation{
		ID: res.ID, Name: firstNonEmpty(im.VaccineCode.Label(), "Vaccination"),
		Date:   firstNonEmpty(im.OccurrenceDateTime, im.OccurrenceString, im.Recorded),
		Status: im.Status, Organisation: b.orgOf(res, im.provenance, nil, im.actors()), Codes: codesOf(&im.VaccineCode),
	}
	if im.Status != "" && im.Status != "completed" {
		out.StatusLabel = NotGiven
		out.Reason = im.StatusReason.Label()
	}
	b.rec.health.Immunisations = append(b.rec.health.Immunisations, out)
	return 1
}

// immunisationJSON is the part of a immunisation Ward reads.
type immunisationJSON struct {
	Status             string                `json:"status"`
	StatusReason       *fhir.CodeableConcept `json:"statusReason"`
	VaccineCode        fhir.CodeableConcept  `json:"vaccineCode"`
	OccurrenceDateTime string                `json:"occurrenceDateTime"`
	OccurrenceString   string                `json:"occurrenceString"`
	Recorded           string                `json:"recorded"`
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
