package bench

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/fhir"
)

// installedSQLCipher reports whether sqlcipher is on PATH. Under CI (CI set)
// a missing sqlcipher fails the test: CI must measure the sqlcipher floor.
func installedSQLCipher(t *testing.T) bool {
	t.Helper()
	if _, err := exec.LookPath("sqlcipher"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("sqlcipher is not installed; CI must measure the sqlcipher floor (make deps installs it)")
		}
		return false
	}
	return true
}

// needSQLCipher returns the sqlcipher on PATH, skipping the test without it
// (and failing it under CI).
func needSQLCipher(t *testing.T) *sqlcipherCmd {
	t.Helper()
	if !installedSQLCipher(t) {
		t.Skip("sqlcipher not installed (apt-get install sqlcipher)")
	}
	c, err := findSQLCipher(context.Background(), t.TempDir())
	if err != nil || c == nil {
		t.Fatalf("sqlcipher on PATH but not usable: %v", err)
	}
	return c
}

func TestSQLString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"a":1}`, `'{"a":1}'`},
		{`{"name":"O'Brien"}`, `'{"name":"O''Brien"}'`},
		{"''", `''''''`},
		{"{\n  \"a\": 1\n}", "'{\n  \"a\": 1\n}'"},
		{"{\r\n}", "CAST(X'7b0d0a7d' AS TEXT)"},
		{"a\x00b", "CAST(X'610062' AS TEXT)"},
		{"", "''"},
	} {
		if got := sqlString([]byte(tc.in)); got != tc.want {
			t.Errorf("sqlString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestSQLCipherFloor loads awkward resources through the sqlcipher floor and
// reads every byte back: quotes, line ends the sqlite shell treats
// specially, non-ASCII text, and a repeated type and id (the last wins).
func TestSQLCipherFloor(t *testing.T) {
	c := needSQLCipher(t)
	if !strings.Contains(c.about, "kdf_iter") {
		t.Errorf("settings not read: %q", c.about)
	}
	res := func(typ, id, raw string) fhir.Resource {
		return fhir.Resource{Type: typ, ID: id, Raw: json.RawMessage(raw)}
	}
	rs := []fhir.Resource{
		res("Patient", "p1", `{"resourceType":"Patient","id":"p1","name":[{"family":"O'Brien"}]}`),
		res("Observation", "o'1", `{"resourceType":"Observation","note":"it's ''quoted''"}`),
		res("Observation", "lines", "{\n\"a\": 1,\ngo\n/\n.quit\n;\n\"b\": 2\n}"),
		res("Observation", "crlf", "{\r\n  \"a\": \"\\r\\n\"\r\n}\r\n"),
		res("Observation", "unicode", `{"text":"Zoë – 血液检查 – 🩸"}`),
		res("Observation", "dup", `{"v":"first"}`),
		res("Observation", "dup", `{"v":"second, kept"}`),
	}
	for i := range 200 {
		rs = append(rs, res("Observation", fmt.Sprintf("n%d", i), fmt.Sprintf(`{"resourceType":"Observation","id":"n%d"}`, i)))
	}
	dir := t.TempDir()
	ctx := context.Background()
	r, err := sqlcipherFloor(ctx, c, dir, rs)
	if err != nil {
		t.Fatal(err)
	}
	if r.d <= 0 || r.diskBytes <= 0 {
		t.Fatalf("sqlcipher floor: %+v", r)
	}

	// The same rows again, kept, to read back byte for byte.
	key := randomText(24)
	script, db := dir+"/check.sql", dir+"/check.db"
	if err := writeScript(script, key, rs); err != nil {
		t.Fatal(err)
	}
	if d, err := c.load(ctx, db, script); err != nil || d <= 0 {
		t.Fatalf("load: %v, %v", d, err)
	}
	if err := c.check(ctx, db, key, rs); err != nil {
		t.Fatal(err)
	}
	if err := c.check(ctx, db, key, rs[:3]); err == nil {
		t.Error("check passed with the wrong resources")
	}
	out, err := c.exec(ctx, db, strings.NewReader("PRAGMA key = '"+key+"';\nSELECT type || '|' || id || '|' || hex(json) FROM resources;\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Split(l, "|"); len(f) == 3 {
			b, _ := hex.DecodeString(f[2])
			got[f[0]+"/"+f[1]] = string(b)
		}
	}
	want := map[string]string{}
	for _, r := range rs {
		want[r.Type+"/"+r.ID] = string(r.Raw)
	}
	if len(got) != len(want) {
		t.Errorf("%d rows, want %d", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: stored %q, want %q", k, got[k], w)
		}
	}
	// Without the key the file is unreadable.
	if _, err := c.exec(ctx, db, strings.NewReader("SELECT count(*) FROM resources;\n")); err == nil {
		t.Error("the database opened without its key")
	}
}

// TestSQLCipherNotInstalled: with no sqlcipher on PATH the floor is absent
// from the JSON (not zero), the table says why, and Compare names the
// metrics that only one run has.
func TestSQLCipherNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	b := &bencher{tmp: t.TempDir(), rep: &Report{Sizes: map[string]*Size{}}}
	if err := b.findFloors(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b.sqlc != nil || b.rep.Machine.SQLCipher != "" || !strings.Contains(strings.Join(b.rep.NotMeasured, "\n"), "sqlcipher not installed") {
		t.Fatalf("found %+v, not measured %q", b.sqlc, b.rep.NotMeasured)
	}
	without := b.rep
	without.Sizes["1000"] = &Size{Resources: 1000, Import: Import{TotalMS: 30, CLIMS: 90}, Floor: Floor{JSONDecodeMS: 5}}
	with := &Report{Machine: Machine{SQLCipher: "3.4.1"}, Sizes: map[string]*Size{"1000": {Resources: 1000,
		Import: Import{TotalMS: 30, CLIMS: 90, CLIRatio: 3}, Floor: Floor{JSONDecodeMS: 5, SQLCipherMS: 30, SQLCipherRatio: 1, SQLCipherDiskBytesPerResource: 1100}}}}

	buf, _ := json.Marshal(without)
	for _, k := range []string{"sqlcipher_ms", "sqlcipher_ratio", "cli_ratio", `"sqlcipher"`} {
		if bytes.Contains(buf, []byte(k)) {
			t.Errorf("JSON without sqlcipher has %s: %s", k, buf)
		}
	}
	var out bytes.Buffer
	WriteTable(&out, without)
	if !strings.Contains(out.String(), "sqlcipher not installed") || strings.Count(out.String(), "sqlcipher not installed") < 4 {
		t.Errorf("table:\n%s", out.String())
	}
	out.Reset()
	WriteTable(&out, with)
	if strings.Contains(out.String(), "not installed") || !strings.Contains(out.String(), "3.0x") {
		t.Errorf("table:\n%s", out.String())
	}

	for _, tc := range []struct {
		name     string
		old, cur *Report
		want     string
	}{
		{"sqlcipher new in this run", without, with, "only in this run: sizes.1000.floor.sqlcipher_disk_bytes_per_resource, sizes.1000.floor.sqlcipher_ms, sizes.1000.floor.sqlcipher_ratio, sizes.1000.import.cli_ratio"},
		{"sqlcipher gone", with, without, "only in the old run: sizes.1000.floor.sqlcipher_disk_bytes_per_resource, sizes.1000.floor.sqlcipher_ms, sizes.1000.floor.sqlcipher_ratio, sizes.1000.import.cli_ratio"},
	} {
		old, _ := json.Marshal(tc.old)
		out.Reset()
		if err := Compare(&out, old, tc.cur); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tc.want) || !strings.Contains(out.String(), "sizes.1000.import.cli_ms") {
			t.Errorf("%s:\n%s", tc.name, out.String())
		}
	}
}

// TestCompareOtherSizes: a size only one run measured is named once.
func TestCompareOtherSizes(t *testing.T) {
	old, _ := json.Marshal(&Report{Sizes: map[string]*Size{"1000": {Resources: 1000}, "10000": {Resources: 10000}}})
	var out bytes.Buffer
	if err := Compare(&out, old, &Report{Sizes: map[string]*Size{"1000": {Resources: 1000}}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "only in the old run: sizes.10000.*\n") {
		t.Errorf("compare:\n%s", out.String())
	}
}

func TestVerdictSQLCipherKeys(t *testing.T) {
	for _, tc := range []struct {
		key      string
		old, cur float64
		want     string
	}{
		{"sizes.1000.floor.sqlcipher_ratio", 2, 1.5, "(better)"},
		{"sizes.1000.import.cli_ratio", 2, 3, "(worse)"},
		{"sizes.1000.import.cli_ms", 100, 90, "(better)"},
		{"sizes.1000.floor.sqlcipher_disk_bytes_per_resource", 1000, 1100, "(worse)"},
	} {
		if got := verdict(tc.key, tc.old, tc.cur); got != tc.want {
			t.Errorf("verdict(%s, %v, %v) = %q, want %q", tc.key, tc.old, tc.cur, got, tc.want)
		}
	}
}
