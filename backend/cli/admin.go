package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/identity"
	"github.com/ward-health/ward/backend/inbox"
	"github.com/ward-health/ward/backend/intake"
	"github.com/ward-health/ward/backend/serverkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
	"github.com/ward-health/ward/backend/words"
)

const adminUsage = `Usage:
  ward admin init     --data DIR                 make an accounts server: one vault per patient
  ward admin invite   --data DIR [--expires 720h] make a patient's vault and print its activation code
  ward admin import   --data DIR --patient ID FILE...
                                                 put records in a patient's inbox (opened at their next sign-in)
  ward admin accounts list --data DIR            accounts, newest first
  ward admin accounts disable|enable|delete --data DIR [--yes] ACCOUNT
  ward admin sessions revoke --data DIR ACCOUNT  sign a patient out everywhere
  ward admin rotate-cookie-key --data DIR        new session-cookie key (the last one still decodes)
  ward admin audit    --data DIR [--limit N]     what was done, newest first
The server key (DIR/accounts.key) opens no patient's record; keep it out of DIR's backups.
`

// The layout of an accounts server's data folder.
const (
	accountsFile = "accounts.db"
	serverKey    = "accounts.key"
	vaultsDir    = "vaults"
	// recordsKey is the organisation's key for reading records at rest,
	// made only when the config's accounts.serverKeySlot asks for it.
	recordsKey = "records.key"
	// InviteTTL is how long an activation code works.
	inviteTTL = 30 * 24 * time.Hour
)

// isAccountsServer reports whether dir was made by "ward admin init".
func isAccountsServer(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, accountsFile))
	return err == nil
}

// openAccounts opens an accounts server's database and key file.
func openAccounts(dir string) (*accounts.DB, *serverkey.Keys, error) {
	if !isAccountsServer(dir) {
		return nil, nil, fmt.Errorf("%s is not an accounts server (make one with \"ward admin init --data %s\")", dir, dir)
	}
	keys, err := serverkey.Load(filepath.Join(dir, serverKey))
	if err != nil {
		return nil, nil, err
	}
	db, err := accounts.Open(filepath.Join(dir, accountsFile), keys.Accounts(), nil)
	if err != nil {
		return nil, nil, err
	}
	return db, keys, nil
}

func runAdmin(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return fmt.Errorf("admin: say what to do: init, invite, import, accounts, sessions, rotate-cookie-key or audit (run \"ward admin help\")")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "init":
		return adminInit(rest, env)
	case "invite":
		return adminInvite(ctx, rest, env)
	case "import":
		return adminImport(ctx, rest, env)
	case "accounts":
		return adminAccounts(ctx, rest, env)
	case "sessions":
		return adminSessions(ctx, rest, env)
	case "rotate-cookie-key":
		return adminRotate(rest, env)
	case "audit":
		return adminAudit(ctx, rest, env)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, adminUsage)
		return nil
	}
	return fmt.Errorf("admin: unknown command %q (run \"ward admin help\")", cmd)
}

func adminFlags(name string) (*flag.FlagSet, *string) {
	fs := newFlags("admin " + name)
	data := fs.String("data", "", "the accounts server's data folder")
	return fs, data
}

func needData(data string) error {
	if data == "" {
		return errors.New("give the server's data folder with --data DIR")
	}
	return nil
}

func adminInit(args []string, env Env) error {
	fs, data := adminFlags("init")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needData(*data); err != nil {
		return err
	}
	dir := *data
	if isAccountsServer(dir) {
		return fmt.Errorf("%s is already an accounts server; nothing was changed", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, store.FileName)); err == nil {
		return fmt.Errorf("%s holds one patient's vault; make the accounts server in an empty folder", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, vaultsDir), 0o700); err != nil {
		return err
	}
	keys, err := serverkey.Create(filepath.Join(dir, serverKey))
	if err != nil {
		return err
	}
	db, err := accounts.Open(filepath.Join(dir, accountsFile), keys.Accounts(), nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Audit(context.Background(), "admin", "init", "", ""); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Made an accounts server in %s.\nKeep %s out of this folder's backups: with it, a copy of the database shows who has an account (never their records).\nServe it with: ward serve --data %s\n", dir, filepath.Join(dir, serverKey), dir)
	return nil
}

func adminInvite(ctx context.Context, args []string, env Env) error {
	fs, data := adminFlags("invite")
	expires := fs.Duration("expires", inviteTTL, "how long the activation code works")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needData(*data); err != nil {
		return err
	}
	if *expires <= 0 || *expires > 90*24*time.Hour {
		return errors.New("--expires must be between 1 minute and 90 days")
	}
	db, _, err := openAccounts(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail
	patient := "p" + hex.EncodeToString(b)
	rel := filepath.Join(vaultsDir, patient)
	inv, code := vault.NewInvite()
	defer inv.Destroy()
	if _, err := session.CreateInvited(ctx, filepath.Join(*data, rel), inv); err != nil {
		return err
	}
	until := time.Now().Add(*expires)
	if err := db.PutInvite(ctx, inv.LookupHash(), rel, until); err != nil {
		os.RemoveAll(filepath.Join(*data, rel))
		return err
	}
	if err := db.Audit(ctx, "admin", "invite", patient, "expires "+until.UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Patient: %s\nActivation code: %s\nIt works once, until %s. Give it to the patient privately; records you import for %s wait for them.\n",
		patient, code, until.Format("2 January 2006"), patient)
	return nil
}

// patientDir finds a patient's vault folder from a patient id (from
// invite) or an account id (from accounts list).
func patientDir(ctx context.Context, db *accounts.DB, data, id string) (string, error) {
	if id == "" || strings.ContainsAny(id, `/\.`) {
		return "", fmt.Errorf("%q is not a patient or account id", id)
	}
	if a, err := db.ByID(ctx, id); err == nil && a.VaultDir != "" {
		return filepath.Join(data, a.VaultDir), nil
	}
	dir := filepath.Join(data, vaultsDir, id)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("there is no patient %s", id)
	}
	return dir, nil
}

func adminImport(ctx context.Context, args []string, env Env) error {
	fs, data := adminFlags("import")
	patient := fs.String("patient", "", "the patient (from invite) or account (from accounts list)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := needData(*data); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("name the files to import")
	}
	db, _, err := openAccounts(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	dir, err := patientDir(ctx, db, *data, *patient)
	if err != nil {
		return err
	}
	// All the files of one command must be about one person (checked as
	// the intake will check them): several people are refused before any
	// is sealed. The vault's own patient is checked again at the merge.
	var whose identity.Person
	type ready struct {
		base string
		body []byte
	}
	var files []ready
	for _, name := range fs.Args() {
		base := filepath.Base(name)
		b, err := readLimited(name, inbox.MaxSize)
		if err != nil {
			return fmt.Errorf("%s: %w", base, err)
		}
		// Read here first, while the file is in the clear: a file Ward
		// cannot read, or about several people, is refused now rather than
		// waiting sealed in the inbox, and the administrator sees whose it
		// is before the patient does.
		f, err := intake.ReadContext(ctx, bytes.NewReader(b), base)
		if err != nil {
			return fmt.Errorf("%s: %s", base, words.ImportFailed(base, err).Text)
		}
		switch len(f.People) {
		case 0:
			fmt.Fprintf(env.Stdout, "%s names no patient.\n", base)
		case 1:
			p := f.People[0].Person
			fmt.Fprintf(env.Stdout, "%s is about %s%s.\n", base, orUnnamed(p.Label()), bornIn(p.BirthYear()))
		default:
			return fmt.Errorf("%s is about %d people; a patient's record takes files about them alone. Nothing was imported", base, len(f.People))
		}
		if whose, err = identity.Decide(whose, f.People, false); err != nil {
			return fmt.Errorf("%s: %s", base, words.Of(err).Text)
		}
		files = append(files, ready{base, b})
	}
	for _, f := range files {
		if err := session.Deliver(ctx, dir, f.base, bytes.NewReader(f.body)); err != nil {
			return fmt.Errorf("%s: %w", f.base, err)
		}
		if err := db.Audit(ctx, "admin", "import", *patient, "one file"); err != nil {
			return err
		}
	}
	n, _ := session.InboxCount(ctx, dir)
	fmt.Fprintf(env.Stdout, "Sealed %d file(s) for %s. %d wait in the inbox; they are read into the record at the patient's next sign-in.\n", fs.NArg(), *patient, n)
	return nil
}

func adminAccounts(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return errors.New("accounts: say list, disable ID, enable ID or delete ID")
	}
	verb, rest := args[0], args[1:]
	fs, data := adminFlags("accounts " + verb)
	yes := fs.Bool("yes", false, "with delete: do not ask")
	if err := parseArgs(fs, rest); err != nil {
		return err
	}
	if err := needData(*data); err != nil {
		return err
	}
	db, _, err := openAccounts(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	if verb == "list" {
		list, err := db.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCOUNT\tSTATE\tEMAIL\tPATIENT\tCREATED")
		for _, a := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.ID, a.State, a.Email, filepath.Base(a.VaultDir), a.Created.Format("2006-01-02"))
		}
		return tw.Flush()
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("accounts %s: name one account", verb)
	}
	id := fs.Arg(0)
	a, err := db.ByID(ctx, id)
	if err != nil {
		return fmt.Errorf("there is no account %s", id)
	}
	switch verb {
	case "disable", "enable":
		// Only a disabled account is enabled: "active" means it has a
		// record to sign in to, and a pending one (not yet verified or
		// activated) has none; made active it would fail every sign-in
		// with a fault instead of the usual answer, telling a stranger
		// the address has an account.
		if verb == "enable" && a.State != "disabled" {
			return fmt.Errorf("account %s is %s, not disabled; only a disabled account can be enabled", id, a.State)
		}
		state := map[string]string{"disable": "disabled", "enable": "active"}[verb]
		if err := db.SetState(ctx, id, state); err != nil {
			return err
		}
		if verb == "disable" {
			if _, err := db.EndAllSessions(ctx, id, "disabled by admin"); err != nil {
				return err
			}
		}
		fmt.Fprintf(env.Stdout, "Account %s is %s.\n", id, state)
	case "delete":
		if !*yes {
			return fmt.Errorf("this deletes %s's account and record for good; run it again with --yes", id)
		}
		if _, err := db.EndAllSessions(ctx, id, "deleted by admin"); err != nil {
			return err
		}
		if err := db.Delete(ctx, id); err != nil {
			return err
		}
		if a.VaultDir != "" {
			if err := os.RemoveAll(filepath.Join(*data, a.VaultDir)); err != nil {
				return err
			}
		}
		fmt.Fprintf(env.Stdout, "Deleted account %s and its record.\n", id)
	default:
		return fmt.Errorf("accounts: unknown command %q", verb)
	}
	return db.Audit(ctx, "admin", "account "+verb, id, "")
}

func adminSessions(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || args[0] != "revoke" {
		return errors.New("sessions: say revoke ID")
	}
	fs, data := adminFlags("sessions revoke")
	if err := parseArgs(fs, args[1:]); err != nil {
		return err
	}
	if err := needData(*data); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("sessions revoke: name one account")
	}
	db, _, err := openAccounts(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.EndAllSessions(ctx, fs.Arg(0), "revoked by admin")
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Ended %d session(s) of %s.\n", n, fs.Arg(0))
	return db.Audit(ctx, "admin", "sessions revoke", fs.Arg(0), fmt.Sprint(n))
}

func adminRotate(args []string, env Env) error {
	fs, data := adminFlags("rotate-cookie-key")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needData(*data); err != nil {
		return err
	}
	db, _, err := openAccounts(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := serverkey.RotateCookie(filepath.Join(*data, serverKey)); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "Made a new session-cookie key. Restart \"ward serve\" to use it; cookies signed with the last key still work, older ones do not.")
	return db.Audit(context.Background(), "admin", "rotate cookie key", "", "")
}

func adminAudit(ctx context.Context, args []string, env Env) error {
	fs, data := adminFlags("audit")
	limit := fs.Int("limit", 50, "how many entries")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := needData(*data); err != nil {
		return err
	}
	db, _, err := openAccounts(*data)
	if err != nil {
		return err
	}
	defer db.Close()
	log, err := db.AuditLog(ctx, *limit)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tWHO\tWHAT\tACCOUNT\tDETAIL")
	for _, e := range log {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.At.UTC().Format(time.RFC3339), e.Actor, e.Action, e.Target, e.Detail)
	}
	return tw.Flush()
}

func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d MiB, more than one inbox file holds", limit>>20)
	}
	return b, nil
}

func orUnnamed(s string) string {
	if s == "" {
		return "a patient with no name given"
	}
	return s
}

func bornIn(year string) string {
	if year == "" {
		return ""
	}
	return ", born " + year
}
