package vault

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLoadOrCreateKEK(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "ward.kek")
	k1, err := LoadOrCreateKEK(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %o", st.Mode().Perm())
	}
	if st.Size() != KEKSize {
		t.Fatalf("size %d", st.Size())
	}
	k2, err := LoadOrCreateKEK(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1.key, k2.key) || k1.ID() != k2.ID() {
		t.Fatal("second load gave a different key")
	}
	// A slot wrapped with the created key opens with the loaded one.
	k := testKeys(t)
	s, err := k.AddSlot(k1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Unlock("vault-1", []Slot{s}, k2); err != nil {
		t.Fatal(err)
	}
	// A different KEK does not try this slot.
	other, _ := LoadOrCreateKEK(filepath.Join(dir, "other.kek"))
	if _, err := Unlock("vault-1", []Slot{s}, other); !errors.Is(err, ErrNoSlot) {
		t.Fatalf("other KEK: %v", err)
	}
	if strings.Contains(k1.String(), string(k1.key)) || !strings.Contains(k1.String(), k1.ID()) {
		t.Fatal(k1.String())
	}
}

func TestKEKRefusesLoosePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660, 0o644, 0o602} {
		path := filepath.Join(t.TempDir(), "ward.kek")
		if err := os.WriteFile(path, seq(0, 32), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := LoadOrCreateKEK(path)
		if err == nil || !strings.Contains(err.Error(), "chmod 600 "+path) {
			t.Fatalf("mode %o: err = %v", mode, err)
		}
	}
	// 0400 (read-only for the owner) is fine.
	path := filepath.Join(t.TempDir(), "ward.kek")
	os.WriteFile(path, seq(0, 32), 0o400)
	if _, err := LoadOrCreateKEK(path); err != nil {
		t.Fatal(err)
	}
}

func TestKEKRefusesDamagedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ward.kek")
	os.WriteFile(path, seq(0, 31), 0o600)
	if _, err := LoadOrCreateKEK(path); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("err = %v", err)
	}
	if _, err := LoadOrCreateKEK(dir); err == nil || !strings.Contains(err.Error(), "regular") {
		t.Fatalf("dir: err = %v", err)
	}
}

func TestKEKFromEnv(t *testing.T) {
	key := seq(0xf0, 32) // exercises + and / vs - and _
	want := newKEK(bytes.Clone(key)).ID()
	for _, v := range []string{
		base64.StdEncoding.EncodeToString(key),
		base64.RawStdEncoding.EncodeToString(key),
		base64.URLEncoding.EncodeToString(key),
		" " + base64.StdEncoding.EncodeToString(key) + "\n",
	} {
		k, err := KEKFromEnv(v)
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if k.ID() != want {
			t.Fatalf("%q: different key", v)
		}
	}
	for _, v := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(key[:31]), base64.StdEncoding.EncodeToString(append(key, 0))} {
		if _, err := KEKFromEnv(v); err == nil || !strings.Contains(err.Error(), "base64") {
			t.Fatalf("%q: err = %v", v, err)
		}
	}
}
