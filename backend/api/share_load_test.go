package api

// Sharing under load and under attack, over real loopback TCP: each
// clinician is a browser of its own (an http.Client with a cookie jar and
// its own connections), sending what a browser on Ward's page sends
// (Origin, then the share's CSRF token on its POSTs).

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/share"
)

// loopBrowser is a browser talking to se.srv over loopback TCP. With a
// source address (127.x.y.z: Linux routes all of 127.0.0.0/8 to lo) its
// connections come from that address, so Ward sees one client per
// browser without any X-Forwarded-For.
type loopBrowser struct {
	se     *shareEnv
	from   string
	client *http.Client
	csrf   string
	// header is added to every request (an X-Forwarded-For, say).
	header http.Header
}

func (se *shareEnv) loopBrowser(t testing.TB, from string) *loopBrowser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	if from != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(from)}
	}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &loopBrowser{se: se, from: from, client: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}, header: http.Header{}}
}

// needLoopbackAddrs skips unless this machine can connect from 127.0.0.2
// (Linux can; macOS has only 127.0.0.1 unless told otherwise).
func needLoopbackAddrs(t testing.TB, se *shareEnv) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: time.Second}
	c, err := d.Dial("tcp", se.srv.Listener.Addr().String())
	if err != nil {
		t.Skipf("cannot connect from 127.0.0.2 (%v): each clinician needs an address of its own", err)
	}
	c.Close()
}

type loopAnswer struct {
	status int
	header http.Header
	body   []byte
}

// errorCode is the answer's error code ("" when none).
func (a loopAnswer) errorCode() string {
	var e struct{ Error apiError }
	_ = json.Unmarshal(a.body, &e)
	return e.Error.Code
}

// send makes one request as a browser on Ward's page would.
func (b *loopBrowser) send(method, path string, body any) (loopAnswer, error) {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return loopAnswer{}, err
		}
		rd = bytes.NewReader(j)
	}
	r, err := http.NewRequest(method, b.se.srv.URL+path, rd)
	if err != nil {
		return loopAnswer{}, err
	}
	for k, v := range b.header {
		r.Header[k] = v
	}
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
	if rd != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet {
		r.Header.Set("Origin", b.se.srv.URL)
		if b.csrf != "" {
			r.Header.Set("X-CSRF-Token", b.csrf)
		}
	}
	resp, err := b.client.Do(r)
	if err != nil {
		return loopAnswer{}, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return loopAnswer{status: resp.StatusCode, header: resp.Header, body: out}, err
}

// open redeems a share; on 200 the browser keeps the share's CSRF token.
func (b *loopBrowser) open(code, dob string) (loopAnswer, error) {
	a, err := b.send("POST", "/api/share/open", map[string]string{"code": code, "birthDate": dob, "name": "Dr Rowan Pike"})
	if err == nil && a.status == http.StatusOK {
		var v struct{ CSRF string }
		if err := json.Unmarshal(a.body, &v); err != nil || v.CSRF == "" {
			return a, fmt.Errorf("open gave no CSRF token: %s", a.body)
		}
		b.csrf = v.CSRF
	}
	return a, err
}

// asPatient makes p's signed-in session (from se.do) a loopback browser's.
func (se *shareEnv) asPatient(t testing.TB, p *patient) *loopBrowser {
	t.Helper()
	b := se.loopBrowser(t, "")
	var cs []*http.Cookie
	for _, c := range p.jar {
		cs = append(cs, c)
	}
	u, err := url.Parse(se.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b.client.Jar.SetCookies(u, cs)
	b.csrf = p.csrf
	return b
}

// pctMS is the p-th quantile of ds (sorted here) in milliseconds.
func pctMS(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := min(int(float64(len(ds))*p), len(ds)-1)
	return float64(ds[i].Microseconds()) / 1000
}

// BenchmarkShareRedeemConcurrent: 200 clinicians at once, each from its
// own loopback address, each opens a share of its own (made beforehand,
// over loopback, by one patient) and reads the results page, then leaves
// (POST /api/share/finish with the share's CSRF token). It reports
// redemptions per second (open and results read, all 200 together), the
// latency of creating a share and of opening one, and fails on any answer
// that is not the one a browser expects. No throttle is turned off: every
// clinician has its own address and the right code and date.
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
	errs := 0
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
				fail := ""
				switch {
				case err != nil:
					fail = fmt.Sprintf("open from %s: %v", d.from, err)
				case ans.status != http.StatusOK:
					fail = fmt.Sprintf("open from %s: %d %s (Retry-After %q)", d.from, ans.status, ans.body, ans.header.Get("Retry-After"))
				}
				if fail == "" {
					ans, err = d.send("GET", "/api/results", nil)
					if err != nil || ans.status != http.StatusOK || !bytes.Contains(ans.body, []byte("zirconium")) {
						fail = fmt.Sprintf("results from %s: %v %d %.200s", d.from, err, ans.status, ans.body)
					}
				}
				if fail == "" {
					if ans, err = d.send("POST", "/api/share/finish", map[string]any{}); err != nil || ans.status != http.StatusNoContent {
						fail = fmt.Sprintf("finish from %s: %v %d %s", d.from, err, ans.status, ans.body)
					}
				}
				mu.Lock()
				defer mu.Unlock()
				opens = append(opens, lat)
				if fail != "" {
					errs++
					if firstErr == "" {
						firstErr = fail
					}
				}
			}()
		}
		wg.Wait()
		took += time.Since(start)
	}
	n := len(opens)
	b.Logf("%d redemptions (%d clinicians at once) in %v: %.0f/s, %d errors; create p50 %.2f ms p99 %.2f ms; open p50 %.2f ms p99 %.2f ms",
		n, clinicians, took.Round(time.Millisecond), float64(n)/took.Seconds(), errs,
		pctMS(creates, 0.5), pctMS(creates, 0.99), pctMS(opens, 0.5), pctMS(opens, 0.99))
	if errs > 0 {
		b.Fatalf("%d of %d redemptions failed; the first: %s", errs, n, firstErr)
	}
	b.ReportMetric(float64(n)/took.Seconds(), "redemptions/s")
	b.ReportMetric(pctMS(creates, 0.5), "create-p50-ms")
	b.ReportMetric(pctMS(creates, 0.99), "create-p99-ms")
	b.ReportMetric(pctMS(opens, 0.5), "open-p50-ms")
	b.ReportMetric(pctMS(opens, 0.99), "open-p99-ms")
}

// guessTally counts the answers to wrong guesses.
type guessTally struct {
	notRight, throttled, other int
	// waitS is the longest wait a 429 asked for, in seconds; badRetry
	// counts 429s whose Retry-After header and retryAfterSeconds differ or
	// are not positive.
	waitS, badRetry int
	firstOther      string
}

// guess sends each of codes with the patient's real date of birth from b
// (claim, if set, gives the X-Forwarded-For of the i-th), workers at a
// time.
func guess(b *loopBrowser, codes []string, workers int, claim func(i int) string) (guessTally, error) {
	var (
		mu    sync.Mutex
		tally guessTally
		wg    sync.WaitGroup
		next  = make(chan int)
		first error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := http.NewRequest("POST", b.se.srv.URL+"/api/share/open",
					bytes.NewReader(fmt.Appendf(nil, `{"code":%q,"birthDate":"1970-01-01","name":"x"}`, codes[i])))
				if err != nil {
					panic(err)
				}
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Origin", b.se.srv.URL)
				if claim != nil {
					r.Header.Set("X-Forwarded-For", claim(i))
				}
				resp, err := b.client.Do(r)
				var body []byte
				if err == nil {
					body, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				mu.Lock()
				if err != nil {
					first = cmp.Or(first, err)
					mu.Unlock()
					continue
				}
				a := loopAnswer{status: resp.StatusCode, header: resp.Header, body: body}
				switch {
				case a.status == http.StatusUnauthorized && a.errorCode() == "not_right":
					tally.notRight++
				case a.status == http.StatusTooManyRequests && a.errorCode() == "too_many_tries":
					tally.throttled++
					var v struct{ RetryAfterSeconds int }
					_ = json.Unmarshal(a.body, &v)
					if h := a.header.Get("Retry-After"); v.RetryAfterSeconds <= 0 || h != strconv.Itoa(v.RetryAfterSeconds) {
						tally.badRetry++
					}
					tally.waitS = max(tally.waitS, v.RetryAfterSeconds)
				default:
					tally.other++
					tally.firstOther = cmp.Or(tally.firstOther, fmt.Sprintf("%d %s", a.status, a.body))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range codes {
		next <- i
	}
	close(next)
	wg.Wait()
	return tally, first
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
		if err != nil || tally.other != 0 || tally.notRight+tally.throttled != len(codes) {
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

	tally, err := guess(se.loopBrowser(t, "127.0.20.1"), codes, 1, nil)
	bounded("one address", tally, err, 5)
	tally, err = guess(se.loopBrowser(t, "127.0.20.2"), codes, 1, claimed)
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
	tally, err = guess(proxy, codes, 1, claimed)
	bounded("through the trusted proxy, a new claimed address each time", tally, err, 100-int(before))

	// The holder, through the proxy as 192.0.2.44, meets the limit for
	// everyone, and is told how long to wait: a second less is not enough,
	// and then it opens.
	hb := se.loopBrowser(t, "127.0.30.1")
	hb.header.Set("X-Forwarded-For", "192.0.2.44")
	ans, err := hb.open(c.Code, "1970-01-01")
	var said struct {
		Error             apiError
		RetryAfterSeconds int
	}
	_ = json.Unmarshal(ans.body, &said)
	if err != nil || ans.status != http.StatusTooManyRequests || said.RetryAfterSeconds <= 0 ||
		!strings.Contains(said.Error.Message, "Wait "+strconv.Itoa(said.RetryAfterSeconds)+" seconds") {
		t.Fatalf("the holder after the limit for everyone: %v %d %s", err, ans.status, ans.body)
	}
	t.Logf("the holder was told: %q (Retry-After %s)", said.Error.Message, ans.header.Get("Retry-After"))
	se.clock.Add(time.Duration(said.RetryAfterSeconds-1) * time.Second)
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
