package bench

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/share"
)

// TestShareRedemptions: each load client's redemption opens its own share
// and reads the first page; the sharing server's limits stand (wrong
// codes from one claimed address are throttled after five, another
// claimed address is not); a mix of reads and redemptions counts both.
func TestShareRedemptions(t *testing.T) {
	ctx := context.Background()
	sh, err := newShareServer(ctx, t.TempDir(), 2, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer sh.close()
	if len(sh.codes) != 2 || sh.codes[0] == sh.codes[1] || sh.sealed < 100<<10 {
		t.Fatalf("%d shares, %d bytes sealed", len(sh.codes), sh.sealed)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	for i := range 2 {
		if status, err := sh.redeemer(tr, i)(ctx); err != nil || status != http.StatusOK {
			t.Fatalf("client %d: %d %v", i, status, err)
		}
	}

	// Wrong codes, as load client 5 (its own claimed address).
	real := sh.codes
	_, guess := share.NewCode()
	sh.codes = []string{guess}
	wrong := sh.redeemer(tr, 5)
	var got []int
	for range 6 {
		status, err := wrong(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, status)
	}
	if got[0] != http.StatusUnauthorized || got[4] != http.StatusUnauthorized || got[5] != http.StatusTooManyRequests {
		t.Fatalf("six wrong codes from one claimed address: %v", got)
	}
	sh.codes = real
	if status, err := sh.redeemer(tr, 6)(ctx); err != nil || status != http.StatusOK {
		t.Fatalf("another claimed address after the first was throttled: %d %v", status, err)
	}

	open, err := sh.openMS(ctx, 5, time.Second)
	if err != nil || open <= 0 {
		t.Fatalf("open alone: %v ms, %v", open, err)
	}
	floor, err := redeemFloor(ctx, t.TempDir(), sh.contents)
	if err != nil || floor <= 0 || floor > open {
		t.Fatalf("floor %v ms (%v), open %v ms", floor, err, open)
	}

	reads := step{name: "/api/healthz", get: func(context.Context, string) (int, int, error) { return http.StatusOK, 0, nil }}
	mix := []step{reads, {name: "share redemption", share: func(c int) func(context.Context) (int, error) { return sh.redeemer(tr, c) }}}
	l := load(ctx, mix, 2, 300*time.Millisecond, 1000)
	if l.Errors != 0 || l.Share == nil || l.Share.Errors != 0 || l.Share.Redemptions == 0 || l.Share.Redemptions > l.Requests ||
		l.Share.P50MS <= 0 || l.Share.RedemptionsPerS <= 0 {
		t.Fatalf("load: %+v, share %+v", l, l.Share)
	}
}
