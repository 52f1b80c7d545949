package bench

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// shareCodes says why share-code redemption is not in the load mix.
const shareCodes = "not measured: Ward has no share codes yet"

// load runs clients concurrent loops of GETs over loopback, cycling through
// paths, until dur has passed or maxRequests have been sent, whichever is
// first. Every answer other than 200 is an error.
func load(ctx context.Context, do doer, paths []string, clients int, dur time.Duration, maxRequests int) *Load {
	l := &Load{Clients: clients, MaxRequests: maxRequests, Endpoints: paths, ShareCodes: shareCodes}
	if len(paths) == 0 || clients <= 0 {
		l.FirstError = "no endpoints to load"
		l.Errors = 1
		return l
	}
	ctx, cancel := context.WithTimeout(ctx, dur+30*time.Second) // a stuck request cannot hang the run
	defer cancel()
	var (
		next     atomic.Int64
		errs     atomic.Int64
		mu       sync.Mutex
		all      []time.Duration
		firstErr string
		wg       sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(dur)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) && ctx.Err() == nil {
				i := next.Add(1)
				if i > int64(maxRequests) {
					break
				}
				path := paths[(int(i)+c)%len(paths)]
				t := time.Now()
				status, _, err := do(ctx, path)
				mine = append(mine, time.Since(t))
				if err != nil || status != http.StatusOK {
					errs.Add(1)
					mu.Lock()
					if firstErr == "" {
						if err != nil {
							firstErr = fmt.Sprintf("GET %s: %v", path, err)
						} else {
							firstErr = fmt.Sprintf("GET %s: status %d", path, status)
						}
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	l.DurationS = elapsed.Seconds()
	l.Requests = len(all)
	l.RequestsPerS = float64(len(all)) / elapsed.Seconds()
	l.Errors = int(errs.Load())
	l.FirstError = firstErr
	l.P50MS, l.P99MS = pct(all, 0.50), pct(all, 0.99)
	return l
}
