package fhir

import (
	"encoding/json"
	"errors"
)

// The reader sees every resource's bytes several times (decoding the entry,
// reading the envelope, validating); encoding/json scans the whole value on
// each Unmarshal. members walks an object's top level once, by hand, over
// JSON the decoder has already checked for syntax.

var errNotObject = errors.New("not a JSON object")

// members calls fn with each top-level key of the object raw and the bytes
// of its value, and returns the deepest nesting seen (1 for a flat object).
// raw must be syntactically valid JSON (as json.Decoder returns it).
func members(raw []byte, fn func(key string, val []byte)) (int, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return 0, errNotObject
	}
	i++
	maxDepth := 1
	for {
		i = skipSpace(raw, i)
		if i >= len(raw) {
			return 0, errNotObject
		}
		if raw[i] == '}' {
			return maxDepth, nil
		}
		if raw[i] == ',' {
			i++
			continue
		}
		if raw[i] != '"' {
			return 0, errNotObject
		}
		end, escaped := stringEnd(raw, i)
		if end < 0 {
			return 0, errNotObject
		}
		key := string(raw[i+1 : end])
		if escaped {
			json.Unmarshal(raw[i:end+1], &key)
		}
		i = skipSpace(raw, end+1)
		if i >= len(raw) || raw[i] != ':' {
			return 0, errNotObject
		}
		i = skipSpace(raw, i+1)
		vend, depth := valueEnd(raw, i)
		if vend < 0 {
			return 0, errNotObject
		}
		if depth+1 > maxDepth {
			maxDepth = depth + 1
		}
		fn(key, raw[i:vend])
		i = vend
	}
}

// items calls fn with the bytes of each element of the array raw, until fn
// returns false. raw must be syntactically valid JSON.
func items(raw []byte, fn func(val []byte) bool) error {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return errNotArray
	}
	i++
	for {
		i = skipSpace(raw, i)
		if i >= len(raw) {
			return errNotArray
		}
		switch raw[i] {
		case ']':
			return nil
		case ',':
			i++
			continue
		}
		end, _ := valueEnd(raw, i)
		if end < 0 {
			return errNotArray
		}
		if !fn(raw[i:end]) {
			return nil
		}
		i = end
	}
}

var errNotArray = errors.New("not a JSON array")

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// stringEnd returns the index of the closing quote of the string starting
// at b[i] == '"', and whether it contains escapes.
func stringEnd(b []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j, escaped
		}
	}
	return -1, false
}

// valueEnd returns the index just past the value starting at b[i], and how
// deeply it nests (0 for a scalar).
func valueEnd(b []byte, i int) (int, int) {
	if i >= len(b) {
		return -1, 0
	}
	switch b[i] {
	case '"':
		end, _ := stringEnd(b, i)
		if end < 0 {
			return -1, 0
		}
		return end + 1, 0
	case '{', '[':
		depth, max := 0, 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, _ := stringEnd(b, j)
				if end < 0 {
					return -1, 0
				}
				j = end
			case '{', '[':
				depth++
				if depth > max {
					max = depth
				}
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, max
				}
			}
		}
		return -1, 0
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
		j++
	}
	return j, 0
}

// str decodes a JSON string value, or "" for anything else.
func str(val []byte) (string, bool) {
	if len(val) < 2 || val[0] != '"' {
		return "", false
	}
	end, escaped := stringEnd(val, 0)
	if end != len(val)-1 {
		return "", false
	}
	if !escaped {
		return string(val[1:end]), true
	}
	var s string
	if json.Unmarshal(val, &s) != nil {
		return "", false
	}
	return s, true
}
