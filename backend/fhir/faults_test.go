package fhir

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func formatError(t *testing.T, in string) *FormatError {
	t.Helper()
	_, err := readAll(in)
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v, want a *FormatError", err)
	}
	return fe
}

// A pretty-printed Bundle, as servers and people save them.
const prettyBundle = `{
  "resourceType": "Bundle",
  "type": "collection",
  "entry": [
    {
      "resource": {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"family": "Morgan"}]
      }
    },
    {
      "resource": {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final"
      }
    }
  ]
}
`

// lineOf is the 1-based line of the first occurrence of s in in.
func lineOf(in, s string) int {
	return strings.Count(in[:strings.Index(in, s)], "\n") + 1
}

func TestFaultsSayWhatAndWhere(t *testing.T) {
	entry := strings.Repeat(`{"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"}}},`+"\n", 2000) // over 64 KB before the mistake
	for _, tt := range []struct {
		name string
		in   string
		kind error
		line int
	}{
		{"comment at the top", "{\n  \"resourceType\": \"Patient\",\n  // added by hand\n  \"id\": \"p\"\n}", ErrComment, 3},
		{"comment first of all", "// export\n{\"resourceType\":\"Patient\"}", ErrComment, 1},
		{"block comment inside an entry", strings.Replace(prettyBundle, `"id": "o1",`, `"id": "o1", /* check */`, 1), ErrComment, lineOf(prettyBundle, `"id": "o1"`)},
		{"trailing comma in an object", strings.Replace(prettyBundle, `"status": "final"`, `"status": "final",`, 1), ErrTrailingComma, lineOf(prettyBundle, `"status": "final"`) + 1},
		{"trailing comma in a list", strings.Replace(prettyBundle, "    }\n  ]", "    },\n  ]", 1), ErrTrailingComma, lineOf(prettyBundle, "    }\n  ]") + 1},
		{"single quotes", "{\n'resourceType': 'Patient'}", ErrSingleQuotes, 2},
		{"missing comma", strings.Replace(prettyBundle, `"id": "p1",`, `"id": "p1"`, 1), ErrSyntax, lineOf(prettyBundle, `"id": "p1"`) + 1},
		{"windows line endings", strings.ReplaceAll("{\n\"resourceType\": \"Patient\",\n\n// x\n}", "\n", "\r\n"), ErrComment, 4},
		{"ndjson, third line", "{\"resourceType\":\"Patient\",\"id\":\"a\"}\n{\"resourceType\":\"Patient\",\"id\":\"b\"}\n{\"resourceType\":\"Patient\",\"id\":\"c\",}\n", ErrTrailingComma, 3},
		{"far into a large file", "{\"resourceType\":\"Bundle\",\"entry\":[\n" + entry + "{\"resource\": {\"resourceType\": \"Patient\" \"id\": \"p\"}}]}", ErrSyntax, 2002},
		{"truncated", prettyBundle[:len(prettyBundle)/2], ErrTruncated, 0},
		{"truncated one line", `{"resourceType":"Patient","id":"p1"`, ErrTruncated, 0},
		{"empty", "", ErrEmpty, 0},
		{"only spaces", " \n\t\n", ErrEmpty, 0},
		{"a PDF named .json", "%PDF-1.7\n%âãÏÓ\n", ErrNotJSON, 1},
		{"plain text", "hello", ErrNotJSON, 1},
		{"not a resource", `{"name":"x"}`, ErrNotResource, 0},
		{"a Bundle entry not a resource is not the file", `{"resourceType":"Bundle","entry":[{"resource":{"nope":1}}]}`, nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fe := formatError(t, tt.in)
			if fe.Kind != tt.kind {
				t.Errorf("kind %v, want %v (%v)", fe.Kind, tt.kind, fe)
			}
			if fe.Line != tt.line {
				t.Errorf("line %d, want %d (%v)", fe.Line, tt.line, fe)
			}
			if tt.line > 0 && !strings.Contains(fe.Error(), fmt.Sprintf("(line %d)", tt.line)) {
				t.Errorf("the technical words %q do not name line %d", fe.Error(), tt.line)
			}
		})
	}
}

// The line named is the line the mistake is on, wherever it is: a stray
// '/' put at each place in a pretty-printed Bundle, one at a time.
func TestFaultLineAtEveryPlace(t *testing.T) {
	for i := 1; i < len(prettyBundle)-1; i++ {
		if prettyBundle[i-1] == '"' || inString(prettyBundle, i) {
			continue // inside a string a '/' is only text
		}
		in := prettyBundle[:i] + "/" + prettyBundle[i:]
		_, err := readAll(in)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("at %d: error %v", i, err)
		}
		if want := strings.Count(prettyBundle[:i], "\n") + 1; fe.Line != want || fe.Kind != ErrComment {
			t.Fatalf("'/' at byte %d (line %d): got line %d, kind %v (%v)", i, want, fe.Line, fe.Kind, fe)
		}
	}
}

// inString says whether byte i of s is inside a JSON string.
func inString(s string, i int) bool {
	in := false
	for j := 0; j < i; j++ {
		switch {
		case s[j] == '\\' && in:
			j++
		case s[j] == '"':
			in = !in
		}
	}
	return in
}

// Whatever the input, a line named is one the file has.
func FuzzFaultLine(f *testing.F) {
	f.Add(prettyBundle)
	f.Add("{\n// c\n}")
	f.Add("{\"a\":\n1,}")
	f.Add("\n\n\n{")
	f.Fuzz(func(t *testing.T, in string) {
		_, err := readAll(in)
		var fe *FormatError
		if !errors.As(err, &fe) {
			return
		}
		if fe.Line < 0 || fe.Line > strings.Count(in, "\n")+1 {
			t.Fatalf("line %d of a file of %d lines (%v)", fe.Line, strings.Count(in, "\n")+1, fe)
		}
	})
}
