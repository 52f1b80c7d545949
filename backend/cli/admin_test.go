package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/serverkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

const adminBundle = `{"resourceType": "Bundle", "type": "collection", "entry": [
  {"resource": {"resourceType": "Patient", "id": "ada", "name": [{"family": "Okafor", "given": ["Ada"]}], "birthDate": "1980-04-02"}},
  {"resource": {"resourceType": "Observation", "id": "k1", "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "2823-3", "display": "Potassium"}], "text": "Potassium"},
    "subject": {"reference": "Patient/ada"}, "effectiveDateTime": "2026-10-01",
    "valueQuantity": {"value": 4.1, "unit": "mmol/L"}}}]}`

var inviteOut = regexp.MustCompile(`Patient: (\S+)\nActivation code: (\S+)\n`)

// adminWard runs "ward admin ..." and fails the test unless it worked.
func adminWard(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := ward(t, append([]string{"admin"}, args...)...)
	if code != 0 {
		t.Fatalf("ward admin %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// adminRefused runs "ward admin ..." and wants it refused with a message
// holding want.
func adminRefused(t *testing.T, want string, args ...string) {
	t.Helper()
	code, _, errOut := ward(t, append([]string{"admin"}, args...)...)
	if code == 0 || !strings.Contains(errOut, want) || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("ward admin %s: exit %d, %q; want refused with %q", strings.Join(args, " "), code, errOut, want)
	}
}

func TestAdmin(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "server")

	// init, once.
	out := adminWard(t, "init", "--data", data)
	if !strings.Contains(out, "Made an accounts server") {
		t.Fatalf("init said %q", out)
	}
	adminRefused(t, "already an accounts server", "init", "--data", data)
	adminRefused(t, "--data", "init")
	single := t.TempDir()
	pw, err := vault.NewPasswordWithParams([]byte("correct horse battery"), vault.Argon2Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	db0, keys0, err := store.Create(single, pw)
	if err != nil {
		t.Fatal(err)
	}
	keys0.Destroy()
	db0.Close()
	adminRefused(t, "one patient's vault", "init", "--data", single)
	if _, err := os.Stat(filepath.Join(single, accountsFile)); err == nil {
		t.Fatal("init on a single vault's folder made an accounts database")
	}
	adminRefused(t, "not an accounts server", "invite", "--data", single)

	// invite prints a code; import fills the inbox.
	out = adminWard(t, "invite", "--data", data)
	m := inviteOut.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("invite said %q", out)
	}
	patient, code := m[1], m[2]
	adminRefused(t, "--expires", "invite", "--data", data, "--expires", "0s")
	file := writeFile(t, t.TempDir(), "gp.json", adminBundle)
	out = adminWard(t, "import", "--data", data, "--patient", patient, file)
	if !strings.Contains(out, "gp.json is about Ada Okafor") || !strings.Contains(out, "1 wait in the inbox") {
		t.Fatalf("import said %q", out)
	}
	if n, err := session.InboxCount(ctx, filepath.Join(data, vaultsDir, patient)); err != nil || n != 1 {
		t.Fatalf("inbox holds %d, %v", n, err)
	}
	adminRefused(t, "no patient", "import", "--data", data, "--patient", "pnosuch", file)
	adminRefused(t, "not a patient", "import", "--data", data, "--patient", "../x", file)
	adminRefused(t, "name the files", "import", "--data", data, "--patient", patient)

	// The patient activates with the printed code, as "ward serve" would.
	keys, err := serverkey.Load(filepath.Join(data, serverKey))
	if err != nil {
		t.Fatal(err)
	}
	db, err := accounts.Open(filepath.Join(data, accountsFile), keys.Accounts(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	reg := session.NewRegistry(session.RegistryOptions{})
	defer reg.Close()
	svc := signin.New(signin.Options{Accounts: db, Vaults: reg, Dir: data, Limiter: passwords.NewLimiter(0)})
	const email, password = "ada@example.com", "violet tractor umbrella 93 quiet"
	a, err := db.Create(ctx, email, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MarkVerified(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	g, rk, err := svc.Activate(ctx, a.ID, password, code, false, "127.0.0.1", "test")
	if err != nil || rk == "" {
		t.Fatalf("activate with the printed code: %v", err)
	}
	c, err := svc.Resolve(ctx, g.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.Vault.Record(g.Token)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Summary().Counts.Results != 1 {
		t.Fatalf("the imported result is not in the record: %+v", rec.Summary().Counts)
	}
	if n, _ := session.InboxCount(ctx, filepath.Join(data, vaultsDir, patient)); n != 0 {
		t.Fatalf("%d files left in the inbox after activation", n)
	}
	// Import by account id, after activation, waits for the next sign-in.
	out = adminWard(t, "import", "--data", data, "--patient", a.ID, file)
	if !strings.Contains(out, "1 wait in the inbox") {
		t.Fatalf("import by account said %q", out)
	}

	// accounts list
	pending, err := db.Create(ctx, "ben@example.net", "")
	if err != nil {
		t.Fatal(err)
	}
	out = adminWard(t, "accounts", "list", "--data", data)
	for _, want := range []string{"ACCOUNT", a.ID, "active", email, patient, pending.ID, "pending"} {
		if !strings.Contains(out, want) {
			t.Fatalf("accounts list lacks %q:\n%s", want, out)
		}
	}

	// sessions revoke
	out = adminWard(t, "sessions", "revoke", "--data", data, a.ID)
	if !strings.Contains(out, "Ended 1 session(s)") {
		t.Fatalf("sessions revoke said %q", out)
	}
	if _, err := svc.Resolve(ctx, g.SessionID); !errors.Is(err, signin.ErrSignedOut) {
		t.Fatalf("a revoked session: %v", err)
	}
	adminRefused(t, "revoke", "sessions", "--data", data)

	// disable, enable
	out2, err := svc.SignIn(ctx, email, password, "127.0.0.1", "test")
	if err != nil || out2.Grant.SessionID == "" {
		t.Fatalf("sign in before disabling: %v", err)
	}
	adminWard(t, "accounts", "disable", "--data", data, a.ID)
	if got, _ := db.ByID(ctx, a.ID); got.State != "disabled" {
		t.Fatalf("state %q after disable", got.State)
	}
	if _, err := svc.Resolve(ctx, out2.Grant.SessionID); !errors.Is(err, signin.ErrSignedOut) {
		t.Fatalf("a disabled account's session: %v", err)
	}
	if _, err := svc.SignIn(ctx, email, password, "127.0.0.2", "test"); !errors.Is(err, signin.ErrWrongSignIn) {
		t.Fatalf("sign in to a disabled account: %v", err)
	}
	adminWard(t, "accounts", "enable", "--data", data, a.ID)
	if _, err := svc.SignIn(ctx, email, password, "127.0.0.3", "test"); err != nil {
		t.Fatalf("sign in after enable: %v", err)
	}
	// A pending account has no record: enable must not make it active.
	adminRefused(t, "only a disabled account", "accounts", "enable", "--data", data, pending.ID)
	adminRefused(t, "only a disabled account", "accounts", "enable", "--data", data, a.ID)
	if got, _ := db.ByID(ctx, pending.ID); got.State != "pending" {
		t.Fatalf("enable made a pending account %q", got.State)
	}
	adminRefused(t, "no account", "accounts", "disable", "--data", data, "nosuch")
	adminRefused(t, "unknown command", "accounts", "frobnicate", "--data", data, a.ID)

	// rotate-cookie-key
	before, err := os.ReadFile(filepath.Join(data, serverKey))
	if err != nil {
		t.Fatal(err)
	}
	adminWard(t, "rotate-cookie-key", "--data", data)
	after, _ := os.ReadFile(filepath.Join(data, serverKey))
	if bytes.Equal(before, after) {
		t.Fatal("rotate-cookie-key changed nothing")
	}
	k2, err := serverkey.Load(filepath.Join(data, serverKey))
	if err != nil || len(k2.Cookie) != 2 || !bytes.Equal(k2.Cookie[1].Hash, keys.Cookie[0].Hash) {
		t.Fatalf("after rotation: %d cookie keys, %v", len(k2.Cookie), err)
	}
	if k2.Accounts() != keys.Accounts() {
		t.Fatal("rotating the cookie key changed the accounts keys")
	}

	// delete
	dir := filepath.Join(data, vaultsDir, patient)
	adminRefused(t, "--yes", "accounts", "delete", "--data", data, a.ID)
	if _, err := os.Stat(dir); err != nil {
		t.Fatal("delete without --yes removed the record")
	}
	svc.SignOutEverywhere(ctx, signin.Caller{Account: accounts.Account{ID: a.ID}}) //nolint:errcheck
	reg.Forget(a.ID)                                                               //nolint:errcheck
	out = adminWard(t, "accounts", "delete", "--data", data, "--yes", a.ID)
	if !strings.Contains(out, "Deleted account") {
		t.Fatalf("delete said %q", out)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the record's folder after delete: %v", err)
	}
	if _, err := db.ByID(ctx, a.ID); !errors.Is(err, accounts.ErrNotFound) {
		t.Fatalf("the account after delete: %v", err)
	}
	if _, err := svc.SignIn(ctx, email, password, "127.0.0.4", "test"); !errors.Is(err, signin.ErrWrongSignIn) {
		t.Fatalf("sign in to a deleted account: %v", err)
	}

	// audit lists it all, newest first.
	out = adminWard(t, "audit", "--data", data, "--limit", "100")
	var actions []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 3 {
			t.Fatalf("audit line %q", line)
		}
		actions = append(actions, f[1]+" "+strings.Join(f[2:], " "))
	}
	log := strings.Join(actions, "\n")
	for _, want := range []string{"admin init", "admin invite " + patient, "admin import " + patient, "patient activate " + a.ID,
		"admin sessions revoke " + a.ID, "admin account disable " + a.ID, "admin account enable " + a.ID,
		"admin rotate cookie key", "admin account delete " + a.ID} {
		if !strings.Contains(log, want) {
			t.Errorf("audit lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasPrefix(actions[0], "admin account delete") || !strings.HasPrefix(actions[len(actions)-1], "admin init") {
		t.Errorf("audit is not newest first:\n%s", out)
	}
	if strings.Contains(out, email) {
		t.Error("the audit log names the patient's email address")
	}
	out = adminWard(t, "audit", "--data", data, "--limit", "2")
	if n := strings.Count(strings.TrimSpace(out), "\n"); n != 2 {
		t.Fatalf("audit --limit 2 gave %d entries", n)
	}

	// The audit table is append-only.
	for _, q := range []string{`UPDATE audit SET actor = 'nobody'`, `DELETE FROM audit`, `DELETE FROM audit WHERE seq = 1`} {
		if _, err := db.SQL().ExecContext(ctx, q); err == nil {
			t.Errorf("%s worked", q)
		}
	}
	entries, err := db.AuditLog(ctx, 1000)
	if err != nil || len(entries) != len(actions) {
		t.Fatalf("audit after tampering: %d entries (was %d), %v", len(entries), len(actions), err)
	}
}

func TestAdminHelp(t *testing.T) {
	out := adminWard(t, "help")
	for _, c := range []string{"init", "invite", "import", "accounts list", "sessions revoke", "rotate-cookie-key", "audit"} {
		if !strings.Contains(out, c) {
			t.Errorf("admin help lacks %q", c)
		}
	}
	adminRefused(t, "unknown command", "frobnicate")
	code, _, errOut := ward(t, "admin")
	if code == 0 || !strings.Contains(errOut, "say what to do") {
		t.Fatalf("bare admin: %d %q", code, errOut)
	}
}
