package bench

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// step is one entry of the load's mix: a GET of a path (name is the
// path), or a share-code redemption (share is set; it makes client i's
// own redemption, see shareServer.redeemer).
type step struct {
	name  string
	get   doer
	share func(client int) func(ctx context.Context) (int, error)
}

// getSteps are GETs of paths with do.
func getSteps(do doer, paths []string) []step {
	var out []step
	for _, p := range paths {
		out = append(out, step{name: p, get: do})
	}
	return out
}

// load runs clients concurrent loops over loopback, cycling through the
// steps of mix, until dur has passed or maxRequests steps have been run,
// whichever is first. Every answer other than 200 is an error. Share
// redemptions are counted in the whole (requests, p50, p99) and on their
// own (Load.Share, whose shares and floor the caller fills in).
func load(ctx context.Context, mix []step, clients int, dur time.Duration, maxRequests int) *Load {
	l := &Load{Clients: clients, MaxRequests: maxRequests, ShareCodes: "not measured: no sharing server"}
	for _, s := range mix {
		l.Endpoints = append(l.Endpoints, s.name)
		if s.share != nil {
			l.Share = &ShareLoad{}
		}
	}
	if len(mix) == 0 || clients <= 0 {
		l.FirstError = "no endpoints to load"
		l.Errors = 1
		return l
	}
	ctx, cancel := context.WithTimeout(ctx, dur+30*time.Second) // a stuck request cannot hang the run
	defer cancel()
	var (
		next      atomic.Int64
		errs      atomic.Int64
		shareErrs atomic.Int64
		mu        sync.Mutex
		all       []time.Duration
		shares    []time.Duration
		firstErr  string
		wg        sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(dur)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			redeem := make([]func(context.Context) (int, error), len(mix))
			for i, s := range mix {
				if s.share != nil {
					redeem[i] = s.share(c)
				}
			}
			var mine, mineShares []time.Duration
			for time.Now().Before(deadline) && ctx.Err() == nil {
				i := next.Add(1)
				if i > int64(maxRequests) {
					break
				}
				k := (int(i) + c) % len(mix)
				s := mix[k]
				t := time.Now()
				var status int
				var err error
				if redeem[k] != nil {
					status, err = redeem[k](ctx)
				} else {
					status, _, err = s.get(ctx, s.name)
				}
				d := time.Since(t)
				mine = append(mine, d)
				if redeem[k] != nil {
					mineShares = append(mineShares, d)
				}
				if err != nil || status != http.StatusOK {
					errs.Add(1)
					if redeem[k] != nil {
						shareErrs.Add(1)
					}
					mu.Lock()
					if firstErr == "" {
						if err != nil {
							firstErr = fmt.Sprintf("%s: %v", s.name, err)
						} else {
							firstErr = fmt.Sprintf("%s: status %d", s.name, status)
						}
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			all = append(all, mine...)
			shares = append(shares, mineShares...)
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
	if l.Share != nil {
		l.Share.Redemptions = len(shares)
		l.Share.RedemptionsPerS = float64(len(shares)) / elapsed.Seconds()
		l.Share.Errors = int(shareErrs.Load())
		l.Share.P50MS, l.Share.P99MS = pct(shares, 0.50), pct(shares, 0.99)
	}
	return l
}
