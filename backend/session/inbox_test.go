package session

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/inbox"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// activated is an invited vault, activated with testPassword, open.
func activated(t testing.TB) (dir string, m *Manager, tok string) {
	t.Helper()
	dir, code := invited(t)
	m, err := Open(dir, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	tok, _, err = m.Activate(context.Background(), code, testPassword, "patient")
	if err != nil {
		t.Fatal(err)
	}
	return dir, m, tok
}

func relock(t testing.TB, m *Manager) string {
	t.Helper()
	m.Lock()
	tok, err := m.Unlock(context.Background(), Secret{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// putSealed files bytes in dir's inbox as they are (for damaged files).
func putSealed(t testing.TB, dir string, sealed []byte) {
	t.Helper()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PutInbox(context.Background(), sealed); err != nil {
		t.Fatal(err)
	}
}

func recipient(t testing.TB, dir string) string {
	t.Helper()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := db.Recipient(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A file that does not open, read or belong stays in the inbox and is
// counted; the others merge, and the unlock goes ahead.
func TestInboxProblemsStayAndAreCounted(t *testing.T) {
	dir, code := invited(t)
	rcpt := recipient(t, dir)
	deliver(t, dir, "gp.json", fhirFile("Riverside Surgery", "a", "140"))

	damaged, err := inbox.Seal(rcpt, "damaged.json", []byte(fhirFile("Riverside Surgery", "x", "1")))
	if err != nil {
		t.Fatal(err)
	}
	damaged[len(damaged)-20] ^= 1 // in the last chunk's tag: the whole file is refused
	putSealed(t, dir, damaged)

	other, _, _ := inbox.NewIdentity()
	elsewhere, _ := inbox.Seal(other, "elsewhere.json", []byte(fhirFile("Riverside Surgery", "y", "2")))
	putSealed(t, dir, elsewhere)
	deliver(t, dir, "notes.txt", "not a health record")
	someoneElse := strings.Replace(fhirFile("Hilltop Clinic", "z", "3"), `"family":"Ash","given":["Robin"]}],"birthDate":"1980-02-03"`, `"family":"Birch","given":["Sam"]}],"birthDate":"1955-07-08"`, 1)
	deliver(t, dir, "someone-else.json", someoneElse)
	deliver(t, dir, "empty-search.json", `{"resourceType":"Bundle","type":"searchset","total":0,"entry":[]}`)
	deliver(t, dir, "lab.json", fhirFile("City Lab", "c", "12"))

	m, err := Open(dir, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tok, _, err := m.Activate(context.Background(), code, testPassword, "patient")
	if err != nil {
		t.Fatal(err)
	}
	wantResults(t, m, tok, "a", "140", "c", "12")
	rec, _ := m.Record(tok)
	for _, id := range []string{"x", "y", "z"} {
		if _, ok := rec.Report("obs-" + id); ok {
			t.Errorf("obs-%s merged", id)
		}
	}
	sameAsDisk(t, m)
	if n, p := inboxCount(t, dir), m.InboxProblems(); n != 4 || p != 4 {
		t.Fatalf("inbox %d, problems %d; want 4 and 4", n, p)
	}

	// Tried again at the next unlock: still there, still counted, and the
	// good records are not imported twice.
	tok = relock(t, m)
	wantResults(t, m, tok, "a", "140", "c", "12")
	if n, p := inboxCount(t, dir), m.InboxProblems(); n != 4 || p != 4 {
		t.Fatalf("after relock: inbox %d, problems %d", n, p)
	}
}

// Files delivered while the vault is open wait for the next unlock that
// opens it, and then show at once.
func TestDeliverWhileOpen(t *testing.T) {
	dir, m, tok := activated(t)
	deliver(t, dir, "gp.json", fhirFile("Riverside Surgery", "a", "140"))
	rec, _ := m.Record(tok)
	if _, ok := rec.Report("obs-a"); ok {
		t.Fatal("merged while open")
	}
	// A second browser signing in to the open vault does not merge.
	if _, err := m.Unlock(context.Background(), Secret{Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if inboxCount(t, dir) != 1 {
		t.Fatal("merged by an unlock that did not open the vault")
	}
	tok = relock(t, m)
	wantResults(t, m, tok, "a", "140")
	sameAsDisk(t, m)
	if inboxCount(t, dir) != 0 || m.InboxProblems() != 0 {
		t.Fatalf("inbox %d, problems %d", inboxCount(t, dir), m.InboxProblems())
	}
}

// Unlocking with a passkey merges too (UnlockPasskey goes through openWith).
func TestPasskeyUnlockMerges(t *testing.T) {
	ctx := context.Background()
	dir, m, tok := activated(t)
	if _, err := m.AddPasskey(tok, credID, vault.NewPRFInput(), prfOutput, vault.Passkey{PublicKey: []byte{1, 2, 3}, RPID: "localhost"}); err != nil {
		t.Fatal(err)
	}
	deliver(t, dir, "gp.json", fhirFile("Riverside Surgery", "a", "140"))
	m.Lock()
	tok, err := m.UnlockPasskey(ctx, "patient", withPasskey(prfOutput))
	if err != nil {
		t.Fatal(err)
	}
	wantResults(t, m, tok, "a", "140")
	if inboxCount(t, dir) != 0 {
		t.Fatal("not merged")
	}
}

// A vault made before inboxes gets an identity at its next unlock; until
// then there is nothing to deliver to.
func TestOldVaultGetsAnInbox(t *testing.T) {
	dir := newVault(t, "Test", nil)
	if err := Deliver(context.Background(), dir, "gp.json", strings.NewReader(fhirFile("Riverside Surgery", "a", "140"))); !errors.Is(err, store.ErrNoRecipient) {
		t.Fatalf("deliver to a vault without an inbox: %v", err)
	}
	m, _ := open(t, dir)
	deliver(t, dir, "gp.json", fhirFile("Riverside Surgery", "a", "140"))
	tok := relock(t, m)
	wantResults(t, m, tok, "a", "140")
}

// An inbox whose identity does not open (its recipient swapped outside
// Ward) keeps every file and still unlocks.
func TestSwappedRecipientKeepsFiles(t *testing.T) {
	dir, m, _ := activated(t)
	deliver(t, dir, "gp.json", fhirFile("Riverside Surgery", "a", "140"))
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	swapped, _, _ := inbox.NewIdentity()
	if _, err := raw.Exec("UPDATE meta SET value = ? WHERE name = 'inbox_recipient'", swapped); err != nil {
		t.Fatal(err)
	}
	tok := relock(t, m)
	if rec, _ := m.Record(tok); rec == nil {
		t.Fatal("no record")
	}
	if inboxCount(t, dir) != 1 || m.InboxProblems() != 1 {
		t.Fatalf("inbox %d, problems %d", inboxCount(t, dir), m.InboxProblems())
	}
}

func TestDeliverRefusals(t *testing.T) {
	dir, _ := invited(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		dir  string
		file string
		want error
	}{
		{"no vault", context.Background(), t.TempDir(), "a.json", store.ErrNoVault},
		{"bad name", context.Background(), dir, "..", inbox.ErrBadName},
		{"cancelled", ctx, dir, "a.json", context.Canceled},
	}
	for _, tt := range tests {
		if err := Deliver(tt.ctx, tt.dir, tt.file, strings.NewReader("{}")); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if inboxCount(t, dir) != 0 {
		t.Fatal("a refused delivery was filed")
	}
}

// BenchmarkUnlockMerge is an unlock with files waiting (files × results
// each) against the same unlock with an empty inbox.
func BenchmarkUnlockMerge(b *testing.B) {
	for _, bc := range []struct{ files, results int }{{0, 0}, {1, 10}, {20, 50}} {
		b.Run(fmt.Sprintf("files=%d,results=%d", bc.files, bc.results), func(b *testing.B) {
			bodies := make([]string, bc.files)
			for f := range bodies {
				var rs []string
				for r := 0; r < bc.results; r++ {
					rs = append(rs, fmt.Sprintf("f%dr%d", f, r), "5.5")
				}
				bodies[f] = fhirFile(fmt.Sprintf("Clinic %d", f), rs...)
			}
			for b.Loop() {
				b.StopTimer()
				dir, m, _ := activated(b)
				for f, body := range bodies {
					deliver(b, dir, fmt.Sprintf("f%d.json", f), body)
				}
				m.Lock()
				b.StartTimer()
				if _, err := m.Unlock(context.Background(), Secret{Password: testPassword}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if n := inboxCount(b, dir); n != 0 {
					b.Fatalf("%d left", n)
				}
				m.Close()
				b.StartTimer()
			}
		})
	}
}

func BenchmarkDeliver(b *testing.B) {
	dir, _ := invited(b)
	body := fhirFile("Clinic", "a", "1", "b", "2", "c", "3")
	for b.Loop() {
		deliver(b, dir, "f.json", body)
	}
}
