package cli

import (
	"fmt"
	"os"
	"testing"
)

// testConfigDir stands in for the user's config folder, so tests never
// write the demo's server key into the real one.
var testConfigDir string

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "ward-cli-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testConfigDir = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}
