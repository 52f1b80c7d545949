package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/fhir"
)

// findFloors looks for the commands the whole-process comparison needs:
// sqlcipher on PATH, and Ward's own executable (Options.Child). What is
// missing goes in NotMeasured, and those numbers are left out.
func (b *bencher) findFloors(ctx context.Context) error {
	c, err := findSQLCipher(ctx, b.tmp)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	b.sqlc = c
	if c == nil {
		b.rep.NotMeasured = append(b.rep.NotMeasured, "sqlcipher floor: sqlcipher not installed (Debian: apt-get install sqlcipher)")
	} else {
		b.rep.Machine.SQLCipher = c.about
	}
	if b.opt.Child == nil {
		b.rep.NotMeasured = append(b.rep.NotMeasured, "ward vault import (cli_ms): no Ward executable to run (Options.Child)")
	}
	return nil
}

// wholeProcess measures the same record as whole processes, start to exit:
// sqlcipher loading rs, and `ward vault import` of file. Each is left out
// when its command is missing (see findFloors).
func (b *bencher) wholeProcess(ctx context.Context, s *Size, dir, file, source string, rs []fhir.Resource) error {
	if b.sqlc != nil {
		res, err := sqlcipherFloor(ctx, b.sqlc, dir, rs)
		if err != nil {
			return fmt.Errorf("sqlcipher floor: %w", err)
		}
		s.Floor.SQLCipherMS = ms(res.d)
		s.Floor.SQLCipherDiskBytesPerResource = float64(res.diskBytes) / float64(len(rs))
		s.Floor.SQLCipherRatio = s.Import.TotalMS / s.Floor.SQLCipherMS
	}
	if b.opt.Child == nil {
		return nil
	}
	d, err := b.cliImport(ctx, dir, file, source, s.Resources)
	if err != nil {
		return err
	}
	s.Import.CLIMS = ms(d)
	if s.Floor.SQLCipherMS > 0 {
		s.Import.CLIRatio = s.Import.CLIMS / s.Floor.SQLCipherMS
	}
	return nil
}

// cliImport is what a user runs: `ward vault import --password-file F
// --source S FILE` into a new vault that `ward vault init` made just before
// (not timed). It returns the import process's wall time, start to exit:
// the Argon2id unlock, reading, sealing, the commit and exiting, the same
// span as the sqlcipher floor's.
func (b *bencher) cliImport(ctx context.Context, dir, file, source string, want int) (time.Duration, error) {
	vdir, pw := filepath.Join(dir, "cli-vault"), filepath.Join(dir, "cli-password")
	defer os.RemoveAll(vdir)
	defer os.Remove(pw)
	if err := os.WriteFile(pw, []byte(randomText(18)+"\n"), 0o600); err != nil {
		return 0, fmt.Errorf("ward vault import: password file: %w", err)
	}
	if _, _, err := b.ward(ctx, "vault", "init", "--data", vdir, "--password-file", pw); err != nil {
		return 0, err
	}
	out, d, err := b.ward(ctx, "vault", "import", "--data", vdir, "--password-file", pw, "--source", source, file)
	if err != nil {
		return 0, err
	}
	var sum struct {
		Imported *int `json:"imported"`
	}
	if err := json.Unmarshal(out, &sum); err != nil || sum.Imported == nil {
		return 0, fmt.Errorf("ward vault import: no count of imported resources in %q", truncate(string(out), 200))
	}
	if *sum.Imported != want {
		return 0, fmt.Errorf("ward vault import stored %d resources, want %d", *sum.Imported, want)
	}
	return d, nil
}

// ward runs Ward's own command line with args and returns its stdout and
// wall time. The executable and environment are those of Options.Child,
// which is Ward itself (`ward bench --import-child`). WARD_SERVER_KEY is
// left out so that the vault opens with the password, as a user's would.
func (b *bencher) ward(ctx context.Context, args ...string) ([]byte, time.Duration, error) {
	child := b.opt.Child(ctx)
	cmd := exec.CommandContext(ctx, child.Path, args...)
	cmd.Dir = child.Dir
	env := child.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "WARD_SERVER_KEY=") })
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("ward %s (%s): %v: %s", strings.Join(args[:min(2, len(args))], " "), child.Path, err, lastLine(stderr.String()))
	}
	return stdout.Bytes(), d, nil
}
