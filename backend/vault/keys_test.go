package vault

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

var baseAD = AD{VaultID: "vault-1", Table: "observations", RowKey: []byte("row-key-1"), Version: 3}

func TestSealOpenRoundTrip(t *testing.T) {
	k := testKeys(t)
	for _, n := range []int{0, 1, 255, 1024, 70000} {
		pt := bytes.Repeat([]byte{'x'}, n)
		ct, err := k.Seal(baseAD, pt)
		if err != nil {
			t.Fatal(err)
		}
		if len(ct) != n+Overhead || ct[0] != RecordVersion {
			t.Fatalf("n=%d: sealed len %d, first byte %d", n, len(ct), ct[0])
		}
		if n > 8 && bytes.Contains(ct, pt[:8]) {
			t.Fatalf("n=%d: plaintext visible in ciphertext", n)
		}
		got, err := k.Open(baseAD, ct)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("n=%d: round trip mismatch", n)
		}
	}
}

func TestSealIsRandomised(t *testing.T) {
	k := testKeys(t)
	a, _ := k.Seal(baseAD, []byte("same"))
	b, _ := k.Seal(baseAD, []byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are equal: nonce reuse")
	}
}

func TestSealToOpenToAppend(t *testing.T) {
	k := testKeys(t)
	prefix := []byte("prefix:")
	dst := make([]byte, len(prefix), 256)
	copy(dst, prefix)
	ct, err := k.SealTo(dst, baseAD, []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(ct, prefix) || &ct[0] != &dst[0] {
		t.Fatal("SealTo did not append in place")
	}
	pt, err := k.OpenTo([]byte("out:"), baseAD, ct[len(prefix):])
	if err != nil {
		t.Fatal(err)
	}
	if string(pt) != "out:hello" {
		t.Fatalf("OpenTo = %q", pt)
	}
}

func TestADFieldChangeFailsToOpen(t *testing.T) {
	k := testKeys(t)
	ct, err := k.Seal(baseAD, []byte("Haemoglobin 128 g/L"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mod  func(*AD)
	}{
		{"vault", func(a *AD) { a.VaultID = "vault-2" }},
		{"table", func(a *AD) { a.Table = "conditions" }},
		{"row key", func(a *AD) { a.RowKey = []byte("row-key-2") }},
		{"row key nil", func(a *AD) { a.RowKey = nil }},
		{"old version", func(a *AD) { a.Version = 2 }},
		{"new version", func(a *AD) { a.Version = 4 }},
		// Unambiguous encoding: moving bytes between fields must not collide.
		{"table/row boundary", func(a *AD) { a.Table = "observationsr"; a.RowKey = []byte("ow-key-1") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ad := baseAD
			tt.mod(&ad)
			_, err := k.Open(ad, ct)
			if !errors.Is(err, ErrIntegrity) {
				t.Fatalf("err = %v, want ErrIntegrity", err)
			}
		})
	}
	// Another vault's keys with the same AD fail too.
	other, err := New("vault-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(baseAD, ct); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("other data key: err = %v, want ErrIntegrity", err)
	}
}

func TestSealRejectsWrongVault(t *testing.T) {
	k := testKeys(t)
	ad := baseAD
	ad.VaultID = "vault-2"
	if _, err := k.Seal(ad, []byte("x")); err == nil {
		t.Fatal("sealing for another vault succeeded")
	}
}

func TestBitFlipsFail(t *testing.T) {
	k := testKeys(t)
	ct, err := k.Seal(baseAD, []byte("Penicillin allergy: anaphylaxis"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range ct {
		for bit := 0; bit < 8; bit++ {
			c := bytes.Clone(ct)
			c[i] ^= 1 << bit
			_, err := k.Open(baseAD, c)
			if !errors.Is(err, ErrIntegrity) && !(i == 0 && errors.Is(err, ErrUnsupportedVersion)) {
				t.Fatalf("flip byte %d bit %d: err = %v", i, bit, err)
			}
		}
	}
}

func TestTruncatedAndMalformed(t *testing.T) {
	k := testKeys(t)
	ct, err := k.Seal(baseAD, []byte("short"))
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(ct); n++ {
		if _, err := k.Open(baseAD, ct[:n]); !errors.Is(err, ErrIntegrity) {
			t.Fatalf("truncated to %d: err = %v", n, err)
		}
	}
	if _, err := k.Open(baseAD, append(bytes.Clone(ct), 0)); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("extended: err = %v", err)
	}
	future := bytes.Clone(ct)
	future[0] = RecordVersion + 1
	if _, err := k.Open(baseAD, future); !errors.Is(err, ErrUnsupportedVersion) {
		t.Fatalf("future version: err = %v", err)
	}
	if _, err := k.Open(baseAD, nil); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("nil: err = %v", err)
	}
}

func TestIndex(t *testing.T) {
	k := testKeys(t)
	idx := func(parts ...string) string {
		b, err := k.Index(parts...)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) != IndexSize {
			t.Fatalf("len %d", len(b))
		}
		return string(b)
	}
	a := idx("org-1", "Observation", "abc")
	if a != idx("org-1", "Observation", "abc") {
		t.Fatal("Index not deterministic")
	}
	distinct := [][]string{
		{"org-1", "Observation", "abc"},
		{"org-1", "Observatio", "nabc"},
		{"org-1Observation", "abc"},
		{"org-1", "Observation", "abc", ""},
		{"", "org-1", "Observation", "abc"},
		{},
		{""},
		{"", ""},
	}
	seen := map[string][]string{}
	for _, p := range distinct {
		h := idx(p...)
		if prev, ok := seen[h]; ok {
			t.Fatalf("Index(%q) == Index(%q)", p, prev)
		}
		seen[h] = p
	}
	other, _ := New("vault-1")
	o, _ := other.Index("org-1", "Observation", "abc")
	if string(o) == a {
		t.Fatal("Index is not keyed by the data key")
	}
	out, _ := k.IndexTo([]byte("p"), "org-1", "Observation", "abc")
	if string(out[1:]) != a || out[0] != 'p' {
		t.Fatal("IndexTo did not append")
	}
}

func TestDestroyLocks(t *testing.T) {
	k := testKeys(t)
	ct, _ := k.Seal(baseAD, []byte("x"))
	dk, ik := k.dataKey, k.indexKey
	k.Destroy()
	k.Destroy() // idempotent
	if !bytes.Equal(dk, make([]byte, DataKeySize)) || !bytes.Equal(ik, make([]byte, 32)) {
		t.Fatal("Destroy did not zero the keys")
	}
	if _, err := k.Seal(baseAD, []byte("x")); !errors.Is(err, ErrLocked) {
		t.Fatalf("Seal: %v", err)
	}
	if _, err := k.Open(baseAD, ct); !errors.Is(err, ErrLocked) {
		t.Fatalf("Open: %v", err)
	}
	if _, err := k.Index("a"); !errors.Is(err, ErrLocked) {
		t.Fatalf("Index: %v", err)
	}
	if _, err := k.AddSlot(cheapPassword(t, "pw")); !errors.Is(err, ErrLocked) {
		t.Fatalf("AddSlot: %v", err)
	}
	if UserMessage(fmt.Errorf("loading: %w", ErrLocked)) == "" {
		t.Fatal("no user message")
	}
}

func TestConcurrentUseAndDestroy(t *testing.T) {
	k := testKeys(t)
	ct, _ := k.Seal(baseAD, []byte("x"))
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if _, err := k.Seal(baseAD, []byte("x")); err != nil && !errors.Is(err, ErrLocked) {
					errs <- err
				}
				if _, err := k.Open(baseAD, ct); err != nil && !errors.Is(err, ErrLocked) {
					errs <- err
				}
				if _, err := k.Index("a", "b"); err != nil && !errors.Is(err, ErrLocked) {
					errs <- err
				}
			}
		}()
	}
	k.Destroy()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNewKeysValidation(t *testing.T) {
	if _, err := New(""); err == nil {
		t.Fatal("empty vault id accepted")
	}
	if _, err := keysFromDataKey("v", make([]byte, 16), nil); err == nil {
		t.Fatal("short data key accepted")
	}
}

func TestUserMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{fmt.Errorf("x: %w", ErrIntegrity), "This record has been changed outside Ward and cannot be opened."},
		{&wrongSecretError{KindPassword}, "That password is not right."},
		{fmt.Errorf("x: %w", &wrongSecretError{KindRecovery}), "That recovery key does not unlock"},
		{&wrongSecretError{KindPRF}, "passkey"},
		{&wrongSecretError{KindKEK}, "server"},
		{ErrWrongSecret, "That password is not right."},
		{ErrRecoveryKeyTypo, "That recovery key has a typo: check each group"},
		{ErrRecoveryKeyLength, "wrong length"},
		{ErrLocked, "locked"},
		{fmt.Errorf("%w: v9", ErrUnsupportedVersion), "newer version of Ward"},
		{ErrNoSlot, "not set up"},
		{errors.New("disk on fire"), "something went wrong"},
	}
	for _, tt := range tests {
		if got := UserMessage(tt.err); !strings.Contains(got, tt.want) || (tt.err != nil && got == "") {
			t.Errorf("UserMessage(%v) = %q, want it to contain %q", tt.err, got, tt.want)
		}
	}
}
