package signin_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/mail/mailpittest"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/vault"
)

// Tests wrap new password slots (and the dummy work for unknown addresses)
// with a cheap Argon2id, so they spend their time on the flows; the
// benchmarks put the real cost back (realCost).
var (
	fastArgon2  = vault.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	realArgon2  vault.Argon2Params
	realDummy   vault.Argon2Params
	argon2Guard sync.Mutex
)

func TestMain(m *testing.M) {
	realArgon2, realDummy = vault.DefaultArgon2Params, passwords.DummyParams
	vault.DefaultArgon2Params, passwords.DummyParams = fastArgon2, fastArgon2
	if os.Getenv("WARD_MAILPIT") == "" {
		if p, err := filepath.Abs("../../.tools/mailpit"); err == nil {
			if _, err := os.Stat(p); err == nil {
				os.Setenv("WARD_MAILPIT", p)
			}
		}
	}
	os.Exit(m.Run())
}

// realCost puts Ward's default Argon2id cost back for a benchmark.
func realCost(b *testing.B) {
	argon2Guard.Lock()
	vault.DefaultArgon2Params, passwords.DummyParams = realArgon2, realDummy
	b.Cleanup(func() {
		vault.DefaultArgon2Params, passwords.DummyParams = fastArgon2, fastArgon2
		argon2Guard.Unlock()
	})
}

var (
	t0   = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	ctx  = context.Background()
	pwA  = "violet tractor umbrella 93 quiet"
	pwB  = "harbour lantern seventeen pickle"
	from = "198.51.100.7"
	ua   = "Mozilla/5.0 (test)"
)

// clock is the injected time of every part: the sign-in service, the
// accounts database, the vault registry and the outbox.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// world is one accounts server: a data folder with a real SQLite accounts
// database, a registry of real vaults, an outbox sending to a real Mailpit
// (nil when built without mail), and the sign-in service.
type world struct {
	t       testing.TB
	dir     string
	clk     *clock
	db      *accounts.DB
	reg     *session.Registry
	ob      *mail.Outbox
	mp      *mailpittest.Server
	svc     *signin.Service
	limiter *passwords.Limiter
	policy  signin.Policy
	addrs   int
}

type worldOpt func(*worldConfig)

type worldConfig struct {
	policy  signin.Policy
	noMail  bool
	limiter *passwords.Limiter
	records *vault.KEK
}

func withPolicy(f func(*signin.Policy)) worldOpt {
	return func(c *worldConfig) { f(&c.policy) }
}

func withRecordsKey(k *vault.KEK) worldOpt { return func(c *worldConfig) { c.records = k } }

func withoutMail() worldOpt { return func(c *worldConfig) { c.noMail = true } }

func withLimiter(l *passwords.Limiter) worldOpt { return func(c *worldConfig) { c.limiter = l } }

func newWorld(t testing.TB, opts ...worldOpt) *world {
	t.Helper()
	cfg := worldConfig{policy: signin.Policy{Organisation: "Riverside Surgery", PublicURL: "https://ward.example.org"}}
	for _, o := range opts {
		o(&cfg)
	}
	w := &world{t: t, dir: t.TempDir(), clk: &clock{t: t0}, policy: cfg.policy}
	if err := os.MkdirAll(filepath.Join(w.dir, "vaults"), 0o700); err != nil {
		t.Fatal(err)
	}
	var keys accounts.Keys
	rand.Read(keys.Seal[:])
	rand.Read(keys.Lookup[:])
	db, err := accounts.Open(filepath.Join(w.dir, "accounts.db"), keys, w.clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	idle := cfg.policy.Idle
	if idle <= 0 {
		idle = signin.DefaultIdle
	}
	w.reg = session.NewRegistry(session.RegistryOptions{Idle: idle, Now: w.clk.Now})
	t.Cleanup(func() { w.reg.Close() })
	if !cfg.noMail {
		w.mp = mailpittest.New(t)
		host, port := w.mp.SMTPAddr()
		ob, err := mail.NewOutbox(db.SQL(), &mail.SMTP{Settings: mail.Settings{
			Host: host, Port: port, From: "Ward <ward@example.org>", StartTLS: mail.StartTLSNone,
		}}, w.clk.Now, mail.WithSealer(db.Sealer("mail")), mail.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		w.ob = ob
	}
	w.limiter = cfg.limiter
	if w.limiter == nil {
		w.limiter = passwords.NewLimiter(0)
	}
	w.svc = signin.New(signin.Options{
		Accounts: db, Vaults: w.reg, Dir: w.dir, Outbox: w.ob, Limiter: w.limiter,
		Policy: cfg.policy, Now: w.clk.Now, RecordsKey: cfg.records,
	})
	return w
}

// flush sends what the outbox holds.
func (w *world) flush(t testing.TB) {
	t.Helper()
	if w.ob == nil {
		return
	}
	if _, err := w.ob.Flush(ctx); err != nil {
		t.Fatalf("flush: %v", err)
	}
}

// mails flushes the outbox and lists the messages Mailpit holds for to
// whose subject starts with subject (all when subject is "").
func (w *world) mails(t testing.TB, to, subject string) []mailpittest.Msg {
	t.Helper()
	w.flush(t)
	var out []mailpittest.Msg
	for _, m := range w.mp.Messages(t) {
		if len(m.To) == 1 && strings.EqualFold(m.To[0], to) && strings.HasPrefix(m.Subject, subject) {
			out = append(out, m)
		}
	}
	return out
}

// waitMail waits for the n-th message for to with that subject and gives
// the newest one's text.
func (w *world) waitMail(t testing.TB, to, subject string, n int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ms := w.mails(t, to, subject)
		if len(ms) >= n {
			return w.mp.Text(t, ms[0].ID) // newest first
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d message(s) %q for %s after 10 s, want %d", len(ms), subject, to, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var codeLine = regexp.MustCompile(`(?m)^    ([23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8})\s*$`)

// codeIn reads the code an email gives on its own indented line.
func codeIn(t testing.TB, text string) string {
	t.Helper()
	m := codeLine.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no code in email:\n%s", text)
	}
	return m[1]
}

// invite does what "ward admin invite" does: an invited vault under
// vaults/ and its invite row. It gives the activation code and the
// vault's folder (relative to the data folder).
func (w *world) invite(t testing.TB) (code, rel string) {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	rel = filepath.Join("vaults", "p"+hex.EncodeToString(b))
	inv, code := vault.NewInvite()
	defer inv.Destroy()
	if _, err := session.CreateInvited(ctx, filepath.Join(w.dir, rel), inv); err != nil {
		t.Fatal(err)
	}
	if err := w.db.PutInvite(ctx, inv.LookupHash(), rel, w.clk.Now().Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return code, rel
}

// deliver puts a small FHIR bundle (one Patient, one Observation) in the
// invited vault's inbox.
func (w *world) deliver(t testing.TB, rel string) {
	t.Helper()
	if err := session.Deliver(ctx, filepath.Join(w.dir, rel), "gp-export.json", strings.NewReader(bundle)); err != nil {
		t.Fatal(err)
	}
}

const bundle = `{
  "resourceType": "Bundle",
  "type": "collection",
  "entry": [
    {"fullUrl": "urn:uuid:6d0f3c1e-6b0a-4c61-9d0e-1a2b3c4d5e60",
     "resource": {"resourceType": "Patient", "id": "ada",
       "name": [{"family": "Okafor", "given": ["Ada"]}],
       "gender": "female", "birthDate": "1980-04-02"}},
    {"fullUrl": "urn:uuid:6d0f3c1e-6b0a-4c61-9d0e-1a2b3c4d5e61",
     "resource": {"resourceType": "Observation", "id": "k1", "status": "final",
       "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3", "display": "Potassium"}], "text": "Potassium"},
       "subject": {"reference": "Patient/ada"},
       "effectiveDateTime": "2026-10-01",
       "valueQuantity": {"value": 4.1, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L"}}}
  ]
}`

// verified signs email up and verifies it (reading the code from Mailpit
// when the world has mail), giving the pending account's id.
func (w *world) verified(t testing.TB, email, pw string) string {
	t.Helper()
	return w.verifiedFrom(t, email, pw, w.nextAddr())
}

// nextAddr is a client address of its own: each sign-up counts against
// its client's address, so helpers making accounts use a new one each.
func (w *world) nextAddr() string {
	w.addrs++
	return fmt.Sprintf("100.64.%d.%d", w.addrs/250, w.addrs%250+1)
}

func (w *world) verifiedFrom(t testing.TB, email, pw, from string) string {
	t.Helper()
	if err := w.svc.SignUp(ctx, email, pw, false, from); err != nil {
		t.Fatalf("sign up %s: %v", email, err)
	}
	var code string
	if w.mp != nil {
		n := len(w.mails(t, email, "Your Ward code"))
		code = codeIn(t, w.waitMail(t, email, "Your Ward code", max(n, 1)))
	} else {
		a, err := w.db.ByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		if code, err = w.db.NewCode(ctx, "verify", a.ID, signin.CodeTTL); err != nil {
			t.Fatal(err)
		}
	}
	id, err := w.svc.Verify(ctx, email, code, from)
	if err != nil {
		t.Fatalf("verify %s: %v", email, err)
	}
	return id
}

// active makes an active account for email with an invited, delivered
// record: it gives the account, its recovery key and its first session.
func (w *world) active(t testing.TB, email, pw string) (string, string, signin.Grant) {
	t.Helper()
	code, rel := w.invite(t)
	w.deliver(t, rel)
	id := w.verified(t, email, pw)
	g, rk, err := w.svc.Activate(ctx, id, pw, code, false, w.nextAddr(), ua)
	if err != nil {
		t.Fatalf("activate %s: %v", email, err)
	}
	return id, rk, g
}

// signIn signs in with a password and no second step.
func (w *world) signIn(t testing.TB, email, pw string) signin.Grant {
	t.Helper()
	out, err := w.svc.SignIn(ctx, email, pw, from, ua)
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	if out.Pending != "" {
		t.Fatalf("sign in %s: pending a second step", email)
	}
	return out.Grant
}

// holdsObservation checks that the session reads the delivered record.
func (w *world) holdsObservation(t testing.TB, g signin.Grant) {
	t.Helper()
	c, err := w.svc.Resolve(ctx, g.SessionID)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	rec, err := c.Vault.Record(g.Token)
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	if n := rec.Summary().Counts.Results; n != 1 {
		t.Fatalf("record holds %d results, want the delivered one", n)
	}
	if ms := rec.Search("Potassium", 10); len(ms) == 0 {
		t.Fatal("the delivered potassium result is not found in the record")
	}
}

// unlocked is how many vaults hold keys now.
func (w *world) unlocked() int { return w.reg.Stats().Unlocked }

func addr(i int) string { return fmt.Sprintf("203.0.%d.%d", (i/250)%250, i%250+1) }
