package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/api"
	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// wardEnv makes the test binary act as the ward command (see TestMain in
// cli_test.go), so that the bench's children (`ward bench --import-child`,
// `ward vault init`, `ward vault import`) run Ward's real code.
const wardEnv = "WARD_BENCH_AS_WARD"

func testChild(ctx context.Context) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "bench", "--import-child")
	cmd.Env = append(os.Environ(), wardEnv+"=1")
	return cmd
}

// TestRunTiny runs the whole bench on a tiny record and checks that the
// JSON has every key, every measurement is positive and no request failed.
func TestRunTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Argon2id at the real defaults")
	}
	var log bytes.Buffer
	rep, err := Run(context.Background(), Options{
		Sizes:        []int{300},
		Clients:      2,
		LoadDuration: time.Second,
		LoadRequests: 5000,
		ReadRequests: 20,
		ReadDuration: 200 * time.Millisecond,
		Child:        testChild,
		Root:         FindRoot("."),
		Version:      "test",
		TempDir:      t.TempDir(),
		Log:          &log,
	})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	buf, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf, &doc); err != nil {
		t.Fatal(err)
	}
	nums := map[string]float64{}
	flatten("", doc, nums)
	has := func(key string) bool {
		cur := any(doc)
		for _, part := range strings.Split(key, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			if cur, ok = m[part]; !ok {
				return false
			}
		}
		return true
	}
	want := []string{
		"machine.cores", "machine.cpu", "machine.ram_bytes", "machine.go", "machine.os",
		"sizes.300.resources", "sizes.300.input",
		"sizes.300.import.resources_per_s", "sizes.300.import.mb_per_s", "sizes.300.import.parse_ms",
		"sizes.300.import.commit_ms", "sizes.300.import.total_ms", "sizes.300.import.peak_rss_bytes",
		"sizes.300.import.json_bytes_per_resource", "sizes.300.import.disk_bytes_per_resource", "sizes.300.import.disk_to_json",
		"sizes.300.unlock.password_ms", "sizes.300.unlock.prf_ms", "sizes.300.unlock.load_ms",
		"sizes.300.unlock.build_ms", "sizes.300.unlock.open_ms", "sizes.300.unlock.http_unlock_ms",
		"sizes.300.floor.json_decode_ms", "sizes.300.floor.seal_ms", "sizes.300.floor.sqlite_insert_ms",
		"sizes.300.floor.parse_ratio", "sizes.300.floor.commit_ratio", "sizes.300.floor.total_ratio",
		"load.requests", "load.requests_per_s", "load.p50_ms", "load.p99_ms", "load.errors", "load.clients",
		"load.share_codes", "load.share.shares", "load.share.resources", "load.share.sealed_bytes",
		"load.share.redemptions", "load.share.redemptions_per_s", "load.share.p50_ms", "load.share.p99_ms",
		"load.share.errors", "load.share.open_ms", "load.share.floor_ms", "load.share.floor_ratio",
		"binary.executable.bytes", "errors", "seconds", "not_measured",
		"sizes.300.import.cli_ms",
	}
	// The sqlcipher floor is measured wherever sqlcipher is installed, and
	// CI must have it; elsewhere its keys are absent, never zero.
	sqlcipherKeys := []string{"machine.sqlcipher", "sizes.300.floor.sqlcipher_ms", "sizes.300.floor.sqlcipher_ratio",
		"sizes.300.floor.sqlcipher_disk_bytes_per_resource", "sizes.300.import.cli_ratio"}
	haveSQLCipher := installedSQLCipher(t)
	if haveSQLCipher {
		want = append(want, sqlcipherKeys...)
	} else {
		for _, k := range sqlcipherKeys {
			if has(k) {
				t.Errorf("sqlcipher is not installed, but the JSON has %s", k)
			}
		}
	}
	for _, c := range readCases {
		want = append(want, "sizes.300.reads."+c.name+".available", "sizes.300.reads."+c.name+".path")
	}
	for _, k := range want {
		if !has(k) {
			t.Errorf("JSON has no %s", k)
		}
	}
	if rep.Errors != 0 || rep.Load.Errors != 0 {
		t.Errorf("%d request errors, %d under load", rep.Errors, rep.Load.Errors)
	}
	for k, v := range nums {
		if !strings.HasPrefix(k, "sizes.") && !strings.HasPrefix(k, "load.") {
			continue
		}
		if strings.HasSuffix(k, "errors") {
			if v != 0 {
				t.Errorf("%s = %v", k, v)
			}
		} else if !(v > 0) {
			t.Errorf("%s = %v, want > 0", k, v)
		}
	}
	s := rep.Sizes["300"]
	if s.Import.PeakRSSScope != "child" {
		t.Errorf("peak RSS scope %q", s.Import.PeakRSSScope)
	}
	for _, c := range []string{"home", "results"} {
		if e := s.Reads[c]; !e.Available || e.InProcess == nil || e.Loopback == nil {
			t.Errorf("%s: %+v", c, e)
		}
	}
	for name, e := range s.Reads {
		if e.Available != (e.InProcess != nil && e.Loopback != nil) {
			t.Errorf("%s: available %v with numbers %v %v", name, e.Available, e.InProcess, e.Loopback)
		}
	}
	if rep.Load.Requests < 2 || rep.Load.DurationS > 5 {
		t.Errorf("load: %d requests in %.1f s", rep.Load.Requests, rep.Load.DurationS)
	}
	if sl := rep.Load.Share; sl == nil || sl.Shares != 2 || sl.Redemptions == 0 || sl.Redemptions >= rep.Load.Requests ||
		!strings.Contains(rep.Load.ShareCodes, "POST /api/share/open") {
		t.Errorf("share redemptions in the load: %+v (%d requests in all): %s", sl, rep.Load.Requests, rep.Load.ShareCodes)
	}
	for _, s := range rep.NotMeasured {
		if strings.Contains(s, "share code") || strings.Contains(s, "share-code") {
			t.Errorf("not measured: %s", s)
		}
	}

	var out bytes.Buffer
	if err := WriteTable(&out, rep); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String() + log.String())
	tableWants := []string{"resources/s", "home in process", "LOAD", "share codes", "share redemptions", "open / floor", "ward vault import ms"}
	if haveSQLCipher {
		tableWants = append(tableWants, "import total / sqlcipher", "ward vault import / sqlcipher")
	} else {
		tableWants = append(tableWants, "sqlcipher not installed")
	}
	for _, want := range tableWants {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table has no %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := Compare(&out, buf, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "sizes.300.import.resources_per_s") || strings.Contains(out.String(), "%") {
		t.Errorf("compare with itself:\n%s", out.String())
	}
}

// TestUnavailableEndpoint checks that a 404 gives a row with no numbers,
// and any other failure counts as a request error.
func TestUnavailableEndpoint(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/summary":
			w.Write([]byte(`{}`))
		case "/api/results":
			w.Write([]byte(`{"reports":[{"name":"Full blood count","results":[{"name":"Haemoglobin","testKey":"k1"}]}]}`))
		case "/api/history":
			if r.URL.Query().Get("test") != "k1" {
				t.Errorf("history asked for %q", r.URL.RawQuery)
			}
			w.Write([]byte(`{}`))
		case "/api/search":
			if q := r.URL.Query().Get("q"); q != "haemo" {
				t.Errorf("search for %q", q)
			}
			w.WriteHeader(http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	b := &bencher{opt: Options{ReadRequests: 5, ReadDuration: time.Second}, rep: &Report{}}
	ctx := context.Background()
	reads := b.reads(ctx, h, "tok", inProcess(h, "tok"), overLoopback(srv.Client(), srv.URL, "tok"))
	if e := reads["timeline"]; e.Available || e.InProcess != nil || !strings.Contains(e.Note, "404") {
		t.Errorf("timeline: %+v", e)
	}
	if e := reads["history"]; !e.Available || e.Loopback.Requests != 5 {
		t.Errorf("history: %+v", e)
	}
	if e := reads["search"]; !e.Available || e.InProcess.Errors == 0 || b.rep.Errors != 14 {
		t.Errorf("search: %+v, %d errors", e, b.rep.Errors)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if p50, p99 := pct(ds, 0.5), pct(ds, 0.99); p50 != 50 || p99 != 99 {
		t.Errorf("p50 %v p99 %v", p50, p99)
	}
	if pct(nil, 0.5) != 0 || pct(ds[:1], 0.99) != 1 {
		t.Error("edge cases")
	}
}

func TestLargestFixture(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "broken"), 0o700)
	os.MkdirAll(filepath.Join(dir, "a"), 0o700)
	os.WriteFile(filepath.Join(dir, "broken", "huge.json"), make([]byte, 300), 0o600)
	os.WriteFile(filepath.Join(dir, "a", "big.json"), make([]byte, 200), 0o600)
	os.WriteFile(filepath.Join(dir, "small.json"), make([]byte, 100), 0o600)
	os.WriteFile(filepath.Join(dir, "a", "bigger.xml"), make([]byte, 250), 0o600)
	if got := LargestFixture(dir); got != filepath.Join(dir, "a", "big.json") {
		t.Errorf("got %s", got)
	}
	if LargestFixture(filepath.Join(dir, "none")) != "" {
		t.Error("missing folder")
	}
}

// BenchmarkRead is one request of each read case through the real handler,
// in process, on a 1,000-resource demo vault (opened with a server key, so
// no Argon2). Endpoints this build does not have are skipped.
func BenchmarkRead(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	kek, err := vault.LoadOrCreateKEK(filepath.Join(dir, "server.key"))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: now, Resources: 1000})
	if err != nil {
		b.Fatal(err)
	}
	m, err := session.OpenDemo(ctx, dir, kek, store.Source{Name: demo.OrganisationName, LastUpdated: now}, rs)
	kek.Destroy()
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	h := api.New(api.Options{Vault: m})
	ip := inProcess(h, "")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/results?offset=0&limit=200", nil))
	p := probeResults(w.Body.Bytes())
	for _, c := range readCases {
		b.Run(c.name, func(b *testing.B) {
			path, note := c.path(p)
			if status, _, _ := ip(ctx, path); status == http.StatusNotFound || note != "" {
				b.Skipf("%s: not available (%s)", path, note)
			}
			for b.Loop() {
				if status, _, err := ip(ctx, path); err != nil || status != http.StatusOK {
					b.Fatalf("GET %s: %d %v", path, status, err)
				}
			}
		})
	}
}

// BenchmarkSealFloor is the AEAD floor alone: XChaCha20-Poly1305 over 1,000
// demo resources.
func BenchmarkSealFloor(b *testing.B) {
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), Resources: 1000})
	if err != nil {
		b.Fatal(err)
	}
	var raws [][]byte
	n := 0
	for _, r := range rs {
		raws = append(raws, r.Raw)
		n += len(r.Raw)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		if _, err := sealFloor(raws); err != nil {
			b.Fatal(err)
		}
	}
}
