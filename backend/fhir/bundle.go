package fhir

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// entries reads a Bundle's entry array; when stream is false (resourceType
// not seen yet) it keeps them for later instead, adding their bytes to
// size, and stops once size is over MaxResourceBytes (object says why).
func (rd *reader) entries(stream bool, keep *[]json.RawMessage, size *int) bool {
	tok, err := rd.dec.Token()
	if err != nil {
		rd.badJSON(rd.n, err)
		return false
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		rd.fail("the Bundle's entry is not a list", nil)
		return false
	}
	for rd.dec.More() {
		var e json.RawMessage
		if err := rd.dec.Decode(&e); err != nil {
			rd.badJSON(rd.n+len(*keep), err)
			return false
		}
		if !stream {
			*keep = append(*keep, e)
			if *size += len(e); *size > MaxResourceBytes {
				return true
			}
			continue
		}
		if !rd.entry(e) {
			return false
		}
	}
	if _, err := rd.dec.Token(); err != nil {
		rd.badJSON(rd.n, err)
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
	if len(res) > MaxResourceBytes {
		rd.fail(tooLarge, errTooLarge)
		return false
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
		// The inner entries are read in place: res is already in memory.
		var inner []byte
		members(res, func(k string, v []byte) {
			if k == "entry" {
				inner = v
			}
		})
		if inner == nil || string(inner) == "null" {
			return !rd.done
		}
		if err := items(inner, func(ie []byte) bool { return rd.entry(ie) }); err != nil {
			rd.fail("this Bundle is not laid out as FHIR R4 expects (its entry is not a list)", err)
			return false
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
