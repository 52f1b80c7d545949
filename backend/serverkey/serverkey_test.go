package serverkey

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestCreateLoadRotate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.key")
	k, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path); !errors.Is(err, ErrExists) {
		t.Fatalf("second Create = %v", err)
	}
	if runtime.GOOS != "windows" {
		st, _ := os.Stat(path)
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v", st.Mode())
		}
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if l.Accounts() != k.Accounts() || !bytes.Equal(l.Cookie[0].Hash, k.Cookie[0].Hash) {
		t.Fatal("Load gives other keys than Create")
	}
	a := k.Accounts()
	if a.Seal == a.Lookup || bytes.Equal(k.Cookie[0].Hash, k.Cookie[0].Block) {
		t.Fatal("derived keys are not independent")
	}
	r1, err := RotateCookie(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(r1.Cookie) != 2 || !bytes.Equal(r1.Cookie[1].Hash, k.Cookie[0].Hash) || bytes.Equal(r1.Cookie[0].Hash, k.Cookie[0].Hash) {
		t.Fatal("rotation did not put a new key first and keep the old one")
	}
	if r1.Accounts() != a {
		t.Fatal("rotating the cookie key changed the accounts keys")
	}
	r2, err := RotateCookie(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(r2.Cookie) != MaxCookieKeys || !bytes.Equal(r2.Cookie[1].Hash, r1.Cookie[0].Hash) {
		t.Fatal("a second rotation did not drop the oldest key")
	}
}

func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"empty":     "",
		"not json":  "hello",
		"version":   `{"v":2,"master":"AAAA","cookie":["AAAA"]}`,
		"short":     `{"v":1,"master":"AAAA","cookie":["AAAA"]}`,
		"no cookie": `{"v":1,"master":"` + b64(32) + `","cookie":[]}`,
		"big":       string(bytes.Repeat([]byte("x"), 5000)),
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		if _, err := Load(p); !errors.Is(err, ErrBad) {
			t.Errorf("%s: Load = %v", name, err)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing")); !errors.Is(err, ErrMissing) {
		t.Errorf("missing: %v", err)
	}
}

func b64(n int) string {
	// base64 of n zero bytes, as encoding/json writes []byte
	s := ""
	for i := 0; i < n/3; i++ {
		s += "AAAA"
	}
	switch n % 3 {
	case 1:
		s += "AA=="
	case 2:
		s += "AAA="
	}
	return s
}

func TestShareLookupKey(t *testing.T) {
	path := t.TempDir() + "/accounts.key"
	k, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	l := k.ShareLookup()
	a := k.Accounts()
	if len(l) != Size || string(l) == string(a.Lookup[:]) || string(l) == string(a.Seal[:]) {
		t.Fatalf("share lookup key %x", l)
	}
	k2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(k2.ShareLookup()) != string(l) {
		t.Fatalf("share lookup key differs after Load")
	}
	if _, err := RotateCookie(path); err != nil {
		t.Fatal(err)
	}
	if k3, _ := Load(path); string(k3.ShareLookup()) != string(l) {
		t.Fatalf("rotating the cookie key changed the share lookup key")
	}
}
