package passwords

import (
	"context"
	"runtime"
)

// Limiter bounds how many Argon2id runs happen at once. Each run takes
// vault.DefaultArgon2Params.Memory (64 MiB), so without a bound a burst of
// sign-ins could exhaust memory; queued callers wait instead.
type Limiter struct {
	slots chan struct{}
}

// NewLimiter returns a Limiter allowing n concurrent runs. n < 1 means the
// default, max(1, runtime.NumCPU()): Argon2id is CPU-bound, so more runs than
// cores only add memory without adding throughput.
func NewLimiter(n int) *Limiter {
	if n < 1 {
		n = max(1, runtime.NumCPU())
	}
	return &Limiter{slots: make(chan struct{}, n)}
}

// Do waits for a free slot and runs fn in it. If ctx ends first, fn does not
// run and Do returns ctx.Err(). A nil Limiter runs fn without waiting.
func (l *Limiter) Do(ctx context.Context, fn func()) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l == nil {
		fn()
		return nil
	}
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.slots }()
	fn()
	return nil
}
