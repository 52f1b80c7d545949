package session

import (
	"errors"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/store"
)

func fhirResource(r store.Record) fhir.Resource {
	return fhir.Resource{Type: r.Type, ID: r.ID, Raw: r.Raw}
}

func errorIs(err, target error) bool { return errors.Is(err, target) }
