package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// passkey is the benchmark vault's PRF slot: a random credential, input and
// output standing in for a real authenticator's.
type passkey struct {
	Credential []byte `json:"credential"`
	Input      []byte `json:"input"`
	Output     []byte `json:"output"`
}

func (p passkey) unwrapper() (*vault.PRF, error) {
	return vault.NewPRF(p.Credential, p.Input, p.Output)
}

// childRequest is what an import child reads on stdin.
type childRequest struct {
	Dir     string  `json:"dir"`  // the vault, already created
	File    string  `json:"file"` // the FHIR JSON to import
	Source  string  `json:"source"`
	Passkey passkey `json:"passkey"`
}

// childResult is what an import child writes on stdout.
type childResult struct {
	Resources int   `json:"resources"`
	ParseNS   int64 `json:"parse_ns"`
	CommitNS  int64 `json:"commit_ns"`
	PeakRSS   int64 `json:"peak_rss"`
}

// ImportChild is the import child's side: it reads a request on in, imports
// the file into the vault, and writes what it measured to out. `ward bench
// --import-child` runs it, so that each import's peak memory is its own.
func ImportChild(ctx context.Context, in io.Reader, out io.Writer) error {
	var req childRequest
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return fmt.Errorf("import child: read request: %w", err)
	}
	res, err := importFile(ctx, req)
	if err != nil {
		return err
	}
	res.PeakRSS = peakRSS()
	return json.NewEncoder(out).Encode(res)
}

// importFile is what `ward vault import` does for one file: fhir.Read the
// whole file, then store.Import in one transaction. Unlocking (with the
// passkey slot, which costs microseconds) is not timed.
func importFile(ctx context.Context, req childRequest) (childResult, error) {
	var res childResult
	db, err := store.Open(req.Dir)
	if err != nil {
		return res, err
	}
	defer db.Close()
	u, err := req.Passkey.unwrapper()
	if err != nil {
		return res, err
	}
	keys, err := db.UnlockLocal(ctx, u) // as ward vault import does
	if err != nil {
		return res, err
	}
	defer keys.Destroy()

	start := time.Now()
	f, err := os.Open(req.File)
	if err != nil {
		return res, err
	}
	var items []store.Item
	for r, err := range fhir.Read(f) {
		if err != nil {
			f.Close()
			return res, fmt.Errorf("read %s: %w", filepath.Base(req.File), err)
		}
		items = append(items, store.Item{Type: r.Type, ID: r.ID, Raw: r.Raw})
	}
	f.Close()
	parsed := time.Now()
	src := store.Source{Name: req.Source, LastUpdated: time.Now().UTC()}
	seq := func(yield func(store.Item, error) bool) {
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
	}
	if _, err := db.Import(ctx, keys, src, seq, nil); err != nil {
		return res, err
	}
	done := time.Now()
	res.Resources = len(items)
	res.ParseNS = parsed.Sub(start).Nanoseconds()
	res.CommitNS = done.Sub(parsed).Nanoseconds()
	return res, nil
}

// runImport imports req in a child process when one is configured (so the
// peak RSS is this import's alone), otherwise in this process.
func (b *bencher) runImport(ctx context.Context, req childRequest) (childResult, string, error) {
	if b.opt.Child == nil {
		res, err := importFile(ctx, req)
		res.PeakRSS = peakRSS()
		return res, "process", err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return childResult{}, "", err
	}
	cmd := b.opt.Child(ctx)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(body), &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		return childResult{}, "", fmt.Errorf("import child (%s): %v: %s", cmd.Path, err, msg)
	}
	var res childResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return childResult{}, "", fmt.Errorf("import child: bad answer %q: %w", truncate(stdout.String(), 200), err)
	}
	// The child's own VmHWM is the number to trust: on Linux a child's
	// rusage Maxrss can carry the parent's peak across fork and exec.
	if res.PeakRSS == 0 {
		res.PeakRSS = childPeakRSS(cmd.ProcessState)
	}
	return res, "child", nil
}

// diskBytes checkpoints the vault's WAL into the database file and returns
// the size of everything in dir.
func diskBytes(dir string) (int64, error) {
	path := filepath.Join(dir, store.FileName)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return 0, err
	}
	_, err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, e := range entries {
		info, err := e.Info()
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
		if err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
	}
	return n, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
