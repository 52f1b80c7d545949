package fhir

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/internal/shared"
)

const fixtureDir = "../../../shared/fixtures"

// readmeCounts reads the per-file resource counts from the fixtures'
// README tables: "206: Observation 90, Claim 25, ...; contained ...".
func readmeCounts(t *testing.T) map[string]map[string]int {
	f, err := os.Open(filepath.Join(fixtureDir, "README.md"))
	if err != nil {
		shared.Missing(t, filepath.Join(fixtureDir, "README.md"))
	}
	defer f.Close()
	out := map[string]map[string]int{}
	section := ""
	head := regexp.MustCompile("^## `([^`]+)`")
	row := regexp.MustCompile("^\\| `([^`]+)` \\|")
	pair := regexp.MustCompile(`([A-Za-z]+) (\d+)`)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := head.FindStringSubmatch(line); m != nil {
			section = m[1]
			continue
		}
		m := row.FindStringSubmatch(line)
		if m == nil || !strings.HasPrefix(section, "fhir/") {
			continue
		}
		cols := strings.Split(line, " | ")
		if len(cols) < 5 {
			continue
		}
		counts := cols[4]
		_, counts, ok := strings.Cut(counts, ": ")
		if !ok {
			continue
		}
		counts, _, _ = strings.Cut(counts, ";")
		c := map[string]int{}
		for _, p := range pair.FindAllStringSubmatch(counts, -1) {
			n, _ := strconv.Atoi(p[2])
			c[p[1]] += n
		}
		out[filepath.Join(section, m[1])] = c
	}
	return out
}

// walk counts resources the simple way, independently of Read: every
// Bundle entry recursively, each NDJSON line, noting search outcomes and
// repeated type/ids.
func walk(t *testing.T, data []byte) (all map[string]int, outcomes, dups map[string]int) {
	all, outcomes, dups = map[string]int{}, map[string]int{}, map[string]int{}
	seen := map[string]bool{}
	var visit func(v map[string]any, mode string)
	visit = func(v map[string]any, mode string) {
		typ, _ := v["resourceType"].(string)
		if typ == "Bundle" {
			entries, _ := v["entry"].([]any)
			for _, e := range entries {
				em, _ := e.(map[string]any)
				res, _ := em["resource"].(map[string]any)
				m := ""
				if s, ok := em["search"].(map[string]any); ok {
					m, _ = s["mode"].(string)
				}
				if res != nil {
					visit(res, m)
				}
			}
			return
		}
		all[typ]++
		if typ == "OperationOutcome" && mode == "outcome" {
			outcomes[typ]++
			return
		}
		if id, ok := v["id"].(string); ok {
			if seen[typ+"/"+id] {
				dups[typ]++
			}
			seen[typ+"/"+id] = true
		}
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	for dec.More() {
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		visit(v, "")
	}
	return
}

func TestEveryFixtureReads(t *testing.T) {
	want := readmeCounts(t)
	checked := 0
	for path, readme := range want {
		if strings.Contains(path, "/broken/") || !(strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".ndjson")) {
			continue
		}
		t.Run(path, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(fixtureDir, path))
			if err != nil {
				t.Fatal(err)
			}
			all, outcomes, dups := walk(t, data)
			for typ, n := range readme {
				if all[typ] != n {
					t.Errorf("README says %d %s, the file has %d", n, typ, all[typ])
				}
			}
			got := map[string]int{}
			ids := map[string]bool{}
			for r, err := range Read(strings.NewReader(string(data))) {
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				if ids[r.Ref()] {
					continue // stored once: the store keys by type and id
				}
				ids[r.Ref()] = true
				got[r.Type]++
			}
			for typ := range all {
				if w := all[typ] - outcomes[typ] - dups[typ]; got[typ] != w {
					t.Errorf("%s: read %d, want %d (%d in file, %d search outcomes, %d repeated ids)", typ, got[typ], w, all[typ], outcomes[typ], dups[typ])
				}
			}
		})
		checked++
	}
	if checked < 30 {
		t.Fatalf("only %d fixture files checked", checked)
	}
}

func TestBrokenFixturesAreRefused(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "fhir/broken/*.json"))
	if len(files) == 0 {
		shared.Missing(t, filepath.Join(fixtureDir, "fhir/broken/*.json"))
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var firstErr error
		for _, err := range Read(strings.NewReader(string(data))) {
			if err != nil {
				firstErr = err
				break
			}
		}
		t.Logf("%s: %v", filepath.Base(f), firstErr)
		if firstErr == nil && !strings.Contains(f, "observation_broken_parse") {
			t.Errorf("%s was accepted", filepath.Base(f))
		}
	}
}
