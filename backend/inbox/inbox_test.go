package inbox

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"filippo.io/age"
)

func x25519() (string, []byte) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		panic(err)
	}
	return id.Recipient().String(), []byte(id.String())
}

func TestRoundTrip(t *testing.T) {
	hr, hid, err := NewIdentity()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(hid), "AGE-SECRET-KEY-PQ-1") {
		t.Fatalf("identity is not hybrid: %.20s", hid)
	}
	xr, xid := x25519()
	for _, c := range []struct {
		kind string
		r    string
		id   []byte
	}{{"hybrid", hr, hid}, {"x25519", xr, xid}} {
		for _, size := range []int{0, 1, 64 << 10, 200 << 10} {
			data := bytes.Repeat([]byte("Robin Ash 9434765919\n"), size/21+1)[:size]
			sealed, err := Seal(c.r, "export.xml", data)
			if err != nil {
				t.Fatal(c.kind, err)
			}
			if size > 20 && bytes.Contains(sealed, []byte("Robin Ash")) {
				t.Fatal("plaintext in sealed file")
			}
			name, r, err := Open(c.id, bytes.NewReader(sealed))
			if err != nil {
				t.Fatal(c.kind, err)
			}
			got, err := io.ReadAll(r)
			if err != nil || name != "export.xml" || !bytes.Equal(got, data) {
				t.Fatalf("%s %d: name %q, %d bytes, %v", c.kind, size, name, len(got), err)
			}
		}
	}
}

func TestWrongIdentity(t *testing.T) {
	r, _, _ := NewIdentity()
	_, other, _ := NewIdentity()
	sealed, err := Seal(r, "a.json", []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(other, bytes.NewReader(sealed)); !errors.Is(err, ErrNotForThisVault) {
		t.Fatalf("got %v", err)
	}
	_, xid := x25519()
	if _, _, err := Open(xid, bytes.NewReader(sealed)); !errors.Is(err, ErrNotForThisVault) {
		t.Fatalf("x25519 identity: got %v", err)
	}
}

func TestTruncated(t *testing.T) {
	r, id, _ := NewIdentity()
	data := bytes.Repeat([]byte{7}, 150<<10)
	sealed, err := Seal(r, "a.json", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{1, 17, 1000, len(sealed) / 2, len(sealed) - 200, len(sealed) - 1} {
		_, rd, err := Open(id, bytes.NewReader(sealed[:len(sealed)-cut]))
		if err == nil {
			_, err = io.ReadAll(rd)
		}
		if !errors.Is(err, ErrDamaged) {
			t.Fatalf("cut %d: got %v", cut, err)
		}
	}
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-5] ^= 1
	_, rd, err := Open(id, bytes.NewReader(flipped))
	if err == nil {
		_, err = io.ReadAll(rd)
	}
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("flipped: got %v", err)
	}
}

func TestNames(t *testing.T) {
	r, _, _ := NewIdentity()
	for _, name := range []string{"", strings.Repeat("a", 256), "a/b", `a\b`, "..", "a\x00"} {
		if _, err := Seal(r, name, nil); !errors.Is(err, ErrBadName) {
			t.Errorf("%q: got %v", name, err)
		}
	}
	if _, err := Seal(r, strings.Repeat("a", 255), nil); err != nil {
		t.Error(err)
	}
	if _, err := Seal("age1nonsense", "a", nil); !errors.Is(err, ErrBadKey) {
		t.Errorf("bad recipient: got %v", err)
	}
}

type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), z.n))
	clear(p[:n])
	z.n -= int64(n)
	return n, nil
}

func TestTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("seals 256 MiB")
	}
	r, _, _ := NewIdentity()
	if err := SealReader(r, "big", &zeros{MaxSize + 1}, io.Discard); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	r, id, _ := NewIdentity()
	sealed, _ := Seal(r, "a.json", []byte("hello"))
	f.Add(sealed)
	f.Add([]byte("age-encryption.org/v1\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, rd, err := Open(id, bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrNotForThisVault) {
				t.Fatalf("unnamed error %v", err)
			}
			return
		}
		io.Copy(io.Discard, rd)
	})
}

func BenchmarkSealOpen1MiB(b *testing.B) {
	r, id, _ := NewIdentity()
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		sealed, err := Seal(r, "a.json", data)
		if err != nil {
			b.Fatal(err)
		}
		_, rd, err := Open(id, bytes.NewReader(sealed))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, rd); err != nil {
			b.Fatal(err)
		}
	}
}
