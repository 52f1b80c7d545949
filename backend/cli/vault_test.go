package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/store"
)

// ward runs the command and returns its exit code, stdout and stderr.
func ward(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := testEnv(&out, &errb)
	env.Stdin = strings.NewReader("")
	code := Run(context.Background(), args, env)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func demoBundle(t *testing.T, dir string, n int) string {
	t.Helper()
	rs, err := demo.Generate(demo.Options{Seed: 2, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Resources: n})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demo.Bundle(rs)
	return writeFile(t, dir, "demo.json", string(b))
}

// resourcesOf reads a Bundle's resources as generic JSON keyed by type/id.
func resourcesOf(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		Entry []struct{ Resource map[string]any }
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for _, e := range bundle.Entry {
		out[e.Resource["resourceType"].(string)+"/"+e.Resource["id"].(string)] = e.Resource
	}
	return out
}

func TestVaultLifecycle(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "vault")
	pw := writeFile(t, dir, "pw", "first password\n")
	code, out, errs := ward(t, "vault", "init", "--data", data, "--password-file", pw)
	if code != 0 {
		t.Fatalf("init: %s", errs)
	}
	recovery := regexp.MustCompile(`[0-9A-Z]{5}(-[0-9A-Z]{5}){6}`).FindString(out)
	if recovery == "" {
		t.Fatalf("init printed no recovery key: %q", out)
	}
	if code, _, errs := ward(t, "vault", "init", "--data", data, "--password-file", pw); code == 0 || !strings.Contains(errs, "already") {
		t.Fatalf("second init: %d %q", code, errs)
	}

	bundle := demoBundle(t, dir, 0)
	broken := writeFile(t, dir, "broken.json", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"x"}},`)
	code, out, errs = ward(t, "vault", "import", "--data", data, "--password-file", pw, bundle, broken)
	if code == 0 || !strings.Contains(errs, "broken.json") {
		t.Fatalf("import with a broken file: %d %q", code, errs)
	}
	var sum importSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("import summary is not JSON: %v\n%s", err, out)
	}
	want := resourcesOf(t, bundle)
	if sum.Imported != len(want) || len(sum.Skipped) != 1 || sum.Skipped[0].Reason == "" {
		t.Fatalf("summary: imported %d (want %d), skipped %+v", sum.Imported, len(want), sum.Skipped)
	}

	code, out, errs = ward(t, "vault", "stats", "--data", data, "--password-file", pw, "--json")
	var st struct {
		Resources int
		ByType    map[string]int
		BySource  map[string]map[string]int
	}
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.Resources != len(want) || len(st.BySource[demo.OrganisationName]) == 0 {
		t.Fatalf("stats: %d %s %s", code, out, errs)
	}

	exported := filepath.Join(dir, "export.json")
	if code, _, errs := ward(t, "vault", "export", "--data", data, "--password-file", pw, "--out", exported); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	if got := resourcesOf(t, exported); !reflect.DeepEqual(got, want) {
		t.Fatalf("export is not JSON-equal to the import: %d vs %d resources", len(got), len(want))
	}

	if code, out, errs := ward(t, "vault", "verify", "--data", data, "--password-file", pw); code != 0 || !strings.Contains(out, "0 failed") {
		t.Fatalf("verify clean vault: %d %s %s", code, out, errs)
	}

	// Tamper with two rows behind Ward's back; verify names exactly them.
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(data, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var keys [][]byte
	rows, _ := raw.Query("SELECT key FROM resources ORDER BY key LIMIT 2")
	for rows.Next() {
		var k []byte
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	for _, k := range keys {
		var body []byte
		raw.QueryRow("SELECT body FROM resources WHERE key = ?", k).Scan(&body)
		body[len(body)/2] ^= 0x40
		raw.Exec("UPDATE resources SET body = ? WHERE key = ?", body, k)
	}
	raw.Close()
	code, out, _ = ward(t, "vault", "verify", "--data", data, "--password-file", pw)
	var named []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "failed: ") {
			named = append(named, line)
		}
	}
	sort.Strings(named)
	if code == 0 || len(named) != 2 {
		t.Fatalf("verify after tampering: exit %d, %d failed lines:\n%s", code, len(named), out)
	}
	for i, k := range keys {
		if !strings.Contains(named[i], strings.ToLower(hexOf(k))) {
			t.Fatalf("verify line %q does not name row %x", named[i], k)
		}
	}

	// Wrong password: plain message.
	bad := writeFile(t, dir, "bad", "not the password\n")
	if code, _, errs := ward(t, "vault", "stats", "--data", data, "--password-file", bad); code == 0 || !strings.Contains(errs, "password is not right") {
		t.Fatalf("wrong password: %d %q", code, errs)
	}

	// Change the password, then recover with the recovery key.
	pw2 := writeFile(t, dir, "pw2", "second password\n")
	if code, _, errs := ward(t, "vault", "passwd", "--data", data, "--password-file", pw, "--new-password-file", pw2); code != 0 {
		t.Fatalf("passwd: %s", errs)
	}
	if code, _, _ := ward(t, "vault", "stats", "--data", data, "--password-file", pw); code == 0 {
		t.Fatal("old password still works after passwd")
	}
	pw3 := writeFile(t, dir, "pw3", "third password\n")
	typo := []byte(recovery)
	if typo[0] == 'A' {
		typo[0] = 'B'
	} else {
		typo[0] = 'A'
	}
	if code, _, errs := ward(t, "vault", "recover", "--data", data, "--recovery-key", string(typo), "--new-password-file", pw3); code == 0 || !strings.Contains(errs, "typo") {
		t.Fatalf("recover with a typo: %d %q", code, errs)
	}
	if code, _, errs := ward(t, "vault", "recover", "--data", data, "--recovery-key", strings.ToLower(recovery), "--new-password-file", pw3); code != 0 {
		t.Fatalf("recover: %s", errs)
	}
	if code, _, errs := ward(t, "vault", "stats", "--data", data, "--password-file", pw3, "--json"); code != 0 {
		t.Fatalf("stats with recovered password: %s", errs)
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestVaultBadInput(t *testing.T) {
	dir := t.TempDir()
	pw := writeFile(t, dir, "pw", "a password\n")
	notVault := filepath.Join(dir, "notvault")
	os.MkdirAll(notVault, 0o700)
	writeFile(t, notVault, store.FileName, "just some text")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"vault"}, "say what to do"},
		{"unknown subcommand", []string{"vault", "frob"}, "unknown command"},
		{"no vault", []string{"vault", "stats", "--data", filepath.Join(dir, "none"), "--password-file", pw}, "no Ward record"},
		{"not a vault", []string{"vault", "stats", "--data", notVault, "--password-file", pw}, "not a Ward record"},
		{"missing password file", []string{"vault", "init", "--data", filepath.Join(dir, "v"), "--password-file", filepath.Join(dir, "nope")}, "read password file"},
		{"short password", []string{"vault", "init", "--data", filepath.Join(dir, "v"), "--password-file", writeFile(t, dir, "short", "abc\n")}, "at least 8"},
		{"import nothing", []string{"vault", "import", "--data", dir}, "at least one"},
		{"export nowhere", []string{"vault", "export", "--data", dir}, "--out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(filepath.Join(notVault, store.FileName))
			code, _, errs := ward(t, tt.args...)
			if code == 0 || !strings.Contains(errs, tt.want) || strings.Count(errs, "\n") != 1 {
				t.Fatalf("exit %d, stderr %q; want one line containing %q", code, errs, tt.want)
			}
			after, _ := os.ReadFile(filepath.Join(notVault, store.FileName))
			if !bytes.Equal(before, after) {
				t.Fatal("a file that is not a vault was changed")
			}
		})
	}
}

// TestServerKey: a vault made with a server key opens with the key file
// alone (how a server checks or exports a patient's backup), and not with
// another key.
func TestServerKey(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "vault")
	pw := writeFile(t, dir, "pw", "first password\n")
	key := filepath.Join(dir, "server.key")
	if code, _, errs := ward(t, "vault", "init", "--data", data, "--password-file", pw, "--key-file", key); code != 0 {
		t.Fatalf("init: %s", errs)
	}
	if info, err := os.Stat(key); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	bundle := demoBundle(t, dir, 0)
	if code, _, errs := ward(t, "vault", "import", "--data", data, "--key-file", key, "--source", "Demo", bundle); code != 0 {
		t.Fatalf("import with the server key: %s", errs)
	}
	if code, out, errs := ward(t, "vault", "verify", "--data", data, "--key-file", key); code != 0 || !strings.Contains(out, "0 failed") {
		t.Fatalf("verify with the server key: %s %s", out, errs)
	}
	other := filepath.Join(dir, "other.key")
	if code, _, _ := ward(t, "vault", "init", "--data", filepath.Join(dir, "v2"), "--password-file", pw, "--key-file", other); code != 0 {
		t.Fatal("second init")
	}
	if code, _, errs := ward(t, "vault", "stats", "--data", data, "--key-file", other); code == 0 || !strings.Contains(errs, "server key does not open") {
		t.Fatalf("another server key: %d %q", code, errs)
	}
	if code, _, errs := ward(t, "vault", "stats", "--data", data, "--key-file", filepath.Join(dir, "missing.key")); code == 0 || !strings.Contains(errs, "cannot read the server key") {
		t.Fatalf("missing key file: %d %q", code, errs)
	}
}
