package browserauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ward-health/ward/backend/passkey"
)

const (
	// TTL is how long a flow is valid from Start.
	TTL = 2 * time.Minute
	// MaxBody is the largest body begin or finish accepts.
	MaxBody = 64 << 10
	// MaxFlows is the most flows kept at once; starting another forgets the
	// ended ones, then closes and forgets the oldest.
	MaxFlows = 16
	// maxSteps is how many browser steps (create or get) one flow may take:
	// the first and at most one Next.
	maxSteps = 2
	// sweepEvery is how often expired flows are closed and stale ones forgotten.
	sweepEvery = 5 * time.Second
)

// The states Status reports.
const (
	StateWaiting = "waiting"
	StateDone    = "done"
	StateFailed  = "failed"
	StateExpired = "expired"
)

// Kinds of ceremony (Ceremony.Kind, Next.Kind): which of
// navigator.credentials.get and create the page calls.
const (
	KindGet    = "get"
	KindCreate = "create"
)

var (
	// ErrUnknownFlow: Status was given an id that was never started, or
	// whose end has already been reported.
	ErrUnknownFlow = errors.New("browserauth: unknown or finished flow")
	// ErrTooLarge: the page posted more than MaxBody; the flow fails.
	ErrTooLarge = errors.New("browserauth: request body too large")
	// ErrTooManySteps: Finish asked for more browser steps than a flow may take.
	ErrTooManySteps = errors.New("browserauth: too many steps")
)

// Ceremony is what the loopback page needs from Ward: the WebAuthn steps,
// given the RP the page runs at ({"localhost", "http://localhost:PORT"}).
type Ceremony interface {
	// Begin returns the ceremony id and the PublicKeyCredentialRequestOptionsJSON
	// (Kind "get") or CreationOptionsJSON (Kind "create"); the page is sent
	// {"kind": Kind(), "publicKey": options}. It is called at most once.
	Begin(ctx context.Context, rp passkey.RP) (ceremonyID string, options json.RawMessage, err error)
	// Finish checks the credential the page posted (PublicKeyCredential.toJSON()).
	// The result is kept for Status (e.g. a session token) and never sent to
	// the browser; a Next result asks the page for one more step. credential
	// is zeroed when Finish returns, so Finish must not keep it.
	Finish(ctx context.Context, ceremonyID string, credential []byte) (result any, err error)
	// Kind is KindGet or KindCreate.
	Kind() string
}

// Next is a result Finish may return when the ceremony needs one more step
// in the browser, such as a registration whose authenticator gave no PRF
// output at create(), which a get() then supplies. The flow stays waiting,
// the page runs the step and posts its credential to finish again, and
// Finish is called with CeremonyID. A flow takes at most one Next.
type Next struct {
	CeremonyID string
	Kind       string // KindGet or KindCreate
	Options    json.RawMessage
}

// Opener opens a URL in the system browser (the desktop's
// runtime.BrowserOpenURL); tests inject their own.
type Opener func(url string) error

// Flows holds the pending system-browser ceremonies. It is safe for
// concurrent use.
type Flows struct {
	open Opener
	now  func() time.Time

	mu       sync.Mutex
	flows    map[string]*flow // by poll id
	sweeping bool
}

// New returns an empty set of flows. open may be nil (the caller shows or
// opens the URL itself); now nil means time.Now.
func New(open Opener, now func() time.Time) *Flows {
	if now == nil {
		now = time.Now
	}
	return &Flows{open: open, now: now, flows: make(map[string]*flow)}
}

// flow is one pending ceremony and its listener. The fields below srv are
// guarded by Flows.mu.
type flow struct {
	fs      *Flows
	c       Ceremony
	state   string
	host    string // "localhost:PORT", the only Host served
	rp      passkey.RP
	started time.Time
	ln      net.Listener
	srv     *http.Server

	begun      bool
	busy       bool   // Begin or Finish is running: the flow does not expire under it
	ceremonyID string // set by Begin (or Next), taken by finish
	steps      int
	status     string
	result     any
	err        error
	ended      time.Time
}

// Start listens on 127.0.0.1:0 for a new flow and returns its poll id and
// the URL of its page, http://localhost:PORT/passkey/<state>, which it opens
// with the Opener given to New, if any. When opening fails the flow is
// closed and forgotten.
func (f *Flows) Start(c Ceremony) (id, url string, err error) {
	if c == nil || (c.Kind() != KindGet && c.Kind() != KindCreate) {
		return "", "", errors.New("browserauth: a ceremony of kind \"get\" or \"create\" is needed")
	}
	state, err := random()
	if err != nil {
		return "", "", err
	}
	if id, err = random(); err != nil {
		return "", "", err
	}
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", fmt.Errorf("browserauth: listen on loopback: %w", err)
	}
	ln := &onceListener{Listener: tcp}
	host := "localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	fl := &flow{fs: f, c: c, state: state, host: host, ln: ln, status: StateWaiting,
		rp: passkey.RP{ID: "localhost", Origin: "http://" + host}}
	fl.srv = &http.Server{
		Handler:           fl,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       30 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
	}

	f.mu.Lock()
	fl.started = f.now()
	f.makeRoomLocked()
	f.flows[id] = fl
	if !f.sweeping {
		f.sweeping = true
		go f.sweeper()
	}
	f.mu.Unlock()
	go fl.srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed when the flow ends

	url = fl.rp.Origin + "/passkey/" + state
	if f.open != nil {
		if err := f.open(url); err != nil {
			f.mu.Lock()
			fl.endLocked(StateFailed, nil, err)
			delete(f.flows, id)
			f.mu.Unlock()
			return "", "", fmt.Errorf("browserauth: open the system browser: %w", err)
		}
	}
	return id, url, nil
}

// Status is what the window polls. state is StateWaiting, StateDone (with
// Finish's result), StateFailed (with the error: the Ceremony's own, or
// ErrTooLarge, ErrTooManySteps) or StateExpired. A flow that
// has ended is reported once and then forgotten; after that, and for an id
// never started, Status returns "" and ErrUnknownFlow.
func (f *Flows) Status(id string) (state string, result any, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl, ok := f.flows[id]
	if !ok {
		return "", nil, ErrUnknownFlow
	}
	fl.expireLocked(f.now())
	if fl.status == StateWaiting {
		return StateWaiting, nil, nil
	}
	delete(f.flows, id)
	return fl.status, fl.result, fl.err
}

// sweeper closes expired flows and forgets ended ones nobody polled for a
// TTL, until there are no flows left.
func (f *Flows) sweeper() {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for range t.C {
		if !f.sweep() {
			return
		}
	}
}

// sweep runs one pass; it reports whether flows remain (when none do, the
// sweeper stops and the next Start begins another).
func (f *Flows) sweep() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	for id, fl := range f.flows {
		fl.expireLocked(now)
		if fl.status != StateWaiting && now.Sub(fl.ended) > TTL {
			delete(f.flows, id)
		}
	}
	if len(f.flows) == 0 {
		f.sweeping = false
		return false
	}
	return true
}

// makeRoomLocked forgets ended flows, and if all MaxFlows are still waiting,
// ends and forgets the oldest of them (its Status is then ErrUnknownFlow).
func (f *Flows) makeRoomLocked() {
	for id, fl := range f.flows {
		if len(f.flows) < MaxFlows {
			return
		}
		if fl.status != StateWaiting {
			delete(f.flows, id)
		}
	}
	var oldestID string
	for id, fl := range f.flows {
		if oldestID == "" || fl.started.Before(f.flows[oldestID].started) {
			oldestID = id
		}
	}
	if len(f.flows) >= MaxFlows {
		f.flows[oldestID].endLocked(StateExpired, nil, nil)
		delete(f.flows, oldestID)
	}
}

// expireLocked ends a waiting flow older than TTL, unless a Begin or Finish
// that arrived in time is still running.
func (fl *flow) expireLocked(now time.Time) {
	if fl.status == StateWaiting && !fl.busy && now.Sub(fl.started) >= TTL {
		fl.endLocked(StateExpired, nil, nil)
	}
}

// endLocked records how the flow ended and closes its listener at once; the
// connection of a request still being answered is closed once it is.
func (fl *flow) endLocked(status string, result any, err error) {
	if fl.status != StateWaiting {
		return
	}
	fl.status, fl.result, fl.err, fl.ended = status, result, err, fl.fs.now()
	fl.ceremonyID = ""
	fl.ln.Close() //nolint:errcheck // onceListener: never fails twice
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if fl.srv.Shutdown(ctx) != nil {
			fl.srv.Close() //nolint:errcheck
		}
	}()
}

// random is 32 random bytes, base64url without padding.
func random() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("browserauth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// onceListener closes its listener once, so that closing it as the flow
// ends (at once, under the lock) and again in Shutdown is not an error.
type onceListener struct {
	net.Listener
	once sync.Once
}

func (l *onceListener) Close() error {
	l.once.Do(func() { l.Listener.Close() }) //nolint:errcheck
	return nil
}
