package share

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/store"
)

// TestShareBruteForce: 10,000 wrong codes, from one address and then from
// 10,000 addresses, find nothing and are throttled after a handful; the
// real holder redeems after the wait.
func TestShareBruteForce(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from     func(i int) string
		maxWork  int
		holderIP string
	}{
		{"one address", func(int) string { return "203.0.113.9" }, 5, "203.0.113.9"},
		{"many addresses", func(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255) }, 5 * globalPer, "192.0.2.200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			_, code, err := f.svc.Create(ctx, "acc1", contents(), dr, []string{"results"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			const tries = 10000
			guesses := make([]string, tries)
			for i := range guesses {
				_, guesses[i] = NewCode()
			}
			start := time.Now()
			worked, throttled := 0, 0
			var wait time.Duration
			for i, g := range guesses {
				_, err := f.svc.Redeem(ctx, g, testBirth, "", tc.from(i), "UA")
				var te *ThrottledError
				switch {
				case errors.As(err, &te):
					throttled++
					wait = max(wait, te.Wait)
				case errors.Is(err, ErrNotRight):
					worked++
				default:
					t.Fatalf("guess %d: %v", i, err)
				}
			}
			elapsed := time.Since(start)
			t.Logf("%s: %d guesses in %v (%v each), %d did the work, %d throttled, wait %v",
				tc.name, tries, elapsed.Round(time.Millisecond), (elapsed / tries).Round(time.Microsecond), worked, throttled, wait)
			if worked > tc.maxWork || worked+throttled != tries {
				t.Fatalf("%d guesses did the work, want at most %d", worked, tc.maxWork)
			}
			// Throttled, the holder waits too; after the wait, they get in.
			if _, err := f.svc.Redeem(ctx, code, testBirth, "", tc.holderIP, "UA"); err == nil && tc.name == "one address" {
				t.Fatal("the throttled address was let in at once")
			}
			f.clk.add(wait)
			if _, err := f.svc.Redeem(ctx, code, testBirth, "Dr Zed", tc.holderIP, "UA"); err != nil {
				t.Fatalf("the holder after the wait: %v", err)
			}
		})
	}
}

// TestRedeemTiming reports how long each kind of refusal takes: an unknown
// code opens a dummy of typical size, a wrong date opens the share itself.
func TestRedeemTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	f := newFixture(t)
	ctx := context.Background()
	c := demoContents(t, 2000)
	_, code, err := f.svc.Create(ctx, "acc1", c, dr, []string{"results"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	row, _ := f.db.ShareByLookup(ctx, LookupHash(testLookupKey, mustParse(t, code)))
	const n = 20
	measure := func(code, dob string) time.Duration {
		start := time.Now()
		for i := range n {
			if _, err := f.svc.Redeem(ctx, code, dob, "", fmt.Sprintf("198.18.0.%d", i), "UA"); !errors.Is(err, ErrNotRight) {
				t.Fatal(err)
			}
			f.clk.add(time.Hour) // past every wait
		}
		return time.Since(start) / n
	}
	_, unknown := NewCode()
	tu := measure(unknown, demo.PatientBirthDate)
	tw := measure(code, "1900-01-01")
	t.Logf("share ciphertext %d KiB, dummy %d KiB: unknown code %v, wrong date %v per refusal",
		len(row.Sealed)>>10, dummySize>>10, tu.Round(time.Microsecond), tw.Round(time.Microsecond))
}

func mustParse(t testing.TB, s string) *Code {
	c, err := ParseCode(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func demoContents(t testing.TB, n int) *store.Contents {
	rs, err := demo.Generate(demo.Options{Seed: 1, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Resources: n})
	if err != nil {
		t.Fatal(err)
	}
	c := &store.Contents{Sources: []store.Source{{Name: "Demo", LastUpdated: time.Now()}}}
	for _, r := range rs {
		c.Records = append(c.Records, store.Record{Source: "Demo", Item: store.Item{Type: r.Type, ID: r.ID, Raw: r.Raw}})
	}
	return c
}

func BenchmarkCreate(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	c := demoContents(b, 2000)
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := f.svc.Create(ctx, "acc1", c, dr, []string{"results", "medicines"}, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRedeem(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	c := demoContents(b, 2000)
	_, code, err := f.svc.Create(ctx, "acc1", c, dr, []string{"results", "medicines"}, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := f.svc.Redeem(ctx, code, demo.PatientBirthDate, "Dr Zed", "192.0.2.1", "UA"); err != nil {
			b.Fatal(err)
		}
	}
}
