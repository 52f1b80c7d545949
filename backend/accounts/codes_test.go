package accounts

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCodes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		wrong  int           // wrong tries before the right one
		wait   time.Duration // clock advance before the right one
		twice  bool
		replay bool // a new code replaces the old one
		ok     bool
	}{
		{name: "right", ok: true},
		{name: "four wrong then right", wrong: 4, ok: true},
		{name: "five wrong kills", wrong: 5},
		{name: "expired", wait: 11 * time.Minute},
		{name: "used twice", twice: true},
		{name: "replaced", replay: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, c, _ := testDB(t)
			code, err := d.NewCode(ctx, "verify", "a", 10*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if len(code) != 8 || strings.ContainsAny(code, "0O1IL") {
				t.Fatalf("code %q", code)
			}
			if tc.replay {
				if _, err := d.NewCode(ctx, "verify", "a", 10*time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			for range tc.wrong {
				if err := d.UseCode(ctx, "verify", "a", "ZZZZZZZZ"); !errors.Is(err, ErrBadCode) {
					t.Fatal(err)
				}
			}
			c.t = c.t.Add(tc.wait)
			err = d.UseCode(ctx, "verify", "a", strings.ToLower(code))
			if tc.twice {
				err = d.UseCode(ctx, "verify", "a", code)
			}
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrBadCode)) {
				t.Fatalf("UseCode = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestInvites(t *testing.T) {
	d, c, _ := testDB(t)
	ctx := context.Background()
	if err := d.PutInvite(ctx, []byte("h1"), "v1", c.t.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := d.PutInvite(ctx, []byte("h2"), "v2", c.t.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if dir, err := d.TakeInvite(ctx, []byte("h1")); err != nil || dir != "v1" {
		t.Fatal(dir, err)
	}
	if _, err := d.TakeInvite(ctx, []byte("h1")); !errors.Is(err, ErrBadCode) {
		t.Error("invite used twice")
	}
	c.t = c.t.Add(2 * time.Minute)
	if _, err := d.TakeInvite(ctx, []byte("h2")); !errors.Is(err, ErrBadCode) {
		t.Error("expired invite taken")
	}
	if _, err := d.TakeInvite(ctx, []byte("nope")); !errors.Is(err, ErrBadCode) {
		t.Error("unknown invite taken")
	}
}

func TestAuditAppendOnly(t *testing.T) {
	d, _, _ := testDB(t)
	ctx := context.Background()
	if err := d.Audit(ctx, "admin", "disable", "acct", "why"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit SET detail = 'x'`, `DELETE FROM audit`} {
		if _, err := d.sql.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
	log, err := d.AuditLog(ctx, 10)
	if err != nil || len(log) != 1 || log[0].Detail != "why" {
		t.Fatalf("AuditLog = %+v, %v", log, err)
	}
}

func TestThrottle(t *testing.T) {
	for _, tc := range []struct {
		failures int64
		want     time.Duration
	}{
		{0, 0}, {4, 0}, {5, 30 * time.Second}, {6, time.Minute}, {7, 2 * time.Minute}, {10, 16 * time.Minute},
		{11, 32 * time.Minute}, {12, time.Hour}, {1000, time.Hour},
	} {
		if got := Delay(tc.failures); got != tc.want {
			t.Errorf("Delay(%d) = %v, want %v", tc.failures, got, tc.want)
		}
	}
	d, c, _ := testDB(t)
	ctx := context.Background()
	for range 7 {
		if _, err := d.Fail(ctx, "ip:1"); err != nil {
			t.Fatal(err)
		}
	}
	if w, _ := d.Check(ctx, "ip:1"); w != 2*time.Minute {
		t.Errorf("wait = %v", w)
	}
	c.t = c.t.Add(119 * time.Second)
	if w, _ := d.Check(ctx, "ip:1"); w != time.Second {
		t.Errorf("wait = %v", w)
	}
	c.t = c.t.Add(25 * time.Hour)
	d.Fail(ctx, "ip:2") // prunes ip:1
	if n, _ := d.Fail(ctx, "ip:1"); n != 1 {
		t.Errorf("not pruned: %d", n)
	}
	if err := d.Reset(ctx, "ip:1"); err != nil {
		t.Fatal(err)
	}
	if w, _ := d.Check(ctx, "ip:1"); w != 0 {
		t.Errorf("after reset: %v", w)
	}
}
