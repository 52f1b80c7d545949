package words

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/intake"
)

// Why a file could not be imported, in plain words: what is wrong (with
// the line, when the reader could tell), that nothing was saved, and what
// to do next. The reader's own words ("invalid character '/' looking for
// beginning of object key string") are kept for "Technical details"
// (ImportDetail). %[1]s is the file's name, %[2]d the line.
type fault struct {
	kind     error
	withLine string // when the line is known
	without  string
	next     string
}

const (
	askAgain  = "Ask the organisation that gave it to you for a new copy."
	handMade  = "If the file was changed by hand, undo the change. If not, ask the organisation that gave it to you for a new copy."
	fetchMore = "Download or copy it again, then try again. If it happens again, ask the organisation that gave it to you for a new copy."
)

var faults = []fault{
	{fhir.ErrEmpty, "", "%[1]s is empty: there is nothing in it to import.", "Check that you chose the right file."},
	{fhir.ErrNotJSON, "", "%[1]s is not a kind of file Ward can read. Ward reads health records saved as FHIR JSON, FHIR XML or a C-CDA document.", "Check that you chose the right file."},
	{fhir.ErrComment, "%[1]s is not valid FHIR JSON: line %[2]d has a comment, which JSON files cannot have.", "%[1]s is not valid FHIR JSON: it has a comment, which JSON files cannot have.", handMade},
	{fhir.ErrTrailingComma, "%[1]s is not valid FHIR JSON: line %[2]d has a comma with nothing after it.", "%[1]s is not valid FHIR JSON: it has a comma with nothing after it.", handMade},
	{fhir.ErrSingleQuotes, "%[1]s is not valid FHIR JSON: line %[2]d has single quotes (') where JSON needs double quotes (\").", "%[1]s is not valid FHIR JSON: it has single quotes (') where JSON needs double quotes (\").", handMade},
	{fhir.ErrSyntax, "%[1]s is not valid FHIR JSON: there is a mistake on line %[2]d.", "%[1]s is not valid FHIR JSON.", handMade},
	{fhir.ErrTruncated, "", "%[1]s ends part-way through, so it may not have downloaded or copied completely.", fetchMore},
	{fhir.ErrBadXML, "%[1]s is not valid XML: there is a mistake on line %[2]d.", "%[1]s is not valid XML.", askAgain},
	{intake.ErrNotCCDA, "", "%[1]s is an XML file, but not a C-CDA document or FHIR, so Ward cannot read it.", "Check that you chose the right file."},
	{fhir.ErrNotResource, "", "%[1]s is a JSON file, but not FHIR health records: it has no resourceType.", "Check that you chose the right file."},
}

const nothingSaved = "Nothing from it was saved; everything else is as it was."

// faultText is the plain words for a file Ward could not read.
func faultText(file string, err error) string {
	var fe *fhir.FormatError
	errors.As(err, &fe)
	for _, f := range faults {
		if !isFault(err, fe, f.kind) {
			continue
		}
		what := fmt.Sprintf(f.without, file)
		if fe != nil && fe.Line > 0 && f.withLine != "" {
			what = fmt.Sprintf(f.withLine, file, fe.Line)
		}
		return what + " " + nothingSaved + " " + f.next
	}
	// A file that reads as FHIR but breaks its rules: the reader's words
	// ("entry 3: ...") are already fit to show.
	why := "it could not be read"
	if fe != nil {
		why = fe.Error()
	} else if err != nil {
		why = err.Error()
	}
	return fmt.Sprintf("%s could not be imported: %s. %s", file, strings.TrimSuffix(why, "."), nothingSaved)
}

func isFault(err error, fe *fhir.FormatError, kind error) bool {
	if fe != nil {
		return fe.Kind != nil && errors.Is(fe.Kind, kind)
	}
	return errors.Is(err, kind)
}

// ImportDetail is the reader's own words for why a file could not be
// imported, for the page's "Technical details" (and for the organisation's
// helpdesk): "" for anything but a file Ward could not read, whose words
// might say more about this computer than the person needs.
func ImportDetail(err error) string {
	if Of(err).Code != "bad_file" {
		return ""
	}
	var fe *fhir.FormatError
	if errors.As(err, &fe) {
		return fe.Error()
	}
	return err.Error()
}
