package shared

import (
	"strings"
	"testing"
)

// fakeT records how Missing ended the test.
type fakeT struct {
	testing.TB
	skipped, failed string
}

func (f *fakeT) Helper()           {}
func (f *fakeT) Skip(args ...any)  { f.skipped = args[0].(string) }
func (f *fakeT) Fatal(args ...any) { f.failed = args[0].(string) }

func TestMissing(t *testing.T) {
	tests := []struct {
		ci         string
		wantSkip   bool
		wantSuffix string
	}{
		{"", true, "../shared/fixtures)"},
		{"true", false, "; CI must test them"},
	}
	for _, tt := range tests {
		t.Setenv("CI", tt.ci)
		f := &fakeT{}
		Missing(f, "../../../../shared/fixtures/fhir")
		got := f.failed
		if tt.wantSkip {
			got = f.skipped
		}
		if got == "" || strings.Contains(got, "\n") || !strings.HasSuffix(got, tt.wantSuffix) || !strings.Contains(got, "/shared/fixtures/fhir ") {
			t.Errorf("CI=%q: skipped %q, failed %q", tt.ci, f.skipped, f.failed)
		}
	}
}
