package signin_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/passkey"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/serverkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// pkWorld is an accounts server without mail or HTTP, for the passkey
// sign-in of package signin. The WebAuthn checks are package passkey's
// and the API's (tested there); here a Proof stands for an assertion that
// verified, giving its credential's PRF output.
type pkWorld struct {
	dir  string
	db   *accounts.DB
	reg  *session.Registry
	svc  *signin.Service
	next int
}

func newPKWorld(t testing.TB) *pkWorld {
	t.Helper()
	dir := t.TempDir()
	keys, err := serverkey.Create(filepath.Join(dir, "accounts.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := accounts.Open(filepath.Join(dir, "accounts.db"), keys.Accounts(), nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := session.NewRegistry(session.RegistryOptions{Idle: signin.DefaultIdle})
	t.Cleanup(func() { reg.Close(); db.Close() })
	svc := signin.New(signin.Options{Accounts: db, Vaults: reg, Dir: dir, Limiter: passwords.NewLimiter(0)})
	return &pkWorld{dir: dir, db: db, reg: reg, svc: svc}
}

// pkAccount is an active account with a password and one passkey slot.
type pkAccount struct {
	id, email, password string
	credID, output      []byte
}

func (w *pkWorld) account(t testing.TB) pkAccount {
	t.Helper()
	ctx := context.Background()
	w.next++
	a := pkAccount{email: fmt.Sprintf("patient%d@example.org", w.next), password: "a long and private pass phrase"}
	acct, err := w.db.Create(ctx, a.email, "")
	if err != nil {
		t.Fatal(err)
	}
	a.id = acct.ID
	rel := "vaults/" + a.id
	m, err := w.reg.Manager(a.id, filepath.Join(w.dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := m.Create(ctx, []byte(a.password))
	if err != nil {
		t.Fatal(err)
	}
	a.credID, a.output = pkRandom(32), pkRandom(32)
	if _, err := m.AddPasskey(tok, a.credID, passkey.AccountPRFInput(), bytes.Clone(a.output), vault.Passkey{PublicKey: pkRandom(77), RPID: "localhost", Name: "Phone"}); err != nil {
		t.Fatal(err)
	}
	m.Revoke(tok)
	for _, err := range []error{w.db.SetVaultDir(ctx, a.id, rel), w.db.MarkVerified(ctx, a.id), w.db.SetState(ctx, a.id, "active")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func pkRandom(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail
	return b
}

// proofOf stands for a verified assertion of cred giving output; calls
// counts the calls and sawSlots whether any had slots.
type pkProof struct {
	calls    int
	sawSlots bool
}

func (p *pkProof) of(credID, output []byte) session.Proof {
	return func(slots []vault.Slot) (vault.Unwrapper, vault.Slot, error) {
		p.calls++
		p.sawSlots = p.sawSlots || len(slots) > 0
		id := base64.RawURLEncoding.EncodeToString(credID)
		for _, s := range slots {
			if s.Kind == vault.KindPRF && s.ID == id {
				u, err := vault.NewPRF(credID, s.Salt, bytes.Clone(output))
				return u, s, err
			}
		}
		return nil, vault.Slot{}, fmt.Errorf("%w: unknown credential", session.ErrWrongPasskey)
	}
}

func TestSignInPasskey(t *testing.T) {
	ctx := context.Background()
	w := newPKWorld(t)
	a := w.account(t)
	var p pkProof
	g, err := w.svc.SignInPasskey(ctx, a.id, "203.0.113.7", "Firefox", p.of(a.credID, a.output))
	if err != nil {
		t.Fatal(err)
	}
	if g.Account != a.id || g.SessionID == "" || g.Token == "" || g.CSRF == "" || p.calls != 1 {
		t.Fatalf("grant %+v after %d proofs", g, p.calls)
	}
	c, err := w.svc.Resolve(ctx, g.SessionID)
	if err != nil || c.Account.ID != a.id || !c.Vault.Holds(g.Token) {
		t.Fatalf("resolve: %v", err)
	}
	_, recent, err := w.svc.Sessions(ctx, a.id)
	if err != nil || len(recent) == 0 || recent[0].Outcome != "passkey" {
		t.Fatalf("sign-ins %+v: %v", recent, err)
	}
}

func TestSignInPasskeyRefusals(t *testing.T) {
	ctx := context.Background()
	w := newPKWorld(t)
	a, b := w.account(t), w.account(t)
	disabled := w.account(t)
	if err := w.db.SetState(ctx, disabled.id, "disabled"); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		name     string
		account  string
		proof    func(*pkProof) session.Proof
		slots    bool // the proof is shown the vault's slots
		wantWrap error
	}{
		{"unknown account", "0123456789abcdef0123456789abcdef", func(p *pkProof) session.Proof { return p.of(a.credID, a.output) }, false, session.ErrWrongPasskey},
		{"no account", "", func(p *pkProof) session.Proof { return p.of(a.credID, a.output) }, false, session.ErrWrongPasskey},
		{"disabled account", disabled.id, func(p *pkProof) session.Proof { return p.of(disabled.credID, disabled.output) }, false, session.ErrWrongPasskey},
		{"B's passkey as A", a.id, func(p *pkProof) session.Proof { return p.of(b.credID, b.output) }, true, session.ErrWrongPasskey},
		{"wrong PRF output", a.id, func(p *pkProof) session.Proof { return p.of(a.credID, pkRandom(32)) }, true, vault.ErrWrongSecret},
	} {
		var p pkProof
		_, err := w.svc.SignInPasskey(ctx, tc.account, fmt.Sprintf("198.51.100.%d", i+1), "Firefox", tc.proof(&p))
		if !errors.Is(err, tc.wantWrap) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantWrap)
		}
		// The proof always runs (it uses the ceremony up), but is shown
		// slots only for an active account's vault.
		if p.calls != 1 || p.sawSlots != tc.slots {
			t.Errorf("%s: proof ran %d times, saw slots %v", tc.name, p.calls, p.sawSlots)
		}
	}
	if n := w.reg.Stats().Unlocked; n != 0 {
		t.Fatalf("%d vaults unlocked by refused sign-ins", n)
	}
}

// A stranger flooding the password, from elsewhere and from the owner's
// own address, makes the password wait but not the passkey.
func TestSignInPasskeyNotBlockedByPasswordFlood(t *testing.T) {
	ctx := context.Background()
	w := newPKWorld(t)
	a := w.account(t)
	const owner = "203.0.113.50"
	throttled := 0
	for i := range 100 {
		from := fmt.Sprintf("192.0.2.%d", i%50+1)
		if i < 10 || i%2 == 0 { // the first, which reach the vault, from the owner's address
			from = owner
		}
		_, err := w.svc.SignIn(ctx, a.email, "not the password at all", from, "curl")
		var slow *signin.ThrottledError
		switch {
		case errors.As(err, &slow), errors.Is(err, store.ErrTooMany): // the account's wait, or the vault's for the address
			throttled++
		case !errors.Is(err, signin.ErrWrongSignIn):
			t.Fatalf("try %d: %v", i, err)
		}
	}
	if throttled == 0 {
		t.Fatal("100 wrong passwords were never throttled")
	}
	if _, err := w.svc.SignIn(ctx, a.email, a.password, owner, "Firefox"); err == nil {
		t.Fatal("the password is not waiting after the flood; the test shows nothing")
	}
	var p pkProof
	if _, err := w.svc.SignInPasskey(ctx, a.id, owner, "Firefox", p.of(a.credID, a.output)); err != nil {
		t.Fatalf("passkey sign-in after the password flood: %v", err)
	}
}

// Failed passkey tries from an address wait on their own, and do not make
// that address's password wait.
func TestSignInPasskeyThrottle(t *testing.T) {
	ctx := context.Background()
	w := newPKWorld(t)
	a := w.account(t)
	const from = "203.0.113.60"
	var err error
	for range 7 {
		var p pkProof
		_, err = w.svc.SignInPasskey(ctx, a.id, from, "curl", p.of(pkRandom(32), pkRandom(32)))
	}
	var slow *signin.PasskeyThrottledError
	if !errors.As(err, &slow) || !errors.Is(err, signin.ErrPasskeyTooMany) || slow.Wait <= 0 {
		t.Fatalf("7th failed passkey: %v", err)
	}
	if err := w.svc.CheckPasskey(ctx, from); !errors.As(err, &slow) {
		t.Fatalf("CheckPasskey: %v", err)
	}
	if err := w.svc.CheckPasskey(ctx, "203.0.113.61"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	if _, err := w.svc.SignIn(ctx, a.email, a.password, from, "Firefox"); err != nil {
		t.Fatalf("password after failed passkeys: %v", err)
	}
}
