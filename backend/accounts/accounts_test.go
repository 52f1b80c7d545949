package accounts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func testDB(t testing.TB) (*DB, *clock, string) {
	t.Helper()
	c := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "accounts.db")
	var k Keys
	k.Seal[0], k.Lookup[0] = 1, 2
	d, err := Open(path, k, c.now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, c, path
}

func TestNoPlaintextEmail(t *testing.T) {
	d, _, path := testDB(t)
	ctx := context.Background()
	a, err := d.Create(ctx, "Alice.Patient@Example.org", "v1")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetTwoStep(ctx, a.ID, []byte("TOTPSECRETXYZ")); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal"} {
		raw, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"alice.patient", "Alice.Patient", "example.org", "TOTPSECRETXYZ"} {
			if bytes.Contains(bytes.ToLower(raw), bytes.ToLower([]byte(s))) {
				t.Errorf("%s%s contains %q", filepath.Base(path), suffix, s)
			}
		}
	}
	got, err := d.ByEmail(ctx, "alice.patient@EXAMPLE.org")
	if err != nil || got.ID != a.ID || got.Email != "alice.patient@example.org" {
		t.Fatalf("ByEmail = %+v, %v", got, err)
	}
	blob, err := d.TwoStep(ctx, a.ID)
	if err != nil || string(blob) != "TOTPSECRETXYZ" {
		t.Fatalf("TwoStep = %q, %v", blob, err)
	}
	list, err := d.List(ctx)
	if err != nil || len(list) != 1 || list[0].Email != a.Email {
		t.Fatalf("List = %+v, %v", list, err)
	}
}

func TestCreateRefuses(t *testing.T) {
	d, _, _ := testDB(t)
	ctx := context.Background()
	if _, err := d.Create(ctx, "bob@example.org", "v1"); err != nil {
		t.Fatal(err)
	}
	long := make([]byte, 250)
	for i := range long {
		long[i] = 'a'
	}
	for _, tc := range []struct {
		email string
		want  error
	}{
		{"bob@example.org", ErrEmailTaken},
		{"BOB@Example.ORG", ErrEmailTaken},
		{"  bob@example.org ", ErrEmailTaken},
		{"b\u043eb@example.org", ErrBadEmail}, // Cyrillic o
		{"bob@ex\u0430mple.org", ErrBadEmail}, // Cyrillic a
		{string(long) + "@x.org", ErrBadEmail},
		{"no-at-sign", ErrBadEmail},
		{"@example.org", ErrBadEmail},
		{"bob@", ErrBadEmail},
		{"bo b@example.org", ErrBadEmail},
		{"bob\x00@example.org", ErrBadEmail},
	} {
		if _, err := d.Create(ctx, tc.email, "v2"); !errors.Is(err, tc.want) {
			t.Errorf("Create(%q) = %v, want %v", tc.email, err, tc.want)
		}
	}
	if _, err := d.ByEmail(ctx, "nobody@example.org"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ByEmail unknown = %v", err)
	}
}

func TestStateAndDelete(t *testing.T) {
	d, c, _ := testDB(t)
	ctx := context.Background()
	a, _ := d.Create(ctx, "carol@example.org", "v1")
	if err := d.SetState(ctx, a.ID, "active"); err != nil {
		t.Fatal(err)
	}
	if err := d.SetState(ctx, a.ID, "bogus"); !errors.Is(err, ErrBadState) {
		t.Errorf("bad state: %v", err)
	}
	if err := d.MarkVerified(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := d.ByID(ctx, a.ID)
	if got.State != "active" || !got.Verified.Equal(c.t) {
		t.Errorf("got %+v", got)
	}
	_, sid, _ := d.StartSession(ctx, a.ID, "ua", "1.2.3.4")
	if err := d.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ByID(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if _, err := d.SessionByID(ctx, sid, time.Hour, time.Hour); !errors.Is(err, ErrNoSession) {
		t.Errorf("session after delete: %v", err)
	}
}

func TestLooksShared(t *testing.T) {
	for _, tc := range []struct {
		email string
		want  bool
	}{
		{"info@clinic.org", true}, {"No-Reply@x.org", true}, {"family+mum@x.org", true},
		{"alice@x.org", false}, {"information@x.org", false},
	} {
		if got := LooksShared(tc.email); got != tc.want {
			t.Errorf("LooksShared(%q) = %v", tc.email, got)
		}
	}
}

func FuzzNormaliseEmail(f *testing.F) {
	for _, s := range []string{"a@b.c", "Ä@b.c", "A\u0308@B.C", "b\u043eb@x.org", "x@@y", "ǅ@x.org", "İ@x.org"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormaliseEmail(s)
		if err != nil {
			return
		}
		m, err := NormaliseEmail(n)
		if err != nil || m != n {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, n, m, err)
		}
	})
}

func BenchmarkByEmail(b *testing.B) {
	d, _, _ := testDB(b)
	ctx := context.Background()
	for i := range 1000 {
		if _, err := d.Create(ctx, fmt.Sprintf("p%d@example.org", i), "v"); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := d.ByEmail(ctx, fmt.Sprintf("p%d@example.org", i%1000)); err != nil {
			b.Fatal(err)
		}
	}
}
