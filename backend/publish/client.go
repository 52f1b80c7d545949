// Package publish is how a Ward on the patient's own computer talks to the
// Ward server it publishes shares to: the server's publishing API
// (/api/remote/, docs/api.md "Publishing from a computer"), with the
// publishing key the patient made there. The vault stays on the computer;
// what is sent is a share sealed there (share.Prepare) and its code, for
// the server to email.
package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Errors of the publishing API, for the one table of words at the edge.
var (
	// ErrNoServer: this computer has no server to publish to yet.
	ErrNoServer = errors.New("publish: no Ward server set up for sharing")
	// ErrBadServer: an address that is not a Ward server's (https, or
	// http on this computer only, with no path, query or user).
	ErrBadServer = errors.New("publish: the server address must start with https:// (or http://localhost)")
	// ErrKeyRefused: the server does not know this key (removed, or the
	// account closed).
	ErrKeyRefused = errors.New("publish: the server refused this computer's publishing key")
	// ErrNotWard: something answered, but not as a Ward server does.
	ErrNotWard = errors.New("publish: the server did not answer as a Ward server")
)

// UnreachableError is a server that could not be reached: offline, a
// wrong name, or it did not answer in time.
type UnreachableError struct {
	Server string
	Err    error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("publish: %s could not be reached: %v", e.Server, e.Err)
}
func (e *UnreachableError) Unwrap() error { return e.Err }

// ServerError is a refusal the server explained, in its own words (the
// same table of words as this Ward's).
type ServerError struct {
	Status      int
	Code, Text  string
	RetryAfterS int
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("publish: the server refused (%d %s): %s", e.Status, e.Code, e.Text)
}

// maxAnswer bounds what is read of an answer.
const maxAnswer = 8 << 20

// Client calls one server's publishing API with one key.
type Client struct {
	Server string // CheckServer's form
	Key    string
	HTTP   *http.Client // nil: a client with a 60-second timeout
}

// CheckServer reads a server address as the patient typed it and gives
// its canonical form ("https://ward.example.org", no trailing slash). A
// key sent in the clear could be read on the way, so plain http is
// allowed only to this computer.
func CheckServer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s != "" && !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		strings.Trim(u.Path, "/") != "" || len(s) > 300 {
		return "", ErrBadServer
	}
	switch u.Scheme {
	case "https":
	case "http":
		h := u.Hostname()
		if h != "localhost" && !strings.HasSuffix(h, ".localhost") {
			if ip := net.ParseIP(h); ip == nil || !ip.IsLoopback() {
				return "", ErrBadServer
			}
		}
	default:
		return "", ErrBadServer
	}
	return u.Scheme + "://" + u.Host, nil
}

// Hello is what the server says of itself.
type Hello struct {
	Organisation string `json:"organisation"`
}

// Hello checks the key with the server.
func (c *Client) Hello(ctx context.Context) (Hello, error) {
	var h Hello
	b, err := c.do(ctx, http.MethodGet, "/api/remote/hello", nil)
	if err == nil {
		if err = json.Unmarshal(b, &h); err != nil {
			err = ErrNotWard
		}
	}
	return h, err
}

// Publish sends body (the upload: docs/api.md) and gives the server's
// answer as it is, for the page.
func (c *Client) Publish(ctx context.Context, body any) (json.RawMessage, error) {
	return c.do(ctx, http.MethodPost, "/api/remote/shares", body)
}

// List gives the server's list of this account's shares.
func (c *Client) List(ctx context.Context) (json.RawMessage, error) {
	return c.do(ctx, http.MethodGet, "/api/remote/shares", nil)
}

// Revoke ends share id at once.
func (c *Client) Revoke(ctx context.Context, id string) error {
	_, err := c.do(ctx, http.MethodPost, "/api/remote/shares/"+url.PathEscape(id)+"/revoke", struct{}{})
	return err
}

// Access gives share id's access log.
func (c *Client) Access(ctx context.Context, id string) (json.RawMessage, error) {
	return c.do(ctx, http.MethodGet, "/api/remote/shares/"+url.PathEscape(id)+"/access", nil)
}

func (c *Client) do(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	if c == nil || c.Server == "" || c.Key == "" {
		return nil, ErrNoServer
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Server+path, rd)
	if err != nil {
		return nil, ErrBadServer
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	// A redirect could carry the key elsewhere: none is followed.
	cl := *hc
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := cl.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &UnreachableError{Server: c.Server, Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, &UnreachableError{Server: c.Server, Err: err}
	}
	if len(b) > maxAnswer {
		return nil, ErrNotWard
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return nil, ErrNotWard
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if !json.Valid(b) {
			return nil, ErrNotWard
		}
		return b, nil
	}
	var e struct {
		Error struct {
			Code        string `json:"code"`
			Message     string `json:"message"`
			RetryAfterS int    `json:"retryAfterSeconds"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &e) != nil || e.Error.Code == "" {
		return nil, ErrNotWard
	}
	if resp.StatusCode == http.StatusUnauthorized && e.Error.Code == "publish_key_refused" {
		return nil, ErrKeyRefused
	}
	return nil, &ServerError{Status: resp.StatusCode, Code: e.Error.Code, Text: e.Error.Message, RetryAfterS: e.Error.RetryAfterS}
}
