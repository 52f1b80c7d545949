package api

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// A file Ward cannot read: the answer's message says what is wrong in
// plain words, with the line; the reader's own words are in detail, for
// "Technical details"; polling the import says the same.
func TestImportFaultAnswer(t *testing.T) {
	h, tok := unlocked(t)
	body, err := os.ReadFile("../intake/testdata/faults/comment.json")
	if err != nil {
		t.Fatal(err)
	}
	w := upload(h, tok, "name=comment.json&id=fault-import-1", body)
	var got struct {
		State, Message, Code, Detail string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusOK {
		t.Fatalf("answer %d %s", w.Code, w.Body)
	}
	if got.State != "failed" || got.Code != "bad_file" ||
		!strings.HasPrefix(got.Message, "comment.json is not valid FHIR JSON: line 3 has a comment") ||
		strings.Contains(got.Message, "invalid character") {
		t.Errorf("answer %+v", got)
	}
	if !strings.Contains(got.Detail, "invalid character '/'") || !strings.Contains(got.Detail, "(line 3)") {
		t.Errorf("detail %q", got.Detail)
	}
	r := call(t, h, "GET", "/api/imports/fault-import-1", tok, "")
	if r.body["message"] != got.Message || r.body["detail"] != got.Detail {
		t.Errorf("polled %v, answered %+v", r.body, got)
	}

	// A file that imports has no detail at all.
	w = upload(h, tok, "name=ok.json", demoBundle(t, 0))
	if strings.Contains(w.Body.String(), `"detail"`) {
		t.Errorf("a good import's answer has detail: %s", w.Body)
	}
}
