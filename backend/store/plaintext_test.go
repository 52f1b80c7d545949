package store

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/internal/shared"
)

// fixtures is the shared folder of public FHIR test data, beside the repo.
const fixtures = "../../../shared/fixtures/fhir"

// A given string of n bytes turns up by chance in L bytes of ciphertext
// about L/256^n times. The vault files come to some 20 MB, so a 4-byte
// name ("John") is found in one scan in 200, and with hundreds of names
// the test failed now and then on nothing; from 8 bytes it is never found
// by chance (1 in 10^12). So a string of sureLen bytes or more found on
// disk fails the test at once; a shorter one (shortLen bytes or more)
// fails it only if it is also found in a second vault, made with fresh
// keys, where chance would put it elsewhere or nowhere (1 in 10^9), but
// plaintext would be again. Values too short even for that are looked
// for as the resource's JSON has them, with the bytes before them: what a
// resource written unsealed would show.
const (
	sureLen  = 8
	shortLen = 5
)

// needles are what must never be readable on disk: patients' names,
// birth dates and identifiers, and the codes of their tests and
// conditions; sure ones are long enough that any match is plaintext,
// short ones need a second vault to tell.
type needles struct{ sure, short map[string]bool }

func needlesOf(rs []fhir.Resource) needles {
	ns := needles{sure: map[string]bool{}, short: map[string]bool{}}
	for _, r := range rs {
		add := func(s string) {
			switch {
			case len(s) >= sureLen:
				ns.sure[s] = true
			case len(s) >= 4:
				if len(s) >= shortLen {
					ns.short[s] = true
				}
				if i := bytes.Index(r.Raw, []byte(`"`+s+`"`)); i >= 0 {
					ns.sure[string(r.Raw[max(0, i-sureLen):i+len(s)+2])] = true
				}
			}
		}
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
	return ns
}

// find reads every file in dir and returns, for each of the strings
// found, the files it is in, and how many bytes it read.
func find(t *testing.T, dir string, sets ...map[string]bool) (map[string][]string, int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	found, scanned := map[string][]string{}, 0
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		scanned += len(b)
		for _, set := range sets {
			for n := range set {
				if bytes.Contains(b, []byte(n)) {
					found[n] = append(found[n], e.Name())
				}
			}
		}
	}
	if scanned == 0 {
		t.Fatalf("nothing to scan in %s", dir)
	}
	return found, scanned
}

// importFixtures makes a vault with fresh keys holding every fixture, and
// returns its folder, the open database and the resources imported.
func importFixtures(t *testing.T) (string, *DB, []fhir.Resource) {
	t.Helper()
	var files []string
	filepath.WalkDir(fixtures, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".ndjson")) && !strings.Contains(p, "/broken/") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		shared.Missing(t, fixtures)
	}
	dir, db, keys := newVault(t)
	var all []fhir.Resource
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		var its []Item
		for r, err := range fhir.Read(fh) {
			if err != nil {
				break // the importer tests check each file imports; here we want what did
			}
			all = append(all, r)
			its = append(its, Item{Type: r.Type, ID: r.ID, Raw: r.Raw})
		}
		fh.Close()
		if _, err := db.Import(ctx, keys, Source{Name: filepath.Base(filepath.Dir(f))}, seq(its), nil); err != nil {
			t.Fatalf("import %s: %v", f, err)
		}
	}
	return dir, db, all
}

func TestNoPlaintextOnDisk(t *testing.T) {
	dir, db, all := importFixtures(t)
	ns := needlesOf(all)
	if len(ns.sure) < 200 || len(ns.short) < 50 {
		t.Fatalf("only %d long and %d short strings from %d resources: the scan would prove little", len(ns.sure), len(ns.short), len(all))
	}
	suspects := map[string]bool{} // short strings found, to look for again
	scan := func(when string) {
		found, scanned := find(t, dir, ns.sure, ns.short)
		p := falseAlarm(ns, scanned)
		if p > 1e-6 {
			t.Errorf("%s: ciphertext alone would fail this test with probability %.2g", when, p)
		}
		for n, files := range found {
			if ns.sure[n] {
				t.Errorf("%s: %q is readable in %s", when, n, strings.Join(files, ", "))
			} else {
				suspects[n] = true
			}
		}
		t.Logf("%s: scanned %d bytes for %d long and %d short strings from %d resources (chance of a false alarm %.1g)", when, scanned, len(ns.sure), len(ns.short), len(all), p)
	}
	scan("open, WAL not checkpointed")
	db.Close()
	scan("closed")

	// The scan finds plaintext where it is: one long and one short string
	// written into a copy of the vault.
	raw, err := os.ReadFile(filepath.Join(dir, "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	long, short := first(ns.sure), first(ns.short)
	copy(raw[len(raw)/3:], long)
	copy(raw[2*len(raw)/3:], short)
	planted := t.TempDir()
	if err := os.WriteFile(filepath.Join(planted, "ward.db"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if found, _ := find(t, planted, map[string]bool{long: true, short: true}); len(found) != 2 {
		t.Fatalf("the scan found %v of the two strings planted in a copy of the vault", found)
	}

	if len(suspects) == 0 {
		return
	}
	dir2, db2, _ := importFixtures(t)
	again, _ := find(t, dir2, suspects)
	db2.Close()
	closed, _ := find(t, dir2, suspects)
	for n := range suspects {
		if files := slices.Compact(slices.Sorted(slices.Values(append(again[n], closed[n]...)))); len(files) > 0 {
			t.Errorf("%q is readable in two vaults with different keys (in the second, in %s)", n, strings.Join(files, ", "))
		}
	}
	t.Logf("short strings that matched ciphertext by chance, and not in a second vault: %q", slices.Sorted(maps.Keys(suspects)))
}

// falseAlarm is the chance that random bytes (ciphertext) of this size
// fail the test: a sure string matching once, or a short one matching in
// both vaults.
func falseAlarm(ns needles, size int) float64 {
	p := 0.0
	for n := range ns.sure {
		p += float64(size) / math.Pow(256, float64(len(n)))
	}
	for n := range ns.short {
		p += math.Pow(float64(size)/math.Pow(256, float64(len(n))), 2)
	}
	return p
}

func first(set map[string]bool) string { return slices.Sorted(maps.Keys(set))[0] }
