package share

// Counting tries at a share, so that tries sent at once count as tries
// sent one by one.
//
// A try is taken from the client's address before any work, with the
// check and the count in one step under triesMu: a burst from one address
// gets its five free tries and no more. A right code gives its try back.
// The count for everyone holds only tries that failed, counted when they
// do: right codes in flight at a busy moment must not make the next
// clinician wait. The date-of-birth check of one share is likewise one
// step (dobMu): the share's count is read fresh, the date compared and a
// wrong one counted, so five wrong dates lock a share however many are
// sent at once. Every refusal then waits until refusalTime has passed
// since the try began, so the answer's timing does not say which refusal
// it was (an unknown code, a wrong date on a share of any usual size, an
// expired or revoked share).

import (
	"context"
	"time"

	"github.com/ward-health/ward/backend/accounts"
)

// refusalTime is how long every refusal takes at least: more than the
// work of a wrong date on a share of a few megabytes (about 6 ms for 1
// MiB on a small server).
var refusalTime = 30 * time.Millisecond

// take counts one try against the client's address, or says how long to
// wait.
func (s *Service) take(ctx context.Context, ipKey string) error {
	s.triesMu.Lock()
	defer s.triesMu.Unlock()
	wait, err := s.db.Check(ctx, ipKey)
	if err != nil {
		return errf("redeem: %w", err)
	}
	all, err := s.db.ThrottleWait(ctx, throttleAll, globalPer)
	if err != nil {
		return errf("redeem: %w", err)
	}
	if wait = max(wait, all); wait > 0 {
		return &ThrottledError{Wait: wait}
	}
	if _, err := s.db.Fail(ctx, ipKey); err != nil {
		return errf("redeem: %w", err)
	}
	return nil
}

// settle ends a try: a right one gives the address its try back; a wrong
// one counts against everyone too.
func (s *Service) settle(ctx context.Context, ipKey string, right bool) error {
	var err error
	if right {
		err = s.db.Refund(ctx, ipKey)
	} else {
		_, err = s.db.Fail(ctx, throttleAll)
	}
	if err != nil {
		return errf("redeem: %w", err)
	}
	return nil
}

// checkBirth says whether the date is right and the share is not locked,
// counting a wrong date against share id ("-" for no share, which counts
// nothing but does the same work).
func (s *Service) checkBirth(ctx context.Context, id string, dateRight bool) (bool, error) {
	s.dobMu.Lock()
	defer s.dobMu.Unlock()
	n, err := s.db.ShareDOBFailures(ctx, id)
	if err != nil {
		return false, errf("redeem: %w", err)
	}
	if dateRight && n < accounts.ShareMaxDOBFailures {
		return true, nil
	}
	if _, _, err := s.db.ShareDOBFailed(ctx, id); err != nil {
		return false, errf("redeem: %w", err)
	}
	return false, nil
}

// refuse waits out the rest of refusalTime since start, then gives
// ErrNotRight.
func refuse(ctx context.Context, start time.Time) error {
	t := time.NewTimer(refusalTime - time.Since(start))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	return ErrNotRight
}
