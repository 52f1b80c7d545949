package fhir

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// filler reads as n bytes of 'A' without holding them, so a test can
// feed Ward a file of hundreds of megabytes.
type filler struct{ n int64 }

func (f *filler) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), f.n)]
	for i := range p {
		p[i] = 'A'
	}
	f.n -= int64(len(p))
	return len(p), nil
}

// gen joins pieces of a file: strings, and fillers of n bytes (int64).
func gen(pieces ...any) io.Reader {
	var rs []io.Reader
	for _, p := range pieces {
		switch p := p.(type) {
		case string:
			rs = append(rs, strings.NewReader(p))
		case int64:
			rs = append(rs, &filler{n: p})
		}
	}
	return io.MultiReader(rs...)
}

// binary is a Bundle entry holding a Binary of about n bytes.
func binary(id string, n int64) []any {
	return []any{`{"resource":{"resourceType":"Binary","id":"` + id + `","contentType":"text/plain","data":"`, n, `"}}`}
}

func join(parts ...[]any) []any {
	var out []any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func one(s ...any) []any { return s }

const mb = 1 << 20

// peakHeap runs fn and returns how far heap in use rose above where it
// started, sampled every millisecond, and the bytes fn allocated in all.
func peakHeap(fn func()) (peak, total uint64) {
	runtime.GC()
	var base, m runtime.MemStats
	runtime.ReadMemStats(&base)
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var top uint64
		for {
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapInuse)
			select {
			case <-stop:
				done <- top
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(stop)
	top := <-done
	runtime.ReadMemStats(&m)
	return top - min(top, base.HeapInuse), m.TotalAlloc - base.TotalAlloc
}

// TestOversizeIsRefused feeds files with one part over MaxResourceBytes:
// each is refused with a plain *FormatError naming the part, having held
// no more than 4 times the cap (the old reader took the 200 MB entry and
// 1.7 GB).
func TestOversizeIsRefused(t *testing.T) {
	over := int64(MaxResourceBytes + mb)
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[`
	tests := []struct {
		name   string
		file   []any
		before int    // resources read before the refusal
		entry  int    // FormatError.Entry
		want   string // in the message
	}{
		{"bundle entry of 200 MB", join(one(bundle), binary("a", 10), one(","), binary("b", 10), one(","), binary("big", 200*mb), one(`]}`)), 2, 2, "larger than 64 MB"},
		{"nested bundle entry", join(one(bundle), binary("a", 10), one(`,{"resource":{"resourceType":"Bundle","entry":[`), binary("big", over), one(`]}}]}`)), 1, 1, "larger than 64 MB"},
		{"bundle field", one(`{"resourceType":"Bundle","signature":{"data":"`, over, `"},"entry":[]}`), 0, -1, "the Bundle's own fields"},
		{"bundle fields together", one(`{"resourceType":"Bundle","signature":{"data":"`, int64(40*mb), `"},"link":[{"url":"`, int64(40*mb), `"}],"entry":[]}`), 0, -1, "the Bundle's own fields"},
		{"entries before resourceType", join(one(`{"entry":[`), binary("a", 30*mb), one(","), binary("b", 30*mb), one(","), binary("c", 30*mb), one(`],"resourceType":"Bundle"}`)), 0, -1, "before its resourceType"},
		{"fields before resourceType", one(`{"text":{"div":"`, int64(40*mb), `"},"note":[{"text":"`, int64(40*mb), `"}],"resourceType":"Observation"}`), 0, 0, "larger than 64 MB"},
		{"single resource", one(`{"resourceType":"Binary","data":"`, over, `"}`), 0, 0, "larger than 64 MB"},
		{"key", one(`{"resourceType":"Patient","`, over, `":1}`), 0, 0, "larger than 64 MB"},
		{"ndjson line", one(`{"resourceType":"Patient","id":"p"}`+"\n"+`{"resourceType":"Binary","data":"`, over, `"}`), 1, 1, "larger than 64 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got int
			var err error
			peak, total := peakHeap(func() {
				for _, e := range Read(gen(tt.file...)) {
					if err = e; e != nil {
						break
					}
					got++
				}
			})
			t.Logf("peak heap %d MB, %d MB allocated: %v", peak/mb, total/mb, err)
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Entry != tt.entry || !strings.Contains(fe.Msg, tt.want) {
				t.Fatalf("error %#v, want a *FormatError for entry %d saying %q", err, tt.entry, tt.want)
			}
			if got != tt.before {
				t.Errorf("%d resources read before the refusal, want %d", got, tt.before)
			}
			if peak > 4*MaxResourceBytes {
				t.Errorf("reading held %d MB at its peak, more than 4 × %d MB", peak/mb, MaxResourceBytes/mb)
			}
		})
	}
}

// TestLargeButAllowed checks the cap is not tighter than it says: an
// entry just under it, and a Bundle of many entries larger than it in
// all, are read.
func TestLargeButAllowed(t *testing.T) {
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[`
	var many []any
	for i := range 20 {
		if i > 0 {
			many = append(many, ",")
		}
		many = append(many, binary(fmt.Sprint("e", i), 5*mb)...)
	}
	for name, file := range map[string][]any{
		"entry under the cap":         join(one(bundle), binary("big", MaxResourceBytes-mb), one(`]}`)),
		"100 MB of entries":           join(one(bundle), many, one(`]}`)),
		"entries before resourceType": join(one(`{"entry":[`), binary("a", 20*mb), one(`],"resourceType":"Bundle"}`)),
	} {
		t.Run(name, func(t *testing.T) {
			n := 0
			peak, _ := peakHeap(func() {
				for _, err := range Read(gen(file...)) {
					if err != nil {
						t.Fatal(err)
					}
					n++
				}
			})
			t.Logf("%d resources, peak heap %d MB", n, peak/mb)
			if n == 0 {
				t.Fatal("nothing read")
			}
		})
	}
}
