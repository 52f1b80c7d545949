package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The recovery key can come from a file or stdin, out of the process list;
// --recovery-key still works, with a warning that others can see it.
func TestRecoverKeyOffTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "vault")
	pw := writeFile(t, dir, "pw", "first password\n")
	code, out, errs := ward(t, "vault", "init", "--data", data, "--password-file", pw)
	if code != 0 {
		t.Fatalf("init: %s", errs)
	}
	key := regexp.MustCompile(`[0-9A-Z]{5}(-[0-9A-Z]{5}){6}`).FindString(out)
	newPw := writeFile(t, dir, "new", "a new password\n")
	const warning = "shows the key to other users"
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		want     string // in stderr
		notWant  string
	}{
		{"from a file", []string{"--recovery-key-file", writeFile(t, dir, "rk", key+"\n")}, "", 0, "password changed", warning},
		{"from stdin", nil, key + "\n", 0, "password changed", warning},
		{"on the command line", []string{"--recovery-key", key}, "", 0, warning, ""},
		{"both", []string{"--recovery-key", key, "--recovery-key-file", "rk"}, "", 1, "not both", ""},
		{"an empty file", []string{"--recovery-key-file", writeFile(t, dir, "empty", "\n")}, "", 1, "is empty", ""},
		{"a missing file", []string{"--recovery-key-file", filepath.Join(dir, "nope")}, "", 1, "cannot read the recovery key file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := testEnv(&stdout, &stderr)
			env.Stdin = strings.NewReader(tt.stdin)
			args := append([]string{"vault", "recover", "--data", data, "--new-password-file", newPw}, tt.args...)
			if code := Run(context.Background(), args, env); code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Fatalf("stderr %q, want %q", stderr.String(), tt.want)
			}
			if tt.notWant != "" && strings.Contains(stderr.String(), tt.notWant) {
				t.Fatalf("stderr %q has %q", stderr.String(), tt.notWant)
			}
		})
	}
	if code, out, _ := ward(t, "vault", "recover", "--help"); code != 0 || !strings.Contains(out, "--recovery-key-file") {
		t.Fatalf("recover --help: %q", out)
	}
}
