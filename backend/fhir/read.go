package fhir

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"unicode/utf8"
)

// MaxResourceBytes bounds one resource (or one NDJSON line) so a hostile
// file cannot make Ward hold gigabytes at once.
const MaxResourceBytes = 64 << 20

// MaxDepth bounds JSON nesting; FHIR resources are rarely deeper than 20.
const MaxDepth = 100

// FormatError describes what is wrong with an input file, in words fit to
// show the person importing it.
type FormatError struct {
	Entry int // 0-based index of the resource or bundle entry, -1 for the file
	Msg   string
	Err   error
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
		rd := &reader{dec: json.NewDecoder(bufio.NewReaderSize(r, 1<<16)), yield: yield, opt: opt}
		rd.dec.UseNumber()
		rd.run()
	}
}

type reader struct {
	dec   *json.Decoder
	yield func(Resource, error) bool
	opt   ReadOptions
	n     int  // entries seen, for error messages
	done  bool // the consumer stopped or an error was reported
}

func (rd *reader) fail(msg string, err error) {
	if !rd.done {
		rd.done = true
		rd.yield(Resource{}, &FormatError{Entry: rd.n, Msg: msg, Err: err})
	}
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
	values := 0
	for !rd.done {
		tok, err := rd.dec.Token()
		if err == io.EOF {
			if values == 0 {
				rd.fail("the file is empty", nil)
			}
			return
		}
		if err != nil {
			rd.fail("this is not valid JSON: "+jsonProblem(err), err)
			return
		}
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			rd.fail("this is JSON but not a FHIR resource (a resource is a JSON object)", nil)
			return
		}
		values++
		rd.object()
	}
}

// object reads a top-level object whose '{' was just consumed: a Bundle,
// streamed entry by entry, or any other resource, kept whole.
func (rd *reader) object() {
	var (
		fields  []field
		rtype   string
		entries []json.RawMessage // entries seen before resourceType said Bundle
		size    int
	)
	for rd.dec.More() {
		tok, err := rd.dec.Token()
		if err != nil {
			rd.fail("this is not valid JSON: "+jsonProblem(err), err)
			return
		}
		name, _ := tok.(string)
		if name == "entry" && (rtype == "Bundle" || rtype == "") {
			if ok := rd.entries(rtype == "Bundle", &entries); !ok {
				return
			}
			continue
		}
		var raw json.RawMessage
		if err := rd.dec.Decode(&raw); err != nil {
			rd.fail("this is not valid JSON: "+jsonProblem(err), err)
			return
		}
		if name == "resourceType" {
			if err := json.Unmarshal(raw, &rtype); err != nil {
				rd.fail("resourceType is not text", err)
				return
			}
		}
		size += len(raw)
		if size > MaxResourceBytes && rtype != "Bundle" {
			rd.fail(fmt.Sprintf("one resource is larger than %d MB", MaxResourceBytes>>20), nil)
			return
		}
		fields = append(fields, field{name, raw})
	}
	if _, err := rd.dec.Token(); err != nil { // the closing '}'
		rd.fail("this is not valid JSON: "+jsonProblem(err), err)
		return
	}
	switch {
	case rtype == "":
		rd.fail("this is JSON but not a FHIR resource (it has no resourceType)", ErrNotResource)
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

// entries reads a Bundle's entry array; when stream is false (resourceType
// not seen yet) it keeps them for later instead.
func (rd *reader) entries(stream bool, keep *[]json.RawMessage) bool {
	tok, err := rd.dec.Token()
	if err != nil {
		rd.fail("this is not valid JSON: "+jsonProblem(err), err)
		return false
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		rd.fail("the Bundle's entry is not a list", nil)
		return false
	}
	for rd.dec.More() {
		var e json.RawMessage
		if err := rd.dec.Decode(&e); err != nil {
			rd.fail("this is not valid JSON: "+jsonProblem(err), err)
			return false
		}
		if !stream {
			*keep = append(*keep, e)
			continue
		}
		if !rd.entry(e) {
			return false
		}
	}
	if _, err := rd.dec.Token(); err != nil {
		rd.fail("this is not valid JSON: "+jsonProblem(err), err)
		return false
	}
	if *keep == nil && !stream {
		*keep = []json.RawMessage{}
	}
	return true
}

type bundleEntry struct {
	FullURL  string          `json:"fullUrl"`
	Resource json.RawMessage `json:"resource"`
	Search   *struct {
		Mode string `json:"mode"`
	} `json:"search"`
}

// entry handles one Bundle entry; it returns false to stop.
func (rd *reader) entry(raw json.RawMessage) bool {
	if rd.done {
		return false
	}
	var fullURL, mode string
	var res []byte
	_, err := members(raw, func(k string, v []byte) {
		switch k {
		case "fullUrl":
			fullURL, _ = str(v)
		case "resource":
			res = v
		case "search":
			members(v, func(k string, v []byte) {
				if k == "mode" {
					mode, _ = str(v)
				}
			})
		}
	})
	if err != nil {
		rd.fail("this Bundle entry is not laid out as FHIR R4 expects (an entry is a JSON object)", err)
		return false
	}
	if len(res) == 0 || string(res) == "null" {
		rd.n++ // transaction responses and deletions carry no resource
		return true
	}
	if !utf8.Valid(res) {
		rd.fail("the file is not valid UTF-8 text", nil)
		return false
	}
	env, err := envelopeOf(res)
	if err != nil || env.typ == "" {
		rd.fail("a Bundle entry is not a FHIR resource", ErrNotResource)
		return false
	}
	if env.depth > MaxDepth {
		err := fmt.Errorf("the JSON is nested %d levels deep, more than FHIR ever needs (%d)", env.depth, MaxDepth)
		rd.fail(err.Error(), err)
		return false
	}
	if env.typ == "OperationOutcome" && mode == "outcome" {
		if rd.opt.Outcome != nil {
			rd.opt.Outcome(res)
		}
		rd.n++ // describes the search, not the patient
		return true
	}
	if env.typ == "Bundle" {
		var inner struct {
			Entry []json.RawMessage `json:"entry"`
		}
		if err := json.Unmarshal(res, &inner); err != nil {
			rd.fail("this Bundle is not laid out as FHIR R4 expects: "+jsonProblem(err), err)
			return false
		}
		for _, ie := range inner.Entry {
			if !rd.entry(ie) {
				return false
			}
		}
		return !rd.done
	}
	if err := env.validate(); err != nil {
		rd.fail(err.Error(), err)
		return false
	}
	if !rd.yield(withID(Resource{Type: env.typ, ID: env.id, Raw: res}, fullURL), nil) {
		rd.done = true
	}
	rd.n++
	return !rd.done
}

// withID gives an id-less resource a stable id: from its urn:uuid full URL
// when it has one, else from its content.
func withID(r Resource, fullURL string) Resource {
	if r.ID != "" {
		return r
	}
	if u, ok := strings.CutPrefix(fullURL, "urn:uuid:"); ok && u != "" {
		r.ID = u
		return r
	}
	sum := sha256.Sum256(r.Raw)
	r.ID = "ward-" + hex.EncodeToString(sum[:12])
	return r
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

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Sprintf("%q should be %s, not %s", typ.Field, typ.Type, typ.Value)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the file ends in the middle of the JSON"
	}
	return err.Error()
}
