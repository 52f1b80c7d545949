package api

import (
	"net/http"
	"testing"
	"time"
)

// The home page's "what matters now": when the patient last looked (kept
// in the vault), a failed import until one succeeds, and the tests list.
func TestHomeSummary(t *testing.T) {
	h, tok := unlocked(t)
	r := call(t, h, "GET", "/api/summary", tok, "")
	if r.code != 200 || r.body["lastViewed"] != "" || r.body["importFailed"] != nil {
		t.Fatalf("first summary = %d %v; want no last view and no failure", r.code, r.body)
	}
	if r := call(t, h, "POST", "/api/viewed", "", ""); r.code != http.StatusUnauthorized {
		t.Fatalf("viewed without a token = %d, want 401", r.code)
	}
	before := time.Now().UTC().Truncate(time.Second)
	if r := call(t, h, "POST", "/api/viewed", tok, ""); r.code != http.StatusNoContent {
		t.Fatalf("viewed = %d %v", r.code, r.body)
	}
	r = call(t, h, "GET", "/api/summary", tok, "")
	seen, err := time.Parse(time.RFC3339, r.body["lastViewed"].(string))
	if err != nil || seen.Before(before) || seen.After(time.Now().Add(time.Second)) {
		t.Fatalf("lastViewed = %v (%v), want about now", r.body["lastViewed"], err)
	}

	// A failed import is on the home page until an import succeeds.
	if w := upload(h, tok, "name=broken.json", []byte(`{"resourceType": "Bundle", // a comment`)); w.Code != 200 {
		t.Fatalf("broken upload = %d %s", w.Code, w.Body)
	}
	r = call(t, h, "GET", "/api/summary", tok, "")
	failed, _ := r.body["importFailed"].(map[string]any)
	if failed == nil || failed["file"] != "broken.json" || failed["code"] == "" || failed["message"] == "" {
		t.Fatalf("importFailed = %v, want the file and why in words", r.body["importFailed"])
	}
	if w := upload(h, tok, "name=good.json", demoBundle(t, 300)); w.Code != 200 {
		t.Fatalf("good upload = %d %s", w.Code, w.Body)
	}
	r = call(t, h, "GET", "/api/summary", tok, "")
	if r.body["importFailed"] != nil {
		t.Fatalf("after a good import importFailed = %v, want none", r.body["importFailed"])
	}
	if latest, _ := r.body["latestResults"].([]any); len(latest) == 0 || len(latest) > 3 {
		t.Errorf("latestResults = %v, want one to three", r.body["latestResults"])
	}

	r = call(t, h, "GET", "/api/tests", tok, "")
	list, _ := r.body["tests"].([]any)
	if r.code != 200 || len(list) == 0 {
		t.Fatalf("tests = %d %v", r.code, r.body)
	}
	first, _ := list[0].(map[string]any)
	for _, k := range []string{"testKey", "name", "value", "unit", "taken", "reportId", "outside", "count", "change"} {
		if _, ok := first[k]; !ok {
			t.Errorf("a test has no %q: %v", k, first)
		}
	}
	if r := call(t, h, "GET", "/api/tests", "", ""); r.code != http.StatusUnauthorized {
		t.Errorf("tests without a token = %d, want 401", r.code)
	}
}

// A clinician's share never learns when the patient last looked at their
// record, nor that an import failed, and cannot mark it viewed.
func TestHomeSummaryShared(t *testing.T) {
	se := newShareEnv(t, false)
	a := se.newPatient("Alma")
	se.signUp(a)
	se.must(http.StatusNoContent, a, "POST", "/api/viewed", nil, nil)
	var mine struct{ LastViewed string }
	se.must(http.StatusOK, a, "GET", "/api/summary", nil, &mine)
	if mine.LastViewed == "" {
		t.Fatal("the patient's own summary has no lastViewed")
	}
	c := se.share(a, []string{"results"}, 60)
	doc := clinician("10.77.0.9")
	if w := se.open(doc, c.Code, "1970-01-01"); w.Code != http.StatusOK {
		t.Fatalf("open = %d %s", w.Code, w.Body)
	}
	var theirs map[string]any
	se.must(http.StatusOK, doc, "GET", "/api/summary", nil, &theirs)
	if theirs["lastViewed"] != "" || theirs["importFailed"] != nil {
		t.Errorf("the clinician's summary says lastViewed %v, importFailed %v", theirs["lastViewed"], theirs["importFailed"])
	}
	if w := se.do(doc, "POST", "/api/viewed", map[string]any{}); w.Code != http.StatusNotFound {
		t.Errorf("a clinician marking the record viewed = %d %s, want 404", w.Code, w.Body)
	}
	var tests struct{ Tests []map[string]any }
	se.must(http.StatusOK, doc, "GET", "/api/tests", nil, &tests)
	if len(tests.Tests) == 0 {
		t.Error("a share of results has no tests list")
	}
}
