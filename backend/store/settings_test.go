package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestSealedSettings(t *testing.T) {
	dir, db, keys := newVault(t)
	ctx := context.Background()
	if v, err := db.SealedSetting(ctx, keys, "publish"); err != nil || v != nil {
		t.Fatalf("unset setting = %q, %v", v, err)
	}
	secret := []byte(`{"server":"https://ward.example.org","key":"wpk-SECRET-0123456789"}`)
	if err := db.SetSealedSetting(ctx, keys, "publish", secret); err != nil {
		t.Fatal(err)
	}
	got, err := db.SealedSetting(ctx, keys, "publish")
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("setting = %q, %v", got, err)
	}
	// Sealed on disk, and bound to its name: moved under another name it
	// does not open.
	raw := rawDB(t, dir)
	if _, err := raw.Exec(`INSERT INTO meta(name, value) SELECT 'setting:other', value FROM meta WHERE name = 'setting:publish'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SealedSetting(ctx, keys, "other"); err == nil {
		t.Error("a setting moved to another name opened")
	}
	db.Close()
	for _, f := range []string{FileName, FileName + "-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		for _, s := range []string{"wpk-SECRET", "ward.example.org"} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q in the clear", f, s)
			}
		}
	}
}

func TestSealedSettingRemoved(t *testing.T) {
	_, db, keys := newVault(t)
	ctx := context.Background()
	if err := db.SetSealedSetting(ctx, keys, "publish", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSealedSetting(ctx, keys, "publish", nil); err != nil {
		t.Fatal(err)
	}
	if v, err := db.SealedSetting(ctx, keys, "publish"); err != nil || v != nil {
		t.Fatalf("removed setting = %q, %v", v, err)
	}
}
