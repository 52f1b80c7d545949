package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/demo"
	"github.com/ward-health/ward/backend/imports"
)

func upload(h http.Handler, token, query string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/api/imports?"+query, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/fhir+json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func unlocked(t *testing.T) (http.Handler, string) {
	h, _ := lockedVault(t, time.Minute)
	r := call(t, h, "POST", "/api/vault/unlock", "", `{"password":"correct horse"}`)
	tok, _ := r.body["token"].(string)
	if tok == "" {
		t.Fatalf("unlock: %v", r.body)
	}
	return h, tok
}

func demoBundle(t *testing.T, n int) []byte {
	rs, err := demo.Generate(demo.Options{Seed: 4, Now: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Resources: n})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demo.Bundle(rs)
	return b
}

func TestImportThroughAPI(t *testing.T) {
	h, tok := unlocked(t)
	if w := upload(h, "", "name=x.json", demoBundle(t, 0)); w.Code != http.StatusUnauthorized {
		t.Fatalf("upload without token = %d", w.Code)
	}

	// Poll while the import runs, as the page does.
	body := demoBundle(t, 20000)
	var wg sync.WaitGroup
	var seen []imports.Snapshot
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			var s imports.Snapshot
			if r := call(t, h, "GET", "/api/imports/test-import-1", tok, ""); r.code == 200 {
				b, _ := json.Marshal(r.body)
				json.Unmarshal(b, &s)
				seen = append(seen, s)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	w := upload(h, tok, "name=demo.json&source=Demo+Hospital&id=test-import-1", body)
	close(done)
	wg.Wait()
	var snap imports.Snapshot
	if err := json.Unmarshal(w.Body.Bytes(), &snap); err != nil || w.Code != 200 {
		t.Fatalf("upload = %d %s", w.Code, w.Body)
	}
	if snap.State != imports.Done || snap.Summary == nil || snap.Summary.Added != 20000 || snap.BytesDone != int64(len(body)) {
		t.Fatalf("import = %+v", snap)
	}
	progressed := false
	for _, s := range seen {
		if s.State == imports.Running && s.Items > 0 && s.Items < 20000 {
			progressed = true
		}
	}
	if !progressed {
		t.Errorf("never saw the import in progress (%d polls)", len(seen))
	}
	var list struct{ Total int }
	if r := call(t, h, "GET", "/api/results?limit=1", tok, ""); r.code == 200 {
		b, _ := json.Marshal(r.body)
		json.Unmarshal(b, &list)
	}
	if list.Total == 0 {
		t.Fatal("imported results do not show")
	}
	var srcs struct{ Sources []struct{ Name string } }
	r := call(t, h, "GET", "/api/sources", tok, "")
	b, _ := json.Marshal(r.body)
	json.Unmarshal(b, &srcs)
	if len(srcs.Sources) != 1 || srcs.Sources[0].Name != "Demo Hospital" {
		t.Fatalf("sources = %+v", srcs)
	}

	// A broken file: a plain message naming it, nothing from it stored.
	w = upload(h, tok, "name=broken.json", []byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"new"}},{"resource":{"resourceType":"Observation","id":"o","status":"Done"}}]}`))
	json.Unmarshal(w.Body.Bytes(), &snap)
	if snap.State != imports.Failed || !strings.Contains(snap.Message, "broken.json") || !strings.Contains(snap.Message, "entry 1") {
		t.Fatalf("broken file = %+v", snap)
	}
	var after struct{ Total int }
	r = call(t, h, "GET", "/api/results?limit=1", tok, "")
	b, _ = json.Marshal(r.body)
	json.Unmarshal(b, &after)
	if after.Total != list.Total {
		t.Fatalf("results changed after a refused file: %d -> %d", list.Total, after.Total)
	}

	// Too large, by its declared length.
	req := httptest.NewRequest("POST", "/api/imports?name=huge.json", strings.NewReader("{}"))
	req.ContentLength = MaxUpload + 1
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "huge.json") {
		t.Fatalf("huge file = %d %s", rec.Code, rec.Body)
	}
}

func TestCancelImport(t *testing.T) {
	h, tok := unlocked(t)
	body := demoBundle(t, 60000)
	go func() {
		// The file is read and checked whole first, then saved: cancel
		// once saving has begun (a minute is ample even under -race).
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
			r := call(t, h, "GET", "/api/imports/cancel-me-1", tok, "")
			if items, _ := r.body["items"].(float64); items > 100 {
				call(t, h, "POST", "/api/imports/cancel-me-1/cancel", tok, "")
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	w := upload(h, tok, "name=big.json&id=cancel-me-1", body)
	var snap imports.Snapshot
	json.Unmarshal(w.Body.Bytes(), &snap)
	if snap.State != imports.Cancelled {
		t.Fatalf("state = %s (%s)", snap.State, snap.Message)
	}
	r := call(t, h, "GET", "/api/results?limit=1", tok, "")
	if total, _ := r.body["total"].(float64); total != 0 {
		t.Fatalf("%v results after a cancelled import, want 0", total)
	}
}
