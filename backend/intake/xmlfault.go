package intake

import (
	"encoding/xml"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
)

// xmlSyntax finds the line in encoding/xml's words, for the readers that
// pass its error on as text ("this XML could not be read: XML syntax error
// on line 5: ...").
var xmlSyntax = regexp.MustCompile(`XML syntax error on line (\d+): (.*)`)

// xmlFault is err, from reading an XML file (FHIR XML or C-CDA), as a
// *fhir.FormatError that says what kind of fault it is and on which line,
// so that the words for it can be plain (backend/words).
func xmlFault(err error) *fhir.FormatError {
	fe := &fhir.FormatError{Entry: -1, Msg: err.Error(), Err: err}
	if errors.Is(err, ErrNotCCDA) {
		fe.Kind = ErrNotCCDA
		return fe
	}
	what := ""
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		fe.Line, what = syn.Line, syn.Msg
	} else if m := xmlSyntax.FindStringSubmatch(err.Error()); m != nil {
		fe.Line, _ = strconv.Atoi(m[1])
		what = m[2]
	} else {
		return fe // not a syntax mistake: a document Ward cannot use, said as it is
	}
	fe.Kind = fhir.ErrBadXML
	if strings.Contains(what, "unexpected EOF") {
		fe.Kind, fe.Line = fhir.ErrTruncated, 0
	}
	return fe
}
