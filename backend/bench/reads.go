package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
)

// readCase is one row of the reads table: an endpoint, and how to build its
// path from what the record holds. A path of "" means the case cannot be
// built from this record (note says why).
type readCase struct {
	name string
	path func(p probe) (path, note string)
}

// probe is what the cases need from the record: a testKey and a search term,
// both taken from the results list.
type probe struct {
	testKey, query string
}

// readCases are the pages a patient opens most, in the order the table shows them.
var readCases = []readCase{
	{"home", func(probe) (string, string) { return "/api/summary", "" }},
	{"results", func(probe) (string, string) { return "/api/results?offset=0&limit=200", "" }},
	{"history", func(p probe) (string, string) {
		if p.testKey == "" {
			return "/api/history?test=", "the results list has no testKey"
		}
		return "/api/history?test=" + url.QueryEscape(p.testKey), ""
	}},
	{"search", func(p probe) (string, string) { return "/api/search?q=" + url.QueryEscape(p.query), "" }},
	{"timeline", func(probe) (string, string) { return "/api/timeline?limit=100", "" }},
}

// doer makes one GET and reads the whole answer.
type doer func(ctx context.Context, path string) (status, size int, err error)

func inProcess(h http.Handler, token string) doer {
	return func(ctx context.Context, path string) (int, int, error) {
		r := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code, w.Body.Len(), nil
	}
}

func overLoopback(c *http.Client, base, token string) doer {
	return func(ctx context.Context, path string) (int, int, error) {
		r, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return 0, 0, err
		}
		r.Header.Set("Authorization", "Bearer "+token)
		resp, err := c.Do(r)
		if err != nil {
			return 0, 0, err
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, int(n), err
	}
}

// probeResults reads a page of the results list for a testKey and a search
// term (the first letters of a result's name).
func probeResults(body []byte) probe {
	p := probe{query: "blood"}
	var list struct {
		Reports []struct {
			Name    string `json:"name"`
			Results []struct {
				Name    string `json:"name"`
				TestKey string `json:"testKey"`
			} `json:"results"`
		} `json:"reports"`
	}
	if json.Unmarshal(body, &list) != nil {
		return p
	}
	named := false
	for _, rep := range list.Reports {
		for _, r := range rep.Results {
			if p.testKey == "" && r.TestKey != "" {
				p.testKey = r.TestKey
			}
			if !named && r.Name != "" {
				p.query, named = searchTerm(r.Name), true
			}
		}
		if !named && rep.Name != "" {
			p.query, named = searchTerm(rep.Name), true
		}
		if p.testKey != "" && named {
			break
		}
	}
	return p
}

// searchTerm is what a person might type: the first few letters of a name.
func searchTerm(name string) string {
	word := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(word) == 0 {
		return "blood"
	}
	w := []rune(strings.ToLower(word[0]))
	return string(w[:min(len(w), 5)])
}

// bounds limits one loop of requests.
type bounds struct {
	requests int
	time     time.Duration
}

// latency runs GET path until the count or the time bound is reached, after
// two warm-up requests, and returns the latency distribution. It does not
// retry: every non-200 answer counts as an error.
func latency(ctx context.Context, do doer, path string, b bounds) (*Latency, error) {
	var firstErr error
	l := &Latency{}
	fail := func(status int, err error) {
		l.Errors++
		if firstErr == nil {
			if err == nil {
				err = fmt.Errorf("GET %s: status %d", path, status)
			}
			firstErr = err
		}
	}
	for range 2 {
		if status, _, err := do(ctx, path); err != nil || status != http.StatusOK {
			fail(status, err)
		}
	}
	var ds []time.Duration
	start := time.Now()
	for len(ds) < b.requests && (len(ds) == 0 || time.Since(start) < b.time) && ctx.Err() == nil {
		t := time.Now()
		status, size, err := do(ctx, path)
		ds = append(ds, time.Since(t))
		if err != nil || status != http.StatusOK {
			fail(status, err)
		}
		l.ResponseBytes = size
	}
	l.Requests = len(ds)
	l.P50MS, l.P95MS, l.P99MS = pct(ds, 0.50), pct(ds, 0.95), pct(ds, 0.99)
	return l, firstErr
}

// pct is the nearest-rank percentile of ds, in milliseconds; it sorts ds.
func pct(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(float64(len(ds))*q+0.999999) - 1
	i = max(0, min(i, len(ds)-1))
	return ms(ds[i])
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
