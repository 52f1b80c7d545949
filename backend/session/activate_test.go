package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

func init() {
	// Activation's password slot is wrapped cheaply in tests; the real
	// cost is measured in BenchmarkActivate/default.
	activationPassword = cheapPassword
}

func cheapPassword(pw []byte) vault.Wrapper {
	p, err := vault.NewPasswordWithParams(pw, vault.Argon2Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		panic(err)
	}
	return p
}

// fhirFile is a small FHIR bundle from org about Robin Ash, with one
// result per (id, value) pair.
func fhirFile(org string, results ...string) string {
	entries := []string{
		`{"resource":{"resourceType":"Patient","id":"pat-1","name":[{"family":"Ash","given":["Robin"]}],"birthDate":"1980-02-03","managingOrganization":{"reference":"Organization/org-1"}}}`,
		fmt.Sprintf(`{"resource":{"resourceType":"Organization","id":"org-1","name":%q}}`, org),
	}
	for i := 0; i+1 < len(results); i += 2 {
		o := observation(results[i], "Test "+results[i], results[i+1])
		entries = append(entries, `{"resource":`+string(o.Raw)+`}`)
	}
	return `{"resourceType":"Bundle","type":"collection","entry":[` + strings.Join(entries, ",") + `]}`
}

// invited makes an invited vault in a temporary folder and returns it with
// its code.
func invited(t testing.TB) (dir, code string) {
	t.Helper()
	dir = t.TempDir()
	inv, code := vault.NewInvite()
	defer inv.Destroy()
	id, err := CreateInvited(context.Background(), dir, inv)
	if err != nil || len(id) != 32 {
		t.Fatalf("CreateInvited: %q, %v", id, err)
	}
	return dir, code
}

func deliver(t testing.TB, dir, name, body string) {
	t.Helper()
	if err := Deliver(context.Background(), dir, name, strings.NewReader(body)); err != nil {
		t.Fatalf("Deliver %s: %v", name, err)
	}
}

func inboxCount(t testing.TB, dir string) int {
	t.Helper()
	n, err := InboxCount(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func slotKinds(t testing.TB, m *Manager) []vault.SlotKind {
	t.Helper()
	slots, err := m.database().Slots(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []vault.SlotKind
	for _, s := range slots {
		out = append(out, s.Kind)
	}
	slices.Sort(out)
	return out
}

// wantResults checks the open record shows these results (id, value, ...).
func wantResults(t testing.TB, m *Manager, tok string, results ...string) {
	t.Helper()
	rec, err := m.Record(tok)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(results); i += 2 {
		rep, ok := rec.Report("obs-" + results[i])
		if !ok || len(rep.Results) != 1 || rep.Results[0].Value != results[i+1] {
			t.Errorf("obs-%s: %+v (found %v)", results[i], rep, ok)
		}
	}
}

func TestActivateMergesDeliveredRecords(t *testing.T) {
	ctx := context.Background()
	dir, code := invited(t)
	deliver(t, dir, "gp.json", fhirFile("Riverside Surgery", "a", "140", "b", "5.1"))
	deliver(t, dir, "/some/path/lab.json", fhirFile("City Lab", "c", "12"))
	if n := inboxCount(t, dir); n != 2 {
		t.Fatalf("inbox holds %d", n)
	}

	m, err := Open(dir, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := slotKinds(t, m); !slices.Equal(got, []vault.SlotKind{vault.KindInvite}) {
		t.Fatalf("slots before activation: %v", got)
	}
	// Formatting of the code does not matter.
	tok, rk, err := m.Activate(ctx, " "+strings.ToLower(strings.ReplaceAll(code, "-", " "))+" ", testPassword, "patient")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vault.ParseRecoveryKey(rk); err != nil {
		t.Fatalf("recovery key %q: %v", rk, err)
	}
	wantResults(t, m, tok, "a", "140", "b", "5.1", "c", "12")
	rec, _ := m.Record(tok)
	var sources []string
	for _, s := range rec.Sources() {
		sources = append(sources, s.Name)
	}
	slices.Sort(sources)
	if !slices.Equal(sources, []string{"City Lab", "Riverside Surgery"}) {
		t.Errorf("sources %v", sources)
	}
	sameAsDisk(t, m)
	if n := inboxCount(t, dir); n != 0 || m.InboxProblems() != 0 {
		t.Fatalf("inbox holds %d, %d problems", n, m.InboxProblems())
	}
	if got := slotKinds(t, m); !slices.Equal(got, []vault.SlotKind{vault.KindPassword, vault.KindRecovery}) {
		t.Fatalf("slots after activation: %v", got)
	}

	tests := []struct {
		name string
		try  func() (string, error)
		want error
	}{
		{"password", func() (string, error) { return m.Unlock(ctx, Secret{Password: testPassword}) }, nil},
		{"recovery key", func() (string, error) { return m.Unlock(ctx, Secret{RecoveryKey: rk}) }, nil},
		{"code again", func() (string, error) {
			tok, _, err := m.Activate(ctx, code, []byte("another password"), "patient")
			return tok, err
		}, vault.ErrNoSlot},
		{"code as recovery key", func() (string, error) { return m.Unlock(ctx, Secret{RecoveryKey: code}) }, vault.ErrRecoveryKeyLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.Lock()
			tok, err := tt.try()
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.want == nil {
				wantResults(t, m, tok, "a", "140", "b", "5.1", "c", "12")
			} else if tt.name == "code again" && !errors.Is(err, ErrWrongInvite) {
				t.Fatalf("second activation: %v", err)
			}
		})
	}
}

func TestActivateRefusals(t *testing.T) {
	ctx := context.Background()
	dir, code := invited(t)
	_, otherCode := vault.NewInvite()
	m, err := Open(dir, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	clock := testNow
	m.now = func() time.Time { return clock }

	typo := []byte(code)
	typo[0] ^= 1 // '0'↔'1', 'A'↔'@'…: a different character
	if typo[0] == '@' {
		typo[0] = 'B'
	}
	tests := []struct {
		name, code, pw string
		want           error
	}{
		{"short password", code, "short", ErrShortPassword},
		{"typo", string(typo), string(testPassword), vault.ErrBadInvite},
		{"not a code", "hello", string(testPassword), vault.ErrBadInvite},
		{"another vault's code", otherCode, string(testPassword), vault.ErrWrongSecret},
	}
	for _, tt := range tests {
		if _, _, err := m.Activate(ctx, tt.code, []byte(tt.pw), "stranger"); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	// Only the well-formed wrong code was counted: four more and the
	// stranger waits, even with the right code.
	for i := 0; i < 4; i++ {
		if _, _, err := m.Activate(ctx, otherCode, testPassword, "stranger"); !errors.Is(err, vault.ErrWrongSecret) || !errors.Is(err, ErrWrongInvite) {
			t.Fatalf("wrong code %d: %v", i+2, err)
		}
	}
	var wait *store.WaitError
	if _, _, err := m.Activate(ctx, code, testPassword, "stranger"); !errors.As(err, &wait) || wait.Attempts != 5 {
		t.Fatalf("sixth try: %v", err)
	}
	if got := slotKinds(t, m); !slices.Equal(got, []vault.SlotKind{vault.KindInvite}) {
		t.Fatalf("refusals changed the slots: %v", got)
	}
	// The patient, from elsewhere, is not held up by the stranger.
	if _, _, err := m.Activate(ctx, code, testPassword, "patient"); err != nil {
		t.Fatalf("patient: %v", err)
	}
	if _, err := m.Unlock(ctx, Secret{Password: testPassword, From: "stranger"}); !errors.As(err, &wait) {
		t.Fatalf("the stranger still waits: %v", err)
	}
	clock = clock.Add(time.Hour)
	if _, err := m.Unlock(ctx, Secret{Password: testPassword, From: "stranger"}); err != nil {
		t.Fatal(err)
	}

	// A folder with a vault is not invited over.
	inv, _ := vault.NewInvite()
	if _, err := CreateInvited(ctx, dir, inv); !errors.Is(err, store.ErrExists) {
		t.Fatalf("CreateInvited over a vault: %v", err)
	}
}

// Two activations at once with the same code: exactly one sets the
// password, the other finds the invite gone.
func TestActivateRace(t *testing.T) {
	ctx := context.Background()
	dir, code := invited(t)
	a, err := Open(dir, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(dir, time.Minute) // another Manager (process) on the folder
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		m := a
		if i%2 == 1 {
			m = b
		}
		wg.Go(func() { _, _, errs[i] = m.Activate(ctx, code, fmt.Appendf(nil, "password %d", i), "patient") })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, vault.ErrNoSlot):
			t.Errorf("loser: %v", err)
		}
	}
	if got := slotKinds(t, a); ok != 1 || !slices.Equal(got, []vault.SlotKind{vault.KindPassword, vault.KindRecovery}) {
		t.Fatalf("%d activations succeeded; slots %v", ok, got)
	}
}

func BenchmarkActivate(b *testing.B) {
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		pw   func([]byte) vault.Wrapper
	}{
		{"cheap-argon2", cheapPassword},
		{"default-argon2", func(pw []byte) vault.Wrapper { return vault.NewPassword(pw) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			activationPassword = bc.pw
			defer func() { activationPassword = cheapPassword }()
			for b.Loop() {
				b.StopTimer()
				dir, code := invited(b)
				deliver(b, dir, "gp.json", fhirFile("Riverside Surgery", "a", "140", "b", "5.1"))
				deliver(b, dir, "lab.json", fhirFile("City Lab", "c", "12"))
				m, err := Open(dir, time.Minute)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, _, err := m.Activate(ctx, code, testPassword, "patient"); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				m.Close()
				b.StartTimer()
			}
		})
	}
}
