package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// The sqlcipher floor answers "how does Ward compare with what a user might
// pick instead": Debian's sqlcipher command (encrypted SQLite) loading the
// same resources into one table in one transaction. It is a floor for the
// whole import, process and key derivation included, where the other floors
// are per stage and in process.

// sqlcipherCmd is the sqlcipher command line found on PATH.
type sqlcipherCmd struct {
	path string
	// about is its version and default settings, as it reports them, e.g.
	// "3.4.1, AES-256-CBC, kdf_iter 64000, cipher_page_size 1024".
	about string
}

// findSQLCipher returns the sqlcipher on PATH, or nil when there is none.
// One that is there but does not run is an error, not a missing floor.
func findSQLCipher(ctx context.Context, dir string) (*sqlcipherCmd, error) {
	path, err := exec.LookPath("sqlcipher")
	if err != nil {
		return nil, nil
	}
	c := &sqlcipherCmd{path: path}
	// Each setting is printed after a marker line, so that a PRAGMA that
	// prints nothing (or an "ok" from PRAGMA key on sqlcipher 4) cannot shift
	// the others.
	script := "PRAGMA key = 'probe';\n"
	names := []string{"cipher_version", "cipher", "kdf_iter", "cipher_page_size"}
	for _, n := range names {
		script += ".print @" + n + "\nPRAGMA " + n + ";\n"
	}
	out, err := c.exec(ctx, filepath.Join(dir, "sqlcipher-probe.db"), strings.NewReader(script))
	removeDB(filepath.Join(dir, "sqlcipher-probe.db"))
	if err != nil {
		return nil, fmt.Errorf("sqlcipher on PATH (%s) does not run: %w", path, err)
	}
	got := map[string]string{}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i, l := range lines {
		if name, ok := strings.CutPrefix(strings.TrimSpace(l), "@"); ok && i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "@") {
			got[name] = strings.TrimSpace(lines[i+1])
		}
	}
	if got["cipher_version"] == "" {
		return nil, fmt.Errorf("%s is not sqlcipher: PRAGMA cipher_version says nothing", path)
	}
	parts := []string{got["cipher_version"]}
	for _, n := range names[1:] {
		if v := got[n]; v != "" {
			if n == "cipher" {
				parts = append(parts, v)
			} else {
				parts = append(parts, n+" "+v)
			}
		}
	}
	c.about = strings.Join(parts, ", ")
	return c, nil
}

// exec runs sqlcipher on the database at db with the script on stdin, and
// stops at the first error (-bail).
func (c *sqlcipherCmd) exec(ctx context.Context, db string, script *strings.Reader) (string, error) {
	cmd := exec.CommandContext(ctx, c.path, "-bail", db)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = script, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%v: %s", err, lastLine(stderr.String()))
	}
	return stdout.String(), nil
}

// load runs sqlcipher with the script file on stdin and returns the time
// from starting the process to its exit: reading and parsing the SQL, key
// derivation, encryption and the commit.
func (c *sqlcipherCmd) load(ctx context.Context, db, script string) (time.Duration, error) {
	f, err := os.Open(script)
	if err != nil {
		return 0, fmt.Errorf("open the SQL script: %w", err)
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, c.path, "-bail", db)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = f, &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("sqlcipher: %v: %s", err, lastLine(stderr.String()))
	}
	if !strings.Contains("\n"+stdout.String(), "\nwal\n") {
		return 0, fmt.Errorf("sqlcipher did not switch to WAL: %q", truncate(stdout.String(), 200))
	}
	return d, nil
}

// writeScript writes the SQL that loads rs into a new sqlcipher database:
// the key (a passphrase, so sqlcipher's default KDF runs), Ward's journal
// settings (WAL, synchronous=NORMAL), one table, and every resource in one
// transaction, as Ward imports a file.
func writeScript(path, key string, rs []fhir.Resource) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("sqlcipher script: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(w, "PRAGMA key = %s;\nPRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\n", sqlString([]byte(key)))
	w.WriteString("CREATE TABLE resources (type TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (type, id));\nBEGIN;\n")
	for _, r := range rs {
		fmt.Fprintf(w, "INSERT OR REPLACE INTO resources VALUES (%s, %s, %s);\n",
			sqlString([]byte(r.Type)), sqlString([]byte(r.ID)), sqlString(r.Raw))
	}
	w.WriteString("COMMIT;\n")
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sqlcipher script: %w", err)
	}
	return nil
}

// sqlString is b as an SQL text literal with quotes doubled. Bytes the
// sqlite shell would not keep in a literal (it drops the CR of a CRLF line
// end) and NULs go as CAST(X'..' AS TEXT) instead, which stores the same
// bytes; JSON rarely has either, so nearly every row is a plain literal.
func sqlString(b []byte) string {
	if bytes.ContainsAny(b, "\r\x00") {
		return "CAST(X'" + hex.EncodeToString(b) + "' AS TEXT)"
	}
	return "'" + strings.ReplaceAll(string(b), "'", "''") + "'"
}

// sqlcipherResult is the sqlcipher floor on one record.
type sqlcipherResult struct {
	d         time.Duration
	diskBytes int64 // the database file(s) after sqlcipher exits
}

// sqlcipherFloor loads rs into a new sqlcipher database (the best of up to
// floorRuns, each into a new file), then checks, untimed, that the last one
// holds every resource's bytes and is encrypted on disk.
func sqlcipherFloor(ctx context.Context, c *sqlcipherCmd, dir string, rs []fhir.Resource) (sqlcipherResult, error) {
	var res sqlcipherResult
	key := randomText(24)
	script := filepath.Join(dir, "sqlcipher.sql")
	if err := writeScript(script, key, rs); err != nil {
		return res, err
	}
	defer os.Remove(script)
	run, last := 0, ""
	d, err := best(ctx, func() (time.Duration, error) {
		if last != "" {
			removeDB(last)
		}
		run++
		last = filepath.Join(dir, fmt.Sprintf("sqlcipher-%d.db", run))
		return c.load(ctx, last, script)
	})
	defer removeDB(last)
	if err != nil {
		return res, err
	}
	if err := c.check(ctx, last, key, rs); err != nil {
		return res, err
	}
	res.d = d
	for _, s := range []string{"", "-wal", "-shm"} {
		if info, err := os.Stat(last + s); err == nil {
			res.diskBytes += info.Size()
		}
	}
	return res, nil
}

// check opens db with key and compares its row count and JSON bytes with
// rs (the last of a repeated type and id wins, as INSERT OR REPLACE does),
// and that the file does not start with SQLite's plaintext header.
func (c *sqlcipherCmd) check(ctx context.Context, db, key string, rs []fhir.Resource) error {
	head := make([]byte, 16)
	f, err := os.Open(db)
	if err != nil {
		return fmt.Errorf("sqlcipher database: %w", err)
	}
	_, err = f.Read(head)
	f.Close()
	if err != nil {
		return fmt.Errorf("sqlcipher database: %w", err)
	}
	if bytes.HasPrefix(head, []byte("SQLite format 3")) {
		return errors.New("the sqlcipher database is not encrypted")
	}
	sizes := map[[2]string]int{}
	for _, r := range rs {
		sizes[[2]string{r.Type, r.ID}] = len(r.Raw)
	}
	want := 0
	for _, n := range sizes {
		want += n
	}
	out, err := c.exec(ctx, db, strings.NewReader("PRAGMA key = "+sqlString([]byte(key))+
		";\nSELECT count(*) || ' ' || total(length(CAST(json AS BLOB))) FROM resources;\n"))
	if err != nil {
		return fmt.Errorf("read back the sqlcipher database: %w", err)
	}
	fields := strings.Fields(out)
	if len(fields) < 2 {
		return fmt.Errorf("read back the sqlcipher database: %q", truncate(out, 200))
	}
	rows, _ := strconv.Atoi(fields[len(fields)-2])
	bytesStored, _ := strconv.ParseFloat(fields[len(fields)-1], 64)
	if rows != len(sizes) || int(bytesStored) != want {
		return fmt.Errorf("the sqlcipher database holds %d rows of %.0f bytes, want %d of %d", rows, bytesStored, len(sizes), want)
	}
	return nil
}

// removeDB removes an SQLite database and its WAL files.
func removeDB(path string) {
	for _, s := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + s)
	}
}

// lastLine is the last non-empty line of a child's stderr: its error.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return truncate(s, 300)
}
