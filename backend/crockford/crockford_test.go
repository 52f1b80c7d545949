package crockford

import (
	"bytes"
	"testing"
)

func TestGF32(t *testing.T) {
	// α = 2 generates all 31 non-zero elements, and every non-zero element
	// has an inverse: the field is well formed.
	seen := map[byte]bool{}
	a := byte(1)
	for i := 0; i < 31; i++ {
		seen[a] = true
		a = gfMul(a, 2)
	}
	if len(seen) != 31 || a != 1 {
		t.Fatalf("α has order %d", len(seen))
	}
	for x := byte(1); x < 32; x++ {
		ok := false
		for y := byte(1); y < 32; y++ {
			ok = ok || gfMul(x, y) == 1
		}
		if !ok {
			t.Fatalf("%d has no inverse", x)
		}
	}
}

// TestRoundTrip: every secret size the codes use comes back from its
// symbols, with the leftover bits as written (zero).
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct{ size, n int }{{20, 32}, {16, 26}, {13, 20}} {
		secret := bytes.Repeat([]byte{0xa5}, tc.size)
		if tc.n*5 < tc.size*8 {
			secret[tc.size-1] &= 0xf0 // 100 bits in 13 bytes
		}
		sym := make([]byte, tc.n)
		Encode(sym, secret, tc.n)
		text := Format(sym, 4)
		back := make([]byte, tc.n)
		if ok, bad := Read(text, back); !ok || bad {
			t.Fatalf("%d bytes: Read(%q) = %v, %v", tc.size, text, ok, bad)
		}
		got, rest := Decode(back, tc.size)
		if !bytes.Equal(got, secret) || rest != 0 {
			t.Fatalf("%d bytes: got %x rest %d, want %x", tc.size, got, rest, secret)
		}
	}
}

func TestRead(t *testing.T) {
	sym := make([]byte, 4)
	for _, tc := range []struct {
		in      string
		ok, bad bool
	}{
		{"0O1l", true, false}, {"0 0-0_0", true, false}, {"00\u20140.0", true, false},
		{"000", false, false}, {"00000", false, false}, {"00U0", true, true},
		{"00é0", true, true}, {string(bytes.Repeat([]byte("0"), 17)), false, false},
	} {
		if ok, bad := Read(tc.in, sym); ok != tc.ok || bad != tc.bad {
			t.Errorf("Read(%q) = %v, %v; want %v, %v", tc.in, ok, bad, tc.ok, tc.bad)
		}
	}
	if Read("oIL1", sym); !bytes.Equal(sym, []byte{0, 1, 1, 1}) {
		t.Errorf("O, I and L read as %v", sym)
	}
}

// TestCheckCatchesTypos: one wrong symbol, or two neighbours swapped,
// always changes the check.
func TestCheckCatchesTypos(t *testing.T) {
	sym := []byte{3, 17, 0, 31, 8, 8, 22, 5}
	c := Check(sym)
	for i := range sym {
		for v := byte(0); v < 32; v++ {
			if v == sym[i] {
				continue
			}
			typo := append([]byte(nil), sym...)
			typo[i] = v
			if Check(typo) == c {
				t.Fatalf("substitution at %d to %d not caught", i, v)
			}
		}
		if i+1 < len(sym) && sym[i] != sym[i+1] {
			swap := append([]byte(nil), sym...)
			swap[i], swap[i+1] = swap[i+1], swap[i]
			if Check(swap) == c {
				t.Fatalf("swap at %d not caught", i)
			}
		}
	}
}
