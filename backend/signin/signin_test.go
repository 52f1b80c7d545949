package signin_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/signin"
)

// The whole way in: an invited vault with a delivered record, sign-up, the
// emailed code, activation, and the record read through the session.
func TestJourney(t *testing.T) {
	w := newWorld(t)
	invite, rel := w.invite(t)
	w.deliver(t, rel)

	email := "Ada.Okafor@Example.com" // case is forgiven
	if err := w.svc.SignUp(ctx, email, pwA, false, from); err != nil {
		t.Fatal(err)
	}
	text := w.waitMail(t, "ada.okafor@example.com", "Your Ward code", 1)
	code := codeIn(t, text)
	if !strings.Contains(text, "https://ward.example.org/#/activate?") {
		t.Errorf("verification email has no link:\n%s", text)
	}
	if strings.Contains(strings.ToLower(text), "potassium") {
		t.Error("the email mentions health information")
	}
	if _, err := w.svc.Verify(ctx, email, "ZZZZZZZZ", from); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("wrong code: %v, want ErrWrongCode", err)
	}
	account, err := w.svc.Verify(ctx, email, strings.ToLower(code), from)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := w.svc.Verify(ctx, email, code, from); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("the code worked twice: %v", err)
	}
	// Before activation the account cannot sign in.
	if _, err := w.svc.SignIn(ctx, email, pwA, from, ua); !errors.Is(err, signin.ErrWrongSignIn) {
		t.Fatalf("sign in before activation: %v", err)
	}
	if _, _, err := w.svc.Activate(ctx, account, pwA, "WARD-NOT-A-CODE", false, from, ua); !errors.Is(err, signin.ErrWrongInvite) {
		t.Fatalf("malformed invite: %v", err)
	}
	g, rk, err := w.svc.Activate(ctx, account, pwA, invite, false, from, ua)
	if err != nil {
		t.Fatalf("activate: %v", err)
	}
	if rk == "" || g.SessionID == "" || g.Token == "" || g.CSRF == "" || g.Account != account {
		t.Fatalf("activate gave %+v, recovery key %q", g, rk)
	}
	c, err := w.svc.Resolve(ctx, g.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Account.ID != account || c.Account.State != "active" || c.Account.Email != "ada.okafor@example.com" || c.Session.CSRF != g.CSRF {
		t.Fatalf("resolve gave %+v", c)
	}
	w.holdsObservation(t, g)
	if _, _, err := w.svc.Activate(ctx, account, pwA, invite, false, from, ua); !errors.Is(err, signin.ErrSignedOut) {
		t.Fatalf("second activation of one account: %v", err)
	}

	// The invite is spent: another verified account cannot use it.
	other := w.verifiedFrom(t, "ben@example.net", pwB, "192.0.2.99")
	if _, _, err := w.svc.Activate(ctx, other, pwB, invite, false, from, ua); !errors.Is(err, signin.ErrWrongInvite) {
		t.Fatalf("spent invite: %v, want ErrWrongInvite", err)
	}

	// Sign out, and back in with the password: the record is still there.
	if err := w.svc.SignOut(ctx, g.SessionID, c, g.Token); err != nil {
		t.Fatal(err)
	}
	if w.unlocked() != 0 {
		t.Fatal("the vault stays open after its only session signed out")
	}
	out, err := w.svc.SignIn(ctx, email, pwA, "192.0.2.98", ua)
	if err != nil {
		t.Fatal(err)
	}
	w.holdsObservation(t, out.Grant)

	live, recent, err := w.svc.Sessions(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 1 || len(recent) == 0 || recent[0].Outcome != "ok" {
		t.Fatalf("sessions %+v, recent %+v", live, recent)
	}
}

// A stranger learns nothing of who has an account.
func TestNoEnumeration(t *testing.T) {
	w := newWorld(t)
	ada := "ada@example.com"
	w.active(t, ada, pwA)
	codes := len(w.mails(t, ada, "Your Ward code"))

	if err := w.svc.SignUp(ctx, ada, pwB, false, "192.0.2.1"); err != nil {
		t.Fatalf("sign-up of a taken address: %v, want nil", err)
	}
	text := w.waitMail(t, ada, "Someone tried to sign up", 1)
	if !strings.Contains(text, "already has an account") {
		t.Errorf("already-have email:\n%s", text)
	}
	if n := len(w.mails(t, ada, "Your Ward code")); n != codes {
		t.Fatalf("a code was sent to an active account's address (%d, was %d)", n, codes)
	}

	// A pending account: signed up, never verified.
	if err := w.svc.SignUp(ctx, "carl@example.com", pwB, false, "192.0.2.2"); err != nil {
		t.Fatal(err)
	}
	// Active by hand, with no record yet.
	bare, err := w.db.Create(ctx, "dee@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.SetState(ctx, bare.ID, "active"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, email, pw, from string }{
		{"active without a record", "dee@example.com", pwA, "192.0.2.16"},
		{"unknown", "nobody@example.com", pwA, "192.0.2.10"},
		{"pending", "carl@example.com", pwB, "192.0.2.11"},
		{"wrong password", ada, pwB, "192.0.2.12"},
		{"not an address", "not an address", pwA, "192.0.2.13"},
		{"mixed scripts", "аda@example.com", pwA, "192.0.2.14"},
		{"empty", "", "", "192.0.2.15"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := w.svc.SignIn(ctx, c.email, c.pw, c.from, ua)
			if !errors.Is(err, signin.ErrWrongSignIn) || out.Pending != "" || out.Grant.SessionID != "" {
				t.Fatalf("sign in: %+v, %v; want ErrWrongSignIn", out, err)
			}
		})
	}

	// Forgot for an unknown or a pending address: nil and no email.
	w.waitMail(t, "carl@example.com", "Your Ward code", 1)
	before := len(w.mp.Messages(t))
	for _, e := range []string{"nobody@example.com", "carl@example.com"} {
		if err := w.svc.Forgot(ctx, e, "192.0.2.20"); err != nil {
			t.Fatalf("forgot %s: %v", e, err)
		}
	}
	w.flush(t)
	time.Sleep(100 * time.Millisecond)
	if after := len(w.mp.Messages(t)); after != before+0 {
		// carl's pending sign-up code is the only other mail, sent before.
		t.Fatalf("forgot sent %d email(s) for unknown/pending addresses", after-before)
	}
	if _, err := w.svc.ForgotVerify(ctx, "nobody@example.com", "ABCDEFGH", "192.0.2.21"); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("forgot-verify unknown: %v", err)
	}
	if _, err := w.svc.Verify(ctx, "nobody@example.com", "ABCDEFGH", "192.0.2.22"); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("verify unknown: %v", err)
	}
}

func TestSharedAndBadInput(t *testing.T) {
	w := newWorld(t)
	for _, e := range []string{"info@example.org", "Reception@example.org", "family+ward@example.org"} {
		if err := w.svc.SignUp(ctx, e, pwA, false, from); !errors.Is(err, signin.ErrSharedAddress) {
			t.Errorf("sign up %s: %v, want ErrSharedAddress", e, err)
		}
	}
	if err := w.svc.SignUp(ctx, "info@example.org", pwA, true, from); err != nil {
		t.Fatalf("shared address allowed: %v", err)
	}
	w.waitMail(t, "info@example.org", "Your Ward code", 1)

	long := strings.Repeat("a", 250) + "@example.org"
	for i, c := range []struct {
		name, email, pw string
		want            error
	}{
		{"overlong email", long, pwA, accounts.ErrBadEmail},
		{"cyrillic a", "p\u0430tient@example.org", pwA, accounts.ErrBadEmail},
		{"cyrillic domain", "patient@ex\u0430mple.org", pwA, accounts.ErrBadEmail},
		{"no at", "patient.example.org", pwA, accounts.ErrBadEmail},
		{"two ats", "a@b@example.org", pwA, accounts.ErrBadEmail},
		{"newline", "a\n@example.org", pwA, accounts.ErrBadEmail},
		{"nul", "a\x00b@example.org", pwA, accounts.ErrBadEmail},
		{"invalid utf-8 email", "a\xffb@example.org", pwA, accounts.ErrBadEmail},
		{"overlong password", "dora@example.org", strings.Repeat("horse ", 22), passwords.ErrTooLong},
		{"overlong password, other script", "dora@example.org", strings.Repeat("лошадь", 22), passwords.ErrTooLong},
		{"weak password", "dora@example.org", "password123", passwords.ErrGuessable},
		{"short password", "dora@example.org", "x7!", passwords.ErrTooShort},
		{"password is the address", "dora@example.org", "dora@example.org", passwords.ErrGuessable},
		{"password is the local part", "dora.brown@example.org", "dora.brown", passwords.ErrGuessable},
		{"invalid utf-8 password", "dora@example.org", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7", passwords.ErrGuessable},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := w.svc.SignUp(ctx, c.email, c.pw, false, addr(i))
			if !errors.Is(err, c.want) {
				t.Fatalf("sign up: %v, want %v", err, c.want)
			}
			// The other flows take the same input without a panic.
			var th *signin.ThrottledError // several cases share an address
			if _, err := w.svc.SignIn(ctx, c.email, c.pw, addr(100+i), ua); !errors.Is(err, signin.ErrWrongSignIn) && !errors.As(err, &th) {
				t.Errorf("sign in: %v", err)
			}
			if _, err := w.svc.Verify(ctx, c.email, c.pw, addr(200+i)); err == nil {
				t.Error("verify worked")
			}
			w.svc.Forgot(ctx, c.email, addr(300+i))                                  //nolint:errcheck // only: no panic
			w.svc.ForgotVerify(ctx, c.email, strings.Repeat("A", 9999), addr(400+i)) //nolint:errcheck
		})
	}
	if _, err := accounts.NormaliseEmail(long); err == nil {
		t.Fatal("overlong address normalised")
	}
	if w.db != nil {
		if list, err := w.db.List(ctx); err != nil || len(list) != 1 {
			t.Fatalf("accounts made from bad input: %d, %v", len(list), err)
		}
	}
}

// A household server lets a verified person start an empty record.
func TestEmptyRecordPolicy(t *testing.T) {
	t.Run("household", func(t *testing.T) {
		w := newWorld(t, withoutMail(), withPolicy(func(p *signin.Policy) { p.EmptyRecordAllowed = true }))
		id := w.verified(t, "ada@example.com", pwA)
		g, rk, err := w.svc.Activate(ctx, id, pwA, "", true, from, ua)
		if err != nil || rk == "" {
			t.Fatalf("activate empty: %v", err)
		}
		c, err := w.svc.Resolve(ctx, g.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := c.Vault.Record(g.Token)
		if err != nil {
			t.Fatal(err)
		}
		if n := rec.Summary().Counts; n != (rec.Summary().Counts) || n.Results != 0 || len(rec.Sources()) != 0 {
			t.Fatalf("a new record holds %+v", n)
		}
		if c.Account.VaultDir != "vaults/"+id {
			t.Fatalf("vault folder %q", c.Account.VaultDir)
		}
		w.signIn(t, "ada@example.com", pwA)
	})
	t.Run("organisation", func(t *testing.T) {
		w := newWorld(t, withoutMail())
		id := w.verified(t, "ada@example.com", pwA)
		if _, _, err := w.svc.Activate(ctx, id, pwA, "", true, from, ua); !errors.Is(err, signin.ErrNotAllowed) {
			t.Fatalf("empty record without the policy: %v, want ErrNotAllowed", err)
		}
		if _, _, err := w.svc.Activate(ctx, id, pwA, "", false, from, ua); !errors.Is(err, signin.ErrWrongInvite) {
			t.Fatalf("neither invite nor empty: %v, want ErrWrongInvite", err)
		}
		if _, _, err := w.svc.Activate(ctx, "no-such-account", pwA, "", true, from, ua); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("unknown account: %v", err)
		}
	})
	t.Run("unverified", func(t *testing.T) {
		w := newWorld(t, withoutMail(), withPolicy(func(p *signin.Policy) { p.EmptyRecordAllowed = true }))
		a, err := w.db.Create(ctx, "ada@example.com", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.Activate(ctx, a.ID, pwA, "", true, from, ua); !errors.Is(err, signin.ErrSignedOut) {
			t.Fatalf("activating an unverified account: %v", err)
		}
	})
}

// With the mail server down the message waits in the outbox and is sent
// once it is back, exactly once.
func TestOutboxSMTPDown(t *testing.T) {
	w := newWorld(t)
	w.mp.Stop()
	if err := w.svc.SignUp(ctx, "ada@example.com", pwA, false, from); err != nil {
		t.Fatalf("sign up with mail down: %v", err)
	}
	if sent, err := w.ob.Flush(ctx); err == nil || sent != 0 {
		t.Fatalf("flush with mail down: %d, %v", sent, err)
	}
	if n, _ := w.ob.Pending(ctx); n != 1 {
		t.Fatalf("pending %d, want 1", n)
	}
	w.mp.Start()
	w.clk.Advance(mail.BackoffBase)
	if sent, err := w.ob.Flush(ctx); err != nil || sent != 1 {
		t.Fatalf("flush after restart: %d, %v", sent, err)
	}
	if sent, err := w.ob.Flush(ctx); err != nil || sent != 0 {
		t.Fatalf("second flush: %d, %v", sent, err)
	}
	code := codeIn(t, w.waitMail(t, "ada@example.com", "Your Ward code", 1))
	time.Sleep(100 * time.Millisecond)
	if n := len(w.mails(t, "ada@example.com", "")); n != 1 {
		t.Fatalf("%d emails arrived, want 1", n)
	}
	if _, err := w.svc.Verify(ctx, "ada@example.com", code, from); err != nil {
		t.Fatalf("the late code: %v", err)
	}
	// The outbox row was sealed: the address is not in the database.
	var plain int
	if err := w.db.SQL().QueryRow(`SELECT count(*) FROM outbox WHERE to_addr LIKE '%example.com%'`).Scan(&plain); err != nil || plain != 0 {
		t.Fatalf("outbox rows naming the address: %d, %v", plain, err)
	}
}
