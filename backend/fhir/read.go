package fhir

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"unicode/utf8"
)

// MaxResourceBytes bounds one resource (or one NDJSON line) so a hostile
// file cannot make Ward hold gigabytes at once.
const MaxResourceBytes = 64 << 20

// tooLarge is the words for a resource over MaxResourceBytes.
var tooLarge = fmt.Sprintf("one resource is larger than %d MB, more than Ward reads at once", MaxResourceBytes>>20)

// errTooLarge is what the guard returns when a value outgrows its window.
var errTooLarge = errors.New("a resource is larger than MaxResourceBytes")

// guardWindow is how far past the start of the value being decoded the
// JSON decoder may read: one resource and its Bundle entry's envelope.
const guardWindow = MaxResourceBytes + 1<<20

// guard sits between the input and the JSON decoder. json.Decoder buffers
// a whole value before returning it, so without the guard one huge value
// (a Bundle entry, a field, a string) would be held whole, however large,
// before Ward could measure it. The guard hands the decoder no more than
// guardWindow bytes past the start of the value it is reading
// (InputOffset), so no value costs more than that before it is refused.
type guard struct {
	r     io.Reader
	dec   *json.Decoder
	fed   int64 // bytes handed to the decoder
	lines int64 // newlines handed to the decoder, for errorAt
}

func (g *guard) Read(p []byte) (int, error) {
	room := g.dec.InputOffset() + guardWindow - g.fed
	if room <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := g.r.Read(p)
	g.fed += int64(n)
	g.lines += int64(bytes.Count(p[:n], []byte{'\n'}))
	return n, err
}

// MaxDepth bounds JSON nesting; FHIR resources are rarely deeper than 20.
const MaxDepth = 100

// FormatError describes what is wrong with an input file, in words fit to
// show the person importing it.
type FormatError struct {
	Entry int // 0-based index of the resource or bundle entry, -1 for the file
	Msg   string
	Err   error
	// Kind is what is wrong, when it is a fault a person can recognise
	// (ErrComment, ErrTruncated … in faults.go); nil otherwise.
	Kind error
	// Line is the 1-based line of a syntax mistake, 0 when not known.
	Line int
}

func (e *FormatError) Error() string {
	if e.Entry >= 0 {
		return fmt.Sprintf("entry %d: %s", e.Entry, e.Msg)
	}
	return e.Msg
}

func (e *FormatError) Unwrap() error { return e.Err }

// Read yields every resource in a FHIR R4 JSON file: a Bundle (entries
// walked recursively, search outcomes skipped), NDJSON (one resource per
// line) or a single resource. Resources without an id get a stable one
// derived from their content. The first problem stops the sequence with a
// *FormatError naming the entry.
//
// A Bundle whose resourceType comes before its entries (as servers write
// them) is read one entry at a time, so a bundle of any size is read in
// memory bounded by its largest entry.
func Read(r io.Reader) iter.Seq2[Resource, error] {
	return ReadWith(r, ReadOptions{})
}

// ReadOptions lets the caller see what a file says about itself, beside
// its resources.
type ReadOptions struct {
	// Outcome gets each search-outcome OperationOutcome (the server's
	// notes on the search, such as "may not contain the entire record");
	// they are not yielded as resources.
	Outcome func(raw []byte)
	// Bundle gets each top-level Bundle's own JSON without its entries
	// (type, link, meta), once the Bundle has been read.
	Bundle func(raw []byte)
}

// ReadWith is Read, telling opt what the file says about itself.
func ReadWith(r io.Reader, opt ReadOptions) iter.Seq2[Resource, error] {
	return func(yield func(Resource, error) bool) {
		g := &guard{r: bufio.NewReaderSize(r, 1<<16)}
		rd := &reader{dec: json.NewDecoder(g), g: g, yield: yield, opt: opt}
		g.dec = rd.dec
		rd.dec.UseNumber()
		rd.run()
	}
}

type reader struct {
	dec   *json.Decoder
	g     *guard
	yield func(Resource, error) bool
	opt   ReadOptions
	n     int  // entries seen, for error messages
	done  bool // the consumer stopped or an error was reported
	// values is how many top-level values have begun: a file whose very
	// first token is not JSON is not a JSON file at all.
	values int
}

func (rd *reader) fail(msg string, err error) { rd.failAt(rd.n, msg, err) }

func (rd *reader) failAt(entry int, msg string, err error) {
	rd.failWith(&FormatError{Entry: entry, Msg: msg, Err: err})
}

func (rd *reader) failWith(fe *FormatError) {
	if !rd.done {
		rd.done = true
		rd.yield(Resource{}, fe)
	}
}

// badJSON reports an error from the decoder: too large a value (the
// guard stopped it), or JSON that does not parse.
func (rd *reader) badJSON(entry int, err error) {
	if errors.Is(err, errTooLarge) {
		rd.failAt(entry, tooLarge, err)
		return
	}
	line, bad := rd.errorAt(err)
	fe := &FormatError{Entry: entry, Err: err, Kind: syntaxKind(err, bad, rd.values == 0), Line: line}
	fe.Msg = "this is not valid JSON: " + jsonProblem(err, fe.Line)
	rd.failWith(fe)
}

func (rd *reader) emit(res Resource, fullURL string) {
	if rd.done {
		return
	}
	if err := Validate(res); err != nil {
		rd.fail(err.Error(), err)
		return
	}
	if !rd.yield(withID(res, fullURL), nil) {
		rd.done = true
	}
	rd.n++
}

func (rd *reader) run() {
	for !rd.done {
		tok, err := rd.dec.Token()
		if err == io.EOF {
			if rd.values == 0 {
				rd.failWith(&FormatError{Entry: rd.n, Msg: "the file is empty", Kind: ErrEmpty})
			}
			return
		}
		if err != nil {
			rd.badJSON(rd.n, err)
			return
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			rd.fail("this is JSON but not a FHIR resource (a resource is a JSON object)", nil)
			return
		}
		rd.values++
		rd.object()
	}
}

// object reads a top-level object whose '{' was just consumed: a Bundle,
// streamed entry by entry, or any other resource, kept whole.
//
// What it keeps in memory is bounded by MaxResourceBytes: the fields of a
// resource, the fields of a Bundle other than its entries, and the
// entries of a Bundle that says it is one only after them (which cannot
// be streamed). Each value is also bounded while it is decoded (the
// guard), so nothing is held whole before it is measured.
func (rd *reader) object() {
	var (
		fields  []field
		rtype   string
		entries []json.RawMessage // entries seen before resourceType said Bundle
		size    int               // bytes of fields and entries kept
	)
	// tooBig reports the object's kept bytes going over the cap.
	tooBig := func() {
		switch {
		case rtype == "Bundle":
			rd.failAt(-1, fmt.Sprintf("the Bundle's own fields (beside its entries) are larger than %d MB", MaxResourceBytes>>20), errTooLarge)
		case entries != nil:
			rd.failAt(-1, fmt.Sprintf("this file's entries come before its resourceType and are larger than %d MB together; Ward reads a Bundle this large only when its resourceType comes first", MaxResourceBytes>>20), errTooLarge)
		default:
			rd.fail(tooLarge, errTooLarge)
		}
	}
	for rd.dec.More() {
		tok, err := rd.dec.Token()
		if err != nil {
			rd.badJSON(rd.n, err)
			return
		}
		name, _ := tok.(string)
		if name == "entry" && (rtype == "Bundle" || rtype == "") {
			if ok := rd.entries(rtype == "Bundle", &entries, &size); !ok {
				return
			}
			if size > MaxResourceBytes {
				tooBig()
				return
			}
			continue
		}
		var raw json.RawMessage
		if err := rd.dec.Decode(&raw); err != nil {
			if errors.Is(err, errTooLarge) {
				tooBig()
				return
			}
			rd.badJSON(rd.n, err)
			return
		}
		if name == "resourceType" {
			if err := json.Unmarshal(raw, &rtype); err != nil {
				rd.fail("resourceType is not text", err)
				return
			}
		}
		size += len(raw) + len(name)
		if size > MaxResourceBytes {
			tooBig()
			return
		}
		fields = append(fields, field{name, raw})
	}
	if _, err := rd.dec.Token(); err != nil { // the closing '}'
		rd.badJSON(rd.n, err)
		return
	}
	switch {
	case rtype == "":
		rd.failWith(&FormatError{Entry: rd.n, Msg: "this is JSON but not a FHIR resource (it has no resourceType)", Err: ErrNotResource, Kind: ErrNotResource})
	case rtype == "Bundle":
		for _, e := range entries {
			if !rd.entry(e) {
				return
			}
		}
		if rd.opt.Bundle != nil && !rd.done {
			rd.opt.Bundle(assemble(fields))
		}
	default:
		if entries != nil {
			fields = append(fields, field{"entry", mustJSON(entries)})
		}
		raw := assemble(fields)
		if err := checkJSON(raw); err != nil {
			rd.fail(err.Error(), err)
			return
		}
		rd.emit(Resource{Type: rtype, ID: idOf(fields), Raw: raw}, "")
	}
}

type field struct {
	name string
	raw  json.RawMessage
}

func assemble(fields []field) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(f.name)
		b.Write(name)
		b.WriteByte(':')
		b.Write(f.raw)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func idOf(fields []field) string {
	for _, f := range fields {
		if f.name == "id" {
			var id string
			json.Unmarshal(f.raw, &id)
			return id
		}
	}
	return ""
}

// checkJSON rejects what encoding/json accepts but FHIR must not be:
// invalid UTF-8 and absurd nesting.
func checkJSON(raw []byte) error {
	if !utf8.Valid(raw) {
		return errors.New("the file is not valid UTF-8 text")
	}
	depth, max := 0, 0
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch c {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				max = depth
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	if max > MaxDepth {
		return fmt.Errorf("the JSON is nested %d levels deep, more than FHIR ever needs (%d)", max, MaxDepth)
	}
	return nil
}

// jsonProblem is the decoder's own words for err, with the line it is on
// (line, from errorAt; 0 when not known).
func jsonProblem(err error, line int) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) && line > 0 {
		return fmt.Sprintf("%s (line %d)", syn.Error(), line)
	}
	if errors.As(err, &syn) {
		return syn.Error()
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Sprintf("%q should be %s, not %s", typ.Field, typ.Type, typ.Value)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the file ends in the middle of the JSON"
	}
	return err.Error()
}
