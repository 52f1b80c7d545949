package vault

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func FuzzOpen(f *testing.F) {
	k := testKeys(f)
	ct, _ := k.Seal(baseAD, []byte("Haemoglobin 128 g/L"))
	f.Add(ct, baseAD.VaultID, baseAD.Table, baseAD.RowKey, baseAD.Version)
	f.Add(ct[:Overhead], baseAD.VaultID, baseAD.Table, baseAD.RowKey, baseAD.Version)
	f.Add([]byte{}, "", "", []byte{}, uint64(0))
	f.Add([]byte{2}, "vault-1", "t", []byte{}, uint64(1))
	f.Fuzz(func(t *testing.T, sealed []byte, vault, table string, rowKey []byte, version uint64) {
		ad := AD{VaultID: vault, Table: table, RowKey: rowKey, Version: version}
		pt, err := k.OpenTo([]byte("x"), ad, sealed)
		if err != nil {
			if !errors.Is(err, ErrIntegrity) && !errors.Is(err, ErrUnsupportedVersion) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		// Only the genuine seed opens.
		if !bytes.Equal(sealed, ct) || vault != baseAD.VaultID || table != baseAD.Table ||
			!bytes.Equal(rowKey, baseAD.RowKey) || version != baseAD.Version || string(pt) != "xHaemoglobin 128 g/L" {
			t.Fatalf("forged value opened: %q", pt)
		}
	})
}

func FuzzParseRecoveryKey(f *testing.F) {
	_, disp, _ := newRecoveryKey(seeded(5))
	f.Add(disp)
	f.Add(strings.ToLower(disp))
	f.Add(strings.ReplaceAll(disp, "-", " "))
	f.Add(disp[:len(disp)-1] + "0")
	f.Add("")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseRecoveryKey(s)
		if err != nil {
			if !errors.Is(err, ErrRecoveryKeyTypo) && !errors.Is(err, ErrRecoveryKeyLength) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		// A key that parses has a canonical form that parses to the same secret.
		canon := formatRecoveryKey(k.secret)
		k2, err := ParseRecoveryKey(canon)
		if err != nil || !bytes.Equal(k.secret, k2.secret) {
			t.Fatalf("canonical form %q of %q: %v", canon, s, err)
		}
	})
}

func FuzzSlotUnmarshal(f *testing.F) {
	f.Add([]byte(katPasswordSlot))
	f.Add([]byte(katRecoverySlot))
	f.Add([]byte(katPRFSlot))
	f.Add([]byte(katKEKSlot))
	f.Add([]byte(`{"v":1,"kind":"password","argon2":{"m":4294967295,"t":4294967295,"p":255}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	rk, _, _ := newRecoveryKey(&countReader{0x20})
	prf, _ := NewPRF([]byte("credential-1"), seq(0x40, 32), seq(0x60, 32))
	kek := newKEK(seq(0x80, 32))
	pw := cheapPassword(f, "correct horse battery staple")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSlot(data)
		if err != nil {
			return
		}
		js, err := MarshalSlot(s)
		if err != nil {
			t.Fatalf("parsed slot does not marshal: %v", err)
		}
		s2, err := ParseSlot(js)
		if err != nil || !reflect.DeepEqual(s, s2) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, s, s2)
		}
		us := []Unwrapper{rk, prf, kek}
		if s.Argon2 != nil && uint64(s.Argon2.Memory)*uint64(s.Argon2.Time) <= 1<<12 {
			us = append(us, pw) // only cheap Argon2 costs, to keep fuzzing fast
		}
		for _, u := range us {
			_, _ = u.Unwrap("vault-kat", s)
		}
	})
}
