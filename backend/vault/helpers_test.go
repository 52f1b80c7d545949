package vault

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// cheap are Argon2id parameters for tests that are not about the cost.
var cheap = Argon2Params{Memory: 64, Time: 1, Threads: 1}

// countReader yields n, n+1, n+2, ... (mod 256): fixed "randomness" for
// known-answer tests.
type countReader struct{ n byte }

func (r *countReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.n
		r.n++
	}
	return len(p), nil
}

// seeded returns a deterministic pseudo-random reader.
func seeded(seed byte) *rand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

func seq(start byte, n int) []byte {
	b := make([]byte, n)
	(&countReader{start}).Read(b)
	return b
}

func cheapPassword(t testing.TB, pw string) *Password {
	t.Helper()
	p, err := NewPasswordWithParams([]byte(pw), cheap)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testKeys returns keys with data key 0x00..0x1f for vault "vault-1".
func testKeys(t testing.TB) *Keys {
	t.Helper()
	k, err := keysFromDataKey("vault-1", seq(0, DataKeySize), seeded(1))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustDataKey(t testing.TB, k *Keys) []byte {
	t.Helper()
	k.mu.RLock()
	defer k.mu.RUnlock()
	return bytes.Clone(k.dataKey)
}
