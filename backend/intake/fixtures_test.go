package intake

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/identity"
	"github.com/ward-health/ward/backend/internal/shared"
)

const fixtures = "../../../shared/fixtures"

func fixtureFiles(t *testing.T, pattern string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(fixtures, pattern))
	if len(files) == 0 {
		shared.Missing(t, filepath.Join(fixtures, pattern))
	}
	sort.Strings(files)
	return files
}

func readFixture(t *testing.T, path string) *File {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := Read(fh, path)
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return f
}

// One patient's files from one server, imported one after another into
// one vault: all theirs, linked by the patient id the searches refer to.
func TestFixturesOnePatientSeries(t *testing.T) {
	for _, dir := range []string{"fhir/epic-sandbox/AnnaCadence_eOPSKZbz6YIgoilQprzPy0Q3", "fhir/epic-sandbox/DesireePowell_eAB3mDIBBcyUKviyzrxsnAw3"} {
		var vault []byte
		notices := 0
		for _, path := range fixtureFiles(t, dir+"/*.json") {
			f := readFixture(t, path)
			notices += len(f.Notices)
			if f.SearchOnly && len(f.Resources) != 0 {
				t.Errorf("%s: search only %v but empty %v", filepath.Base(path), f.SearchOnly, f.Empty())
			}
			next, err := f.decide(vault, false)
			if err != nil {
				t.Fatalf("%s refused: %v", filepath.Base(path), err)
			}
			if next != nil {
				vault = next
			}
		}
		if vault == nil {
			t.Fatalf("%s: no patient set", dir)
		}
		if strings.Contains(dir, "Desiree") && notices == 0 {
			t.Errorf("%s: Epic's partial-record warnings were lost", dir)
		}
	}
}

// Two different Synthea patients can never share a vault, whichever comes
// first; each file is about one person.
func TestFixturesDifferentPeopleRefused(t *testing.T) {
	files := fixtureFiles(t, "fhir/synthea/*.json")
	var people []*File
	for _, path := range files {
		f := readFixture(t, path)
		if len(f.People) != 1 {
			t.Fatalf("%s names %d people", filepath.Base(path), len(f.People))
		}
		if f.Organisation == "" {
			t.Errorf("%s: no organisation found in the data", filepath.Base(path))
		}
		people = append(people, f)
	}
	for i, a := range people {
		vault, err := a.decide(nil, false)
		if err != nil {
			t.Fatal(err)
		}
		for j, b := range people {
			if i == j {
				continue
			}
			_, err := b.decide(vault, true)
			var mm *identity.MismatchError
			if !errors.As(err, &mm) || !errors.Is(err, identity.ErrOtherPerson) {
				t.Errorf("%s into %s's vault: %v", filepath.Base(files[j]), filepath.Base(files[i]), err)
			}
		}
	}
}

// Every readable fixture goes through the intake; a payer's $everything
// with a link-only second Patient is still one person; C-CDA documents
// name their patient and custodian.
func TestFixturesEveryFile(t *testing.T) {
	for _, pattern := range []string{"fhir/*/*.json", "fhir/*/*/*.json", "fhir/ndjson/*.ndjson", "fhir/uk-core/xml/*.xml", "ccda/*.xml"} {
		for _, path := range fixtureFiles(t, pattern) {
			if strings.Contains(path, "/broken/") {
				continue
			}
			f := readFixture(t, path)
			if _, err := f.decide(nil, false); err != nil {
				t.Errorf("%s: %v", filepath.Base(path), err)
			}
			if f.Format == CCDA && (len(f.People) != 1 || f.Organisation == "") {
				t.Errorf("%s: people %d, custodian %q", filepath.Base(path), len(f.People), f.Organisation)
			}
		}
	}
}
