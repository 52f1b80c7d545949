package accounts

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

func testShare(id, account string, now time.Time) Share {
	return Share{ID: id, Account: account, Lookup: []byte("lookup-" + id), Salt: []byte("salt"),
		Sealed:    []byte("ciphertext-" + id),
		Recipient: ShareRecipient{Name: "Dr Ada Zed", Email: "ada.zed@clinic.example", Organisation: "Zed Clinic"},
		Sections:  []string{"results", "medicines"}, Created: now, Expires: now.Add(time.Hour)}
}

func TestShareStorage(t *testing.T) {
	d, c, path := testDB(t)
	ctx := context.Background()
	if err := d.PutShare(ctx, testShare("s1", "acc1", c.t)); err != nil {
		t.Fatal(err)
	}
	if err := d.PutShare(ctx, testShare("s2", "acc2", c.t)); err != nil {
		t.Fatal(err)
	}
	dup := testShare("s3", "acc1", c.t)
	dup.Lookup = []byte("lookup-s1")
	if err := d.PutShare(ctx, dup); err == nil {
		t.Fatal("a second share with the same lookup was stored")
	}

	s, err := d.ShareByLookup(ctx, []byte("lookup-s1"))
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "s1" || s.Account != "acc1" || string(s.Sealed) != "ciphertext-s1" || len(s.Sections) != 2 ||
		!s.Live(c.t) || s.Live(c.t.Add(time.Hour)) || s.Recipient.Email != "" {
		t.Fatalf("by lookup: %+v", s)
	}
	if _, err := d.ShareByLookup(ctx, []byte("nope")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown lookup: %v", err)
	}

	list, err := d.SharesOf(ctx, "acc1")
	if err != nil || len(list) != 1 || list[0].Recipient.Email != "ada.zed@clinic.example" || list[0].Recipient.Organisation != "Zed Clinic" {
		t.Fatalf("shares of acc1: %+v, %v", list, err)
	}

	// The recipient is not in the file in the clear.
	d.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(path + "-wal")
	for _, secret := range []string{"ada.zed", "Ada Zed", "Zed Clinic"} {
		if bytes.Contains(raw, []byte(secret)) || bytes.Contains(wal, []byte(secret)) {
			t.Errorf("%q is in the database file in the clear", secret)
		}
	}
}

func TestShareRevokeUseLock(t *testing.T) {
	d, c, _ := testDB(t)
	ctx := context.Background()
	if err := d.PutShare(ctx, testShare("s1", "acc1", c.t)); err != nil {
		t.Fatal(err)
	}
	if err := d.RevokeShare(ctx, "acc2", "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another account revoked it: %v", err)
	}
	first, err := d.MarkShareUsed(ctx, "s1")
	if err != nil || !first {
		t.Fatalf("first use: %v %v", first, err)
	}
	if first, _ := d.MarkShareUsed(ctx, "s1"); first {
		t.Fatal("second use reported as first")
	}
	for i := 1; i <= ShareMaxDOBFailures; i++ {
		n, locked, err := d.ShareDOBFailed(ctx, "s1")
		if err != nil || n != int64(i) || locked != (i == ShareMaxDOBFailures) {
			t.Fatalf("failure %d: %d %v %v", i, n, locked, err)
		}
	}
	if n, locked, err := d.ShareDOBFailed(ctx, "unknown"); n != 0 || locked || err != nil {
		t.Fatalf("unknown id: %d %v %v", n, locked, err)
	}
	s, _ := d.ShareByID(ctx, "s1")
	if !s.Locked() || s.Live(c.t) {
		t.Fatalf("not locked: %+v", s)
	}
	if err := d.RevokeShare(ctx, "acc1", "s1"); err != nil {
		t.Fatal(err)
	}
	s, _ = d.ShareByID(ctx, "s1")
	if s.Sealed != nil || s.Revoked.IsZero() || s.FirstUsed.IsZero() {
		t.Fatalf("after revoke: %+v", s)
	}
	list, _ := d.SharesOf(ctx, "acc1")
	if len(list) != 1 || list[0].Sealed != nil {
		t.Fatalf("list after revoke: %+v", list)
	}
}

func TestShareAccessLog(t *testing.T) {
	d, c, _ := testDB(t)
	ctx := context.Background()
	if err := d.PutShare(ctx, testShare("s1", "acc1", c.t)); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"opened", "results"} {
		c.t = c.t.Add(time.Second)
		if err := d.LogShareAccess(ctx, ShareAccess{Share: "s1", Address: "192.0.2.7", UserAgent: "UA", Page: page, Clinician: "Dr Zed"}); err != nil {
			t.Fatal(err)
		}
	}
	log, err := d.ShareAccess(ctx, "acc1", "s1")
	if err != nil || len(log) != 2 || log[0].Page != "opened" || log[1].Clinician != "Dr Zed" || log[1].Address != "192.0.2.7" {
		t.Fatalf("log: %+v %v", log, err)
	}
	if _, err := d.ShareAccess(ctx, "acc2", "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another account read the log: %v", err)
	}
	for _, q := range []string{`UPDATE share_access SET page = 'x'`, `DELETE FROM share_access`} {
		if _, err := d.sql.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
}

func TestSharePurgeAndAccountDelete(t *testing.T) {
	d, c, _ := testDB(t)
	ctx := context.Background()
	a, err := d.Create(ctx, "p@example.org", "v1")
	if err != nil {
		t.Fatal(err)
	}
	live, expired, revoked := testShare("live", a.ID, c.t), testShare("expired", a.ID, c.t), testShare("revoked", a.ID, c.t)
	live.Expires = c.t.Add(2 * time.Hour)
	for _, s := range []Share{live, expired, revoked} {
		if err := d.PutShare(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.RevokeShare(ctx, a.ID, "revoked"); err != nil {
		t.Fatal(err)
	}
	n, err := d.PurgeEndedShares(ctx, c.t.Add(90*time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v; want 1 (the expired one; the revoked one had gone)", n, err)
	}
	for id, want := range map[string]bool{"live": true, "expired": false, "revoked": false} {
		s, _ := d.ShareByID(ctx, id)
		if (s.Sealed != nil) != want {
			t.Errorf("%s: ciphertext held %v, want %v", id, s.Sealed != nil, want)
		}
	}
	if err := d.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := d.SharesOf(ctx, a.ID); len(list) != 0 {
		t.Fatalf("shares outlived their account: %d", len(list))
	}
}
