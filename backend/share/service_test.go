package share

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/store"
)

var dr = Recipient{Name: "Dr Ada Zed", Email: "Ada.Zed@Clinic.example", Organisation: "Zed Clinic"}

func TestShareRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sh, code, err := f.svc.Create(ctx, "acc1", contents(), dr, []string{"results"}, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if sh.State != "active" || !sh.Expires.Equal(f.clk.now().Add(2*time.Hour)) || sh.Recipient.Email != "ada.zed@clinic.example" || sh.Label != "Results" {
		t.Fatalf("share: %+v", sh)
	}
	list, err := f.svc.List(ctx, "acc1")
	if err != nil || len(list) != 1 || list[0].ID != sh.ID || list[0].Recipient.Name != "Dr Ada Zed" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if other, _ := f.svc.List(ctx, "acc2"); len(other) != 0 {
		t.Fatalf("another account sees %d shares", len(other))
	}

	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	v, err := f.svc.Redeem(ctx, typed, "05/04/1970", "Dr Zed", "192.0.2.1", "UA")
	if err != nil {
		t.Fatal(err)
	}
	if v.ShareID != sh.ID || v.Account != "acc1" || v.PatientName == "" || !v.FirstUse || v.Label != "Results" ||
		len(v.Sections) != 1 || v.Sections[0] != "results" || !v.Expires.Equal(sh.Expires) {
		t.Fatalf("viewer: %+v", v)
	}
	// The clinician reads the same pages: the results, and no medicines.
	if n := len(v.Record.Reports()); n == 0 {
		t.Error("no results in the clinician's record")
	}
	if h := v.Record.Health(); len(h.Medications) != 0 || len(h.Conditions) != 0 || len(h.Allergies) != 0 {
		t.Errorf("unshared sections in the record: %+v", h)
	}
	if c := v.Record.Summary().Counts; c.Results != 2 || c.Medications != 0 {
		t.Errorf("counts %+v", c)
	}
	v2, err := f.svc.Redeem(ctx, code, testBirth, "Dr Zed", "192.0.2.1", "UA")
	if err != nil || v2.FirstUse {
		t.Fatalf("second redeem: first use %v, %v", v2 != nil && v2.FirstUse, err)
	}

	vs := f.svc.Viewers()
	id := vs.Start(v)
	if len(id) != 64 {
		t.Fatalf("viewer id %q", id)
	}
	got, err := vs.Get(ctx, id)
	if err != nil || got != v {
		t.Fatalf("get: %v", err)
	}
	if err := vs.LogAccess(ctx, got, "results", "192.0.2.1", "UA"); err != nil {
		t.Fatal(err)
	}
	log, err := f.svc.Access(ctx, "acc1", sh.ID)
	if err != nil || len(log) != 3 || log[0].Page != "opened" || log[2].Page != "results" || log[2].Clinician != "Dr Zed" {
		t.Fatalf("access log %+v %v", log, err)
	}
	if _, err := f.svc.Access(ctx, "acc2", sh.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another account's access: %v", err)
	}
	if _, err := vs.Get(ctx, strings.Repeat("0", 64)); !errors.Is(err, ErrViewerEnded) {
		t.Fatalf("unknown viewer: %v", err)
	}
	// Idle for 15 minutes ends the session.
	f.clk.add(ViewerIdle)
	if _, err := vs.Get(ctx, id); !errors.Is(err, ErrViewerEnded) {
		t.Fatalf("idle viewer: %v", err)
	}
}

func TestShareCreateBadInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	noDOB := contents()
	noDOB.Records[0] = rec("Hill Surgery", "Patient", "p1", `,"birthDate":"1970"`)
	for _, tc := range []struct {
		name     string
		account  string
		c        func() any
		to       Recipient
		sections []string
		ttl      time.Duration
		want     error
	}{
		{"no account", "", nil, dr, []string{"results"}, 0, ErrBadAccount},
		{"too short", "a", nil, dr, []string{"results"}, 14 * time.Minute, ErrBadTTL},
		{"too long", "a", nil, dr, []string{"results"}, 7*24*time.Hour + time.Second, ErrBadTTL},
		{"negative", "a", nil, dr, []string{"results"}, -time.Hour, ErrBadTTL},
		{"no email", "a", nil, Recipient{Name: "Dr"}, []string{"results"}, 0, ErrBadRecipient},
		{"long name", "a", nil, Recipient{Name: strings.Repeat("x", 201), Email: "a@b.example"}, []string{"results"}, 0, ErrBadRecipient},
		{"no sections", "a", nil, dr, nil, 0, ErrBadSections},
		{"unknown section", "a", nil, dr, []string{"results", "genome"}, 0, ErrBadSections},
		{"partial birth date", "a", func() any { return noDOB }, dr, []string{"results"}, 0, ErrNoBirthDate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := contents()
			if tc.c != nil {
				c = tc.c().(*store.Contents)
			}
			if _, _, err := f.svc.Create(ctx, tc.account, c, tc.to, tc.sections, tc.ttl); !errors.Is(err, tc.want) {
				t.Fatalf("%v, want %v", err, tc.want)
			}
		})
	}
	for _, ttl := range []time.Duration{0, MinTTL, MaxTTL} {
		sh, _, err := f.svc.Create(ctx, "a", contents(), dr, []string{"results"}, ttl)
		if err != nil {
			t.Fatalf("ttl %v: %v", ttl, err)
		}
		want := ttl
		if ttl == 0 {
			want = DefaultTTL
		}
		if got := sh.Expires.Sub(sh.Created); got != want {
			t.Errorf("ttl %v: lasts %v", ttl, got)
		}
	}
}

// refusal redeems the way each case asks and gives the error.
func TestShareRefusalsIdentical(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	addr := 0
	redeem := func(code, dob string) error {
		addr++ // a fresh address each time, so the per-address count stays out of it
		_, err := f.svc.Redeem(ctx, code, dob, "", fmt.Sprintf("198.51.100.%d", addr), "UA")
		return err
	}
	mk := func(ttl time.Duration) (Share, string) {
		sh, code, err := f.svc.Create(ctx, "acc1", contents(), dr, []string{"results"}, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return sh, code
	}
	_, live := mk(0)
	_, expiring := mk(MinTTL)
	revokedShare, revoked := mk(0)
	if err := f.svc.Revoke(ctx, "acc1", revokedShare.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Revoke(ctx, "acc2", revokedShare.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another account revoked: %v", err)
	}
	lockedShare, locked := mk(0)
	for range accounts.ShareMaxDOBFailures {
		if err := redeem(locked, "1999-01-01"); err != ErrNotRight {
			t.Fatal(err)
		}
	}
	_, unknown := NewCode()

	cases := []struct {
		name string
		try  func() error
	}{
		{"unknown code", func() error { return redeem(unknown, testBirth) }},
		{"wrong birth", func() error { return redeem(live, "1970-04-06") }},
		{"revoked", func() error { return redeem(revoked, testBirth) }},
		{"locked (right date)", func() error { return redeem(locked, testBirth) }},
		{"expired", func() error { f.clk.add(MinTTL); return redeem(expiring, testBirth) }},
	}
	for _, tc := range cases {
		began := time.Now()
		name, err := tc.name, tc.try()
		if !errors.Is(err, ErrNotRight) || err.Error() != ErrNotRight.Error() || err != ErrNotRight {
			t.Errorf("%s: %v, want exactly ErrNotRight", name, err)
		}
		// Each refusal takes at least refusalTime, whatever its work.
		if took := time.Since(began); took < refusalTime {
			t.Errorf("%s answered in %v, before the %v every refusal waits", name, took, refusalTime)
		}
	}
	if err := redeem(live, testBirth); err != nil {
		t.Fatalf("the live share: %v", err)
	}
	list, _ := f.svc.List(ctx, "acc1")
	states := map[string]string{}
	for _, s := range list {
		states[s.ID] = s.State
	}
	if states[lockedShare.ID] != "locked" || states[revokedShare.ID] != "revoked" {
		t.Errorf("states %v", states)
	}
	// Typos and bad dates are told apart: they say nothing about any share.
	if err := redeem("ABCD", testBirth); !errors.Is(err, ErrBadCode) {
		t.Errorf("malformed code: %v", err)
	}
	if err := redeem(live, "5th April"); !errors.Is(err, ErrBadDate) {
		t.Errorf("bad date: %v", err)
	}
}

func TestShareExpiryAndRevokeEndViewers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	vs := f.svc.Viewers()
	open := func(ttl time.Duration) (Share, string) {
		sh, code, err := f.svc.Create(ctx, "acc1", contents(), dr, []string{"results"}, ttl)
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.Redeem(ctx, code, testBirth, "Dr Zed", "192.0.2.1", "UA")
		if err != nil {
			t.Fatal(err)
		}
		return sh, vs.Start(v)
	}

	// Expiry: the viewer is refused once the share's time is up, though
	// it was used a moment ago.
	_, id := open(MinTTL)
	f.clk.add(MinTTL - time.Minute)
	if _, err := vs.Get(ctx, id); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	f.clk.add(time.Minute)
	if _, err := vs.Get(ctx, id); !errors.Is(err, ErrViewerEnded) {
		t.Fatalf("after expiry: %v", err)
	}

	// Revoke: the very next request is refused, and the ciphertext is gone.
	sh, id := open(0)
	if _, err := vs.Get(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Revoke(ctx, "acc1", sh.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := vs.Get(ctx, id); !errors.Is(err, ErrViewerEnded) {
		t.Fatalf("after revoke: %v", err)
	}
	row, _ := f.db.ShareByID(ctx, sh.ID)
	if row.Sealed != nil {
		t.Fatal("ciphertext kept after revoke")
	}

	// Revoked in the database behind the Service's back (another server
	// process): Get still refuses.
	sh, id = open(0)
	if err := f.db.RevokeShare(ctx, "acc1", sh.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := vs.Get(ctx, id); !errors.Is(err, ErrViewerEnded) {
		t.Fatalf("revoked elsewhere: %v", err)
	}
}

func TestShareViewersBounded(t *testing.T) {
	f := newFixture(t)
	vs := f.svc.Viewers()
	first := vs.Start(&Viewer{ShareID: "x", Expires: f.clk.now().Add(time.Hour)})
	for i := range MaxViewers {
		f.clk.add(time.Millisecond)
		vs.Start(&Viewer{ShareID: fmt.Sprint("y", i), Expires: f.clk.now().Add(time.Hour)})
	}
	if vs.Len() != MaxViewers {
		t.Fatalf("%d viewers held", vs.Len())
	}
	if _, err := vs.Get(context.Background(), first); !errors.Is(err, ErrViewerEnded) {
		t.Fatalf("the oldest was not dropped: %v", err)
	}

	// One share holds at most MaxViewersPerShare: opening it again and
	// again (one code, many sessions) drops its own oldest, no one else's.
	vs = newViewers(f.svc)
	other := vs.Start(&Viewer{ShareID: "other", Expires: f.clk.now().Add(time.Hour)})
	var ids []string
	for range MaxViewersPerShare + 3 {
		f.clk.add(time.Millisecond)
		ids = append(ids, vs.Start(&Viewer{ShareID: "z", Expires: f.clk.now().Add(time.Hour)}))
	}
	if vs.Len() != MaxViewersPerShare+1 || vs.m[other] == nil {
		t.Fatalf("%d sessions held after opening one share %d times; the other share's kept: %v", vs.Len(), len(ids), vs.m[other] != nil)
	}
	for i, id := range ids {
		if held := vs.m[id] != nil; held != (i >= 3) {
			t.Errorf("session %d of share z held: %v", i, held)
		}
	}
}

func TestShareBirthDates(t *testing.T) {
	for in, want := range map[string]string{
		"1970-04-05": "1970-04-05", " 05/04/1970 ": "1970-04-05", "5/4/1970": "1970-04-05",
		"05-04-1970": "1970-04-05", "05.04.1970": "1970-04-05", "1970": "", "1970-04": "", "31/02/1970": "",
		"04/31/1970": "", "": "", "1970-04-05T00:00:00Z": "1970-04-05",
	} {
		got, ok := normaliseDate(in)
		if got != want || ok != (want != "") {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
}

// TestShareBurstCounted: tries sent at once count as tries sent one by
// one: a burst of wrong codes from one address does the work of five and
// no more, and the others are told to wait.
func TestShareBurstCounted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const n = 60
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, unknown := NewCode()
			_, err := f.svc.Redeem(ctx, unknown, testBirth, "", "203.0.113.7", "UA")
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	worked, waited := 0, 0
	for err := range errs {
		var th *ThrottledError
		switch {
		case err == ErrNotRight:
			worked++
		case errors.As(err, &th) && th.Wait > 0:
			waited++
		default:
			t.Errorf("a guess: %v", err)
		}
	}
	if worked != 5 || waited != n-5 {
		t.Fatalf("%d guesses at once from one address: %d did the work, %d waited; want 5 and %d", n, worked, waited, n-5)
	}
	// Right codes in flight do not count against everyone: 40 clinicians
	// opening their own shares at once, from their own addresses, all get in.
	codes := make([]string, 40)
	for i := range codes {
		_, codes[i], _ = f.svc.Create(ctx, "acc1", contents(), dr, []string{"results"}, time.Hour)
	}
	oks := make(chan error, len(codes))
	for i, code := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Redeem(ctx, code, testBirth, "Dr", fmt.Sprintf("198.51.100.%d", i+1), "UA")
			oks <- err
		}()
	}
	wg.Wait()
	close(oks)
	for err := range oks {
		if err != nil {
			t.Errorf("a clinician with the right code at a busy moment: %v", err)
		}
	}
}
