package share

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// A share sealed where the vault is (Prepare) and published to a server
// (Publish) opens there with its code and date of birth, like one made on
// the server.
func TestPrepareAndPublish(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	up, code, err := Prepare(contents(), []string{"medicines"})
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"Rosa", "Quill", "Amlodipine", testBirth} {
		if bytes.Contains(up.Sealed, []byte(plain)) {
			t.Errorf("%q is in the upload in the clear", plain)
		}
	}
	sh, err := f.svc.Publish(ctx, "acc1", up, code, dr, 0)
	if err != nil {
		t.Fatal(err)
	}
	if sh.ID != up.ID || sh.Label != "Medicines" || !sh.Expires.Equal(f.clk.now().Add(DefaultTTL)) {
		t.Fatalf("share: %+v", sh)
	}
	v, err := f.svc.Redeem(ctx, code, testBirth, "Dr Zed", "192.0.2.1", "UA")
	if err != nil {
		t.Fatal(err)
	}
	if h := v.Record.Health(); len(h.Medications) != 1 || len(v.Record.Reports()) != 0 {
		t.Fatalf("clinician's record: %d medicines, %d reports", len(h.Medications), len(v.Record.Reports()))
	}
	// The same upload again is refused (its id and code are taken).
	if _, err := f.svc.Publish(ctx, "acc1", up, code, dr, 0); err == nil {
		t.Error("the same upload was kept twice")
	}
}

func TestPublishRefusesBadUploads(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good, code, err := Prepare(contents(), []string{"results"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Sealed, *string, *time.Duration)
		want error
	}{
		{"short id", func(s *Sealed, _ *string, _ *time.Duration) { s.ID = "abc" }, ErrBadUpload},
		{"upper-case id", func(s *Sealed, _ *string, _ *time.Duration) { s.ID = strings.ToUpper(s.ID) + "A" }, ErrBadUpload},
		{"short salt", func(s *Sealed, _ *string, _ *time.Duration) { s.Salt = s.Salt[:8] }, ErrBadUpload},
		{"no ciphertext", func(s *Sealed, _ *string, _ *time.Duration) { s.Sealed = nil }, ErrBadUpload},
		{"too large", func(s *Sealed, _ *string, _ *time.Duration) { s.Sealed = make([]byte, MaxSealed+1) }, ErrTooLarge},
		{"unknown section", func(s *Sealed, _ *string, _ *time.Duration) { s.Sections = []string{"wishes"} }, ErrBadSections},
		{"no sections", func(s *Sealed, _ *string, _ *time.Duration) { s.Sections = nil }, ErrBadSections},
		{"mistyped code", func(_ *Sealed, c *string, _ *time.Duration) { *c = typo(*c) }, ErrBadCode},
		{"too long", func(_ *Sealed, _ *string, d *time.Duration) { *d = MaxTTL + time.Minute }, ErrBadTTL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up, c, ttl := good, code, time.Duration(0)
			tc.edit(&up, &c, &ttl)
			if _, err := f.svc.Publish(ctx, "acc1", up, c, dr, ttl); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if list, _ := f.svc.List(ctx, "acc1"); len(list) != 0 {
		t.Fatalf("%d shares kept from bad uploads", len(list))
	}
}

// An upload that names fewer sections than its sealed copy holds is listed
// with those it names; opening it is refused, so the clinician never sees
// more than the patient's list says was shared.
func TestPublishedSectionsMustMatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	up, code, err := Prepare(contents(), []string{Everything})
	if err != nil {
		t.Fatal(err)
	}
	up.Sections = []string{"results"}
	if _, err := f.svc.Publish(ctx, "acc1", up, code, dr, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Redeem(ctx, code, testBirth, "Dr Zed", "192.0.2.1", "UA"); !errors.Is(err, ErrSectionsDiffer) {
		t.Fatalf("a copy holding more than was listed opened: %v", err)
	}
}

// typo changes a code's first character to another: the check character
// catches every such substitution.
func typo(code string) string {
	if code[0] == 'A' {
		return "B" + code[1:]
	}
	return "A" + code[1:]
}
