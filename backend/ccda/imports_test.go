package ccda_test

import (
	"os"
	"testing"

	"github.com/ward-health/ward/backend/ccda"
	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/imports"
)

// The importer yields the document first, then every resource its entries
// make, all valid.
func TestImportsResources(t *testing.T) {
	const f = "../../../shared/fixtures/ccda/hl7_Progress_Note_Progress_Note.xml"
	fh, err := os.Open(f)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the shared fixtures are missing; CI must test them")
		}
		t.Skip("fixtures not present")
	}
	defer fh.Close()
	var got []fhir.Resource
	for r, err := range imports.Resources(fh) {
		if err != nil {
			t.Fatal(err)
		}
		if err := fhir.Validate(r); err != nil {
			t.Error(err)
		}
		got = append(got, r)
	}
	again, _ := os.Open(f)
	defer again.Close()
	doc, entries, _, err := ccda.Read(again)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1+len(entries) || len(entries) == 0 || got[0].Ref() != doc.Ref() || got[0].Type != "DocumentReference" {
		t.Fatalf("imports.Resources yielded %d resources (first %s), ccda.Read %d entries", len(got), got[0].Ref(), len(entries))
	}
	for i, r := range entries {
		if got[i+1].Ref() != r.Ref() {
			t.Errorf("%d: %s, want %s", i, got[i+1].Ref(), r.Ref())
		}
	}
}
