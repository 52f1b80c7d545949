package fhir

import (
	"encoding/json"
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
	if r.ID != "" && !idPattern.MatchString(r.ID) {
		return fmt.Errorf("%s has an id that is not a FHIR id (%q)", r.Type, truncate(r.ID, 70))
	}
	allowed, ok := statuses[r.Type]
	if !ok {
		return nil
	}
	var s struct {
		Status *json.RawMessage `json:"status"`
	}
	if err := json.Unmarshal(r.Raw, &s); err != nil || s.Status == nil {
		return nil
	}
	var status string
	if err := json.Unmarshal(*s.Status, &status); err != nil {
		return fmt.Errorf("%s %s has a status that is not text", r.Type, r.ID)
	}
	if !slices.Contains(allowed, status) {
		return fmt.Errorf("%s %s has status %q, which is not a FHIR R4 %s status (expected one of: %s)",
			r.Type, r.ID, truncate(status, 40), r.Type, strings.Join(allowed, ", "))
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
