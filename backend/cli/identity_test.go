package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/api"
	"github.com/ward-health/ward/backend/session"
)

// patientFile is a synthetic record: one Patient (or none) and one test
// result about them, from one hospital.
func patientFile(id, given, family, birth, nhs, mrnSystem, mrn, org string) string {
	var ids []string
	if nhs != "" {
		ids = append(ids, fmt.Sprintf(`{"system":"https://fhir.nhs.uk/Id/nhs-number","value":%q}`, nhs))
	}
	if mrn != "" {
		ids = append(ids, fmt.Sprintf(`{"system":%q,"value":%q}`, mrnSystem, mrn))
	}
	patient := fmt.Sprintf(`{"resourceType":"Patient","id":%q,"identifier":[%s],"name":[{"family":%q,"given":[%q]}],"birthDate":%q,"managingOrganization":{"reference":"Organization/org-%s"}}`,
		id, strings.Join(ids, ","), family, given, birth, id)
	orgRes := fmt.Sprintf(`{"resourceType":"Organization","id":"org-%s","name":%q}`, id, org)
	obs := fmt.Sprintf(`{"resourceType":"Observation","id":"obs-%s","status":"final","code":{"text":"Potassium"},"subject":{"reference":"Patient/%s"},"effectiveDateTime":"2026-11-20","valueQuantity":{"value":4.1,"unit":"mmol/L"}}`, id, id)
	return fmt.Sprintf(`{"resourceType":"Bundle","type":"collection","entry":[{"resource":%s},{"resource":%s},{"resource":%s}]}`, patient, orgRes, obs)
}

// vaultBytes is every byte of the vault's files, to show nothing changed.
func vaultBytes(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(filepath.Join(dir, "ward.db"+suffix))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// pageImport uploads a file as the Import page does and returns the job's
// final state and message.
func pageImport(t *testing.T, h http.Handler, tok, name, query string, body []byte) (state, code, message string, summary map[string]any) {
	t.Helper()
	r := httptest.NewRequest("POST", "/api/imports?name="+name+query, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/octet-stream")
	r.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var snap struct {
		State, Code, Message string
		Summary              map[string]any
	}
	if err := json.Unmarshal(w.Body.Bytes(), &snap); err != nil {
		t.Fatalf("%s: %d %s", name, w.Code, w.Body)
	}
	return snap.State, snap.Code, snap.Message, snap.Summary
}

// Both routes (the terminal and the page) decide whose record a file is in
// the same words, refuse the same files, and change nothing when they do.
func TestWhoseRecordBothRoutes(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "vault")
	pw := writeFile(t, dir, "pw", "correct horse battery")
	if code, _, errs := ward(t, "vault", "init", "--data", data, "--password-file", pw); code != 0 {
		t.Fatal(errs)
	}
	alex := writeFile(t, dir, "alex.json", patientFile("a1", "Alex", "Morgan", "1968-04-02", "9434765919", "https://trust-a.example/mrn", "A123", "Trust A"))
	if code, out, errs := ward(t, "vault", "import", "--data", data, "--password-file", pw, alex); code != 0 || !strings.Contains(out, `"source": "Trust A"`) {
		t.Fatalf("first file: %d %s %s", code, out, errs)
	}

	const refused = "Nothing was imported."
	cases := []struct {
		name, body string
		want       string // in the words both routes give
		sameOK     bool   // imports with --same-person / samePerson=yes
	}{
		{"sam.json", patientFile("s1", "Sam", "Rivera", "1948-01-09", "", "", "", "Trust B"),
			"This file is about Sam Rivera, born 1948. This record is Alex Morgan's, born 1968, NHS number 943 476 5919. Nothing was imported. To keep Sam's record too, make a separate vault for them.", false},
		{"nhs-conflict.json", patientFile("a2", "Alex", "Morgan", "1968-04-02", "9434765870", "", "", "Trust C"),
			"This file is about Alex Morgan, born 1968, NHS number 943 476 5870.", false},
		{"two-people.json", strings.Replace(patientFile("a3", "Alex", "Morgan", "1968-04-02", "9434765919", "", "", "Trust D"), `"entry":[`,
			`"entry":[{"resource":{"resourceType":"Patient","id":"s9","name":[{"family":"Rivera","given":["Sam"]}],"birthDate":"1948-01-09"}},`, 1),
			"This file is about more than one person: Sam Rivera, born 1948 and Alex Morgan, born 1968, NHS number 943 476 5919.", false},
		{"spelling.json", patientFile("a4", "Alec", "Morgen", "1968-04-02", "", "", "", "Trust E"),
			"Ward cannot tell for sure that they are the same person", true},
	}
	for _, tc := range cases {
		path := writeFile(t, dir, tc.name, tc.body)
		before := vaultBytes(t, data)
		code, out, errs := ward(t, "vault", "import", "--data", data, "--password-file", pw, path)
		if code == 0 || !strings.Contains(out, tc.want) || !strings.Contains(out, refused) {
			t.Fatalf("%s by the CLI: exit %d\n%s\n%s", tc.name, code, out, errs)
		}
		if !bytes.Equal(before, vaultBytes(t, data)) {
			t.Fatalf("%s: the CLI changed the vault while refusing", tc.name)
		}
	}

	// The page, on the same vault.
	m, err := session.Open(data, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tok, err := m.Unlock(context.Background(), session.Secret{Password: []byte("correct horse battery")})
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Options{Vault: m})
	for _, tc := range cases {
		body, _ := os.ReadFile(filepath.Join(dir, tc.name))
		before := vaultBytes(t, data)
		state, _, msg, _ := pageImport(t, h, tok, tc.name, "", body)
		if state != "failed" || !strings.Contains(msg, tc.want) || !strings.Contains(msg, refused) {
			t.Fatalf("%s by the page: %s %q", tc.name, state, msg)
		}
		if !bytes.Equal(before, vaultBytes(t, data)) {
			t.Fatalf("%s: the page changed the vault while refusing", tc.name)
		}
	}
	// The file already imported by the CLI adds nothing through the page.
	body, _ := os.ReadFile(alex)
	state, _, msg, sum := pageImport(t, h, tok, "alex.json", "", body)
	if state != "done" || sum["added"] != 0.0 || sum["updated"] != 0.0 || sum["nothingNew"] != true || sum["source"] != "Trust A" {
		t.Fatalf("alex.json again by the page: %s %q %v", state, msg, sum)
	}
	// A doubt is settled by the person: the page's "yes, this is me".
	for _, tc := range cases {
		if !tc.sameOK {
			continue
		}
		body, _ := os.ReadFile(filepath.Join(dir, tc.name))
		if state, code, msg, _ := pageImport(t, h, tok, tc.name, "", body); state != "failed" || code != "confirm_same_person" {
			t.Fatalf("%s: %s %s %q", tc.name, state, code, msg)
		}
		if state, _, msg, sum := pageImport(t, h, tok, tc.name, "&samePerson=yes", body); state != "done" || sum["added"] == 0.0 {
			t.Fatalf("%s confirmed: %s %q %v", tc.name, state, msg, sum)
		}
	}
}
