package twostep

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
)

// alphabet leaves out 0/o, 1/i/l, which people misread from paper.
const alphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// NewRecoveryCodes makes MaxRecovery codes shown as "xxxxx-xxxxx", replacing
// any old ones; only their SHA-256 is kept.
func (s *State) NewRecoveryCodes() ([]string, error) {
	codes := make([]string, 0, MaxRecovery)
	hashes := make([][32]byte, 0, MaxRecovery)
	for len(codes) < MaxRecovery {
		var b strings.Builder
		for b.Len() < 10 {
			var c [1]byte
			rand.Read(c[:])
			if int(c[0]) >= 256-256%len(alphabet) { // reject for no bias
				continue
			}
			b.WriteByte(alphabet[int(c[0])%len(alphabet)])
		}
		raw := b.String()
		codes = append(codes, raw[:5]+"-"+raw[5:])
		hashes = append(hashes, sha256.Sum256([]byte(raw)))
	}
	s.Recovery = hashes
	return codes, nil
}

func normalise(code string) string {
	code = strings.ToLower(code)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, code)
}

// UseRecovery accepts an unused recovery code once, comparing with every
// stored hash so timing says nothing about which matched.
func (s *State) UseRecovery(code string) error {
	h := sha256.Sum256([]byte(normalise(code)))
	idx := -1
	for i := range s.Recovery {
		eq := subtle.ConstantTimeCompare(s.Recovery[i][:], h[:])
		idx = subtle.ConstantTimeSelect(eq, i, idx)
	}
	if idx < 0 {
		return ErrWrongCode
	}
	s.Recovery = append(s.Recovery[:idx:idx], s.Recovery[idx+1:]...)
	return nil
}

// RecoveryLeft is how many recovery codes are unused.
func (s *State) RecoveryLeft() int { return len(s.Recovery) }
