package fhir

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// FHIR says ids are at most 64 characters, but Epic sends longer ones; the
// characters are what matter for using them safely as keys.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9\-\.]{1,256}$`)

// statuses are the required-binding status codes of the resources Ward
// shows. A status outside them means the sender is not speaking FHIR R4
// (for example "Finished" for "finished"), so the file is refused rather
// than shown half-understood.
var statuses = map[string][]string{
	"Observation":         {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"},
	"DiagnosticReport":    {"registered", "partial", "preliminary", "final", "amended", "corrected", "appended", "cancelled", "entered-in-error", "unknown"},
	"Encounter":           {"planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown"},
	"Appointment":         {"proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow", "entered-in-error", "checked-in", "waitlist"},
	"MedicationRequest":   {"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"},
	"MedicationStatement": {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"},
	"Immunization":        {"completed", "entered-in-error", "not-done"},
	"DocumentReference":   {"current", "superseded", "entered-in-error"},
	"Composition":         {"preliminary", "final", "amended", "entered-in-error"},
	"Procedure":           {"preparation", "in-progress", "not-done", "on-hold", "stopped", "completed", "entered-in-error", "unknown"},
}

// Validate checks what Ward relies on beyond well-formed JSON: an id of the
// FHIR form, and a known status where FHIR requires one from a fixed list.
// It returns a plain sentence describing the first problem.
func Validate(r Resource) error {
	env, err := envelopeOf(r.Raw)
	if err != nil {
		return err
	}
	return env.validate()
}

// envelope is what the reader needs from a resource before storing it.
type envelope struct {
	typ, id, status string
	hasStatus       bool
	statusNotText   bool
	depth           int
}

func envelopeOf(raw []byte) (envelope, error) {
	var e envelope
	depth, err := members(raw, func(k string, v []byte) {
		switch k {
		case "resourceType":
			e.typ, _ = str(v)
		case "id":
			e.id, _ = str(v)
		case "status":
			e.hasStatus = true
			var ok bool
			e.status, ok = str(v)
			e.statusNotText = !ok
		}
	})
	if err != nil {
		return e, err
	}
	e.depth = depth
	return e, nil
}

func (e envelope) validate() error {
	if !r4Types[e.typ] {
		return fmt.Errorf("%q is not a FHIR R4 resource type: the file may be from another FHIR version, which Ward cannot read", truncate(e.typ, 40))
	}
	if e.id != "" && !idPattern.MatchString(e.id) {
		return fmt.Errorf("%s has an id that is not a FHIR id (%q)", e.typ, truncate(e.id, 70))
	}
	allowed, ok := statuses[e.typ]
	if !ok || !e.hasStatus {
		return nil
	}
	if e.statusNotText {
		return fmt.Errorf("%s %s has a status that is not text", e.typ, e.id)
	}
	if !slices.Contains(allowed, e.status) {
		return fmt.Errorf("%s %s has status %q, which is not a FHIR R4 %s status (expected one of: %s)",
			e.typ, e.id, truncate(e.status, 40), e.typ, strings.Join(allowed, ", "))
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
