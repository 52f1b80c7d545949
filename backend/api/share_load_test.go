package api

// Sharing under load and under attack, over real loopback TCP (the
// browsers are in share_loop_test.go).

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/share"
)

// BenchmarkShareRedeemConcurrent: 200 clinicians at once, each from its
// own loopback address, each opens a share of its own (made beforehand,
// over loopback, by one patient) and reads the results page, then leaves
// (POST /api/share/finish with the share's CSRF token). It reports
// redemptions per second (open and results read, all 200 together), the
// latency of creating a share and of opening one, and fails on any answer
// that is not the one a browser expects. No throttle is turned off: every
// clinician has its own address and the right code and date. (A try is
// counted before the work and given back after a success, so a burst of
// right codes counts against the limit for everyone while in flight: at
// about 100 in flight the next clinician is told to wait 30 seconds, and
// this fails, as it should.)
func BenchmarkShareRedeemConcurrent(b *testing.B) {
	const clinicians = 200
	se := newShareEnv(b, false)
	needLoopbackAddrs(b, se)
	a := se.newPatient("Alma")
	se.signUp(a)
	pb := se.asPatient(b, a)
	docs := make([]*loopBrowser, clinicians)
	for i := range docs {
		docs[i] = se.loopBrowser(b, fmt.Sprintf("127.0.%d.%d", 10+i/250, i%250+1))
	}
	var creates, opens []time.Duration
	var took time.Duration
	errs := map[string]int{} // failures by step and status
	var firstErr string
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		codes := make([]string, clinicians)
		for i := range codes {
			t := time.Now()
			ans, err := pb.send("POST", "/api/shares", map[string]any{
				"recipient": map[string]string{"name": "Dr Rowan Pike", "email": clinicianEmail, "organisation": "Riverside Clinic"},
				"sections":  []string{"results"}, "minutes": 60})
			creates = append(creates, time.Since(t))
			var c created
			if err != nil || ans.status != http.StatusCreated || json.Unmarshal(ans.body, &c) != nil || c.Code == "" {
				b.Fatalf("create %d: %v %d %s", i, err, ans.status, ans.body)
			}
			codes[i] = c.Code
		}
		b.StartTimer()
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := time.Now()
		for i, d := range docs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := time.Now()
				ans, err := d.open(codes[i], "1970-01-01")
				lat := time.Since(t)
				step, fail := "open", ""
				if err != nil || ans.status != http.StatusOK {
					fail = fmt.Sprintf("%v %d %s (Retry-After %q)", err, ans.status, ans.body, ans.header.Get("Retry-After"))
				}
				if fail == "" {
					step = "results"
					ans, err = d.send("GET", "/api/results", nil)
					if err != nil || ans.status != http.StatusOK || !bytes.Contains(ans.body, []byte("zirconium")) {
						fail = fmt.Sprintf("%v %d %.200s", err, ans.status, ans.body)
					}
				}
				if fail == "" {
					step = "finish"
					if ans, err = d.send("POST", "/api/share/finish", map[string]any{}); err != nil || ans.status != http.StatusNoContent {
						fail = fmt.Sprintf("%v %d %s", err, ans.status, ans.body)
					}
				}
				mu.Lock()
				defer mu.Unlock()
				opens = append(opens, lat)
				if fail != "" {
					errs[fmt.Sprintf("%s %d", step, ans.status)]++
					if firstErr == "" {
						firstErr = step + " from " + d.from + ": " + fail
					}
				}
			}()
		}
		wg.Wait()
		took += time.Since(start)
	}
	n, failed := len(opens), 0
	for _, k := range errs {
		failed += k
	}
	b.Logf("%d redemptions (%d clinicians at once) in %v: %.0f/s, %d failed %v; create p50 %.2f ms p99 %.2f ms; open p50 %.2f ms p99 %.2f ms",
		n, clinicians, took.Round(time.Millisecond), float64(n)/took.Seconds(), failed, errs,
		pctMS(creates, 0.5), pctMS(creates, 0.99), pctMS(opens, 0.5), pctMS(opens, 0.99))
	if failed > 0 {
		b.Fatalf("%d of %d redemptions failed (%v); the first: %s", failed, n, errs, firstErr)
	}
	b.ReportMetric(float64(n)/took.Seconds(), "redemptions/s")
	b.ReportMetric(pctMS(creates, 0.5), "create-p50-ms")
	b.ReportMetric(pctMS(creates, 0.99), "create-p99-ms")
	b.ReportMetric(pctMS(opens, 0.5), "open-p50-ms")
	b.ReportMetric(pctMS(opens, 0.99), "open-p99-ms")
}

// TestShareBruteForceBounded: 10,000 wrong codes (well formed, with the
// patient's real date of birth) over loopback, from one address, then
// from one address claiming a new X-Forwarded-For each time (no proxy is
// trusted, so the claims count for nothing): each is throttled after the
// 5 free tries and none gets in, and then the real holder, from another
// address, opens the share at once. With a trusted proxy the claimed
// addresses are counted one by one; 10,000 guesses each from a new
// claimed address then meet the limit for everyone (after 100 wrong
// tries), which the holder waits out too: exactly as long as the answer
// says, and then gets in.
func TestShareBruteForceBounded(t *testing.T) {
	se := newShareEnv(t, false)
	needLoopbackAddrs(t, se)
	a := se.newPatient("Alma")
	se.signUp(a)
	c := se.share(a, []string{"results"}, 60)
	codes := make([]string, 10000)
	for i := range codes {
		_, codes[i] = share.NewCode()
	}
	claimed := func(i int) string { return fmt.Sprintf("10.%d.%d.%d", 100+i>>16, i>>8&255, i&255) }
	bounded := func(name string, tally guessTally, err error, work int) {
		t.Helper()
		t.Logf("%s: %d did the work (401), %d throttled (429, longest wait %d s), %d other", name, tally.notRight, tally.throttled, tally.waitS, tally.other)
		if err != nil || tally.other != 0 || tally.notRight+tally.throttled != tally.sent {
			t.Fatalf("%s: %v; %d answers neither 401 nor 429, the first %s", name, err, tally.other, tally.firstOther)
		}
		if tally.notRight > work || tally.throttled == 0 || tally.badRetry != 0 {
			t.Fatalf("%s: %d did the work, want at most %d; %d throttled, %d without a matching Retry-After", name, tally.notRight, work, tally.throttled, tally.badRetry)
		}
	}
	holder := func(b *loopBrowser) {
		t.Helper()
		ans, err := b.open(c.Code, "1970-01-01")
		if err != nil || ans.status != http.StatusOK {
			t.Fatalf("the holder from %s: %v %d %s", b.from, err, ans.status, ans.body)
		}
		if ans, err := b.send("GET", "/api/results", nil); err != nil || ans.status != http.StatusOK || !bytes.Contains(ans.body, []byte("zirconium")) {
			t.Fatalf("the holder's results: %v %d", err, ans.status)
		}
		if ans, err := b.send("POST", "/api/share/finish", map[string]any{}); err != nil || ans.status != http.StatusNoContent {
			t.Fatalf("the holder's finish: %v %d", err, ans.status)
		}
	}

	tally, err := guessPhase(se.loopBrowser(t, "127.0.20.1"), codes[:4000], nil)
	bounded("one address", tally, err, 5)
	tally, err = guessPhase(se.loopBrowser(t, "127.0.20.2"), codes[4000:8000], claimed)
	bounded("one address, X-Forwarded-For claims, no trusted proxy", tally, err, 5)
	holder(se.loopBrowser(t, "127.0.20.3"))

	// Behind a trusted proxy: its X-Forwarded-For is the client.
	se.opt.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.30.1/32")}
	se.h = New(se.opt).(*handler)
	proxy := se.loopBrowser(t, "127.0.30.1")
	x := []string{codes[0], codes[1], codes[2], codes[3], codes[4], codes[5]}
	if tally, err := guess(proxy, x, 1, func(int) string { return "198.51.100.7" }); err != nil || tally.notRight != 5 || tally.throttled != 1 {
		t.Fatalf("six guesses claiming 198.51.100.7: %+v %v", tally, err)
	}
	if tally, err := guess(proxy, x[:1], 1, func(int) string { return "198.51.100.8" }); err != nil || tally.notRight != 1 {
		t.Fatalf("another claimed address is throttled with the first: %+v %v", tally, err)
	}
	// The same claim from an address that is not the proxy is that address.
	if tally, err := guess(se.loopBrowser(t, "127.0.30.2"), x[:1], 1, func(int) string { return "198.51.100.7" }); err != nil || tally.notRight != 1 {
		t.Fatalf("a claim from outside the proxy counted as the claimed address: %+v %v", tally, err)
	}
	before, err := se.db.Failures(context.Background(), "share-all")
	if err != nil {
		t.Fatal(err)
	}
	tally, err = guessPhase(proxy, codes[8000:], claimed)
	bounded("through the trusted proxy, a new claimed address each time", tally, err, 100-int(before))

	// The holder, through the proxy as 192.0.2.44, meets the limit for
	// everyone, and is told how long to wait: a second less is not enough,
	// and then it opens.
	hb := se.loopBrowser(t, "127.0.30.1")
	hb.header.Set("X-Forwarded-For", "192.0.2.44")
	ans, err := hb.open(c.Code, "1970-01-01")
	var said struct{ Error apiError }
	_ = json.Unmarshal(ans.body, &said)
	if err != nil || ans.status != http.StatusTooManyRequests || said.Error.RetryAfterSeconds <= 0 ||
		!strings.Contains(said.Error.Message, "Wait "+strconv.Itoa(said.Error.RetryAfterSeconds)+" seconds") {
		t.Fatalf("the holder after the limit for everyone: %v %d %s", err, ans.status, ans.body)
	}
	t.Logf("the holder was told: %q (Retry-After %s)", said.Error.Message, ans.header.Get("Retry-After"))
	se.clock.Add(time.Duration(said.Error.RetryAfterSeconds-1) * time.Second)
	if ans, _ := hb.open(c.Code, "1970-01-01"); ans.status != http.StatusTooManyRequests {
		t.Fatalf("a second before the stated wait: %d %s", ans.status, ans.body)
	}
	se.clock.Add(time.Second)
	holder(hb)
	var access struct {
		Access []struct{ Address, Page string }
	}
	se.must(http.StatusOK, a, "GET", "/api/shares/"+c.Share.ID+"/access", nil, &access)
	if n := len(access.Access); n == 0 || access.Access[n-1].Address != "192.0.2.44" {
		t.Fatalf("the access log does not show the claimed address: %+v", access.Access)
	}
}

// bulkResults is a Bundle of n results for patient p (no Patient: the
// record already has one), about 450 bytes each.
func bulkResults(p *patient, n int) []byte {
	given, _, _ := strings.Cut(p.name, " ")
	tag := strings.ToLower(given)
	var entries []map[string]any
	for i := range n {
		entries = append(entries, map[string]any{"fullUrl": fmt.Sprintf("urn:uuid:bulk-%s-%d", tag, i), "resource": map[string]any{
			"resourceType": "Observation", "id": fmt.Sprintf("bulk-%s-%d", tag, i), "status": "final",
			"code":              map[string]any{"text": fmt.Sprintf("Serum analyte %d", i), "coding": []map[string]string{{"system": "http://loinc.org", "code": fmt.Sprintf("%d-%d", 10000+i, i%10)}}},
			"subject":           map[string]string{"reference": "Patient/pt-" + tag},
			"effectiveDateTime": time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour).Format(time.RFC3339),
			"valueQuantity":     map[string]any{"value": float64(i%97) + 0.5, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L"},
			"referenceRange":    []map[string]any{{"low": map[string]any{"value": 1, "unit": "mmol/L"}, "high": map[string]any{"value": 99, "unit": "mmol/L"}}},
		}})
	}
	b, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "collection", "entry": entries})
	return b
}

// BenchmarkShareOpenNotRight times POST /api/share/open (the handler, in
// process) for each way a code can be refused, beside the right one, to
// compare in a note: every refusal answers the same words, and an
// unknown or revoked code opens a dummy of typical size (1 MiB) in place
// of a share, so the times show how far apart they still are. Each
// iteration's tries are given back outside the timer (the address's and
// everyone's throttle counts, and the share's wrong dates), so every one
// does the full work; nothing in Ward is changed.
func BenchmarkShareOpenNotRight(b *testing.B) {
	ctx := context.Background()
	se := newShareEnv(b, false)
	a, big := se.newPatient("Alma"), se.newPatient("Bruno")
	se.signUp(a)
	if err := session.Deliver(ctx, filepath.Join(se.dir, "vaults", "bruno"), "bulk.json", bytes.NewReader(bulkResults(big, 2200))); err != nil {
		b.Fatal(err)
	}
	se.signUp(big)
	live, bigLive := se.share(a, "all", 7*24*60), se.share(big, "all", 7*24*60)
	expiring, revoked, locked := se.share(a, "all", 15), se.share(a, "all", 60), se.share(a, "all", 60)
	se.must(http.StatusNoContent, a, "POST", "/api/shares/"+revoked.Share.ID+"/revoke", map[string]any{}, nil)
	for i := range 5 {
		if w := se.open(clinician(fmt.Sprintf("10.88.0.%d", i+1)), locked.Code, "1980-02-02"); w.Code != http.StatusUnauthorized {
			b.Fatalf("locking: %d %s", w.Code, w.Body)
		}
	}
	se.clock.Add(16 * time.Minute)
	_, unknown := share.NewCode()
	const from = "10.88.1.1"
	for _, c := range []struct {
		name      string
		share     *created // nil: no share
		code, dob string
		want      int
	}{
		{"right", &live, live.Code, "1970-01-01", http.StatusOK},
		{"unknown-code", nil, unknown, "1970-01-01", http.StatusUnauthorized},
		{"wrong-dob", &live, live.Code, "1980-02-02", http.StatusUnauthorized},
		{"wrong-dob-large", &bigLive, bigLive.Code, "1980-02-02", http.StatusUnauthorized},
		{"expired", &expiring, expiring.Code, "1970-01-01", http.StatusUnauthorized},
		{"revoked", &revoked, revoked.Code, "1970-01-01", http.StatusUnauthorized},
		{"locked", &locked, locked.Code, "1970-01-01", http.StatusUnauthorized},
	} {
		b.Run(c.name, func(b *testing.B) {
			var sealed int64
			if c.share != nil {
				var n sql.NullInt64
				if err := se.db.SQL().QueryRow(`SELECT length(sealed) FROM shares WHERE id = ?`, c.share.Share.ID).Scan(&n); err != nil {
					b.Fatal(err)
				}
				sealed = n.Int64
			}
			doc := clinician(from)
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				// The keys are package share's (throttleIP, throttleAll).
				for _, k := range []string{"share-ip:" + from, "share-all"} {
					if err := se.db.Reset(ctx, k); err != nil {
						b.Fatal(err)
					}
				}
				if c.name == "wrong-dob" || c.name == "wrong-dob-large" {
					if _, err := se.db.SQL().Exec(`UPDATE shares SET dob_failures = 0 WHERE id = ?`, c.share.Share.ID); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				if w := se.open(doc, c.code, c.dob); w.Code != c.want || (c.want != http.StatusOK && acctErr(w) != "not_right") {
					b.Fatalf("%s: %d %s", c.name, w.Code, w.Body)
				}
			}
			b.ReportMetric(float64(sealed)/1024, "sealed-KiB")
		})
	}
}
