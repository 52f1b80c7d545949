package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/ward-health/ward/backend/imports"
	"github.com/ward-health/ward/backend/words"
)

// MaxUpload is the largest file Ward imports in one go.
const MaxUpload = 1 << 30

// DemoReadOnly is the answer to an import into the demo.
const DemoReadOnly = "This is a demonstration record, so files cannot be imported into it. Set up your own record to import files."

// startImport reads the file in the request body and imports it, answering
// when it is done; meanwhile the page polls GET /api/imports/{id} with the
// id it chose.
func (h *handler) startImport(w http.ResponseWriter, r *http.Request) {
	// The demo is one record for every visitor and needs no password:
	// anything imported into it would be shown to all of them.
	if h.opt.Vault != nil && h.opt.Vault.Status("").Demo {
		writeError(w, http.StatusForbidden, "demo_read_only", DemoReadOnly)
		return
	}
	if _, ok := h.record(w, r); !ok {
		return
	}
	q := r.URL.Query()
	name := path.Base(strings.ReplaceAll(q.Get("name"), "\\", "/"))
	if name == "." || name == "/" {
		name = "the file"
	}
	if r.ContentLength > MaxUpload {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large",
			fmt.Sprintf("%s is larger than 1 GB, which is more than Ward can import at once. Ask the organisation for a smaller export.", name))
		return
	}
	body := &limited{r: r.Body, left: MaxUpload}
	same := q.Get("samePerson") == "yes"
	ran, err := h.importsFor(r).Run(r.Context(), h.token(r), q.Get("id"), name, strings.TrimSpace(q.Get("source")), same, r.ContentLength, body)
	snap := worded(ran)
	// The file's name and the source may name the patient: only the size
	// and the outcome are logged.
	outcome := snap.State
	if snap.Code != "" {
		outcome = snap.Code
	}
	if err != nil || body.over {
		outcome = "refused"
	}
	h.security("import", r, "outcome", outcome, "bytes", MaxUpload-body.left)
	switch {
	case err == nil && body.over:
		writeError(w, http.StatusRequestEntityTooLarge, "too_large",
			fmt.Sprintf("%s is larger than 1 GB, which is more than Ward can import at once. Nothing from it was saved.", name))
	case err == nil:
		writeJSON(w, http.StatusOK, snap)
	case errors.Is(err, imports.ErrBusy):
		writeError(w, http.StatusConflict, "busy", "Another import is still running. Wait for it to finish, then try again.")
	default:
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
	}
}

func (h *handler) importStatus(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.record(w, r); !ok {
		return
	}
	id := r.PathValue("id")
	j, ok := h.importsFor(r).Job(id)
	if !ok {
		// The page polls with the id it chose as soon as it starts the
		// upload, which may reach Ward a moment later.
		if imports.ValidID(id) {
			writeJSON(w, http.StatusOK, imports.Snapshot{ID: id, State: imports.Pending})
			return
		}
		writeError(w, http.StatusNotFound, "not_found", "We could not find that import.")
		return
	}
	writeJSON(w, http.StatusOK, worded(j.Snapshot()))
}

// importAnswer is an import's progress as the API reports it: with a
// failed one's technical detail beside its plain message.
type importAnswer struct {
	imports.Snapshot
	// Detail is the reader's own words for a file Ward could not read
	// ("invalid character '/' ... (line 3)"), shown behind "Technical
	// details"; "" otherwise.
	Detail string `json:"detail,omitempty"`
}

// worded puts a failed import's error into words.
func worded(s imports.Snapshot) importAnswer {
	a := importAnswer{Snapshot: s}
	if s.Err != nil {
		w := words.ImportFailed(s.File, s.Err)
		a.Code, a.Message = w.Code, w.Text
		a.Detail = words.ImportDetail(s.Err)
	}
	return a
}

func (h *handler) cancelImport(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.record(w, r); !ok {
		return
	}
	j, ok := h.importsFor(r).Job(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "We could not find that import.")
		return
	}
	j.Cancel()
	w.WriteHeader(http.StatusNoContent)
}

// limited stops reading after left bytes and remembers that it did.
type limited struct {
	r    io.Reader
	left int64
	over bool
}

var errTooLarge = errors.New("the file is too large")

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, err := l.r.Read(one[:]); n == 0 && err == io.EOF {
			return 0, io.EOF
		}
		l.over = true
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
