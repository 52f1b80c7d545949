package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// Faults a file can have that a person can recognise. A *FormatError's
// Kind is one of these (or nil), so that the words for it (backend/words)
// can say what is wrong plainly ("line 3 has a comment") and keep the
// decoder's own message for "Technical details".
var (
	// ErrEmpty: there is nothing in the file.
	ErrEmpty = errors.New("the file is empty")
	// ErrNotJSON: the file does not start as JSON at all (a PDF, a
	// spreadsheet, a web page saved under a .json name).
	ErrNotJSON = errors.New("the file is not JSON")
	// ErrComment: a // or /* comment, which JSON does not allow (a file
	// edited by hand).
	ErrComment = errors.New("the JSON has a comment")
	// ErrTrailingComma: a comma with nothing after it before } or ].
	ErrTrailingComma = errors.New("the JSON has a comma with nothing after it")
	// ErrSingleQuotes: text in 'single quotes' where JSON needs double.
	ErrSingleQuotes = errors.New("the JSON has single quotes")
	// ErrTruncated: the file ends part-way through (a download or copy
	// that did not finish).
	ErrTruncated = errors.New("the file ends part-way through")
	// ErrSyntax: any other JSON syntax mistake.
	ErrSyntax = errors.New("the JSON has a syntax mistake")
	// ErrBadXML: an XML file (FHIR XML or C-CDA) that is not well formed.
	ErrBadXML = errors.New("the XML is not well formed")
)

// syntaxKind says which fault a decoder error is; bad is the byte the
// decoder stopped at (0 when not known).
func syntaxKind(err error, bad byte, first bool) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return ErrTruncated
	}
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		return ErrSyntax
	}
	msg := syn.Error()
	switch {
	case strings.Contains(msg, "unexpected end of JSON input"):
		return ErrTruncated
	case bad == '/' || strings.HasPrefix(msg, "invalid character '/'"):
		return ErrComment
	case bad == '\'' || strings.HasPrefix(msg, "invalid character '\\''"):
		return ErrSingleQuotes
	case strings.HasPrefix(msg, "invalid character '}' looking for beginning of object key"),
		strings.HasPrefix(msg, "invalid character ']' looking for beginning of value"):
		return ErrTrailingComma
	case first:
		return ErrNotJSON
	}
	return ErrSyntax
}

// errorAt is the 1-based line of the JSON syntax error err, which the
// decoder has just returned, and the byte it stopped at: 0 and 0 when
// they cannot be told.
//
// The decoder's own SyntaxError.Offset counts only the bytes of the
// values it decoded, not the whole file, so the line is worked out here:
// the guard counts the newlines it has handed the decoder, the decoder
// still holds the bytes from the value that failed onwards (Buffered),
// and decoding those again on their own finds where in them it failed.
func (rd *reader) errorAt(err error) (line int, bad byte) {
	var syn *json.SyntaxError
	if rd.g == nil || !errors.As(err, &syn) {
		return 0, 0
	}
	held, _ := io.ReadAll(rd.dec.Buffered())
	before := rd.g.lines - int64(bytes.Count(held, []byte{'\n'}))
	at := 0
	var again *json.SyntaxError
	var raw json.RawMessage
	if e := json.NewDecoder(bytes.NewReader(held)).Decode(&raw); errors.As(e, &again) {
		at = int(again.Offset) - 1 // Offset counts the bad byte itself
	}
	at = min(max(at, 0), len(held))
	if at < len(held) {
		bad = held[at]
	}
	return int(before) + bytes.Count(held[:at], []byte{'\n'}) + 1, bad
}
