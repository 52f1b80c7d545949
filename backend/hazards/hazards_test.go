package hazards

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	hazardHead = regexp.MustCompile(`(?m)^## (HAZ-\d{3}) `)
	goTest     = regexp.MustCompile("`(Test[A-Za-z0-9_]+)(/[^`]+)?`")
	e2eTest    = regexp.MustCompile(`"([^"]{8,})"`)
)

// source reads every file under dir whose name ends in suffix.
func source(t *testing.T, dir, suffix string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, suffix) {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b.Write(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestEveryHazardNamesTestsThatExist(t *testing.T) {
	log, err := os.ReadFile("../../docs/clinical-safety/hazard-log.md")
	if err != nil {
		t.Fatal(err)
	}
	goSrc := source(t, "..", "_test.go")
	e2eSrc := source(t, "../../frontend/e2e", ".spec.ts")
	heads := hazardHead.FindAllStringSubmatchIndex(string(log), -1)
	if len(heads) < 7 {
		t.Fatalf("%d hazards in the log", len(heads))
	}
	seen := map[string]bool{}
	for i, h := range heads {
		id := string(log[h[2]:h[3]])
		end := len(log)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		body := string(log[h[0]:end])
		if seen[id] {
			t.Errorf("%s appears twice", id)
		}
		seen[id] = true
		_, tests, ok := strings.Cut(body, "**Tests**:")
		if !ok {
			t.Errorf("%s names no tests", id)
			continue
		}
		n := 0
		for _, m := range goTest.FindAllStringSubmatch(tests, -1) {
			n++
			if !strings.Contains(goSrc, "func "+m[1]+"(") {
				t.Errorf("%s names %s, which is not a Go test under backend/", id, m[1])
			}
			for _, sub := range strings.Split(strings.TrimPrefix(m[2], "/"), "/") {
				if sub != "" && !strings.Contains(goSrc, `"`+strings.ReplaceAll(sub, "_", " ")+`"`) {
					t.Errorf("%s names subtest %q of %s, which does not exist", id, sub, m[1])
				}
			}
		}
		for _, m := range e2eTest.FindAllStringSubmatch(tests, -1) {
			n++
			if !strings.Contains(e2eSrc, "test('"+m[1]+"'") {
				t.Errorf("%s names the end-to-end test %q, which does not exist", id, m[1])
			}
		}
		if n == 0 {
			t.Errorf("%s names no tests", id)
		}
	}
}
