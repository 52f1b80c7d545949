// Package fhir holds the small subset of FHIR R4 that Ward reads: the resource
// envelope (type, id, meta) and the typed fields the patient-facing views need.
// Resources are kept as their original JSON so that nothing Ward does not
// understand is lost; the typed structs here are views decoded on demand.
package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Resource is one FHIR resource as it arrived, with its envelope decoded.
type Resource struct {
	Type string
	ID   string
	Raw  json.RawMessage
}

// ErrNotResource is returned for JSON that has no resourceType.
var ErrNotResource = errors.New("not a FHIR resource: no resourceType")

// Parse reads a resource's envelope and keeps its bytes.
func Parse(raw []byte) (Resource, error) {
	if !json.Valid(raw) {
		var v any
		err := json.Unmarshal(raw, &v)
		return Resource{}, fmt.Errorf("parse resource: %w", err)
	}
	env, err := envelopeOf(raw)
	if err != nil || env.typ == "" {
		return Resource{}, ErrNotResource
	}
	return Resource{Type: env.typ, ID: env.id, Raw: json.RawMessage(raw)}, nil
}

// Decode unmarshals the resource into one of the typed views below.
func (r Resource) Decode(v any) error {
	if err := json.Unmarshal(r.Raw, v); err != nil {
		return fmt.Errorf("decode %s/%s: %w", r.Type, r.ID, err)
	}
	return nil
}

// Ref returns the relative reference "Type/id" for the resource.
func (r Resource) Ref() string { return r.Type + "/" + r.ID }
