package store

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/fhir"
)

// fixtures is the shared folder of public FHIR test data, beside the repo.
const fixtures = "../../../shared/fixtures/fhir"

// needles collects what must never be readable on disk: patients' names,
// birth dates and identifiers, and the codes of their tests and conditions.
func needles(t *testing.T, rs []fhir.Resource) map[string]bool {
	out := map[string]bool{}
	add := func(s string) {
		if len(s) >= 4 {
			out[s] = true
		}
	}
	for _, r := range rs {
		switch r.Type {
		case "Patient":
			var p fhir.Patient
			if r.Decode(&p) != nil {
				continue
			}
			add(p.BirthDate)
			for _, n := range p.Name {
				add(n.Family)
				for _, g := range n.Given {
					add(g)
				}
			}
			for _, id := range p.Identifier {
				add(id.Value)
			}
		case "Observation", "Condition":
			var c struct{ Code fhir.CodeableConcept }
			if json.Unmarshal(r.Raw, &c) != nil {
				continue
			}
			for _, cd := range c.Code.Coding {
				add(cd.Code)
				add(cd.Display)
			}
		}
	}
	return out
}

func TestNoPlaintextOnDisk(t *testing.T) {
	var files []string
	filepath.WalkDir(fixtures, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".ndjson")) && !strings.Contains(p, "/broken/") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatalf("no fixtures found in %s", fixtures)
	}
	dir, db, keys := newVault(t)
	var all []fhir.Resource
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		var its []Item
		var rs []fhir.Resource
		for r, err := range fhir.Read(fh) {
			if err != nil {
				break // the importer tests check each file imports; here we want what did
			}
			rs = append(rs, r)
			its = append(its, Item{Type: r.Type, ID: r.ID, Raw: r.Raw})
		}
		fh.Close()
		if _, err := db.Import(ctx, keys, Source{Name: filepath.Base(filepath.Dir(f))}, seq(its), nil); err != nil {
			t.Fatalf("import %s: %v", f, err)
		}
		all = append(all, rs...)
	}
	ns := needles(t, all)
	if len(ns) < 50 {
		t.Fatalf("only %d needles from %d resources: the scan would prove little", len(ns), len(all))
	}
	scan := func(when string) {
		entries, _ := os.ReadDir(dir)
		scanned := 0
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			scanned += len(b)
			for n := range ns {
				if bytes.Contains(b, []byte(n)) {
					t.Errorf("%s: %q is readable in %s", when, n, e.Name())
				}
			}
		}
		if scanned == 0 {
			t.Fatalf("%s: nothing to scan", when)
		}
		t.Logf("%s: scanned %d bytes in %d files for %d strings from %d resources", when, scanned, len(entries), len(ns), len(all))
	}
	scan("open, WAL not checkpointed")
	db.Close()
	scan("closed")
}
