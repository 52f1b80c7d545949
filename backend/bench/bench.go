package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/api"
	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// DefaultSizes are the generated patients measured when Options.Sizes is empty.
var DefaultSizes = []int{1000, 10000, 100000}

// Options says what to measure. The zero value measures DefaultSizes with
// the defaults below, and no fixture, binaries or child process.
type Options struct {
	Sizes   []int  // generated patients, in resources (backend/demo)
	Fixture string // a FHIR JSON file to measure as well; "" for none
	Root    string // Ward's source folder, for bin/ and frontend/dist sizes; "" skips them

	Clients      int           // concurrent load clients (16)
	LoadDuration time.Duration // how long the load runs (10 s)
	LoadRequests int           // and at most this many requests (500,000)
	ReadRequests int           // per endpoint and mode: at most this many requests (300)
	ReadDuration time.Duration // and at most this long (1 s)

	// Child, if set, makes a command of Ward's own executable that runs
	// ImportChild, so that each import runs in its own process and has its
	// own peak RSS. The same executable and environment also run `ward vault
	// init` and `ward vault import` for the whole-process comparison with
	// sqlcipher (cliroute.go); without Child that is not measured.
	Child   func(ctx context.Context) *exec.Cmd
	Version string
	TempDir string    // where the temporary data folders go ("" = the system's)
	Log     io.Writer // progress, one line per step; nil for none
}

func (o *Options) defaults() {
	if len(o.Sizes) == 0 {
		o.Sizes = DefaultSizes
	}
	if o.Clients <= 0 {
		o.Clients = 16
	}
	if o.LoadDuration <= 0 {
		o.LoadDuration = 10 * time.Second
	}
	if o.LoadRequests <= 0 {
		o.LoadRequests = 500_000
	}
	if o.ReadRequests <= 0 {
		o.ReadRequests = 300
	}
	if o.ReadDuration <= 0 {
		o.ReadDuration = time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

// FixtureKey is the Sizes key of the fixture's results.
const FixtureKey = "fixture"

// ErrRequests is returned (with the full report) when any request failed.
var ErrRequests = errors.New("bench: some requests failed")

type bencher struct {
	opt      Options
	rep      *Report
	tmp      string
	firstErr error
	sqlc     *sqlcipherCmd // nil when sqlcipher is not installed
}

// Run measures everything in opt and returns the report. If any request
// failed, it returns the report and an error wrapping ErrRequests.
func Run(ctx context.Context, opt Options) (*Report, error) {
	opt.defaults()
	start := time.Now()
	tmp, err := os.MkdirTemp(opt.TempDir, "ward-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: temporary folder: %w", err)
	}
	defer os.RemoveAll(tmp)
	b := &bencher{opt: opt, tmp: tmp, rep: &Report{
		Machine: machine(opt.Version),
		Sizes:   map[string]*Size{},
	}}
	var missing []string
	b.rep.Binary, missing = binarySizes(opt.Root)
	b.rep.NotMeasured = append(b.rep.NotMeasured, missing...)
	if err := b.findFloors(ctx); err != nil {
		return nil, err
	}
	if opt.Child == nil {
		b.rep.NotMeasured = append(b.rep.NotMeasured, "per-import peak RSS: imports ran in this process, so peak_rss_bytes is the process's peak so far")
	}

	loadSize := slices.Max(opt.Sizes)
	for _, n := range opt.Sizes {
		if err := b.size(ctx, strconv.Itoa(n), n, "", n == loadSize); err != nil {
			return b.rep, err
		}
	}
	if opt.Fixture != "" {
		if err := b.size(ctx, FixtureKey, 0, opt.Fixture, false); err != nil {
			return b.rep, err
		}
	} else {
		b.rep.NotMeasured = append(b.rep.NotMeasured, "fixture: none given (--fixture none, or no *.json under ../shared/fixtures/fhir)")
	}
	for name, s := range b.rep.Sizes {
		for ep, e := range s.Reads {
			if !e.Available {
				b.rep.NotMeasured = append(b.rep.NotMeasured, fmt.Sprintf("%s reads (%s): %s", ep, name, e.Note))
			}
		}
	}
	slices.Sort(b.rep.NotMeasured)
	b.rep.NotMeasured = slices.Compact(b.rep.NotMeasured)
	b.rep.Seconds = time.Since(start).Seconds()
	b.rep.Machine.LoadAvgEnd = loadAvg()
	if b.rep.Errors > 0 {
		return b.rep, fmt.Errorf("%w: %d failed requests, the first: %v", ErrRequests, b.rep.Errors, b.firstErr)
	}
	return b.rep, ctx.Err()
}

func (b *bencher) logf(format string, args ...any) {
	fmt.Fprintf(b.opt.Log, "bench: "+format+"\n", args...)
}

func (b *bencher) fail(n int, err error) {
	b.rep.Errors += n
	if b.firstErr == nil && err != nil {
		b.firstErr = err
	}
}

// size measures one record: generated with n resources, or the fixture file.
func (b *bencher) size(ctx context.Context, key string, n int, fixture string, withLoad bool) error {
	dir := filepath.Join(b.tmp, key)
	defer os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	s := &Size{Resources: n, Input: "demo"}
	b.rep.Sizes[key] = s

	// The input: a Bundle file, and each resource for the floors.
	file, source := filepath.Join(dir, "patient.json"), demo.OrganisationName
	var rs []fhir.Resource
	var content []byte
	if fixture == "" {
		b.logf("%s: generating %d resources", key, n)
		var err error
		rs, err = demo.Generate(demo.Options{Seed: 1, Now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Resources: n})
		if err != nil {
			return err
		}
		if content, err = demo.Bundle(rs); err != nil {
			return err
		}
		if err := os.WriteFile(file, content, 0o600); err != nil {
			return err
		}
	} else {
		file, source, s.Input = fixture, "Benchmark fixture", filepath.Base(fixture)
		var err error
		if content, err = os.ReadFile(fixture); err != nil {
			return fmt.Errorf("fixture: %w", err)
		}
		for r, err := range fhir.Read(bytes.NewReader(content)) {
			if err != nil {
				return fmt.Errorf("fixture %s: %w", s.Input, err)
			}
			rs = append(rs, r)
		}
	}
	raws := make([][]byte, len(rs))
	for i, r := range rs {
		raws[i] = r.Raw
	}
	s.Resources = len(raws)

	// A new vault with a password slot and a passkey slot.
	vdir := filepath.Join(dir, "vault")
	password := []byte(randomText(18))
	pk := passkey{Credential: randomBytes(16), Input: vault.NewPRFInput(), Output: randomBytes(vault.PRFOutputSize)}
	prf, err := pk.unwrapper()
	if err != nil {
		return err
	}
	db, keys, err := store.Create(vdir, vault.NewPassword(password), prf)
	if err != nil {
		return err
	}
	keys.Destroy()
	db.Close()

	b.logf("%s: importing %d resources (%.1f MB)", key, s.Resources, float64(len(content))/1e6)
	res, scope, err := b.runImport(ctx, childRequest{Dir: vdir, File: file, Source: source, Passkey: pk})
	if err != nil {
		return err
	}
	if res.Resources != s.Resources {
		return fmt.Errorf("import of %s stored %d resources, want %d", key, res.Resources, s.Resources)
	}
	s.Import = importStats(res, scope, int64(len(content)), raws)
	disk, err := diskBytes(vdir)
	if err != nil {
		return err
	}
	s.Import.DiskBytesPerResource = float64(disk) / float64(s.Resources)
	s.Import.DiskToJSON = s.Import.DiskBytesPerResource / s.Import.JSONBytesPerResource

	b.logf("%s: floor", key)
	if s.Floor, err = floor(ctx, content, raws, dir); err != nil {
		return err
	}
	s.Floor.ParseRatio = s.Import.ParseMS / s.Floor.JSONDecodeMS
	s.Floor.CommitRatio = s.Import.CommitMS / (s.Floor.SealMS + s.Floor.SQLiteInsertMS)
	s.Floor.TotalRatio = s.Import.TotalMS / (s.Floor.JSONDecodeMS + s.Floor.SealMS + s.Floor.SQLiteInsertMS)
	b.logf("%s: sqlcipher and ward vault import, whole processes", key)
	if err := b.wholeProcess(ctx, s, dir, file, source, rs); err != nil {
		return err
	}
	// From here on this process holds only what Ward would: drop the inputs
	// so their garbage does not slow unlocking and serving.
	content, raws, rs = nil, nil, nil
	runtime.GC()

	b.logf("%s: unlocking", key)
	if s.Unlock, err = unlock(ctx, vdir, password, pk); err != nil {
		return err
	}

	b.logf("%s: reads", key)
	if err := b.serve(ctx, s, vdir, password, withLoad); err != nil {
		return err
	}

	return nil
}

func importStats(res childResult, scope string, fileBytes int64, raws [][]byte) Import {
	var jsonBytes int
	for _, r := range raws {
		jsonBytes += len(r)
	}
	total := time.Duration(res.ParseNS + res.CommitNS)
	return Import{
		FileBytes:            fileBytes,
		ParseMS:              ms(time.Duration(res.ParseNS)),
		CommitMS:             ms(time.Duration(res.CommitNS)),
		TotalMS:              ms(total),
		ResourcesPerS:        float64(res.Resources) / total.Seconds(),
		MBPerS:               float64(fileBytes) / 1e6 / total.Seconds(),
		PeakRSSBytes:         res.PeakRSS,
		PeakRSSScope:         scope,
		JSONBytesPerResource: float64(jsonBytes) / float64(len(raws)),
	}
}

// serve puts the vault behind the real handler with a real session manager,
// unlocks it through the API, then measures each read in process and over
// loopback, and the load if asked.
func (b *bencher) serve(ctx context.Context, s *Size, dir string, password []byte, withLoad bool) error {
	m, err := session.Open(dir, 0)
	if err != nil {
		return err
	}
	defer m.Close()
	h := api.New(api.Options{Vault: m, Version: b.opt.Version})

	body, _ := json.Marshal(map[string]string{"password": string(password)})
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/vault/unlock", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	t := time.Now()
	h.ServeHTTP(w, r)
	s.Unlock.HTTPUnlockMS = ms(time.Since(t))
	var tok struct {
		Token string `json:"token"`
	}
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &tok) != nil || tok.Token == "" {
		return fmt.Errorf("POST /api/vault/unlock: status %d: %s", w.Code, truncate(w.Body.String(), 200))
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen on loopback: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, DisableCompression: true, Proxy: nil}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	base := "http://" + ln.Addr().String()
	ip, lb := inProcess(h, tok.Token), overLoopback(client, base, tok.Token)

	s.Reads = b.reads(ctx, h, tok.Token, ip, lb)
	if !withLoad {
		return nil
	}
	var paths []string
	for _, c := range readCases {
		if e := s.Reads[c.name]; e.Available {
			paths = append(paths, e.Path)
		}
	}
	st, share, done, err := b.shareStep(ctx, tr, s.Resources)
	if err != nil {
		return err
	}
	defer done()
	mix := append(getSteps(lb, paths), st)
	b.logf("%d: load, %d clients for %s", s.Resources, b.opt.Clients, b.opt.LoadDuration)
	l := load(ctx, mix, b.opt.Clients, b.opt.LoadDuration, b.opt.LoadRequests)
	l.Resources = s.Resources
	l.ShareCodes = share.note(len(mix))
	share.fill(l.Share)
	b.rep.Load = l
	if l.Errors > 0 {
		b.fail(l.Errors, errors.New(l.FirstError))
	}
	return nil
}

// reads measures every case in readCases; an endpoint that answers 404 is
// not available in this build and gets no numbers.
func (b *bencher) reads(ctx context.Context, h http.Handler, token string, ip, lb doer) Reads {
	out := Reads{}
	// The history and search cases need a testKey and a term from the record.
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/results?offset=0&limit=200", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	p := probeResults(w.Body.Bytes())
	rb := bounds{requests: b.opt.ReadRequests, time: b.opt.ReadDuration}
	for _, c := range readCases {
		path, note := c.path(p)
		e := &Endpoint{Path: path}
		out[c.name] = e
		status, _, err := ip(ctx, path)
		switch {
		case err != nil:
			b.fail(1, err)
			e.Note = err.Error()
			continue
		case status == http.StatusNotFound && note == "":
			e.Note = "not available: not in this build (404)"
			continue
		case note != "":
			e.Note = "not available: " + note
			continue
		}
		e.Available = true
		for _, mode := range []struct {
			do  doer
			out **Latency
		}{{ip, &e.InProcess}, {lb, &e.Loopback}} {
			l, err := latency(ctx, mode.do, path, rb)
			*mode.out = l
			b.fail(l.Errors, err)
		}
	}
	return out
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func randomText(n int) string {
	return strings.TrimRight(base64.RawURLEncoding.EncodeToString(randomBytes(n)), "=")
}
