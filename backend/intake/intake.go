// Package intake is the one way records enter a vault: the page's upload,
// `ward vault import`, the demo loader and (later) sync all come here. It
// sniffs a file's format, reads it (FHIR JSON, NDJSON or XML; C-CDA), and
// returns the resources with what the file says about itself: the
// organisation it names, the people it is about, the notices its server
// put in it (a partial record), repeated resources. Batch then turns that
// into one store transaction that refuses a file about someone else before
// anything is written.
package intake

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/ward-health/ward/backend/ccda"
	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/identity"
	"github.com/ward-health/ward/backend/records"
)

// MaxFile is the largest file Ward imports in one go; a file is held in
// memory while it is checked, so this bounds the memory an import uses.
const MaxFile = 1 << 30

// Formats a file can be in.
const (
	FHIRJSON = "FHIR JSON"
	FHIRXML  = "FHIR XML"
	CCDA     = "C-CDA"
)

// ErrTooLarge means the file is over MaxFile.
var ErrTooLarge = errors.New("intake: the file is larger than 1 GB")

// ErrNotCCDA means an XML file is neither FHIR nor a C-CDA document.
var ErrNotCCDA = errors.New("this XML file is not a C-CDA document or FHIR")

// File is one file, read whole.
type File struct {
	Name   string // the file's base name
	Format string
	// Resources in file order; of resources repeated with one type and id,
	// only the newest (meta.lastUpdated, else the last) is here.
	Resources []fhir.Resource
	// Organisation is what the data names as its origin: a C-CDA custodian,
	// the patient's managing organisation, the file's only organisation or
	// the one most of its visits name, a FHIR server's address. "" if none.
	Organisation string
	// People are the Patients the file holds (or the C-CDA recordTarget).
	People []identity.Found
	// Notices are the server's own warnings in the file (OperationOutcome),
	// such as "may not contain the entire record".
	Notices []string
	// Repeats names resources that appeared more than once ("Observation
	// obs-1, 3 times: the newest was kept").
	Repeats []string
	// SearchOnly is set for a search result with no matches: nothing but
	// the search's own outcome. It imports as nothing new.
	SearchOnly bool

	problems chan []string
	ctx      context.Context
	seen     map[string]int // index in Resources, by "Type/id"
	repeats  map[string]int // extra copies, by "Type/id"
}

// Problems lists the resources that will be stored but cannot be shown,
// each with why ("Observation obs-42 has `issued` as a number"). They are
// worked out alongside the import; this waits for them.
func (f *File) Problems() []string {
	if f.problems == nil {
		return nil
	}
	p := <-f.problems
	f.problems <- p
	return p
}

// Read reads a whole file. name is how the person knows it (a path or a
// file name); errors are *fhir.FormatError, ErrTooLarge or ErrNotCCDA.
func Read(r io.Reader, name string) (*File, error) {
	return ReadContext(context.Background(), r, name)
}

// ReadContext is Read, stopping early when ctx ends (the import was
// cancelled): the error is then ctx's.
func ReadContext(ctx context.Context, r io.Reader, name string) (*File, error) {
	f := &File{Name: baseName(name), ctx: ctx}
	br := bufio.NewReaderSize(&capped{r: r, left: MaxFile}, 1<<16)
	head, _ := br.Peek(512)
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	var err error
	switch {
	case len(head) > 0 && head[0] == '<' && bytes.Contains(head, []byte(`"http://hl7.org/fhir"`)):
		f.Format = FHIRXML
		var js []byte
		if js, err = fhir.XMLToJSON(br); err != nil {
			if !errors.As(err, new(*fhir.FormatError)) {
				err = xmlFault(err)
			}
			break
		}
		err = f.readFHIR(bytes.NewReader(js))
	case len(head) > 0 && head[0] == '<':
		f.Format = CCDA
		err = f.readCCDA(br)
	default:
		f.Format = FHIRJSON
		err = f.readFHIR(br)
	}
	if errors.Is(err, errTooLarge) {
		return nil, ErrTooLarge
	}
	if err != nil {
		return nil, err
	}
	f.finish()
	return f, nil
}

// FromResources is a file Ward made itself (the demo patient, a sync):
// resources already read, checked the same way as any file.
func FromResources(name, organisation string, rs []fhir.Resource) *File {
	f := &File{Name: name, Format: FHIRJSON, Organisation: organisation, ctx: context.Background()}
	var o origin
	for _, r := range rs {
		f.add(r, &o)
	}
	if f.Organisation == "" {
		f.Organisation = o.pick()
	}
	f.finish()
	return f
}

func (f *File) readFHIR(r io.Reader) error {
	var o origin
	outcomes := 0
	opt := fhir.ReadOptions{
		Outcome: func(raw []byte) {
			outcomes++
			f.notice(raw)
		},
		Bundle: o.bundle,
	}
	for res, err := range fhir.ReadWith(r, opt) {
		if err != nil {
			if f.ctx.Err() != nil {
				return f.ctx.Err()
			}
			return err
		}
		f.add(res, &o)
	}
	f.SearchOnly = len(f.Resources) == 0 && outcomes > 0
	f.Organisation = o.pick()
	return nil
}

func (f *File) readCCDA(r io.Reader) error {
	d, err := ccda.ParseContext(f.ctx, r)
	if f.ctx.Err() != nil {
		return f.ctx.Err()
	}
	if errors.Is(err, ccda.ErrNotCDA) {
		err = ErrNotCCDA
	}
	if err != nil {
		return xmlFault(err)
	}
	var o origin
	// The document first, then its patient, then what its entries say.
	f.add(d.Doc, &o)
	if d.Patient != nil {
		f.add(*d.Patient, &o)
	}
	for _, res := range d.Entries {
		f.add(res, &o)
	}
	f.Organisation = d.Org
	return nil
}

// finish settles what was gathered and works out, alongside whatever
// happens next, which resources the pages cannot read.
func (f *File) finish() {
	f.Repeats = f.repeatsText()
	if len(f.People) == 0 {
		f.People = f.containedPeople()
	}
	f.problems = make(chan []string, 1)
	rs := f.Resources
	go func() {
		var out []string
		for _, r := range rs {
			if err := records.Problem(r); err != nil {
				out = append(out, records.ProblemText(r, err))
			}
		}
		f.problems <- out
	}()
}

// SourceName is the one rule for which source a file's records are filed
// under, whichever way they arrive: what the person said, else the
// organisation the data names, else the file's name.
func SourceName(explicit string, f *File) string {
	if s := strings.TrimSpace(explicit); s != "" {
		return s
	}
	if f.Organisation != "" {
		return f.Organisation
	}
	return f.Name
}

func baseName(name string) string {
	b := filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if b == "." || b == "/" || b == "" {
		return "the file"
	}
	return b
}

var errTooLarge = errors.New("too large")

// capped reads at most left bytes and fails after that.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, err := c.r.Read(one[:]); n == 0 && err == io.EOF {
			return 0, io.EOF
		}
		return 0, errTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// Plural is a count with its noun: "1 record", "3 records".
func Plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
