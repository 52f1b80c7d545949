package fhir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readAll(s string) ([]Resource, error) {
	var out []Resource
	for r, err := range Read(strings.NewReader(s)) {
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string // Type/id
		wantErr string
	}{
		{"single", `{"resourceType":"Patient","id":"p1"}`, []string{"Patient/p1"}, ""},
		{"ndjson", "{\"resourceType\":\"Observation\",\"id\":\"a\"}\n{\"resourceType\":\"Observation\",\"id\":\"b\"}\n", []string{"Observation/a", "Observation/b"}, ""},
		{"bundle", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"p"}},{"resource":{"resourceType":"Condition","id":"c"}}]}`, []string{"Patient/p", "Condition/c"}, ""},
		{"searchset outcome skipped", `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Observation","id":"o"},"search":{"mode":"match"}},{"resource":{"resourceType":"OperationOutcome"},"search":{"mode":"outcome"}}]}`, []string{"Observation/o"}, ""},
		{"nested bundle without entries", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Bundle","type":"document"}},{"resource":{"resourceType":"Patient","id":"p"}}]}`, []string{"Patient/p"}, ""},
		{"nested bundle entry not a list", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Bundle","entry":{"resource":{}}}}]}`, nil, "not laid out"},
		{"nested bundle", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Bundle","type":"document","entry":[{"resource":{"resourceType":"Composition","id":"d"}}]}}]}`, []string{"Composition/d"}, ""},
		{"id from urn:uuid", `{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1234-abcd","resource":{"resourceType":"Patient"}}]}`, []string{"Patient/1234-abcd"}, ""},
		{"empty", ``, nil, "empty"},
		{"not json", `hello`, nil, "not valid JSON"},
		{"not fhir", `{"name":"x"}`, nil, "not a FHIR resource"},
		{"truncated", `{"resourceType":"Patient","id":"p1"`, nil, "not valid JSON"},
		{"invalid utf-8", "{\"resourceType\":\"Patient\",\"id\":\"\xff\"}", nil, "UTF-8"},
		{"deep", `{"resourceType":"Basic","id":"x","extension":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}`, nil, "nested"},
		{"older FHIR version", `{"resourceType":"MedicationOrder","id":"m"}`, nil, "not a FHIR R4 resource type"},
		{"bad bundle entry", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"ok"}},{"resource":{"nope":1}}]}`, []string{"Patient/ok"}, "entry 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(tt.in)
			var refs []string
			for _, r := range got {
				refs = append(refs, r.Ref())
			}
			if strings.Join(refs, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", refs, tt.want)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want a FormatError containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestIDFromContentIsStable(t *testing.T) {
	in := `{"resourceType":"Observation","status":"final"}`
	a, _ := readAll(in)
	b, _ := readAll(in)
	c, _ := readAll(`{"resourceType":"Observation","status":"amended"}`)
	if a[0].ID == "" || a[0].ID != b[0].ID || a[0].ID == c[0].ID {
		t.Fatalf("ids %q %q %q", a[0].ID, b[0].ID, c[0].ID)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(`{"resourceType":"Patient","id":"p1"}`)
	f.Add(`{"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:x","resource":{"resourceType":"Patient"}}]}`)
	f.Add("{\"resourceType\":\"Observation\",\"id\":\"a\"}\n{\"resourceType\":\"Observation\"}")
	if files, _ := filepath.Glob("../../../shared/fixtures/fhir/broken/*.json"); len(files) > 0 {
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for r, err := range Read(strings.NewReader(s)) {
			if err != nil {
				var fe *FormatError
				if !errors.As(err, &fe) || fe.Msg == "" {
					t.Fatalf("error without a plain message: %v", err)
				}
				break
			}
			if r.Type == "" || r.ID == "" || len(r.Raw) == 0 {
				t.Fatalf("resource without type, id or bytes: %+v", r)
			}
		}
	})
}
