package words

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/intake"
)

// Files a person might really try to import (backend/intake/testdata/faults),
// read as an import reads them and put into words: what is wrong first, in
// plain words with the line; the reader's own words only in the detail.
func TestImportFaultWords(t *testing.T) {
	for _, tt := range []struct {
		file   string
		text   string // the whole plain message
		detail string // in the technical detail
	}{
		{"comment.json",
			"comment.json is not valid FHIR JSON: line 3 has a comment, which JSON files cannot have. Nothing from it was saved; everything else is as it was. If the file was changed by hand, undo the change. If not, ask the organisation that gave it to you for a new copy.",
			"invalid character '/' looking for beginning of object key string (line 3)"},
		{"trailing-comma.json",
			"trailing-comma.json is not valid FHIR JSON: line 8 has a comma with nothing after it. Nothing from it was saved; everything else is as it was. If the file was changed by hand, undo the change. If not, ask the organisation that gave it to you for a new copy.",
			"(line 8)"},
		{"truncated.json",
			"truncated.json ends part-way through, so it may not have downloaded or copied completely. Nothing from it was saved; everything else is as it was. Download or copy it again, then try again. If it happens again, ask the organisation that gave it to you for a new copy.",
			"the file ends in the middle of the JSON"},
		{"not-xml.xml",
			"not-xml.xml is not valid XML: there is a mistake on line 4. Nothing from it was saved; everything else is as it was. Ask the organisation that gave it to you for a new copy.",
			"XML syntax error on line 4"},
		{"empty.json",
			"empty.json is empty: there is nothing in it to import. Nothing from it was saved; everything else is as it was. Check that you chose the right file.",
			"the file is empty"},
		{"report.pdf.json",
			"report.pdf.json is not a kind of file Ward can read. Ward reads health records saved as FHIR JSON, FHIR XML or a C-CDA document. Nothing from it was saved; everything else is as it was. Check that you chose the right file.",
			"invalid character '%' looking for beginning of value (line 1)"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			fh, err := os.Open(filepath.Join("../intake/testdata/faults", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			_, err = intake.Read(fh, tt.file)
			if err == nil {
				t.Fatal("read without an error")
			}
			w := ImportFailed(tt.file, err)
			if w.Code != "bad_file" || w.Status != 400 {
				t.Errorf("code %q status %d", w.Code, w.Status)
			}
			if w.Text != tt.text {
				t.Errorf("text\n got %q\nwant %q", w.Text, tt.text)
			}
			d := ImportDetail(err)
			if !strings.Contains(d, tt.detail) {
				t.Errorf("detail %q, want it to contain %q", d, tt.detail)
			}
			// The plain words never carry the decoder's jargon.
			for _, jargon := range []string{"invalid character", "looking for", "syntax error", "EOF", "entry 0"} {
				if strings.Contains(w.Text, jargon) {
					t.Errorf("plain words %q say %q", w.Text, jargon)
				}
			}
		})
	}
}

func TestImportFaultWordsWithoutALine(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		text string
	}{
		{"comment, line not known", &fhir.FormatError{Entry: -1, Msg: "x", Kind: fhir.ErrComment},
			"a.json is not valid FHIR JSON: it has a comment, which JSON files cannot have."},
		{"XML that is not C-CDA", &fhir.FormatError{Entry: -1, Msg: intake.ErrNotCCDA.Error(), Err: intake.ErrNotCCDA, Kind: intake.ErrNotCCDA},
			"a.json is an XML file, but not a C-CDA document or FHIR, so Ward cannot read it."},
		{"no resourceType", &fhir.FormatError{Entry: 0, Msg: "no resourceType", Err: fhir.ErrNotResource, Kind: fhir.ErrNotResource},
			"a.json is a JSON file, but not FHIR health records: it has no resourceType."},
		// A Bundle entry with no resourceType is not the file being something else.
		{"a bad entry", &fhir.FormatError{Entry: 3, Msg: "a Bundle entry is not a FHIR resource", Err: fhir.ErrNotResource},
			"a.json could not be imported: entry 3: a Bundle entry is not a FHIR resource."},
	} {
		w := ImportFailed("a.json", tt.err)
		if !strings.HasPrefix(w.Text, tt.text) || !strings.Contains(w.Text, nothingSaved) {
			t.Errorf("%s: %q, want it to start %q and say nothing was saved", tt.name, w.Text, tt.text)
		}
	}
	if d := ImportDetail(errors.New("disk on fire at /home/alex/ward")); d != "" {
		t.Errorf("a failure other than the file's has detail %q", d)
	}
}
