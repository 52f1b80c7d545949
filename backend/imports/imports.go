// Package imports reads files a patient brings (FHIR R4 JSON bundles,
// NDJSON, single resources, C-CDA XML) and runs imports into the open
// vault as jobs whose progress the page can poll and which can be
// cancelled, leaving the vault as it was.
package imports

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ward-health/ward/backend/ccda"
	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// Resources reads any file Ward imports, deciding by its first bytes: XML is
// a C-CDA document (yielded as its DocumentReference, then the resources its
// structured entries describe), anything else FHIR JSON.
func Resources(r io.Reader) iter.Seq2[fhir.Resource, error] {
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(512)
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(head) > 0 && head[0] == '<' && bytes.Contains(head, []byte(`"http://hl7.org/fhir"`)) {
		return func(yield func(fhir.Resource, error) bool) {
			js, err := fhir.XMLToJSON(br)
			if err != nil {
				yield(fhir.Resource{}, &fhir.FormatError{Entry: -1, Msg: err.Error(), Err: err})
				return
			}
			for r, err := range fhir.Read(bytes.NewReader(js)) {
				if !yield(r, err) || err != nil {
					return
				}
			}
		}
	}
	if len(head) > 0 && head[0] == '<' {
		return func(yield func(fhir.Resource, error) bool) {
			doc, entries, _, err := ccda.Read(br)
			if errors.Is(err, ccda.ErrNotCDA) {
				err = errors.New("this XML file is not a C-CDA document or FHIR")
			}
			if err != nil {
				yield(fhir.Resource{}, &fhir.FormatError{Entry: -1, Msg: err.Error(), Err: err})
				return
			}
			// The document first, then what its entries say.
			if !yield(doc, nil) {
				return
			}
			for _, res := range entries {
				if !yield(res, nil) {
					return
				}
			}
		}
	}
	return fhir.Read(br)
}

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
	result  *store.ImportResult
	ended   time.Time
}

// Snapshot is a job's progress as the API reports it.
type Snapshot struct {
	ID         string              `json:"id"`
	File       string              `json:"file"`
	Source     string              `json:"source"`
	State      string              `json:"state"`
	BytesDone  int64               `json:"bytesDone"`
	BytesTotal int64               `json:"bytesTotal"`
	Items      int64               `json:"items"`
	Message    string              `json:"message"`
	Summary    *store.ImportResult `json:"summary"`
}

// Snapshot reads the job's progress.
func (j *Job) Snapshot() Snapshot {
	j.mu.Lock()
	defer j.mu.Unlock()
	return Snapshot{ID: j.id, File: j.file, Source: j.source, State: j.state, BytesDone: j.bytesDone.Load(),
		BytesTotal: j.bytesTotal, Items: j.items.Load(), Message: j.message, Summary: j.result}
}

// Cancel stops the job; the vault is left as it was.
func (j *Job) Cancel() { j.cancel() }

// Runner runs one import at a time and remembers recent ones.
type Runner struct {
	Vault *session.Manager
	mu    sync.Mutex
	jobs  map[string]*Job
	busy  bool
}

// ErrBusy means another import is running.
var ErrBusy = errors.New("another import is running")

var idPattern = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

// ValidID reports whether id is a well-formed import id.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Run imports the file read from body, blocking until it ends; the page
// polls the job by id meanwhile. id may be chosen by the caller (so it can
// poll before this returns) or left empty.
func (rn *Runner) Run(ctx context.Context, tok, id, file, source string, size int64, body io.Reader) (Snapshot, error) {
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

	counted := &countingReader{r: body, n: &j.bytesDone}
	resources := Resources(counted)
	items := func(yield func(store.Item, error) bool) {
		for r, err := range resources {
			if err != nil {
				yield(store.Item{}, fmt.Errorf("%s %w", file, err))
				return
			}
			if !yield(store.Item{Type: r.Type, ID: r.ID, Raw: r.Raw}, nil) {
				return
			}
		}
	}
	// The source must be known before the first record is written, and a
	// streamed file names its organisation (if at all) somewhere inside.
	if source == "" {
		source = "Imported from " + file
	}
	j.mu.Lock()
	j.source = source
	j.mu.Unlock()
	src := store.Source{Name: source, LastUpdated: time.Now().UTC()}
	res, err := rn.Vault.Import(ctx, tok, store.Batch{Source: src, Items: items, Progress: func(n int) { j.items.Store(int64(n)) }})
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ended = time.Now()
	switch {
	case err == nil:
		j.state, j.result = Done, &res
	case errors.Is(err, store.ErrCancelled) || ctx.Err() != nil:
		j.state, j.message = Cancelled, "The import was cancelled. Nothing from "+file+" was saved."
	default:
		j.state, j.message = Failed, Message(file, err)
	}
	return Snapshot{ID: j.id, File: j.file, Source: source, State: j.state, BytesDone: j.bytesDone.Load(),
		BytesTotal: j.bytesTotal, Items: j.items.Load(), Message: j.message, Summary: j.result}, nil
}

// Message says in plain words why a file was not imported.
func Message(file string, err error) string {
	var fe *fhir.FormatError
	if errors.As(err, &fe) {
		return fmt.Sprintf("%s could not be imported: %s. Nothing from it was saved; everything else is as it was.", file, fe.Error())
	}
	if errors.Is(err, session.ErrLocked) || errors.Is(err, session.ErrUnauthorised) || errors.Is(err, vault.ErrLocked) {
		return fmt.Sprintf("%s could not be imported because your record was locked. Nothing from it was saved.", file)
	}
	return fmt.Sprintf("%s could not be imported. %s", file, store.UserMessage(err))
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

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
