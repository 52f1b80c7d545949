package ccda

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/fhir"
)

func TestFixtures(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/fixtures/ccda/*.xml")
	if len(files) == 0 {
		t.Skip("fixtures not present")
	}
	for _, f := range files {
		fh, _ := os.Open(f)
		res, _, err := Read(fh)
		fh.Close()
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		var d struct {
			Description string
			Date        string
			Content     []struct{ Attachment fhir.Attachment }
		}
		res.Decode(&d)
		if res.ID == "" || d.Description == "" || len(d.Content) != 1 || d.Content[0].Attachment.Data == "" {
			t.Errorf("%s: %+v", filepath.Base(f), d)
		}
		again, _ := os.Open(f)
		res2, _, _ := Read(again)
		again.Close()
		if res2.ID != res.ID {
			t.Errorf("%s: id not stable", filepath.Base(f))
		}
	}
}

func TestNotCDA(t *testing.T) {
	for _, in := range []string{`<Patient xmlns="http://hl7.org/fhir"><id value="x"/></Patient>`, `<a>`, ``} {
		if _, _, err := Read(strings.NewReader(in)); err == nil {
			t.Errorf("Read(%q) succeeded", in)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(`<ClinicalDocument><title>x</title><effectiveTime value="20200101"/></ClinicalDocument>`)
	f.Fuzz(func(t *testing.T, s string) {
		res, _, err := Read(strings.NewReader(s))
		if err == nil && (res.ID == "" || len(res.Raw) == 0) {
			t.Fatal("no resource and no error")
		}
	})
}
