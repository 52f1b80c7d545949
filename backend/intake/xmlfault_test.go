package intake

import (
	"errors"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/fhir"
)

// XML that is not well formed says so, with its line; XML that is well
// formed but neither FHIR nor C-CDA says that instead.
func TestXMLFaults(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		kind error
		line int
	}{
		{"FHIR XML, an element left open", "<Bundle xmlns=\"http://hl7.org/fhir\">\n<type value=\"collection\">\n</Bundle>", fhir.ErrBadXML, 3},
		{"C-CDA, a broken tag", "<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n<title>x</title>\n<recordTarget><patientRole <id/></patientRole></recordTarget>\n</ClinicalDocument>", fhir.ErrBadXML, 3},
		{"C-CDA, cut short", "<ClinicalDocument xmlns=\"urn:hl7-org:v3\">\n<title>Summ", fhir.ErrTruncated, 0},
		{"angle brackets, not XML", "<<<not xml", fhir.ErrBadXML, 1},
		{"a web page", "<html><body>hi</body></html>", ErrNotCCDA, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in), "a.xml")
			var fe *fhir.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a *fhir.FormatError", err)
			}
			if fe.Kind != tt.kind || fe.Line != tt.line {
				t.Errorf("kind %v line %d, want %v line %d (%v)", fe.Kind, fe.Line, tt.kind, tt.line, fe)
			}
		})
	}
}
