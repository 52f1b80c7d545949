package passwords

import (
	"context"
	"crypto/rand"

	"golang.org/x/crypto/argon2"

	"github.com/ward-health/ward/backend/vault"
)

// DummyParams are the Argon2id parameters Dummy uses: the vault's defaults
// for new password slots, so a dummy costs what a real unlock costs.
var DummyParams = vault.DefaultArgon2Params

// dummySaltSize matches the vault's password-slot salt; the salt size barely
// affects cost, but matching it leaves nothing to measure.
const dummySaltSize = 16

// Dummy runs one Argon2id over pw with DummyParams, through l, and throws the
// result away. Sign-in calls it when the email is unknown so that the answer
// takes as long as a wrong password for a real account. It returns ctx.Err()
// if ctx ends while queued.
func Dummy(ctx context.Context, l *Limiter, pw []byte) error {
	var salt [dummySaltSize]byte
	rand.Read(salt[:]) // never fails (crypto/rand since Go 1.24)
	return l.Do(ctx, func() {
		k := argon2.IDKey(pw, salt[:], DummyParams.Time, DummyParams.Memory, DummyParams.Threads, vault.DataKeySize)
		clear(k)
	})
}
