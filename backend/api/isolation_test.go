package api

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// Isolation on a Ward with accounts: patient A, signed in, sends every
// route the router has with patient B's ids in it, and never sees anything
// of B's. The table is checked against the router's own list of routes, so
// a route added without an entry here fails the test.

// isoCase is how the isolation test sends one route as patient A.
type isoCase struct {
	path string // with B's ids (or made-up ones) in place of the parameters
	body any    // for requests that change state: harmless JSON
	// ids: the path names something of B's; A must get 404.
	ids bool
	// sameAs: instead of 404, the answer must be the one a made-up id at
	// this path gets (with the id swapped back).
	sameAs string
	// status, when set, is the status A must get (single-vault-only
	// routes: 404).
	status int
	// ends: the request ends A's session (A signs in again after it).
	ends bool
	// late: run after the routes with ids (it makes A an import with
	// B's import id, which A's own later requests would then find).
	late bool
	// last: run after all others (it takes A's password away).
	last bool
}

func (c isoCase) order() int {
	switch {
	case c.last:
		return 2
	case c.late:
		return 1
	}
	return 0
}

// bIDs are things in patient B's record and account.
type bIDs struct {
	result, doc, history, other, importID, handle, share, publishKey string
}

// isolationSetup signs up A and B with different records; B also ran an
// import. It returns B's ids.
func isolationSetup(t *testing.T) (*acctEnv, *patient, *patient, bIDs) {
	t.Helper()
	e := newAcctEnv(t, acctConfig{})
	withSharing(e)
	a := e.newPatient("Alma")
	b := e.newPatient("Bertil", func(p *patient) { p.otherType = "Goal" })
	e.signUp(a)
	e.signUp(b)

	var ids bIDs
	var results struct {
		Reports []struct{ ID, Name, Test, TestKey string }
	}
	e.must(http.StatusOK, b, "GET", "/api/results", nil, &results)
	if len(results.Reports) == 0 {
		t.Fatalf("B has no results")
	}
	ids.result = results.Reports[0].ID
	var docs struct{ Documents []struct{ ID string } }
	e.must(http.StatusOK, b, "GET", "/api/documents", nil, &docs)
	if len(docs.Documents) == 0 {
		t.Fatalf("B has no documents")
	}
	ids.doc = docs.Documents[0].ID
	var other struct{ Types []struct{ Type string } }
	e.must(http.StatusOK, b, "GET", "/api/other", nil, &other)
	if len(other.Types) == 0 {
		t.Fatalf("B has no other records")
	}
	ids.other = other.Types[0].Type
	var rep struct{ Results []struct{ TestKey string } }
	e.must(http.StatusOK, b, "GET", "/api/results/"+url.PathEscape(ids.result), nil, &rep)
	if len(rep.Results) == 0 || rep.Results[0].TestKey == "" {
		t.Fatalf("B's result has no test key: %+v", rep)
	}
	ids.history = rep.Results[0].TestKey
	e.must(http.StatusOK, b, "GET", "/api/history?test="+url.QueryEscape(ids.history), nil, nil)
	ids.importID = "bertil-import-0001"
	e.must(http.StatusOK, b, "POST", "/api/imports?id="+ids.importID+"&name=bertil-letters.json", patientBundle(b), nil)
	if w := e.must(http.StatusOK, b, "GET", "/api/imports/"+ids.importID, nil, nil); !strings.Contains(w.Body.String(), "bertil-letters") {
		t.Fatalf("B's import status does not name the file: %s", w.Body)
	}
	var sess struct{ Sessions []struct{ Handle string } }
	e.must(http.StatusOK, b, "GET", "/api/account/sessions", nil, &sess)
	if len(sess.Sessions) != 1 {
		t.Fatalf("B's sessions = %+v", sess)
	}
	ids.handle = sess.Sessions[0].Handle
	// B shares everything; a clinician opens it (from B's own address,
	// which is then in the share's access log B reads).
	var sh struct {
		Share struct{ ID string }
		Code  string
	}
	e.must(http.StatusCreated, b, "POST", "/api/shares", map[string]any{
		"recipient": map[string]string{"name": "Dr Bertil Reader", "email": "reader@clinic.example"},
		"sections":  "all", "minutes": 60}, &sh)
	ids.share = sh.Share.ID
	doc := &patient{remote: b.remote, jar: map[string]*http.Cookie{}}
	e.must(http.StatusOK, doc, "POST", "/api/share/open", map[string]string{"code": sh.Code, "birthDate": "1970-01-01", "name": "Dr Reader"}, nil)
	bShareCode = sh.Code
	var pk struct{ ID string }
	e.must(http.StatusCreated, b, "POST", "/api/security/publish-keys", map[string]string{"name": "Bertil's laptop"}, &pk)
	ids.publishKey = pk.ID
	return e, a, b, ids
}

// secretsOf are strings that identify p, which no other patient may see.
func secretsOf(p *patient, ids bIDs) []string {
	_, family, _ := strings.Cut(p.name, " ")
	return []string{family, p.obsText, p.docText, p.otherText, p.email, p.remote, "bertil-letters", ids.handle, ids.share}
}

// bShareCode is the code of B's share, made by isolationSetup.
var bShareCode string

const madeUpPasskey = "QkVSVElMLXBhc3NrZXktaWQtMDAx"

// isolationTable is how A sends each route, with B's ids.
func isolationTable(ids bIDs) map[string]isoCase {
	empty := map[string]any{}
	notFound := isoCase{status: http.StatusNotFound, body: empty}
	return map[string]isoCase{
		"GET /api/healthz": {path: "/api/healthz"},
		"GET /api/config":  {path: "/api/config"},

		"GET /api/account":                          {path: "/api/account"},
		"POST /api/account/sign-up":                 {path: "/api/account/sign-up", body: empty},
		"POST /api/account/verify":                  {path: "/api/account/verify", body: empty},
		"POST /api/account/activate":                {path: "/api/account/activate", body: empty},
		"POST /api/account/sign-in":                 {path: "/api/account/sign-in", body: empty},
		"POST /api/account/sign-in/two-step":        {path: "/api/account/sign-in/two-step", body: empty},
		"POST /api/account/sign-in/email-code":      {path: "/api/account/sign-in/email-code", body: empty},
		"POST /api/account/sign-in/passkey/begin":   {path: "/api/account/sign-in/passkey/begin", body: empty},
		"POST /api/account/sign-in/passkey/finish":  {path: "/api/account/sign-in/passkey/finish", body: empty},
		"POST /api/account/sign-out":                {path: "/api/account/sign-out", body: empty, ends: true},
		"POST /api/account/sign-out-everywhere":     {path: "/api/account/sign-out-everywhere", body: empty, ends: true},
		"GET /api/account/sessions":                 {path: "/api/account/sessions"},
		"DELETE /api/account/sessions/{handle}":     {path: "/api/account/sessions/" + ids.handle, ids: true},
		"POST /api/account/two-step/enrol":          {path: "/api/account/two-step/enrol", body: empty},
		"POST /api/account/two-step/confirm":        {path: "/api/account/two-step/confirm", body: empty},
		"POST /api/account/two-step/recovery-codes": {path: "/api/account/two-step/recovery-codes", body: empty},
		"DELETE /api/account/two-step":              {path: "/api/account/two-step"},
		"POST /api/account/forgot":                  {path: "/api/account/forgot", body: empty},
		"POST /api/account/forgot/verify":           {path: "/api/account/forgot/verify", body: empty},
		"POST /api/account/recover":                 {path: "/api/account/recover", body: empty},
		"POST /api/account/reset":                   {path: "/api/account/reset", body: empty},

		"GET /api/summary":                            {path: "/api/summary"},
		"GET /api/results":                            {path: "/api/results"},
		"GET /api/results/{id}":                       {path: "/api/results/" + url.PathEscape(ids.result), ids: true},
		"GET /api/history":                            {path: "/api/history?test=" + url.QueryEscape(ids.history), ids: true},
		"GET /api/tests":                              {path: "/api/tests"},
		"POST /api/viewed":                            {path: "/api/viewed", body: empty},
		"GET /api/health":                             {path: "/api/health"},
		"GET /api/visits":                             {path: "/api/visits"},
		"GET /api/documents":                          {path: "/api/documents"},
		"GET /api/documents/{id}":                     {path: "/api/documents/" + url.PathEscape(ids.doc), ids: true},
		"GET /api/documents/{id}/attachments/{index}": {path: "/api/documents/" + url.PathEscape(ids.doc) + "/attachments/0", ids: true},
		"POST /api/documents/{id}/attachments/{index}/open": {path: "/api/documents/" + url.PathEscape(ids.doc) + "/attachments/0/open", body: map[string]any{}, ids: true},
		"GET /api/details":      {path: "/api/details"},
		"GET /api/sources":      {path: "/api/sources"},
		"GET /api/search":       {path: "/api/search?q=Bertil"},
		"GET /api/timeline":     {path: "/api/timeline"},
		"GET /api/other":        {path: "/api/other"},
		"GET /api/other/{type}": {path: "/api/other/" + url.PathEscape(ids.other), ids: true},

		"GET /api/vault":                      {path: "/api/vault"},
		"POST /api/vault/unlock":              withPath(notFound, "/api/vault/unlock"),
		"POST /api/vault/lock":                withPath(notFound, "/api/vault/lock"),
		"POST /api/vault/create":              withPath(notFound, "/api/vault/create"),
		"POST /api/vault/passkey/begin":       withPath(notFound, "/api/vault/passkey/begin"),
		"POST /api/vault/passkey/finish":      withPath(notFound, "/api/vault/passkey/finish"),
		"POST /api/vault/passkey/browser":     withPath(notFound, "/api/vault/passkey/browser"),
		"GET /api/vault/passkey/browser/{id}": {path: "/api/vault/passkey/browser/bertil-flow-0001", status: http.StatusNotFound},

		"GET /api/security":                         {path: "/api/security"},
		"POST /api/security/confirm":                {path: "/api/security/confirm", body: empty},
		"POST /api/security/confirm/passkey/begin":  {path: "/api/security/confirm/passkey/begin", body: empty},
		"POST /api/security/confirm/passkey/finish": {path: "/api/security/confirm/passkey/finish", body: empty},
		"POST /api/security/passkeys/begin":         {path: "/api/security/passkeys/begin", body: map[string]string{"name": "x"}},
		"POST /api/security/passkeys/finish":        {path: "/api/security/passkeys/finish", body: empty},
		"POST /api/security/passkeys/{id}/rename":   {path: "/api/security/passkeys/" + madeUpPasskey + "/rename", body: map[string]string{"name": "x"}, ids: true},
		"DELETE /api/security/passkeys/{id}":        {path: "/api/security/passkeys/" + madeUpPasskey, ids: true},
		"POST /api/security/password":               {path: "/api/security/password", body: empty},
		"DELETE /api/security/password":             {path: "/api/security/password", last: true},
		"POST /api/security/recovery-key":           {path: "/api/security/recovery-key", body: empty},
		"POST /api/security/auto-lock":              {path: "/api/security/auto-lock", body: map[string]int{"minutes": 15}},
		"POST /api/imports":                         {path: "/api/imports?id=" + ids.importID + "&name=x.json", body: empty, late: true},
		"GET /api/imports/{id}":                     {path: "/api/imports/" + ids.importID, ids: true, sameAs: "/api/imports/made-up-import-0001"},
		"POST /api/imports/{id}/cancel":             {path: "/api/imports/" + ids.importID + "/cancel", body: empty, ids: true},

		"POST /api/shares":             {path: "/api/shares", body: empty},
		"GET /api/shares":              {path: "/api/shares"},
		"POST /api/shares/{id}/revoke": {path: "/api/shares/" + ids.share + "/revoke", body: empty, ids: true},
		"GET /api/shares/{id}/access":  {path: "/api/shares/" + ids.share + "/access", ids: true},
		"POST /api/share/open":         {path: "/api/share/open", body: empty},
		"GET /api/share":               {path: "/api/share"},
		"POST /api/share/finish":       {path: "/api/share/finish", body: empty},
		"POST /api/share/note":         {path: "/api/share/note", body: empty},

		"GET /api/security/publish-keys":         {path: "/api/security/publish-keys"},
		"POST /api/security/publish-keys":        {path: "/api/security/publish-keys", body: map[string]string{"name": "x"}},
		"DELETE /api/security/publish-keys/{id}": {path: "/api/security/publish-keys/" + ids.publishKey, ids: true},
		// A session cookie is no publishing key.
		"GET /api/remote/hello":               {path: "/api/remote/hello", status: http.StatusUnauthorized},
		"POST /api/remote/shares":             {path: "/api/remote/shares", body: empty, status: http.StatusForbidden},
		"GET /api/remote/shares":              {path: "/api/remote/shares", status: http.StatusUnauthorized},
		"POST /api/remote/shares/{id}/revoke": {path: "/api/remote/shares/" + ids.share + "/revoke", body: empty, status: http.StatusForbidden},
		"GET /api/remote/shares/{id}/access":  {path: "/api/remote/shares/" + ids.share + "/access", status: http.StatusUnauthorized},
	}
}

// remoteRoute: the route answers publishing keys only (share_remote.go).
func remoteRoute(route string) bool { return strings.Contains(route, " /api/remote/") }

func withPath(c isoCase, p string) isoCase { c.path = p; return c }

// methodOf is the method of a route pattern ("GET /api/x").
func methodOf(pattern string) string {
	m, _, _ := strings.Cut(pattern, " ")
	return m
}

func TestIsolationEveryRoute(t *testing.T) {
	e, a, b, ids := isolationSetup(t)
	table := isolationTable(ids)
	secrets := secretsOf(b, ids)

	var routes []string
	seen := map[string]bool{}
	for _, r := range e.h.routes {
		if seen[r] {
			continue
		}
		seen[r] = true
		if _, ok := table[r]; !ok {
			t.Errorf("new route %s: add it to the isolation table", r)
			continue
		}
		routes = append(routes, r)
	}
	for r := range table {
		if !seen[r] {
			// Not an error: routes being added elsewhere may be listed
			// here before they land.
			t.Logf("the isolation table has %s, which the router does not have", r)
		}
	}
	sort.SliceStable(routes, func(i, j int) bool { return table[routes[i]].order() < table[routes[j]].order() })

	// The ids are real: B reaches each of them, and sees B's own record.
	for _, route := range routes {
		c := table[route]
		if c.ids && methodOf(route) == "GET" && !strings.Contains(c.path, madeUpPasskey) {
			w := e.must(http.StatusOK, b, "GET", c.path, nil, nil)
			found := false
			for _, s := range secrets {
				found = found || strings.Contains(w.Body.String(), s)
			}
			if !found {
				t.Errorf("%s as B (%s) shows nothing of B's: %s", route, c.path, w.Body)
			}
		}
	}

	for _, route := range routes {
		c := table[route]
		method := methodOf(route)
		w := e.do(a, method, c.path, c.body)
		body := w.Body.String()
		for _, s := range secrets {
			if s != "" && strings.Contains(body, s) {
				t.Errorf("%s as A (%s): the answer holds B's %q: %s", route, c.path, s, body)
			}
		}
		if w.Code >= 500 {
			t.Errorf("%s as A (%s) = %d: %s", route, c.path, w.Code, body)
		}
		switch {
		case c.status != 0:
			if w.Code != c.status {
				t.Errorf("%s as A = %d, want %d: %s", route, w.Code, c.status, body)
			}
		case c.sameAs != "":
			made := e.do(a, method, c.sameAs, c.body)
			want := strings.ReplaceAll(made.Body.String(), strings.TrimPrefix(c.sameAs, "/api/imports/"), ids.importID)
			if w.Code != made.Code || body != want {
				t.Errorf("%s with B's id = %d %s; with a made-up id %d %s: they must not differ", route, w.Code, body, made.Code, made.Body)
			}
		case c.ids:
			if w.Code != http.StatusNotFound {
				t.Errorf("%s as A with B's id (%s) = %d, want 404: %s", route, c.path, w.Code, body)
			}
		}
		if w.Code == http.StatusUnauthorized && acctErr(w) == "signed_out" && !publicRoutes[route] {
			t.Errorf("%s signed A out: %s", route, body)
		}
		if c.ends {
			e.signIn(a)
		}
	}

	// B's record, session and import are as they were.
	e.signedInAs(b)
	w := e.must(http.StatusOK, b, "GET", "/api/imports/"+ids.importID, nil, nil)
	if !strings.Contains(w.Body.String(), "bertil-letters") {
		t.Fatalf("B's import after A's requests: %s", w.Body)
	}
	e.must(http.StatusOK, b, "GET", "/api/documents/"+url.PathEscape(ids.doc)+"/attachments/0", nil, nil)
	var sess struct{ Sessions []struct{ Handle string } }
	e.must(http.StatusOK, b, "GET", "/api/account/sessions", nil, &sess)
	if len(sess.Sessions) != 1 || sess.Sessions[0].Handle != ids.handle {
		t.Fatalf("B's sessions after A's requests = %+v", sess)
	}
}

// Signed out, every route but the public ones is 401 signed_out, and the
// routes of a Ward with one vault are not there at all.
func TestIsolationSignedOut(t *testing.T) {
	e, a, _, ids := isolationSetup(t)
	_ = a
	table := isolationTable(ids)
	stranger := &patient{remote: "10.9.9.9", jar: map[string]*http.Cookie{}}
	for _, route := range e.h.routes {
		c, ok := table[route]
		if !ok {
			continue // TestIsolationEveryRoute names it
		}
		w := e.do(stranger, methodOf(route), c.path, c.body)
		switch {
		case singleVaultOnly[route] || strings.HasPrefix(route, "GET /api/vault/passkey/browser/"):
			if w.Code != http.StatusNotFound {
				t.Errorf("%s signed out = %d, want 404 on a server with accounts", route, w.Code)
			}
		case remoteRoute(route):
			if w.Code != http.StatusUnauthorized && w.Code != http.StatusForbidden {
				t.Errorf("%s signed out = %d, want 401 or 403 (a page's request)", route, w.Code)
			}
		case publicRoutes[route]:
			if w.Code >= 500 || w.Code == http.StatusForbidden && acctErr(w) == "csrf" {
				t.Errorf("public %s signed out = %d %s", route, w.Code, w.Body)
			}
		default:
			if w.Code != http.StatusUnauthorized || acctErr(w) != "signed_out" {
				t.Errorf("%s signed out = %d %s, want 401 signed_out", route, w.Code, w.Body)
			}
		}
		for _, s := range secretsOf(a, ids)[:4] {
			if strings.Contains(w.Body.String(), s) {
				t.Errorf("%s signed out shows %q", route, s)
			}
		}
	}
	// With A's cookie too, the single-vault routes are not there.
	for route := range singleVaultOnly {
		if w := e.do(a, methodOf(route), strings.TrimPrefix(route, methodOf(route)+" "), map[string]any{}); w.Code != http.StatusNotFound {
			t.Errorf("%s signed in = %d, want 404", route, w.Code)
		}
	}
}

// A clinician's share session (B's share of everything) reaches the
// record routes, which read the share's copy of B's record and never A's,
// and the share's own routes; every other route is not there (404).
func TestIsolationShareSession(t *testing.T) {
	e, a, _, ids := isolationSetup(t)
	table := isolationTable(ids)
	doc := &patient{remote: "10.8.8.8", jar: map[string]*http.Cookie{}}
	var v struct{ CSRF string }
	e.must(http.StatusOK, doc, "POST", "/api/share/open", map[string]string{"code": bShareCode, "birthDate": "1970-01-01", "name": "Dr Reader"}, &v)
	doc.csrf = v.CSRF
	var routes []string
	for _, r := range e.h.routes {
		if _, ok := table[r]; !ok {
			t.Errorf("new route %s: add it to the isolation table", r)
			continue
		}
		routes = append(routes, r)
	}
	sort.SliceStable(routes, func(i, j int) bool { return routes[j] == "POST /api/share/finish" })
	for _, route := range routes {
		c := table[route]
		w := e.do(doc, methodOf(route), c.path, c.body)
		for _, s := range secretsOf(a, bIDs{})[:6] {
			if s != "" && strings.Contains(w.Body.String(), s) {
				t.Errorf("%s as B's clinician holds A's %q", route, s)
			}
		}
		_, record := shareRecordRoutes[route]
		switch {
		case w.Code >= 500:
			t.Errorf("%s as a clinician = %d %s", route, w.Code, w.Body)
		case record:
			if w.Code != http.StatusOK {
				t.Errorf("%s (%s) as B's clinician = %d, want 200: %s", route, c.path, w.Code, w.Body)
			}
		case remoteRoute(route):
			if w.Code != http.StatusUnauthorized && w.Code != http.StatusForbidden {
				t.Errorf("%s as a clinician = %d, want 401 or 403: %s", route, w.Code, w.Body)
			}
		case shareOwnRoutes[route] || route == "POST /api/share/open" || route == "GET /api/config" || route == "GET /api/healthz":
		default:
			if w.Code != http.StatusNotFound {
				t.Errorf("%s as a clinician = %d, want 404: %s", route, w.Code, w.Body)
			}
		}
	}
}
