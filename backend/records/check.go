package records

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ward-health/ward/backend/fhir"
)

// view is the type a resource of typ is decoded into for the pages, or nil
// for types shown only through others or under "Other records".
func view(typ string) any {
	switch typ {
	case "Observation":
		return new(observationJSON)
	case "DiagnosticReport":
		return new(reportJSON)
	case "Condition":
		return new(conditionJSON)
	case "MedicationRequest", "MedicationStatement":
		return new(medicationJSON)
	case "AllergyIntolerance":
		return new(allergyJSON)
	case "Immunization":
		return new(immunisationJSON)
	case "Encounter", "Appointment":
		return new(visitJSON)
	case "DocumentReference", "Composition":
		return new(documentJSON)
	case "Patient":
		return new(patientJSON)
	}
	return nil
}

// Problem reports why a resource that Ward stores cannot be shown (a field
// of the wrong JSON type), or nil when it can. It reads the resource
// exactly as the pages do.
func Problem(res fhir.Resource) error {
	v := view(res.Type)
	if v == nil {
		return nil
	}
	return json.Unmarshal(res.Raw, v)
}

// ProblemText says what Problem found, for the person importing:
// "Observation obs-42 has `issued` as a number".
func ProblemText(res fhir.Resource, err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("%s %s has `%s` as %s", res.Type, res.ID, te.Field, article(te.Value))
	}
	return fmt.Sprintf("%s %s could not be read", res.Type, res.ID)
}

func article(v string) string {
	switch v {
	case "array", "object":
		return "an " + v
	case "":
		return "the wrong kind of value"
	}
	return "a " + v
}
