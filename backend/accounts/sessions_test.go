package accounts

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestSessionExpiry(t *testing.T) {
	ctx := context.Background()
	const idle, absolute = 30 * time.Minute, 12 * time.Hour
	for _, tc := range []struct {
		name  string
		steps []time.Duration // clock advances, each followed by a lookup
		ok    bool            // result of the last lookup
	}{
		{"fresh", []time.Duration{0}, true},
		{"within idle", []time.Duration{29 * time.Minute}, true},
		{"idle", []time.Duration{31 * time.Minute}, false},
		{"kept alive", []time.Duration{20 * time.Minute, 20 * time.Minute, 20 * time.Minute}, true},
		{"absolute", func() []time.Duration {
			var s []time.Duration
			for range 25 {
				s = append(s, 29*time.Minute)
			}
			return s
		}(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, c, _ := testDB(t)
			s, id, err := d.StartSession(ctx, "acct", "ua", "addr")
			if err != nil || len(s.CSRF) < 40 {
				t.Fatal(s, err)
			}
			var last error
			for _, step := range tc.steps {
				c.t = c.t.Add(step)
				_, last = d.SessionByID(ctx, id, idle, absolute)
			}
			if (last == nil) != tc.ok {
				t.Fatalf("last lookup: %v, want ok=%v", last, tc.ok)
			}
			if !tc.ok {
				if !errors.Is(last, ErrNoSession) {
					t.Fatal(last)
				}
				// Once ended it stays ended, even if the clock goes back.
				c.t = c.t.Add(-time.Hour * 100)
				if _, err := d.SessionByID(ctx, id, idle, absolute); !errors.Is(err, ErrNoSession) {
					t.Fatal("ended session came back")
				}
			}
		})
	}
}

func TestEndAllSessions(t *testing.T) {
	d, _, _ := testDB(t)
	ctx := context.Background()
	var ids []string
	for range 3 {
		_, id, _ := d.StartSession(ctx, "a", "ua", "addr")
		ids = append(ids, id)
	}
	_, other, _ := d.StartSession(ctx, "b", "ua", "addr")
	list, err := d.Sessions(ctx, "a")
	if err != nil || len(list) != 3 || len(list[0].Handle) != 8 {
		t.Fatalf("Sessions = %+v, %v", list, err)
	}
	if err := d.EndSession(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	n, err := d.EndAllSessions(ctx, "a", "revoked")
	if err != nil || n != 2 {
		t.Fatalf("EndAllSessions = %d, %v", n, err)
	}
	for _, id := range ids {
		if _, err := d.SessionByID(ctx, id, time.Hour, time.Hour); !errors.Is(err, ErrNoSession) {
			t.Errorf("session still live: %v", err)
		}
	}
	if _, err := d.SessionByID(ctx, other, time.Hour, time.Hour); err != nil {
		t.Errorf("other account's session ended: %v", err)
	}
	if _, err := d.SessionByID(ctx, "unknown", time.Hour, time.Hour); !errors.Is(err, ErrNoSession) {
		t.Errorf("unknown: %v", err)
	}
}

func TestSignIns(t *testing.T) {
	d, c, _ := testDB(t)
	ctx := context.Background()
	for i := range 5 {
		c.t = c.t.Add(time.Minute)
		if err := d.RecordSignIn(ctx, "a", fmt.Sprint("addr", i), "ua", "ok"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.RecentSignIns(ctx, "a", 2)
	if err != nil || len(got) != 2 || got[0].Address != "addr4" {
		t.Fatalf("RecentSignIns = %+v, %v", got, err)
	}
}

func BenchmarkSessionByID(b *testing.B) {
	d, _, _ := testDB(b)
	ctx := context.Background()
	var ids []string
	for i := range 1000 {
		a, err := d.Create(ctx, fmt.Sprintf("p%d@example.org", i), "v")
		if err != nil {
			b.Fatal(err)
		}
		_, id, err := d.StartSession(ctx, a.ID, "ua", "addr")
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := d.SessionByID(ctx, ids[i%1000], time.Hour, 24*time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}
