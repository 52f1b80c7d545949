package api

import (
	"net/http"
	"time"

	"github.com/gorilla/securecookie"

	"github.com/ward-health/ward/backend/serverkey"
)

// Cookies on a server with accounts. The session cookie names a session
// row and carries the vault token it reads the record with; it is
// encrypted and authenticated (gorilla/securecookie, keys from the server's
// key file, newest first so a rotated-out key still decodes until its
// cookies expire), HttpOnly and SameSite=Strict, and under TLS Secure with
// the __Host- prefix (no Domain, Path=/). The step cookie holds a sign-up
// or sign-in that is half done, for minutes.
const (
	sessionCookie = "ward"
	stepCookie    = "ward-step"
	stepMaxAge    = 15 * time.Minute
)

// sessionValue is what the session cookie holds.
type sessionValue struct {
	S string `json:"s"` // session id (the row stores its SHA-256)
	T string `json:"t"` // vault token
}

// stepValue is a half-done flow: which, for whom, and its CSRF token.
type stepValue struct {
	K string `json:"k"` // stepActivate, stepTwoStep, stepForgot
	A string `json:"a"` // account id, or the half-finished sign-in's id
	C string `json:"c"` // CSRF token for the step's requests
}

const (
	stepActivate = "activate"
	stepTwoStep  = "two-step"
	stepForgot   = "forgot"
)

type cookies struct {
	session, step []securecookie.Codec
	secure        bool
	maxAge        time.Duration
}

func newCookies(keys []serverkey.CookieKey, secure bool, maxAge time.Duration) *cookies {
	c := &cookies{secure: secure, maxAge: maxAge}
	for _, k := range keys {
		s := securecookie.New(k.Hash, k.Block)
		s.SetSerializer(securecookie.JSONEncoder{})
		s.MaxAge(int(maxAge / time.Second))
		s.MaxLength(1024)
		c.session = append(c.session, s)
		st := securecookie.New(k.Hash, k.Block)
		st.SetSerializer(securecookie.JSONEncoder{})
		st.MaxAge(int(stepMaxAge / time.Second))
		st.MaxLength(1024)
		c.step = append(c.step, st)
	}
	return c
}

func (c *cookies) name(base string) string {
	if c.secure {
		return "__Host-" + base
	}
	return base
}

func (c *cookies) set(w http.ResponseWriter, base string, codecs []securecookie.Codec, v any, age time.Duration) error {
	name := c.name(base)
	enc, err := codecs[0].Encode(name, v)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: enc, Path: "/", MaxAge: int(age / time.Second),
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteStrictMode})
	return nil
}

func (c *cookies) clear(w http.ResponseWriter, base string) {
	http.SetCookie(w, &http.Cookie{Name: c.name(base), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteStrictMode})
}

// get decodes the named cookie into v; false when absent, malformed,
// expired or signed with a key no longer kept.
func (c *cookies) get(r *http.Request, base string, codecs []securecookie.Codec, v any) bool {
	ck, err := r.Cookie(c.name(base))
	if err != nil || ck.Value == "" {
		return false
	}
	return securecookie.DecodeMulti(c.name(base), ck.Value, v, codecs...) == nil
}

func (c *cookies) setSession(w http.ResponseWriter, v sessionValue) error {
	return c.set(w, sessionCookie, c.session, v, c.maxAge)
}

func (c *cookies) getSession(r *http.Request) (sessionValue, bool) {
	var v sessionValue
	ok := c.get(r, sessionCookie, c.session, &v)
	return v, ok && v.S != "" && v.T != ""
}

func (c *cookies) setStep(w http.ResponseWriter, v stepValue) error {
	return c.set(w, stepCookie, c.step, v, stepMaxAge)
}

func (c *cookies) getStep(r *http.Request, kind string) (stepValue, bool) {
	var v stepValue
	ok := c.get(r, stepCookie, c.step, &v)
	return v, ok && v.K == kind && v.A != ""
}
