// Package imports runs the page's imports into the open vault as jobs whose
// progress the page can poll and which can be cancelled, leaving the vault
// as it was. Reading and checking a file is package intake's work.
package imports

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ward-health/ward/backend/intake"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
)

// Job states.
const (
	Pending   = "pending" // not started yet (the upload has not arrived)
	Running   = "running"
	Done      = "done"
	Failed    = "failed"
	Cancelled = "cancelled"
)

// Job is one import. Its fields are read through Snapshot.
type Job struct {
	id, file, source string
	bytesTotal       int64
	bytesDone        atomic.Int64
	items            atomic.Int64
	cancel           context.CancelFunc

	mu      sync.Mutex
	state   string
	message string
	err     error // why it failed; the API puts it into words
	result  *intake.Result
	ended   time.Time
}

// Snapshot is a job's progress as the API reports it.
type Snapshot struct {
	ID         string         `json:"id"`
	File       string         `json:"file"`
	Source     string         `json:"source"`
	State      string         `json:"state"`
	BytesDone  int64          `json:"bytesDone"`
	BytesTotal int64          `json:"bytesTotal"`
	Items      int64          `json:"items"`
	Message    string         `json:"message"`
	Code       string         `json:"code,omitempty"` // why it failed, for the page
	Summary    *intake.Result `json:"summary"`
	// Err is why the import failed; the API edge turns it into Code and
	// Message.
	Err error `json:"-"`
}

// Snapshot reads the job's progress.
func (j *Job) Snapshot() Snapshot {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.snapshot()
}

// snapshot is Snapshot with mu held.
func (j *Job) snapshot() Snapshot {
	return Snapshot{ID: j.id, File: j.file, Source: j.source, State: j.state, BytesDone: j.bytesDone.Load(),
		BytesTotal: j.bytesTotal, Items: j.items.Load(), Message: j.message, Summary: j.result, Err: j.err}
}

// Cancel stops the job; the vault is left as it was.
func (j *Job) Cancel() { j.cancel() }

// Runner runs one import at a time and remembers recent ones.
type Runner struct {
	Vault *session.Manager
	mu    sync.Mutex
	jobs  map[string]*Job
	busy  bool
	// failed is the last import if it failed: the home page asks for it
	// again until an import succeeds (it is kept in memory only).
	failed *Job
}

// ErrBusy means another import is running.
var ErrBusy = errors.New("another import is running")

var idPattern = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

// ValidID reports whether id is a well-formed import id.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Run imports the file read from body, blocking until it ends; the page
// polls the job by id meanwhile. id may be chosen by the caller (so it can
// poll before this returns) or left empty.
// same is the person's "yes, this file is about me" after Ward was unsure.
func (rn *Runner) Run(ctx context.Context, tok, id, file, source string, same bool, size int64, body io.Reader) (Snapshot, error) {
	if id == "" {
		b := make([]byte, 12)
		rand.Read(b)
		id = "imp-" + hex.EncodeToString(b)
	}
	if !idPattern.MatchString(id) {
		return Snapshot{}, errors.New("the import id must be 8 to 64 letters, digits or dashes")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	j := &Job{id: id, file: file, source: source, bytesTotal: size, cancel: cancel, state: Running}
	rn.mu.Lock()
	if rn.busy {
		rn.mu.Unlock()
		return Snapshot{}, ErrBusy
	}
	if rn.jobs == nil {
		rn.jobs = map[string]*Job{}
	}
	if _, dup := rn.jobs[id]; dup {
		rn.mu.Unlock()
		return Snapshot{}, errors.New("an import with this id already ran")
	}
	rn.busy = true
	rn.jobs[id] = j
	rn.forgetOld()
	rn.mu.Unlock()
	defer func() {
		rn.mu.Lock()
		rn.busy = false
		rn.mu.Unlock()
	}()

	// The whole file is read and checked before anything is written: the
	// source and the patient must be known first.
	counted := &countingReader{r: body, n: &j.bytesDone, ctx: ctx}
	f, err := intake.ReadContext(ctx, counted, file)
	var res intake.Result
	if err == nil {
		res, err = rn.importFile(ctx, tok, f, Options{Source: source, SamePerson: same, Progress: func(n int) { j.items.Store(int64(n)) }})
	}
	j.mu.Lock()
	j.ended = time.Now()
	j.source = res.Source
	switch {
	case err == nil:
		j.state, j.result = Done, &res
	case errors.Is(err, store.ErrCancelled) || ctx.Err() != nil:
		j.state, j.message = Cancelled, "The import was cancelled. Nothing from "+file+" was saved."
	default:
		j.state, j.err = Failed, err
	}
	snap := j.snapshot()
	j.mu.Unlock()
	rn.mu.Lock()
	switch snap.State {
	case Done:
		rn.failed = nil
	case Failed:
		rn.failed = j
	}
	rn.mu.Unlock()
	return snap, nil
}

// LastFailure is the last import when it failed and none has succeeded
// since.
func (rn *Runner) LastFailure() (Snapshot, bool) {
	rn.mu.Lock()
	j := rn.failed
	rn.mu.Unlock()
	if j == nil {
		return Snapshot{}, false
	}
	return j.Snapshot(), true
}

// Options are what the person importing said; see intake.Options.
type Options = intake.Options

// importFile stores a read file in the open vault.
func (rn *Runner) importFile(ctx context.Context, tok string, f *intake.File, opt Options) (intake.Result, error) {
	src := intake.SourceName(opt.Source, f)
	if f.Empty() {
		return f.Result(store.ImportResult{ByType: map[string]int{}}, src), nil
	}
	res, err := rn.Vault.Import(ctx, tok, f.Batch(opt))
	if err != nil {
		return intake.Result{Source: src}, err
	}
	return f.Result(res, src), nil
}

// forgetOld drops finished jobs after ten minutes; the caller holds mu.
func (rn *Runner) forgetOld() {
	for id, j := range rn.jobs {
		j.mu.Lock()
		old := !j.ended.IsZero() && time.Since(j.ended) > 10*time.Minute
		j.mu.Unlock()
		if old {
			delete(rn.jobs, id)
		}
	}
}

// Job returns a job by id.
func (rn *Runner) Job(id string) (*Job, bool) {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	j, ok := rn.jobs[id]
	return j, ok
}

// countingReader counts what was read, and stops when the import is
// cancelled while the file is still arriving.
type countingReader struct {
	r   io.Reader
	n   *atomic.Int64
	ctx context.Context
}

func (c *countingReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
