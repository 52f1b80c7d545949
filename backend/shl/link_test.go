package shl

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewEncodeParse(t *testing.T) {
	exp := time.Date(2027, 1, 2, 3, 4, 5, 600, time.UTC)
	l, err := New("https://ward.example.org/", "Récords for Alice", exp, true)
	if err != nil {
		t.Fatal(err)
	}
	if !validToken(l.ID, 32) || l.URL != "https://ward.example.org/shl/"+l.ID {
		t.Fatalf("id %q url %q", l.ID, l.URL)
	}
	if len(l.Key) != 32 || l.Flag != "P" || l.V != 1 || l.Exp.Unix() != exp.Unix() || !l.Passcode() {
		t.Fatalf("link %+v", l)
	}
	s := l.Encode()
	if !strings.HasPrefix(s, "shlink:/") || strings.ContainsAny(s[8:], "=+/") {
		t.Fatalf("encoding %q", s)
	}
	for _, in := range []string{s, l.ViewerURL("https://viewer.example.org/#"), "https://viewer.example.org#" + s} {
		got, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if got.ID != l.ID || got.URL != l.URL || !bytes.Equal(got.Key, l.Key) || !got.Exp.Equal(l.Exp) ||
			got.Flag != l.Flag || got.Label != l.Label || got.V != 1 {
			t.Fatalf("round trip: %+v != %+v", got, l)
		}
	}

	// Fresh randomness each time.
	l2, _ := New("https://ward.example.org", "", time.Time{}, false)
	if l2.ID == l.ID || bytes.Equal(l2.Key, l.Key) || l2.Flag != "" || !l2.Exp.IsZero() {
		t.Fatalf("second link %+v", l2)
	}
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		base, label string
	}{
		{"ward.example.org", ""},
		{"http://ward.example.org", ""},
		{"https://ward.example.org?x=1", ""},
		{"https://ward.example.org#f", ""},
		{"https://user@ward.example.org", ""},
		{"https://ward.example.org/" + strings.Repeat("a", 80), ""},
		{"https://ward.example.org", strings.Repeat("é", 81)},
		{"https://ward.example.org", "line\nbreak"},
	} {
		if _, err := New(tc.base, tc.label, time.Time{}, false); !errors.Is(err, ErrInvalidLink) {
			t.Errorf("New(%q, %q): %v", tc.base, tc.label, err)
		}
	}
	if _, err := New("https://ward.example.org", strings.Repeat("é", 80), time.Time{}, false); err != nil {
		t.Errorf("80-character label: %v", err)
	}
	if _, err := New("http://127.0.0.1:8080", "", time.Time{}, false); err != nil {
		t.Errorf("loopback http: %v", err)
	}
}

// The example from the specification ("Example SMART Health Link
// Generation").
const specExample = "shlink:/eyJ1cmwiOiJodHRwczovL2Voci5leGFtcGxlLm9yZy9xci9ZOXh3a1VkdG1OOXd3b0pvTjNmZkpJaFgyVUd2Q0wxSm5sUFZOTDNrRFdNL20iLCJmbGFnIjoiTFAiLCJrZXkiOiJyeFRnWWxPYUtKUEZ0Y0VkMHFjY2VOOHdFVTRwOTRTcUF3SVdRZTZ1WDdRIiwibGFiZWwiOiJCYWNrLXRvLXNjaG9vbCBpbW11bml6YXRpb25zIGZvciBPbGl2ZXIgQnJvd24ifQ"

func TestParseSpecExample(t *testing.T) {
	for _, in := range []string{specExample, "https://viewer.example.org#" + specExample} {
		l, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if l.URL != "https://ehr.example.org/qr/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM/m" || l.Flag != "LP" ||
			base64.RawURLEncoding.EncodeToString(l.Key) != "rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q" ||
			l.Label != "Back-to-school immunizations for Oliver Brown" || l.V != 1 || !l.Exp.IsZero() || !l.Passcode() || l.ID != "" {
			t.Fatalf("%+v", l)
		}
	}
}

func enc(json string) string { return "shlink:/" + base64.RawURLEncoding.EncodeToString([]byte(json)) }

const goodKey = `"key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q"`
const goodURL = `"url":"https://ehr.example.org/qr/x"`

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"shlink:/",
		"shlink:",
		"shlink://" + enc("{" + goodURL + "," + goodKey + "}")[8:],
		"https://viewer.example.org/" + enc("{"+goodURL+","+goodKey+"}"), // no '#'
		"javascript:alert(1)#" + enc("{"+goodURL+","+goodKey+"}"),
		"shlink:/" + base64.URLEncoding.EncodeToString([]byte("{"+goodURL+","+goodKey+"}x")), // padded / junk
		"shlink:/" + base64.StdEncoding.EncodeToString([]byte(`{"url":"https://a.example/??>>>","key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q"}`)),
		enc(`[]`),
		enc(`null`),
		enc(`"x"`),
		enc(`{` + goodURL + `,` + goodKey + `} {}`),
		enc(`{` + goodKey + `}`),
		enc(`{` + goodURL + `}`),
		enc(`{"URL":"https://ehr.example.org/qr/x",` + goodKey + `}`),
		enc(`{"url":"http://ehr.example.org/qr/x",` + goodKey + `}`),
		enc(`{"url":"ftp://ehr.example.org/qr/x",` + goodKey + `}`),
		enc(`{"url":"/qr/x",` + goodKey + `}`),
		enc(`{"url":"https://ehr.example.org/` + strings.Repeat("a", 110) + `",` + goodKey + `}`),
		enc(`{"url":"https://ehr.example.org/a b",` + goodKey + `}`),
		enc(`{"url":"https://ehr.example.org/a#b",` + goodKey + `}`),
		enc(`{"url":1,` + goodKey + `}`),
		enc(`{` + goodURL + `,"key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7"}`),
		enc(`{` + goodURL + `,"key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7R"}`), // non-canonical last char
		enc(`{` + goodURL + `,"key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q="}`),
		enc(`{` + goodURL + `,"key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6u/7Q"}`),
		enc(`{` + goodURL + `,` + goodKey + `,"exp":-1}`),
		enc(`{` + goodURL + `,` + goodKey + `,"exp":"1700000000"}`),
		enc(`{` + goodURL + `,` + goodKey + `,"exp":1e300}`),
		enc(`{` + goodURL + `,` + goodKey + `,"flag":"PL"}`),
		enc(`{` + goodURL + `,` + goodKey + `,"flag":"PP"}`),
		enc(`{` + goodURL + `,` + goodKey + `,"flag":"PU"}`),
		enc(`{` + goodURL + `,` + goodKey + `,"flag":"p"}`),
		enc(`{` + goodURL + `,` + goodKey + `,"flag":null}`),
		enc(`{` + goodURL + `,` + goodKey + `,"label":"` + strings.Repeat("x", 81) + `"}`),
		enc(`{` + goodURL + `,` + goodKey + `,"label":5}`),
		enc(`{` + goodURL + `,` + goodKey + `,"v":0}`),
		enc(`{` + goodURL + `,` + goodKey + `,"v":1.5}`),
		enc(`{` + goodURL + `,` + goodKey + `,"v":"1"}`),
		enc("{" + goodURL + "," + goodKey + ",\"label\":\"\xff\"}"),
		"shlink:/" + strings.Repeat("A", MaxLinkLength),
	} {
		if l, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %+v, want error", in, l)
		}
	}
	if _, err := Parse(enc(`{` + goodURL + `,` + goodKey + `,"v":2}`)); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("v 2: %v", err)
	}
}

func TestParseAccepts(t *testing.T) {
	l, err := Parse(enc(`{` + goodURL + `,` + goodKey + `,"exp":1700000000.5,"flag":"LPZ","v":1,"extension":{},"_x":1,"label":""}`))
	if err != nil {
		t.Fatal(err)
	}
	if l.Exp.Unix() != 1700000000 || l.Flag != "LPZ" {
		t.Fatalf("%+v", l)
	}
	// Loopback http (tests, development).
	if _, err := Parse(enc(`{"url":"http://127.0.0.1:1234/shl/x",` + goodKey + `}`)); err != nil {
		t.Fatal(err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(specExample)
	f.Add("https://viewer.example.org#" + specExample)
	f.Add(enc(`{` + goodURL + `,` + goodKey + `,"exp":1700000000,"flag":"P","label":"x","v":1}`))
	f.Add(enc(`{"url":"http://[::1]/shl/` + strings.Repeat("A", 43) + `",` + goodKey + `}`))
	f.Add("shlink:/")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if err != nil {
			return
		}
		// Whatever parses satisfies the invariants and survives a round trip.
		if len(l.Key) != KeySize || len(l.URL) > MaxURLLength || l.V != 1 {
			t.Fatalf("invariants: %+v", l)
		}
		l2, err := Parse(l.Encode())
		if err != nil {
			t.Fatalf("re-parse of %q: %v", l.Encode(), err)
		}
		if l2.URL != l.URL || !bytes.Equal(l2.Key, l.Key) || !l2.Exp.Equal(l.Exp) || l2.Flag != l.Flag ||
			l2.Label != l.Label || l2.ID != l.ID {
			t.Fatalf("round trip %+v != %+v", l2, l)
		}
	})
}
