package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// desktopShare is a Ward with one vault (the desktop window's handler)
// holding Dora's record, unlocked.
type desktopShare struct {
	t   *testing.T
	h   http.Handler
	tok string
	pt  *patient
}

func newDesktopShare(t *testing.T) *desktopShare {
	h, tok := unlocked(t)
	d := &desktopShare{t: t, h: h, tok: tok,
		pt: &patient{name: "Dora Desk", obsText: "desk zinc level", docText: "desk clinic letter"}}
	if w := upload(h, tok, "name=dora.json", patientBundle(d.pt)); w.Code != http.StatusOK {
		t.Fatalf("import = %d %s", w.Code, w.Body)
	}
	return d
}

func (d *desktopShare) call(method, path string, body any) reply {
	d.t.Helper()
	s := ""
	if body != nil {
		b, _ := json.Marshal(body)
		s = string(b)
	}
	return call(d.t, d.h, method, path, d.tok, s)
}

func (d *desktopShare) share(sections any) reply {
	return d.call("POST", "/api/shares", map[string]any{
		"recipient": map[string]string{"name": "Dr Rowan Pike", "email": clinicianEmail, "organisation": "Riverside Clinic"},
		"sections":  sections, "minutes": 60})
}

// publishKey makes a publishing key for p on the server.
func (se *shareEnv) publishKey(p *patient) (id, key string) {
	se.t.Helper()
	var k struct{ ID, Key, Server string }
	se.must(http.StatusCreated, p, "POST", "/api/security/publish-keys", map[string]string{"name": "Laptop"}, &k)
	if !strings.HasPrefix(k.Key, publishKeyPrefix) || k.ID == "" || k.Server != se.srv.URL {
		se.t.Fatalf("publish key = %+v", k)
	}
	return k.ID, k.Key
}

// TestPublishFromComputer is the desktop's share: sealed on the computer,
// kept and emailed by the server, opened there by the clinician, listed
// and revoked from the computer.
func TestPublishFromComputer(t *testing.T) {
	se := newShareEnv(t, true)
	a := se.newPatient("Alma")
	se.signUp(a)
	keyID, key := se.publishKey(a)
	var keys struct{ Keys []map[string]any }
	se.must(http.StatusOK, a, "GET", "/api/security/publish-keys", nil, &keys)
	if len(keys.Keys) != 1 || strings.Contains(se.must(http.StatusOK, a, "GET", "/api/security/publish-keys", nil, nil).Body.String(), key) {
		t.Fatalf("keys = %+v (the key itself must not be listed)", keys)
	}

	d := newDesktopShare(t)
	if r := d.call("GET", "/api/config", nil); r.body["sharing"].(map[string]any)["from"] != "computer" {
		t.Fatalf("config sharing = %v", r.body["sharing"])
	}
	// No server yet: the page is told why.
	if r := d.share("all"); r.code != http.StatusConflict || errCode(r) != "no_share_server" {
		t.Fatalf("share with no server = %d %v", r.code, r.body)
	}
	if r := d.call("GET", "/api/shares", nil); r.code != http.StatusConflict || errCode(r) != "no_share_server" {
		t.Fatalf("list with no server = %d %v", r.code, r.body)
	}
	for _, bad := range []struct {
		server, key, code string
		status            int
	}{
		{"ftp://" + strings.TrimPrefix(se.srv.URL, "http://"), key, "bad_server", 400},
		{"http://example.org", key, "bad_server", 400}, // plain HTTP only to this computer
		{se.srv.URL + "/somewhere", key, "bad_server", 400},
		{se.srv.URL, "wardpk_not-a-key", "publish_key_refused", 403},
		{se.srv.URL, "", "publish_key_refused", 403},
	} {
		r := d.call("POST", "/api/security/share-server", map[string]string{"server": bad.server, "key": bad.key})
		if r.code != bad.status || errCode(r) != bad.code {
			t.Errorf("share-server %q %q = %d %v, want %d %s", bad.server, bad.key, r.code, r.body, bad.status, bad.code)
		}
	}
	r := d.call("POST", "/api/security/share-server", map[string]string{"server": se.srv.URL + "/", "key": " " + key + " "})
	if r.code != http.StatusOK || r.body["server"] != se.srv.URL || r.body["organisation"] != "Testshire Health" {
		t.Fatalf("share-server = %d %v", r.code, r.body)
	}
	if r := d.call("GET", "/api/security/share-server", nil); r.body["server"] != se.srv.URL || strings.Contains(mustJSON(r.body), key) {
		t.Fatalf("GET share-server = %v", r.body)
	}

	// Share the results only.
	r = d.share([]string{"results"})
	code, _ := r.body["code"].(string)
	sh, _ := r.body["share"].(map[string]any)
	if r.code != http.StatusCreated || code == "" || sh["id"] == "" || sh["state"] != "active" ||
		r.body["url"] != se.srv.URL+"/#/share" {
		t.Fatalf("publish = %d %v", r.code, r.body)
	}
	id := sh["id"].(string)
	text := se.mailTo(clinicianEmail, "shared their health record")
	if m := shareCodeRE.FindStringSubmatch(text); m == nil || m[1] != code || !strings.Contains(text, "Dora Desk") {
		t.Fatalf("the email does not hold the code %s and Dora's name: %s", code, text)
	}

	doc := clinician("10.77.0.9")
	if w := se.open(doc, code, "1970-01-02"); w.Code != http.StatusUnauthorized {
		t.Fatalf("a wrong date = %d", w.Code)
	}
	if w := se.open(doc, code, "1970-01-01"); w.Code != http.StatusOK {
		t.Fatalf("open = %d %s", w.Code, w.Body)
	}
	if w := se.must(http.StatusOK, doc, "GET", "/api/results", nil, nil); !strings.Contains(w.Body.String(), d.pt.obsText) {
		t.Fatalf("the clinician does not see Dora's results: %s", w.Body)
	}
	if w := se.do(doc, "GET", "/api/documents", nil); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), d.pt.docText) {
		t.Fatalf("unshared documents = %d %s", w.Code, w.Body)
	}
	// Alma's own shares are not Dora's: her account holds this one, but
	// nothing of her vault reaches the clinician.
	if w := se.do(doc, "GET", "/api/results", nil); strings.Contains(w.Body.String(), a.obsText) {
		t.Fatalf("the clinician sees the account's own vault")
	}

	// The computer lists the share and its access as the server has them.
	r = d.call("GET", "/api/shares", nil)
	list, _ := r.body["shares"].([]any)
	if r.code != http.StatusOK || len(list) != 1 || list[0].(map[string]any)["id"] != id || list[0].(map[string]any)["firstUsed"] == nil {
		t.Fatalf("list = %d %v", r.code, r.body)
	}
	r = d.call("GET", "/api/shares/"+id+"/access", nil)
	if r.code != http.StatusOK || !strings.Contains(mustJSON(r.body), "10.77.0.9") {
		t.Fatalf("access = %d %v", r.code, r.body)
	}
	// The signed-in patient sees it on the server too.
	if w := se.must(http.StatusOK, a, "GET", "/api/shares", nil, nil); !strings.Contains(w.Body.String(), id) {
		t.Fatalf("the server's list does not hold the published share: %s", w.Body)
	}

	// Revoke from the computer: the clinician's next request is refused.
	if r := d.call("POST", "/api/shares/"+id+"/revoke", map[string]any{}); r.code != http.StatusNoContent {
		t.Fatalf("revoke = %d %v", r.code, r.body)
	}
	if w := se.do(doc, "GET", "/api/results", nil); w.Code != http.StatusUnauthorized || acctErr(w) != "share_ended" {
		t.Fatalf("after revoke = %d %s", w.Code, w.Body)
	}
	if r := d.call("POST", "/api/shares/0123456789abcdef0123456789abcdef/revoke", map[string]any{}); r.code != http.StatusNotFound {
		t.Fatalf("revoking an unknown share = %d %v", r.code, r.body)
	}

	// The key removed on the server: the computer says so.
	se.must(http.StatusNoContent, a, "DELETE", "/api/security/publish-keys/"+keyID, nil, nil)
	if r := d.share("all"); r.code != http.StatusForbidden || errCode(r) != "publish_key_refused" {
		t.Fatalf("share with a removed key = %d %v", r.code, r.body)
	}

	// The server gone: offline, in plain words.
	se.srv.Close()
	r = d.call("GET", "/api/shares", nil)
	if r.code != http.StatusBadGateway || errCode(r) != "server_unreachable" || !strings.Contains(errMessage(r), "reach") {
		t.Fatalf("list offline = %d %v", r.code, r.body)
	}

	// Forgetting the server.
	if r := d.call("DELETE", "/api/security/share-server", nil); r.code != http.StatusNoContent {
		t.Fatalf("forget = %d %v", r.code, r.body)
	}
	if r := d.call("GET", "/api/security/share-server", nil); r.body["server"] != "" {
		t.Fatalf("after forget = %v", r.body)
	}
}

// TestRemoteRoutes: /api/remote/ answers a publishing key and nothing
// else, and one account's key reaches only its own shares.
func TestRemoteRoutes(t *testing.T) {
	se := newShareEnv(t, false)
	a, b := se.newPatient("Alma"), se.newPatient("Bryn")
	se.signUp(a)
	se.signUp(b)
	_, keyA := se.publishKey(a)
	_, keyB := se.publishKey(b)
	c := se.share(a, "all", 60)
	bearerOf := func(k string) reqOpt { return withHeader("Authorization", "Bearer "+k) }

	// Bryn's key does not reach Alma's share.
	if w := se.do(nil, "POST", "/api/remote/shares/"+c.Share.ID+"/revoke", map[string]any{}, noOrigin, bearerOf(keyB)); w.Code != http.StatusNotFound {
		t.Fatalf("another account's share = %d %s", w.Code, w.Body)
	}
	if w := se.do(nil, "GET", "/api/remote/shares/"+c.Share.ID+"/access", nil, bearerOf(keyB)); w.Code != http.StatusNotFound {
		t.Fatalf("another account's access log = %d %s", w.Code, w.Body)
	}
	if w := se.do(nil, "GET", "/api/remote/shares", nil, bearerOf(keyB)); w.Code != http.StatusOK || strings.Contains(w.Body.String(), c.Share.ID) {
		t.Fatalf("Bryn's list = %d %s", w.Code, w.Body)
	}
	if w := se.do(nil, "GET", "/api/remote/shares", nil, bearerOf(keyA)); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), c.Share.ID) {
		t.Fatalf("Alma's list = %d %s", w.Code, w.Body)
	}
	// A key reaches /api/remote/ only: not the record.
	for _, path := range []string{"/api/summary", "/api/results", "/api/shares", "/api/account"} {
		if w := se.do(nil, "GET", path, nil, bearerOf(keyA)); w.Code == http.StatusOK {
			t.Errorf("GET %s with a publishing key = %d", path, w.Code)
		}
	}
	// A signed-in browser has no way in here, and a page's request is
	// refused even with a key.
	if w := se.do(a, "GET", "/api/remote/shares", nil); w.Code != http.StatusUnauthorized || acctErr(w) != "publish_key_refused" {
		t.Fatalf("cookie session on /api/remote/ = %d %s", w.Code, w.Body)
	}
	if w := se.do(nil, "POST", "/api/remote/shares/"+c.Share.ID+"/revoke", map[string]any{}, bearerOf(keyA)); w.Code != http.StatusForbidden {
		t.Fatalf("a request with an Origin = %d %s", w.Code, w.Body)
	}
	// A sealed copy that is not one.
	for _, body := range []map[string]any{
		{"share": map[string]any{"id": "x"}, "code": "AAAA", "recipient": map[string]string{"name": "X"}, "minutes": 60},
		{"share": map[string]any{}, "code": "", "recipient": map[string]string{"name": "X"}, "minutes": 60},
	} {
		if w := se.do(nil, "POST", "/api/remote/shares", body, noOrigin, bearerOf(keyA)); w.Code != http.StatusBadRequest {
			t.Errorf("publish %v = %d %s", body, w.Code, w.Body)
		}
	}
	if w := se.do(nil, "POST", "/api/remote/shares", strings.Repeat("x", 12<<20), noOrigin, bearerOf(keyA)); w.Code != http.StatusRequestEntityTooLarge && w.Code != http.StatusBadRequest {
		t.Errorf("a huge upload = %d", w.Code)
	}

	// Guessing keys is throttled per address, and a wrong guess never
	// reaches a share.
	guesser := &patient{remote: "10.66.0.1", jar: map[string]*http.Cookie{}}
	throttled := false
	for i := 0; i < 50 && !throttled; i++ {
		w := se.do(guesser, "GET", "/api/remote/shares", nil, bearerOf(publishKeyPrefix+strings.Repeat("A", 43)))
		switch w.Code {
		case http.StatusUnauthorized:
		case http.StatusTooManyRequests:
			throttled = true
		default:
			t.Fatalf("guess %d = %d %s", i, w.Code, w.Body)
		}
	}
	if !throttled {
		t.Fatal("50 wrong keys from one address were never slowed")
	}
	if w := se.do(guesser, "GET", "/api/remote/shares", nil, bearerOf(keyA)); w.Code != http.StatusTooManyRequests {
		t.Fatalf("a throttled address with a right key = %d", w.Code)
	}
	// Another address is not held up.
	if w := se.do(nil, "GET", "/api/remote/shares", nil, bearerOf(keyA)); w.Code != http.StatusOK {
		t.Fatalf("another address = %d", w.Code)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
