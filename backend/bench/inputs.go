package bench

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FindRoot walks up from dir to Ward's source folder (the go.mod of
// github.com/ward-health/ward) and returns it, or "" if dir is not inside it.
func FindRoot(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.Contains(b, []byte("module github.com/ward-health/ward\n")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// FixtureDir is where the shared FHIR fixtures live, relative to Ward's
// source folder.
const FixtureDir = "../shared/fixtures/fhir"

// LargestFixture returns the largest *.json file under dir, leaving out the
// broken/ folder (files that are meant to fail), or "" if there is none.
func LargestFixture(dir string) string {
	best, size := "", int64(-1)
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if d.Name() == "broken" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.EqualFold(filepath.Ext(path), ".json") {
			return nil
		}
		if info, err := d.Info(); err == nil && info.Size() > size {
			best, size = path, info.Size()
		}
		return nil
	})
	return best
}
