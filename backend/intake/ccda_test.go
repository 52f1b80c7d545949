package intake_test

import (
	"os"
	"testing"

	"github.com/ward-health/ward/backend/ccda"
	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/intake"
	"github.com/ward-health/ward/backend/internal/shared"
)

// The importer yields the document first, then every resource its entries
// make, all valid.
func TestImportsResources(t *testing.T) {
	const f = "../../../shared/fixtures/ccda/hl7_Progress_Note_Progress_Note.xml"
	fh, err := os.Open(f)
	if err != nil {
		shared.Missing(t, f)
	}
	defer fh.Close()
	var got []fhir.Resource
	file, err := intake.Read(fh, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range file.Resources {
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
	// The document, its patient (the recordTarget), then its entries.
	if len(got) != 2+len(entries) || len(entries) == 0 || got[0].Ref() != doc.Ref() || got[0].Type != "DocumentReference" || got[1].Type != "Patient" {
		t.Fatalf("intake read %d resources (first %s), ccda.Read %d entries", len(got), got[0].Ref(), len(entries))
	}
	for i, r := range entries {
		if got[i+2].Ref() != r.Ref() {
			t.Errorf("%d: %s, want %s", i, got[i+2].Ref(), r.Ref())
		}
	}
	if file.Format != intake.CCDA || file.Organisation == "" || len(file.People) != 1 || file.People[0].Person.Label() == "" {
		t.Fatalf("format %q, organisation %q, people %+v", file.Format, file.Organisation, file.People)
	}
}
