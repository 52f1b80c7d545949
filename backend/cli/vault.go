package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ward-health/ward/backend/identity"
	"github.com/ward-health/ward/backend/intake"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
	"github.com/ward-health/ward/backend/words"
	"golang.org/x/term"
)

const vaultUsage = `Usage:
  ward vault init    --data DIR [--password-file F] [--key-file F]
  ward vault import  --data DIR [--password-file F] [--source NAME] [--same-person] FILE...
  ward vault stats   --data DIR [--password-file F] [--json]
  ward vault export  --data DIR [--password-file F] --out FILE
  ward vault verify  --data DIR [--password-file F]
  ward vault passwd  --data DIR [--password-file F] [--new-password-file F]
  ward vault recover --data DIR [--recovery-key-file F] [--new-password-file F]
  ward vault unlock-reset --data DIR
Without a password file, Ward asks on the terminal. With --key-file (or WARD_SERVER_KEY),
init also wraps the vault for the server, and the other commands open it with the server key.
Wrong passwords typed into the app make that address wait, and many from anywhere make
everyone wait; these commands never wait (whoever runs them holds the vault's file), and
unlock-reset forgets every wrong attempt so the app takes passwords again at once.
`

func runVault(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return fmt.Errorf("vault: say what to do: init, import, stats, export, verify, passwd, recover or unlock-reset (run \"ward vault help\")")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "init":
		return vaultInit(ctx, rest, env)
	case "import":
		return vaultImport(ctx, rest, env)
	case "stats":
		return vaultStats(ctx, rest, env)
	case "export":
		return vaultExport(ctx, rest, env)
	case "verify":
		return vaultVerify(ctx, rest, env)
	case "passwd":
		return vaultPasswd(ctx, rest, env)
	case "recover":
		return vaultRecover(ctx, rest, env)
	case "unlock-reset":
		return vaultUnlockReset(ctx, rest, env)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, vaultUsage)
		return nil
	}
	return fmt.Errorf("vault: unknown command %q (run \"ward vault help\")", cmd)
}

// vaultFlags are common to the vault commands.
type vaultFlags struct {
	data, passwordFile, keyFile string
}

func (v *vaultFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&v.data, "data", defaultDataDir(), "folder holding the vault")
	fs.StringVar(&v.passwordFile, "password-file", "", "read the password from this file")
	fs.StringVar(&v.keyFile, "key-file", "", "server key file: on init, also wrap the vault for the server; otherwise open with it instead of a password (or set WARD_SERVER_KEY)")
}

// serverKey loads the server's key-encryption key when one is named.
func (v *vaultFlags) serverKey(env Env, create bool) (*vault.KEK, error) {
	if s := env.Getenv("WARD_SERVER_KEY"); s != "" {
		return vault.KEKFromEnv(s)
	}
	if v.keyFile == "" {
		return nil, nil
	}
	if !create {
		if _, err := os.Stat(v.keyFile); err != nil {
			return nil, fmt.Errorf("cannot read the server key file %s: %s", v.keyFile, plainFSError(err))
		}
	}
	return vault.LoadOrCreateKEK(v.keyFile)
}

// readSecret reads a secret from a file (first line) or, when file is
// empty, from the terminal without echo.
func readSecret(env Env, file, prompt string) ([]byte, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read password file: %s", plainFSError(err))
		}
		line, _, _ := bytes.Cut(b, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return nil, fmt.Errorf("the password file %s is empty", file)
		}
		return line, nil
	}
	fmt.Fprint(env.Stderr, prompt)
	defer fmt.Fprintln(env.Stderr)
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return term.ReadPassword(int(f.Fd()))
	}
	if env.Stdin == nil {
		return nil, errors.New("no password given: use --password-file")
	}
	line, err := bufio.NewReader(env.Stdin).ReadBytes('\n')
	line = bytes.TrimRight(line, "\r\n")
	if len(line) == 0 {
		if err != nil && err != io.EOF {
			return nil, err
		}
		return nil, errors.New("no password given: use --password-file")
	}
	return line, nil
}

// newPassword asks for a new password twice on a terminal, or reads a file.
func newPassword(env Env, file string) ([]byte, error) {
	pw, err := readSecret(env, file, "New password: ")
	if err != nil {
		return nil, err
	}
	if utf8.RuneCount(pw) < session.MinPassword {
		return nil, fmt.Errorf("the password must be at least %d characters", session.MinPassword)
	}
	if file == "" {
		if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			again, err := readSecret(env, "", "Type it again: ")
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(pw, again) {
				return nil, errors.New("the two passwords are not the same")
			}
		}
	}
	return pw, nil
}

// plain turns store and vault errors into one sentence for the terminal.
func plain(err error) error {
	if err == nil {
		return nil
	}
	if w := words.Of(err); w.Code != "internal" {
		return errors.New(w.Text)
	}
	return err
}

// openUnlocked opens the vault in v.data and unlocks it with the password.
// Its guesses are not counted (store.DB.UnlockLocal): whoever runs it holds
// the vault's file and could guess at full speed on a copy anyway, and
// counting them would let strangers' guesses on the page lock the owner
// out of the command line too.
func openUnlocked(ctx context.Context, env Env, v vaultFlags) (*store.DB, *vault.Keys, error) {
	db, err := store.Open(v.data)
	if err != nil {
		return nil, nil, plain(err)
	}
	kek, err := v.serverKey(env, false)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	if kek != nil {
		defer kek.Destroy()
		keys, err := db.UnlockLocal(ctx, kek)
		if err != nil {
			db.Close()
			if errors.Is(err, vault.ErrWrongSecret) || errors.Is(err, vault.ErrNoSlot) {
				return nil, nil, errors.New("the server key does not open this vault")
			}
			return nil, nil, plain(err)
		}
		return db, keys, nil
	}
	pw, err := readSecret(env, v.passwordFile, "Password: ")
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	keys, err := db.UnlockLocal(ctx, vault.NewPassword(pw))
	clear(pw)
	if err != nil {
		db.Close()
		return nil, nil, plain(err)
	}
	return db, keys, nil
}

// loadVault opens, unlocks and reads the whole vault, then locks it again.
func loadVault(ctx context.Context, env Env, v vaultFlags) (*store.Contents, error) {
	db, keys, err := openUnlocked(ctx, env, v)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	defer keys.Destroy()
	c, err := db.Load(ctx, keys)
	if err != nil {
		return nil, plain(err)
	}
	return c, nil
}

func vaultInit(ctx context.Context, args []string, env Env) error {
	fs := newFlags("vault init")
	var v vaultFlags
	v.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	pw, err := newPassword(env, v.passwordFile)
	if err != nil {
		return err
	}
	defer clear(pw)
	rk, display := vault.NewRecoveryKey()
	defer rk.Destroy()
	slots := []vault.Wrapper{vault.NewPassword(pw), rk}
	kek, err := v.serverKey(env, true)
	if err != nil {
		return err
	}
	if kek != nil {
		defer kek.Destroy()
		slots = append(slots, kek)
	}
	db, keys, err := store.Create(v.data, slots...)
	if err != nil {
		return plain(err)
	}
	keys.Destroy()
	db.Close()
	fmt.Fprintf(env.Stdout, "Created an encrypted vault in %s\n\n", v.data)
	fmt.Fprintf(env.Stdout, "Your recovery key (shown once; write it down and keep it safe):\n\n    %s\n\n", display)
	fmt.Fprintln(env.Stdout, "If you forget your password, this key is the only way back into your record.")
	if kek != nil {
		fmt.Fprintln(env.Stdout, "\nThe server key can also open this vault: keep the key file apart from backups of the data.")
	}
	return nil
}

// fileSummary is one input file's outcome.
type fileSummary struct {
	File      string         `json:"file"`
	Status    string         `json:"status"` // "imported" or "refused"
	Problem   string         `json:"problem,omitempty"`
	Source    string         `json:"source,omitempty"`
	Resources int            `json:"resources"`
	Added     int            `json:"added"`
	Updated   int            `json:"updated"`
	Unchanged int            `json:"unchanged"`
	KeptNewer int            `json:"keptNewer"`
	ByType    map[string]int `json:"byType"`
	// NothingNew: everything in the file was already in the vault.
	NothingNew bool     `json:"nothingNew"`
	Notices    []string `json:"notices"`
	Repeats    []string `json:"repeats"`
	Unreadable []string `json:"unreadable"`
}

type importSummary struct {
	Files    []fileSummary  `json:"files"`
	ByType   map[string]int `json:"byType"`
	Imported int            `json:"imported"`
	Skipped  []skipped      `json:"skipped"`
	Seconds  float64        `json:"seconds"`
}

type skipped struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

func vaultImport(ctx context.Context, args []string, env Env) error {
	fs := newFlags("vault import")
	var v vaultFlags
	v.register(fs)
	source := fs.String("source", "", "organisation the records come from (default: the file's own organisation)")
	same := fs.Bool("same-person", false, "import files whose patient Ward is unsure is this record's (names spelt differently, no birth date)")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return errors.New("vault import: name at least one FHIR JSON file to import")
	}
	// Each file is read and checked one step ahead, on the other core: the
	// first while the password's key derivation runs, the next while the
	// one before is sealed and saved. At most two files are held at once.
	reads := make([]chan readResult, len(files))
	ahead := func(i int) {
		if i < len(files) {
			reads[i] = make(chan readResult, 1)
			go func() { reads[i] <- readFile(ctx, files[i]) }()
		}
	}
	ahead(0)
	db, keys, err := openUnlocked(ctx, env, v)
	if err != nil {
		return err
	}
	defer db.Close()
	defer keys.Destroy()
	start := time.Now()
	sum := importSummary{ByType: map[string]int{}, Files: []fileSummary{}, Skipped: []skipped{}}
	for i, name := range files {
		ahead(i + 1)
		fsum, err := importFile(ctx, db, keys, name, *source, *same, <-reads[i])
		if err != nil {
			return err
		}
		sum.Files = append(sum.Files, fsum)
		if fsum.Status != "imported" {
			sum.Skipped = append(sum.Skipped, skipped{File: name, Reason: fsum.Problem})
			continue
		}
		sum.Imported += fsum.Resources
		for t, n := range fsum.ByType {
			sum.ByType[t] += n
		}
	}
	sum.Seconds = time.Since(start).Seconds()
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sum); err != nil {
		return err
	}
	if len(sum.Skipped) > 0 {
		return fmt.Errorf("%d of %d files were not imported: %s: %s", len(sum.Skipped), len(files), filepath.Base(sum.Skipped[0].File), sum.Skipped[0].Reason)
	}
	return nil
}

// readResult is one file read and checked, or why it could not be.
type readResult struct {
	file    *intake.File
	problem string
}

func readFile(ctx context.Context, name string) readResult {
	fh, err := os.Open(name)
	if err != nil {
		return readResult{problem: "cannot read the file: " + plainFSError(err)}
	}
	defer fh.Close()
	f, err := intake.ReadContext(ctx, fh, name)
	if err != nil {
		return readResult{problem: words.ImportFailed(filepath.Base(name), err).Text}
	}
	return readResult{file: f}
}

// importFile imports one file in one transaction, through the same intake
// as the page. A problem with the file (unreadable, about someone else) is
// reported in its summary and nothing from it is stored; an error means
// the vault itself failed.
func importFile(ctx context.Context, db *store.DB, keys *vault.Keys, name, source string, same bool, rd readResult) (fileSummary, error) {
	fsum := fileSummary{File: name, ByType: map[string]int{}, Notices: []string{}, Repeats: []string{}, Unreadable: []string{}}
	refuse := func(msg string) (fileSummary, error) {
		fsum.Status, fsum.Problem = "refused", msg
		return fsum, nil
	}
	if rd.problem != "" {
		return refuse(rd.problem)
	}
	f := rd.file
	fsum.Source = intake.SourceName(source, f)
	res := intake.Result{Source: fsum.Source}
	if f.Empty() {
		res = f.Result(store.ImportResult{ByType: map[string]int{}}, fsum.Source)
	} else {
		count := 0
		sres, err := db.ImportBatch(ctx, keys, f.Batch(intake.Options{Source: source, SamePerson: same, Progress: func(n int) { count = n }}))
		var mm *identity.MismatchError
		if errors.As(err, &mm) {
			return refuse(words.ImportFailed(filepath.Base(name), err).Text)
		}
		if err != nil {
			return fsum, plain(err)
		}
		res = f.Result(sres, fsum.Source)
		fsum.Resources = count
	}
	fsum.Status = "imported"
	fsum.Added, fsum.Updated, fsum.Unchanged, fsum.KeptNewer = res.Added, res.Updated, res.Unchanged, res.KeptNewer
	fsum.ByType, fsum.NothingNew = res.ByType, res.NothingNew
	fsum.Notices, fsum.Repeats, fsum.Unreadable = res.Notices, res.Repeats, res.Unreadable
	return fsum, nil
}

func vaultStats(ctx context.Context, args []string, env Env) error {
	fs := newFlags("vault stats")
	var v vaultFlags
	v.register(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := loadVault(ctx, env, v)
	if err != nil {
		return err
	}
	st := struct {
		Resources  int                       `json:"resources"`
		ByType     map[string]int            `json:"byType"`
		BySource   map[string]map[string]int `json:"bySource"`
		Failed     int                       `json:"failed"`
		RolledBack bool                      `json:"rolledBack"`
	}{len(c.Records), map[string]int{}, map[string]map[string]int{}, len(c.Failed), c.RolledBack}
	for _, r := range c.Records {
		st.ByType[r.Type]++
		if st.BySource[r.Source] == nil {
			st.BySource[r.Source] = map[string]int{}
		}
		st.BySource[r.Source][r.Type]++
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	fmt.Fprintf(env.Stdout, "%d records\n", st.Resources)
	types := make([]string, 0, len(st.ByType))
	for t := range st.ByType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		fmt.Fprintf(env.Stdout, "  %-28s %d\n", t, st.ByType[t])
	}
	for s, m := range st.BySource {
		n := 0
		for _, c := range m {
			n += c
		}
		fmt.Fprintf(env.Stdout, "from %s: %d\n", s, n)
	}
	return nil
}

func vaultExport(ctx context.Context, args []string, env Env) error {
	fs := newFlags("vault export")
	var v vaultFlags
	v.register(fs)
	out := fs.String("out", "", "file to write the FHIR Bundle to")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("vault export: say where to write with --out FILE")
	}
	c, err := loadVault(ctx, env, v)
	if err != nil {
		return err
	}
	sort.Slice(c.Records, func(i, j int) bool {
		a, b := c.Records[i], c.Records[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.ID < b.ID
	})
	// Write to a temporary file and rename, so a failed export never leaves
	// half a file under the name asked for.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".ward-export-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %s", *out, plainFSError(err))
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	w.WriteString(`{"resourceType":"Bundle","type":"collection","timestamp":"` + time.Now().UTC().Format(time.RFC3339) + `","entry":[`)
	for i, r := range c.Records {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString("\n{\"resource\":")
		w.Write(r.Raw)
		w.WriteByte('}')
	}
	w.WriteString("\n]}\n")
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write %s: %s", *out, plainFSError(err))
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %s", *out, plainFSError(err))
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return fmt.Errorf("cannot write %s: %s", *out, plainFSError(err))
	}
	fmt.Fprintf(env.Stderr, "ward: exported %d records to %s\n", len(c.Records), *out)
	if len(c.Failed) > 0 {
		return fmt.Errorf("%d records could not be opened and were left out (run \"ward vault verify\")", len(c.Failed))
	}
	return nil
}

func vaultVerify(ctx context.Context, args []string, env Env) error {
	fs := newFlags("vault verify")
	var v vaultFlags
	v.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := loadVault(ctx, env, v)
	if err != nil {
		return err
	}
	for _, f := range c.Failed {
		fmt.Fprintf(env.Stdout, "failed: %s row %x: %s\n", f.Table, f.Key, vault.UserMessage(f.Err))
	}
	if c.RolledBack {
		fmt.Fprintln(env.Stdout, "rolled back: some records were put back to older copies or removed outside Ward")
	}
	fmt.Fprintf(env.Stdout, "%d records opened, %d failed\n", len(c.Records), len(c.Failed))
	if len(c.Failed) > 0 || c.RolledBack {
		return fmt.Errorf("vault verify: %d records failed their integrity check", len(c.Failed))
	}
	return nil
}

func vaultPasswd(ctx context.Context, args []string, env Env) error {
	fs := newFlags("vault passwd")
	var v vaultFlags
	v.register(fs)
	newFile := fs.String("new-password-file", "", "read the new password from this file")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, keys, err := openUnlocked(ctx, env, v)
	if err != nil {
		return err
	}
	defer db.Close()
	defer keys.Destroy()
	return setPassword(ctx, db, keys, env, *newFile)
}

func setPassword(ctx context.Context, db *store.DB, keys *vault.Keys, env Env, file string) error {
	pw, err := newPassword(env, file)
	if err != nil {
		return err
	}
	defer clear(pw)
	slot, err := keys.AddSlot(vault.NewPassword(pw))
	if err != nil {
		return err
	}
	if err := db.ReplaceSlots(ctx, vault.KindPassword, slot); err != nil {
		return plain(err)
	}
	fmt.Fprintln(env.Stderr, "ward: password changed; your records were not re-encrypted and your recovery key still works")
	return nil
}

func vaultRecover(ctx context.Context, args []string, env Env) error {
	fs := newFlags("vault recover")
	data := fs.String("data", defaultDataDir(), "folder holding the vault")
	key := fs.String("recovery-key", "", "the recovery key (visible to other users in the process list: prefer --recovery-key-file, or be asked)")
	keyFile := fs.String("recovery-key-file", "", "read the recovery key shown when the vault was made from this file (without either, Ward asks)")
	newFile := fs.String("new-password-file", "", "read the new password from this file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *key != "" && *keyFile != "" {
		return errors.New("vault recover: give the recovery key once: --recovery-key-file or --recovery-key, not both")
	}
	db, err := store.Open(*data)
	if err != nil {
		return plain(err)
	}
	defer db.Close()
	text := *key
	switch {
	case text != "":
		// Kept working for scripts, but a command line is no place for it.
		fmt.Fprintln(env.Stderr, "ward: warning: --recovery-key shows the key to other users of this computer (in the process list) and keeps it in your shell history; use --recovery-key-file F, or leave it out to be asked")
	case *keyFile != "":
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("cannot read the recovery key file %s: %s", *keyFile, plainFSError(err))
		}
		text, _, _ = strings.Cut(string(b), "\n")
		clear(b)
		if strings.TrimSpace(text) == "" {
			return fmt.Errorf("the recovery key file %s is empty", *keyFile)
		}
	default:
		b, err := readSecret(env, "", "Recovery key: ")
		if err != nil {
			return err
		}
		text = string(b)
	}
	rk, err := vault.ParseRecoveryKey(strings.TrimSpace(text))
	if err != nil {
		return plain(err)
	}
	defer rk.Destroy()
	keys, err := db.UnlockLocal(ctx, rk)
	if err != nil {
		if errors.Is(err, vault.ErrWrongSecret) || errors.Is(err, vault.ErrNoSlot) {
			return errors.New("that recovery key does not unlock this vault")
		}
		return plain(err)
	}
	defer keys.Destroy()
	return setPassword(ctx, db, keys, env, *newFile)
}
