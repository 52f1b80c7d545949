package signin_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/ward-health/ward/backend/signin"
)

// totpAt is the authenticator app's code for the enrolment's secret.
func totpAt(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(strings.ReplaceAll(secret, " ", ""), at,
		totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// wrongTOTP is a code that is none of those accepted at at.
func wrongTOTP(t testing.TB, secret string, at time.Time) string {
	ok := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		ok[totpAt(t, secret, at.Add(d))] = true
	}
	for i := 0; ; i++ {
		if c := fmt.Sprintf("%06d", i); !ok[c] {
			return c
		}
	}
}

// enrolled turns two-step on for account and gives the secret and the
// recovery codes.
func (w *world) enrolled(t testing.TB, account, email string) (string, []string) {
	t.Helper()
	en, err := w.svc.Enrol(ctx, account, email)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(en.URL, "otpauth://totp/") || len(en.QR) == 0 || !strings.Contains(en.URL, "Riverside") {
		t.Fatalf("enrolment %q, %d-byte QR", en.URL, len(en.QR))
	}
	if _, err := w.svc.Confirm(ctx, account, wrongTOTP(t, en.Secret, w.clk.Now())); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("confirm with a wrong code: %v", err)
	}
	codes, err := w.svc.Confirm(ctx, account, totpAt(t, en.Secret, w.clk.Now()))
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		seen[c] = true
	}
	if len(codes) != 10 || len(seen) != 10 {
		t.Fatalf("recovery codes %q", codes)
	}
	w.clk.Advance(30 * time.Second) // the confirming code's step is used
	return en.Secret, codes
}

func (w *world) pending(t testing.TB, email, pw, from string) string {
	t.Helper()
	out, err := w.svc.SignIn(ctx, email, pw, from, ua)
	if err != nil {
		t.Fatal(err)
	}
	if out.Pending == "" || out.Grant.SessionID != "" || out.Grant.Token != "" {
		t.Fatalf("sign-in with two-step on gave %+v", out)
	}
	return out.Pending
}

func TestTwoStep(t *testing.T) {
	w := newWorld(t)
	email := "ada@example.com"
	id, _, g0 := w.active(t, email, pwA)
	c0, err := w.svc.Resolve(ctx, g0.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Confirm(ctx, id, "123456"); err == nil {
		t.Fatal("confirm without enrolment worked")
	}
	secret, codes := w.enrolled(t, id, email)
	if st, err := w.svc.TwoStep(ctx, id); err != nil || !st.Enabled || st.RecoveryCodesLeft != 10 || st.Required {
		t.Fatalf("status %+v, %v", st, err)
	}

	// Password, then a wrong code, then the right one.
	p := w.pending(t, email, pwA, from)
	if _, err := w.svc.SecondStep(ctx, p, signin.MethodTOTP, wrongTOTP(t, secret, w.clk.Now())); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("wrong code: %v", err)
	}
	if _, err := w.svc.SecondStep(ctx, p, "sms", "123456"); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("unknown method: %v", err)
	}
	code := totpAt(t, secret, w.clk.Now())
	g, err := w.svc.SecondStep(ctx, p, signin.MethodTOTP, " "+code[:3]+" "+code[3:]+" ")
	if err != nil {
		t.Fatalf("right code: %v", err)
	}
	w.holdsObservation(t, g)
	if _, err := w.svc.SecondStep(ctx, p, signin.MethodTOTP, code); !errors.Is(err, signin.ErrSignedOut) {
		t.Fatalf("a finished sign-in finished again: %v", err)
	}

	// The same code in another sign-in is a replay.
	p2 := w.pending(t, email, pwA, from)
	if _, err := w.svc.SecondStep(ctx, p2, signin.MethodTOTP, code); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("replayed code: %v, want ErrWrongCode", err)
	}
	// A recovery code works once.
	if _, err := w.svc.SecondStep(ctx, p2, signin.MethodRecovery, strings.ToLower(codes[0])); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	p3 := w.pending(t, email, pwA, from)
	if _, err := w.svc.SecondStep(ctx, p3, signin.MethodRecovery, codes[0]); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("recovery code used twice: %v", err)
	}
	if st, _ := w.svc.TwoStep(ctx, id); st.RecoveryCodesLeft != 9 {
		t.Fatalf("%d recovery codes left, want 9", st.RecoveryCodesLeft)
	}

	// The emailed code.
	if err := w.svc.EmailCode(ctx, p3); err != nil {
		t.Fatal(err)
	}
	mailed := codeIn(t, w.waitMail(t, email, "Your Ward sign-in code", 1))
	if _, err := w.svc.SecondStep(ctx, p3, signin.MethodEmail, mailed); err != nil {
		t.Fatalf("emailed code: %v", err)
	}
	p4 := w.pending(t, email, pwA, from)
	if _, err := w.svc.SecondStep(ctx, p4, signin.MethodEmail, mailed); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("emailed code used twice: %v", err)
	}
	if err := w.svc.EmailCode(ctx, "no-such-sign-in"); !errors.Is(err, signin.ErrSignedOut) {
		t.Fatalf("email code for nothing: %v", err)
	}

	// New recovery codes replace the old.
	fresh, err := w.svc.NewRecoveryCodes(ctx, id)
	if err != nil || len(fresh) != 10 {
		t.Fatalf("new recovery codes: %d, %v", len(fresh), err)
	}
	if _, err := w.svc.SecondStep(ctx, p4, signin.MethodRecovery, codes[1]); !errors.Is(err, signin.ErrWrongCode) {
		t.Fatalf("an old recovery code after renewal: %v", err)
	}
	if _, err := w.svc.SecondStep(ctx, p4, signin.MethodRecovery, fresh[0]); err != nil {
		t.Fatalf("a new recovery code: %v", err)
	}

	// Five wrong codes drop the half-finished sign-in and its vault token:
	// with no other session, the vault locks.
	if err := w.svc.SignOutEverywhere(ctx, c0); err != nil {
		t.Fatal(err)
	}
	if w.unlocked() != 0 {
		t.Fatal("vault open after signing out everywhere")
	}
	w.clk.Advance(30 * time.Second)
	p5 := w.pending(t, email, pwA, from)
	if w.unlocked() != 1 {
		t.Fatal("the password did not open the vault for the half-finished sign-in")
	}
	for i := range 5 {
		if _, err := w.svc.SecondStep(ctx, p5, signin.MethodTOTP, wrongTOTP(t, secret, w.clk.Now())); !errors.Is(err, signin.ErrWrongCode) {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	if w.unlocked() != 0 {
		t.Fatal("the vault stays open to a sign-in that failed its second step five times")
	}
	if m, ok := w.reg.Peek(id); ok && m.Holds(g.Token) {
		t.Fatal("an ended session's token still opens the vault")
	}
	if _, err := w.svc.SecondStep(ctx, p5, signin.MethodTOTP, totpAt(t, secret, w.clk.Now())); !errors.Is(err, signin.ErrSignedOut) {
		t.Fatalf("right code after five wrong: %v, want ErrSignedOut", err)
	}

	// A half-finished sign-in expires.
	p6 := w.pending(t, email, pwA, from)
	w.clk.Advance(signin.PendingTTL + time.Second)
	if _, err := w.svc.SecondStep(ctx, p6, signin.MethodTOTP, totpAt(t, secret, w.clk.Now())); !errors.Is(err, signin.ErrSignedOut) {
		t.Fatalf("expired sign-in: %v, want ErrSignedOut", err)
	}
	if w.unlocked() != 0 {
		t.Fatal("an expired half-finished sign-in keeps the vault open")
	}

	// Turned off, sign-in is the password alone.
	if err := w.svc.DisableTwoStep(ctx, id); err != nil {
		t.Fatal(err)
	}
	w.signIn(t, email, pwA)
	if need, err := w.svc.NeedsEnrolment(ctx, id); err != nil || need {
		t.Fatalf("needs enrolment without the policy: %v, %v", need, err)
	}
}

func TestTwoStepRequired(t *testing.T) {
	w := newWorld(t, withPolicy(func(p *signin.Policy) { p.TwoStepRequired = true }))
	email := "ada@example.com"
	id, _, _ := w.active(t, email, pwA)
	if need, err := w.svc.NeedsEnrolment(ctx, id); err != nil || !need {
		t.Fatalf("needs enrolment before: %v, %v", need, err)
	}
	if _, err := w.svc.Enrol(ctx, id, email); err != nil {
		t.Fatal(err)
	}
	if need, _ := w.svc.NeedsEnrolment(ctx, id); !need {
		t.Fatal("an unconfirmed enrolment counts")
	}
	secret, _ := w.enrolled(t, id, email)
	if need, err := w.svc.NeedsEnrolment(ctx, id); err != nil || need {
		t.Fatalf("needs enrolment after: %v, %v", need, err)
	}
	if st, _ := w.svc.TwoStep(ctx, id); !st.Required || !st.Enabled {
		t.Fatalf("status %+v", st)
	}
	if err := w.svc.DisableTwoStep(ctx, id); !errors.Is(err, signin.ErrTwoStepNeeded) {
		t.Fatalf("disable under the policy: %v", err)
	}
	p := w.pending(t, email, pwA, from)
	if _, err := w.svc.SecondStep(ctx, p, signin.MethodTOTP, totpAt(t, secret, w.clk.Now())); err != nil {
		t.Fatal(err)
	}
}

// Two sign-ins racing with one TOTP code: exactly one gets in.
func TestTwoStepReplayRace(t *testing.T) {
	w := newWorld(t, withoutMail())
	email := "ada@example.com"
	id, _, _ := w.active(t, email, pwA)
	secret, _ := w.enrolled(t, id, email)
	const n = 8
	ps := make([]string, n)
	for i := range ps {
		ps[i] = w.pending(t, email, pwA, from)
	}
	code := totpAt(t, secret, w.clk.Now())
	errs := make(chan error, n)
	for _, p := range ps {
		go func() {
			_, err := w.svc.SecondStep(ctx, p, signin.MethodTOTP, code)
			errs <- err
		}()
	}
	ok := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			ok++
		case !errors.Is(err, signin.ErrWrongCode):
			t.Fatalf("second step: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("one code let %d sign-ins in, want 1", ok)
	}
}
