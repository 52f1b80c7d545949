package share

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestSealRoundTrip(t *testing.T) {
	c, text := NewCode()
	salt := NewSalt()
	sealed, err := Seal(c, salt, "id1", []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	typed, _ := ParseCode(text)
	plain, err := Open(typed, salt, "id1", sealed)
	if err != nil || string(plain) != "hello" {
		t.Fatalf("open: %q %v", plain, err)
	}
	other, _ := NewCode()
	for name, try := range map[string]func() error{
		"another share's id": func() error { _, err := Open(c, salt, "id2", sealed); return err },
		"another salt":       func() error { _, err := Open(c, NewSalt(), "id1", sealed); return err },
		"another code":       func() error { _, err := Open(other, salt, "id1", sealed); return err },
		"truncated":          func() error { _, err := Open(c, salt, "id1", sealed[:10]); return err },
	} {
		if err := try(); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: %v, want ErrOpen", name, err)
		}
	}
	if _, err := Open(c, salt, "id1", make([]byte, MaxSealed+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized: %v", err)
	}
	if !bytes.Equal(LookupHash(testLookupKey, c), LookupHash(testLookupKey, typed)) ||
		bytes.Equal(LookupHash(testLookupKey, c), LookupHash([]byte("another server's key, 32 bytes!!"), c)) {
		t.Error("lookup hash is not keyed by the server secret and the code alone")
	}
}

// TestSealNeedsCode: with the accounts database and the server's keys
// (the accounts keys and the lookup key), everything but the code, a share
// does not open. Each secret the server holds is tried as the code's
// secret, with the row's salt and id.
func TestSealNeedsCode(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sh, _, err := f.svc.Create(ctx, "acc1", contents(), Recipient{Email: "dr@clinic.example"}, []string{"results"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	row, err := f.db.ShareByID(ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	candidates := [][]byte{row.Lookup, row.Salt, testLookupKey, testKeys.Seal[:], testKeys.Lookup[:], []byte(row.ID), row.Sealed[:24]}
	for i, secret := range candidates {
		for _, n := range []int{len(secret), codeSecretSize} {
			s := secret
			if n < len(s) {
				s = s[:n]
			}
			c := &Code{secret: bytes.Clone(s)}
			if _, err := Open(c, row.Salt, row.ID, row.Sealed); !errors.Is(err, ErrOpen) {
				t.Errorf("candidate %d opened the share: %v", i, err)
			}
		}
	}
	// Nor does the database's copy of the recipient or the lookup hash tell
	// the code: a code whose lookup hash is the row's is the only way in,
	// and finding one is a 2^100 search.
	if bytes.Contains(row.Sealed, []byte("Sodium")) {
		t.Error("the payload is in the clear")
	}
}
