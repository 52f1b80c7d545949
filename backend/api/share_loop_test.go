package api

// Browsers over real loopback TCP for the sharing load and brute-force
// tests (share_load_test.go): each is an http.Client with a cookie jar and
// connections of its own, sending what a browser on Ward's page sends
// (Origin, then the share's CSRF token on its POSTs).

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
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

// guessTally counts the answers to wrong guesses.
type guessTally struct {
	notRight, throttled, other int
	// waitS is the longest wait a 429 asked for, in seconds; badRetry
	// counts 429s whose Retry-After header and retryAfterSeconds differ or
	// are not positive.
	waitS, badRetry int
	firstOther      string
	sent            int
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
				if xff := ""; claim != nil {
					if xff = claim(i); xff != "" {
						r.Header.Set("X-Forwarded-For", xff)
					}
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
					var v struct {
						Error struct{ RetryAfterSeconds int }
					}
					_ = json.Unmarshal(a.body, &v)
					if h := a.header.Get("Retry-After"); v.Error.RetryAfterSeconds <= 0 || h != strconv.Itoa(v.Error.RetryAfterSeconds) {
						tally.badRetry++
					}
					tally.waitS = max(tally.waitS, v.Error.RetryAfterSeconds)
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
	tally.sent = len(codes)
	return tally, first
}

// guessPhase is guess of codes one at a time until the throttle has surely
// engaged (the first 200), then the rest 4 at a time: once it has, no try
// is counted, so answers at once must all still be 429.
func guessPhase(b *loopBrowser, codes []string, claim func(i int) string) (guessTally, error) {
	n := min(200, len(codes))
	t1, err := guess(b, codes[:n], 1, claim)
	if err != nil {
		return t1, err
	}
	t2, err := guess(b, codes[n:], 4, func(i int) string {
		if claim == nil {
			return ""
		}
		return claim(n + i)
	})
	t1.notRight += t2.notRight
	t1.throttled += t2.throttled
	t1.other += t2.other
	t1.badRetry += t2.badRetry
	t1.waitS = max(t1.waitS, t2.waitS)
	t1.firstOther = cmp.Or(t1.firstOther, t2.firstOther)
	t1.sent += t2.sent
	return t1, err
}
