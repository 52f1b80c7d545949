// Package shared is for tests that read the shared fixtures (public FHIR
// and C-CDA test data kept beside the repository as ../shared/fixtures).
// A fresh clone may not have them: those tests then skip, saying in one
// line what is missing; under CI (env CI set) they fail instead, as CI
// must test them.
package shared

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Missing ends the test because path (a file, folder or glob the test
// found nothing at) is not there.
func Missing(t testing.TB, path string) {
	t.Helper()
	msg := message(path)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + "; CI must test them")
	}
	t.Skip(msg)
}

// message is Missing's one line, naming path in full.
func message(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return fmt.Sprintf("shared test fixtures not found: nothing at %s (clone them beside this repository as ../shared/fixtures)", abs)
}
