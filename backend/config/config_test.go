package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		path    string
		want    Config
		wantErr string
	}{
		{"no file", "", Config{}, ""},
		{"missing", filepath.Join(dir, "nope.json"), Config{}, "does not exist"},
		{"good", write("good.json", `{"organisation":{"name":"Example Trust","helpdesk":{"phone":"0300 1","hours":"9 to 5"}}}`),
			Config{Organisation: Organisation{Name: "Example Trust", Helpdesk: Helpdesk{Phone: "0300 1", Hours: "9 to 5"}}}, ""},
		{"contacts", write("contacts.json", `{"contacts":[{"organisation":"Riverside Pathology","phone":"020 7946 0000","hours":"24 hours"}]}`),
			Config{Contacts: []Contact{{Organisation: "Riverside Pathology", Phone: "020 7946 0000", Hours: "24 hours"}}}, ""},
		{"typo in key", write("typo.json", `{"organisation":{"nmae":"x"}}`), Config{}, "not valid"},
		{"not json", write("bad.json", `organisation: x`), Config{}, "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load(%q) error = %v, want containing %q", tt.path, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Load = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestContactFor(t *testing.T) {
	c := Config{Contacts: []Contact{
		{Organisation: "Riverside Pathology", Phone: "020 7946 0000"},
		{Organisation: "No Number Clinic"},
	}}
	tests := []struct {
		org       string
		wantPhone string
	}{
		{"Riverside Pathology", "020 7946 0000"},
		{"  riverside pathology ", "020 7946 0000"},
		{"Riverside", ""},
		{"No Number Clinic", ""}, // a contact without a number is no help in an emergency
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := c.ContactFor(tt.org)
		if got.Phone != tt.wantPhone || ok != (tt.wantPhone != "") {
			t.Errorf("ContactFor(%q) = %+v, %v; want phone %q", tt.org, got, ok, tt.wantPhone)
		}
	}
}
