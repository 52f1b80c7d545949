package shl

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits from the SMART Health Links specification.
const (
	// MaxURLLength is the longest manifest URL (the payload's url field).
	MaxURLLength = 128
	// MaxLabelLength is the longest label, in characters.
	MaxLabelLength = 80
	// KeySize is the size of the file encryption key in bytes.
	KeySize = 32
	// IDSize is the number of random bytes in a manifest id (256 bits).
	IDSize = 32

	// Scheme is the prefix of a bare SMART Health Link.
	Scheme = "shlink:/"

	// MaxLinkLength bounds what Parse accepts (a viewer URL plus payload).
	MaxLinkLength = 8192
)

// Version is the SMART Health Links protocol version this package implements.
const Version = 1

// Errors returned by Parse and New.
var (
	ErrInvalidLink        = errors.New("shl: invalid SMART Health Link")
	ErrUnsupportedVersion = errors.New("shl: unsupported SMART Health Link version")
)

// Link is a SMART Health Link payload.
type Link struct {
	// ID is the manifest id (the last path segment of URL). It is set by New;
	// Parse sets it only when URL has the form <base>/shl/<id>.
	ID string
	// URL is the manifest URL.
	URL string
	// Key is the 32-byte A256GCM key for the files in the manifest.
	Key []byte
	// Exp is the expiry hint; the zero Time means none. Whole seconds.
	Exp time.Time
	// Flag is the concatenation of single-character flags in alphabetical
	// order ("P" when a passcode is required). Unknown flags from Parse are
	// kept.
	Flag string
	// Label is a short description, at most 80 characters.
	Label string
	// V is the protocol version (1).
	V int
}

// payload is the JSON form of a Link, in the order of the specification's
// table.
type payload struct {
	URL   string       `json:"url"`
	Key   string       `json:"key"`
	Exp   *json.Number `json:"exp,omitempty"`
	Flag  string       `json:"flag,omitempty"`
	Label string       `json:"label,omitempty"`
	V     *json.Number `json:"v,omitempty"`
}

// New mints a SMART Health Link for a share served at baseURL (scheme and
// host, optionally a path, no query or fragment): the manifest URL is
// baseURL + "/shl/" + id, where id is 32 random bytes base64url-encoded
// (256 bits of entropy). The key is 32 fresh random bytes. exp is the
// expiry (zero for none); label must be at most 80 characters; passcode
// sets flag "P".
func New(baseURL, label string, exp time.Time, passcode bool) (*Link, error) {
	base, err := checkBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if err := checkLabel(label); err != nil {
		return nil, err
	}
	if !exp.IsZero() && exp.Unix() <= 0 {
		return nil, fmt.Errorf("%w: expiry before 1970", ErrInvalidLink)
	}
	id, err := randomToken(IDSize)
	if err != nil {
		return nil, err
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	l := &Link{
		ID:    id,
		URL:   base + "/shl/" + id,
		Key:   key,
		Label: label,
		V:     Version,
	}
	if !exp.IsZero() {
		l.Exp = time.Unix(exp.Unix(), 0)
	}
	if passcode {
		l.Flag = "P"
	}
	if len(l.URL) > MaxURLLength {
		return nil, fmt.Errorf("%w: manifest URL longer than %d characters (base URL too long)", ErrInvalidLink, MaxURLLength)
	}
	return l, nil
}

// Passcode reports whether the link carries the P flag.
func (l *Link) Passcode() bool { return strings.Contains(l.Flag, "P") }

// Expired reports whether the link's expiry hint is at or before now.
func (l *Link) Expired(now time.Time) bool { return !l.Exp.IsZero() && !now.Before(l.Exp) }

// Encode returns "shlink:/" followed by the base64url-encoded (unpadded)
// minified JSON payload.
func (l *Link) Encode() string {
	p := payload{
		URL:   l.URL,
		Key:   base64.RawURLEncoding.EncodeToString(l.Key),
		Flag:  l.Flag,
		Label: l.Label,
	}
	if !l.Exp.IsZero() {
		n := json.Number(fmt.Sprint(l.Exp.Unix()))
		p.Exp = &n
	}
	v := l.V
	if v == 0 {
		v = Version
	}
	n := json.Number(fmt.Sprint(v))
	p.V = &n
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		panic(err) // strings and numbers only; cannot fail
	}
	return Scheme + base64.RawURLEncoding.EncodeToString(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// ViewerURL returns the link behind a viewer URL, which must end in "#".
func (l *Link) ViewerURL(viewer string) string {
	return viewer + l.Encode()
}

// Parse decodes a SMART Health Link: either bare ("shlink:/…") or behind a
// viewer URL ending in "#" ("https://viewer.example.org#shlink:/…").
// Validation is strict: the payload must be unpadded base64url of a JSON
// object whose url is an absolute https URL (http only for loopback hosts)
// of at most 128 characters, whose key is exactly 43 characters decoding to
// 32 bytes, whose exp (if present) is a non-negative number of epoch
// seconds, whose flag is upper-case letters in strictly alphabetical order
// without both P and U, whose label is at most 80 characters, and whose v
// (if present) is 1. Unrecognised properties and flags are ignored, as the
// specification requires. A v other than 1 gives ErrUnsupportedVersion.
func Parse(s string) (*Link, error) {
	if len(s) > MaxLinkLength {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidLink, MaxLinkLength)
	}
	if !strings.HasPrefix(s, Scheme) {
		i := strings.Index(s, "#"+Scheme)
		if i < 0 {
			return nil, fmt.Errorf("%w: no %q", ErrInvalidLink, Scheme)
		}
		if err := checkViewer(s[:i]); err != nil {
			return nil, err
		}
		s = s[i+1:]
	}
	enc := s[len(Scheme):]
	if enc == "" {
		return nil, fmt.Errorf("%w: empty payload", ErrInvalidLink)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("%w: payload is not unpadded base64url", ErrInvalidLink)
	}
	if !utf8.Valid(raw) {
		return nil, fmt.Errorf("%w: payload is not UTF-8", ErrInvalidLink)
	}
	p, err := decodePayload(raw)
	if err != nil {
		return nil, err
	}

	l := &Link{URL: p.URL, Flag: p.Flag, Label: p.Label, V: Version}
	if p.V != nil {
		v, err := p.V.Int64()
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%w: bad v", ErrInvalidLink)
		}
		if v != Version {
			return nil, fmt.Errorf("%w: v %d", ErrUnsupportedVersion, v)
		}
	}
	if err := checkManifestURL(p.URL); err != nil {
		return nil, err
	}
	if len(p.Key) != 43 {
		return nil, fmt.Errorf("%w: key must be 43 characters", ErrInvalidLink)
	}
	key, err := base64.RawURLEncoding.Strict().DecodeString(p.Key)
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("%w: key is not 32 bytes base64url", ErrInvalidLink)
	}
	l.Key = key
	if p.Exp != nil {
		f, err := p.Exp.Float64()
		if err != nil || math.IsNaN(f) || f < 0 || f > 1e12 {
			return nil, fmt.Errorf("%w: bad exp", ErrInvalidLink)
		}
		l.Exp = time.Unix(int64(f), 0)
	}
	if err := checkFlag(p.Flag); err != nil {
		return nil, err
	}
	if err := checkLabel(p.Label); err != nil {
		return nil, err
	}
	if i := strings.LastIndex(p.URL, "/shl/"); i >= 0 && validToken(p.URL[i+len("/shl/"):], IDSize) {
		l.ID = p.URL[i+len("/shl/"):]
	}
	return l, nil
}

// decodePayload reads the payload object with exact (case-sensitive)
// property names; encoding/json alone would also match "URL" or "Key".
// Unknown properties are ignored.
func decodePayload(raw []byte) (payload, error) {
	var p payload
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return p, fmt.Errorf("%w: payload is not a JSON object", ErrInvalidLink)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil {
		return p, fmt.Errorf("%w: payload is not a JSON object", ErrInvalidLink)
	}
	if _, err := dec.Token(); err != io.EOF {
		return p, fmt.Errorf("%w: trailing data after payload", ErrInvalidLink)
	}
	str := func(name string, dst *string) error {
		v, ok := m[name]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			return fmt.Errorf("%w: %s is not a string", ErrInvalidLink, name)
		}
		return nil
	}
	num := func(name string) (*json.Number, error) {
		v, ok := m[name]
		if !ok {
			return nil, nil
		}
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		var x any
		if err := d.Decode(&x); err != nil {
			return nil, fmt.Errorf("%w: %s is not a number", ErrInvalidLink, name)
		}
		n, ok := x.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%w: %s is not a number", ErrInvalidLink, name)
		}
		return &n, nil
	}
	for name, dst := range map[string]*string{"url": &p.URL, "key": &p.Key, "flag": &p.Flag, "label": &p.Label} {
		if err := str(name, dst); err != nil {
			return p, err
		}
	}
	var err error
	if p.Exp, err = num("exp"); err != nil {
		return p, err
	}
	if p.V, err = num("v"); err != nil {
		return p, err
	}
	return p, nil
}

func checkBaseURL(s string) (string, error) {
	s = strings.TrimSuffix(s, "/")
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Contains(s, "#") || strings.Contains(s, "?") {
		return "", fmt.Errorf("%w: base URL must be an absolute URL without query or fragment", ErrInvalidLink)
	}
	if !secureScheme(u) {
		return "", fmt.Errorf("%w: base URL must be https (http only for loopback)", ErrInvalidLink)
	}
	return s, nil
}

func checkManifestURL(s string) error {
	if s == "" {
		return fmt.Errorf("%w: url missing", ErrInvalidLink)
	}
	if len(s) > MaxURLLength {
		return fmt.Errorf("%w: url longer than %d characters", ErrInvalidLink, MaxURLLength)
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || strings.Contains(s, "#") {
		return fmt.Errorf("%w: url is not an absolute URL", ErrInvalidLink)
	}
	if !secureScheme(u) {
		return fmt.Errorf("%w: url must be https (http only for loopback)", ErrInvalidLink)
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f {
			return fmt.Errorf("%w: url has spaces or non-ASCII characters", ErrInvalidLink)
		}
	}
	return nil
}

func checkViewer(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || strings.ContainsAny(s, " \t\r\n#") {
		return fmt.Errorf("%w: viewer prefix is not an http(s) URL ending in #", ErrInvalidLink)
	}
	return nil
}

// secureScheme allows https, and http only for loopback hosts (tests,
// development).
func secureScheme(u *url.URL) bool {
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		if h == "localhost" {
			return true
		}
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
	return false
}

func checkFlag(f string) error {
	var prev rune
	for _, r := range f {
		if r < 'A' || r > 'Z' {
			return fmt.Errorf("%w: flag %q has a character that is not A-Z", ErrInvalidLink, f)
		}
		if r <= prev {
			return fmt.Errorf("%w: flag %q not in strictly alphabetical order", ErrInvalidLink, f)
		}
		prev = r
	}
	if strings.Contains(f, "P") && strings.Contains(f, "U") {
		return fmt.Errorf("%w: flag U cannot be combined with P", ErrInvalidLink)
	}
	return nil
}

func checkLabel(label string) error {
	if !utf8.ValidString(label) {
		return fmt.Errorf("%w: label is not UTF-8", ErrInvalidLink)
	}
	if utf8.RuneCountInString(label) > MaxLabelLength {
		return fmt.Errorf("%w: label longer than %d characters", ErrInvalidLink, MaxLabelLength)
	}
	for _, r := range label {
		if r < ' ' || r == 0x7f {
			return fmt.Errorf("%w: label has control characters", ErrInvalidLink)
		}
	}
	return nil
}

// randomToken returns n random bytes, base64url-encoded without padding.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// validToken reports whether s is the unpadded base64url encoding of exactly
// n bytes.
func validToken(s string, n int) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(n) {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == n
}
