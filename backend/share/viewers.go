package share

// Clinicians' viewer sessions, held in memory.

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ward-health/ward/backend/accounts"
)

// Viewer sessions: a clinician who redeemed a share gets a random 256-bit
// session id, held only in memory. A session ends after ViewerIdle unused,
// when the share expires or is revoked (checked in the database on every
// Get), or when more than MaxViewers are held, or more than
// MaxViewersPerShare of one share (the least recently used goes: each
// holds its own decoded copy of the record, so someone with one code
// cannot fill the server's memory). A restart ends them all: the
// clinician types the code again.
const (
	ViewerIdle         = 15 * time.Minute
	MaxViewers         = 1000
	MaxViewersPerShare = 5
)

// ErrViewerEnded is a viewer session that is unknown, idle too long, or
// whose share has expired or been revoked.
var ErrViewerEnded = errors.New("share: this view has ended; ask the patient for a new code")

// Viewers holds clinicians' viewer sessions.
type Viewers struct {
	s  *Service
	mu sync.Mutex
	m  map[string]*viewerEntry
}

type viewerEntry struct {
	v    *Viewer
	used time.Time
}

func newViewers(s *Service) *Viewers { return &Viewers{s: s, m: map[string]*viewerEntry{}} }

// Viewers gives the Service's viewer sessions.
func (s *Service) Viewers() *Viewers { return s.viewers }

// Start begins a session for v (from Redeem) and gives its id.
func (vs *Viewers) Start(v *Viewer) string {
	id := randomID(32)
	now := vs.s.now()
	vs.mu.Lock()
	defer vs.mu.Unlock()
	for vs.count(v.ShareID) >= MaxViewersPerShare {
		vs.dropOldest(v.ShareID)
	}
	for len(vs.m) >= MaxViewers {
		vs.dropOldest("")
	}
	vs.m[id] = &viewerEntry{v: v, used: now}
	return id
}

// count is how many sessions share shareID has (vs.mu held).
func (vs *Viewers) count(shareID string) int {
	n := 0
	for _, e := range vs.m {
		if e.v.ShareID == shareID {
			n++
		}
	}
	return n
}

// dropOldest ends the least recently used session, of share shareID only
// unless it is "" (vs.mu held).
func (vs *Viewers) dropOldest(shareID string) {
	var oldest string
	var at time.Time
	for k, e := range vs.m {
		if (shareID == "" || e.v.ShareID == shareID) && (oldest == "" || e.used.Before(at)) {
			oldest, at = k, e.used
		}
	}
	delete(vs.m, oldest)
}

// Get gives the viewer for session id and counts as use; ErrViewerEnded
// if it has ended. It checks the share in the database each time, so a
// revocation or an expiry refuses the very next request. It logs nothing:
// the caller logs the page with LogAccess.
func (vs *Viewers) Get(ctx context.Context, id string) (*Viewer, error) {
	now := vs.s.now()
	vs.mu.Lock()
	e := vs.m[id]
	if e == nil {
		vs.mu.Unlock()
		return nil, ErrViewerEnded
	}
	if now.Sub(e.used) >= ViewerIdle || !now.Before(e.v.Expires) {
		delete(vs.m, id)
		vs.mu.Unlock()
		return nil, ErrViewerEnded
	}
	v := e.v
	vs.mu.Unlock()

	row, err := vs.s.db.ShareByID(ctx, v.ShareID)
	if errors.Is(err, accounts.ErrNotFound) || (err == nil && !row.Live(now)) {
		vs.End(id)
		return nil, ErrViewerEnded
	}
	if err != nil {
		return nil, errf("viewer: %w", err)
	}
	vs.mu.Lock()
	if e := vs.m[id]; e != nil {
		e.used = now
	}
	vs.mu.Unlock()
	return v, nil
}

// End ends session id (the clinician's "Close").
func (vs *Viewers) End(id string) {
	vs.mu.Lock()
	delete(vs.m, id)
	vs.mu.Unlock()
}

// Len is how many sessions are held.
func (vs *Viewers) Len() int {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	return len(vs.m)
}

func (vs *Viewers) endShare(shareID string) {
	vs.mu.Lock()
	defer vs.mu.Unlock()
	for k, e := range vs.m {
		if e.v.ShareID == shareID {
			delete(vs.m, k)
		}
	}
}

// LogAccess appends to v's share's access log that page was read from
// address from with User-Agent ua.
func (vs *Viewers) LogAccess(ctx context.Context, v *Viewer, page, from, ua string) error {
	return vs.s.db.LogShareAccess(ctx, accounts.ShareAccess{Share: v.ShareID, Address: from, UserAgent: ua,
		Page: page, Clinician: v.Clinician})
}
