package fhir

import (
	"bufio"
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
func Read(r io.Reader) iter.Seq2[Resource, error] {
	return func(yield func(Resource, error) bool) {
		br := bufio.NewReaderSize(r, 1<<16)
		dec := json.NewDecoder(br)
		n := 0
		for {
			var raw json.RawMessage
			err := dec.Decode(&raw)
			if err == io.EOF {
				if n == 0 {
					yield(Resource{}, &FormatError{Entry: -1, Msg: "the file is empty"})
				}
				return
			}
			if err != nil {
				yield(Resource{}, &FormatError{Entry: n, Msg: "this is not valid JSON: " + jsonProblem(err), Err: err})
				return
			}
			if err := checkJSON(raw); err != nil {
				yield(Resource{}, &FormatError{Entry: n, Msg: err.Error(), Err: err})
				return
			}
			res, err := Parse(raw)
			if err != nil {
				yield(Resource{}, &FormatError{Entry: n, Msg: "this is JSON but not a FHIR resource (it has no resourceType)", Err: err})
				return
			}
			if res.Type == "Bundle" {
				if !walkBundle(res, &n, yield) {
					return
				}
				continue
			}
			if len(raw) > MaxResourceBytes {
				yield(Resource{}, &FormatError{Entry: n, Msg: fmt.Sprintf("one resource is larger than %d MB", MaxResourceBytes>>20)})
				return
			}
			if err := Validate(res); err != nil {
				yield(Resource{}, &FormatError{Entry: n, Msg: err.Error(), Err: err})
				return
			}
			if !yield(withID(res, ""), nil) {
				return
			}
			n++
		}
	}
}

type bundle struct {
	Type  string `json:"type"`
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   *struct {
			Mode string `json:"mode"`
		} `json:"search"`
	} `json:"entry"`
}

func walkBundle(b Resource, n *int, yield func(Resource, error) bool) bool {
	var bd bundle
	if err := json.Unmarshal(b.Raw, &bd); err != nil {
		yield(Resource{}, &FormatError{Entry: *n, Msg: "this Bundle is not laid out as FHIR R4 expects: " + jsonProblem(err), Err: err})
		return false
	}
	for _, e := range bd.Entry {
		if len(e.Resource) == 0 {
			*n++ // transaction responses and deletions carry no resource
			continue
		}
		res, err := Parse(e.Resource)
		if err != nil {
			yield(Resource{}, &FormatError{Entry: *n, Msg: "a Bundle entry is not a FHIR resource", Err: err})
			return false
		}
		if e.Search != nil && e.Search.Mode == "outcome" && res.Type == "OperationOutcome" {
			*n++ // describes the search, not the patient
			continue
		}
		if res.Type == "Bundle" {
			if !walkBundle(res, n, yield) {
				return false
			}
			continue
		}
		if err := Validate(res); err != nil {
			yield(Resource{}, &FormatError{Entry: *n, Msg: err.Error(), Err: err})
			return false
		}
		if !yield(withID(res, e.FullURL), nil) {
			return false
		}
		*n++
	}
	return true
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
