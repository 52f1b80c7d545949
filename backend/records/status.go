package records

// Result and report statuses (FHIR R4 ObservationStatus and
// DiagnosticReportStatus) in plain words. A result that should not count
// (entered in error, cancelled) is void: it is left out of every list,
// count, chart, search and the timeline, and shown only when reached by a
// direct link, struck through.

// voidStatus reports whether a status means the result must not be used.
func voidStatus(status string) bool {
	return status == "entered-in-error" || status == "cancelled"
}

// statusLabel is what Ward says beside a result or report with a status a
// patient needs to know about; "" for final results.
func statusLabel(status string) string {
	switch status {
	case "entered-in-error":
		return "Entered in error — do not use this result"
	case "cancelled":
		return "Cancelled — do not use this result"
	case "preliminary":
		return "Preliminary: this result may change"
	case "registered":
		return "Registered: the result is not ready yet"
	case "partial":
		return "Partial: more results may follow"
	case "amended", "appended":
		return "Amended: changed after it was first issued"
	case "corrected":
		return "Corrected: changed after it was first issued"
	case "unknown":
		return "Status not known"
	}
	return ""
}

// dataAbsent is FHIR's data-absent-reason codes in words, for a
// dataAbsentReason with a code but no words of its own.
var dataAbsent = map[string]string{
	"unknown":           "Not known",
	"asked-unknown":     "Asked, but not known",
	"temp-unknown":      "Not known yet",
	"not-asked":         "Not asked",
	"asked-declined":    "Declined",
	"masked":            "Withheld",
	"not-applicable":    "Does not apply",
	"unsupported":       "Could not be recorded",
	"as-text":           "Given as text",
	"error":             "There was an error in the test",
	"not-a-number":      "Not a number",
	"negative-infinity": "Too low to measure",
	"positive-infinity": "Too high to measure",
	"not-performed":     "Test not done",
	"not-permitted":     "Not allowed to be recorded",
}
