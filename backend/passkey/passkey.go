package passkey

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

const (
	// MaxBody is the largest response body a Finish call accepts.
	MaxBody = 64 << 10
	// MaxPending is the most ceremonies pending at once; the oldest is
	// dropped to make room.
	MaxPending = 64
	// DefaultTTL is how long a ceremony stays valid when Config.TTL is 0.
	DefaultTTL = 2 * time.Minute
	// SaltSize is the size of a PRF evaluation input and PRFSize of its output.
	SaltSize = 32
	PRFSize  = 32
	// maxUserID is WebAuthn's limit on a user handle.
	maxUserID = 64
)

// RP is the relying party of one ceremony: its ID ("localhost",
// "ward.example.org") and the exact origin the page runs at
// ("http://localhost:8123", "https://ward.example.org").
type RP struct{ ID, Origin string }

// Credential is what Ward keeps of a registered passkey (nothing secret).
type Credential struct {
	ID         []byte
	PublicKey  []byte // COSE_Key
	SignCount  uint32
	Transports []string
	AAGUID     []byte
	// Salt is the 32-byte PRF evaluation input of this credential's slot.
	Salt         []byte
	UserVerified bool
}

// Config configures a Service.
type Config struct {
	Name   string           // RP display name, "Ward"
	Now    func() time.Time // nil = time.Now
	TTL    time.Duration    // 0 = DefaultTTL
	UserID []byte           // stable random user handle of this vault
	// Discoverable makes registrations require a resident (discoverable)
	// credential and evaluate the PRF over AccountPRFInput instead of a
	// fresh random salt, so the passkey can later sign in with one prompt
	// (BeginDiscoverableLogin) before the server knows whose it is. Set on
	// a server with accounts; see discoverable.go.
	Discoverable bool
}

type kind int

const (
	kindRegister kind = iota + 1
	kindLogin
	kindDiscoverable // a login with no allowCredentials (discoverable.go)
)

// ceremony is the server-side state of one pending ceremony.
type ceremony struct {
	kind      kind
	rp        RP
	created   time.Time
	challenge string // base64url, as the client data carries it
	// registration
	salt       []byte
	credParams []protocol.CredentialParameter
	existing   [][]byte
	// login: credential id (as a string) -> salt sent for it
	salts map[string][]byte
}

// Service runs WebAuthn ceremonies. It is safe for concurrent use; ceremony
// state lives only in its memory.
type Service struct {
	name   string
	now    func() time.Time
	ttl    time.Duration
	userID []byte
	// discoverable: see Config.Discoverable.
	discoverable bool

	// policy holds go-webauthn's validated verification defaults.
	policy *webauthn.Config

	mu      sync.Mutex
	pending map[string]*ceremony
}

// New returns a Service for cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Name == "" {
		return nil, errors.New("passkey: Config.Name is empty")
	}
	if len(cfg.UserID) == 0 || len(cfg.UserID) > maxUserID {
		return nil, fmt.Errorf("passkey: Config.UserID must be 1 to %d bytes", maxUserID)
	}
	if cfg.TTL < 0 {
		return nil, errors.New("passkey: Config.TTL is negative")
	}
	s := &Service{
		name:    cfg.Name,
		now:     cfg.Now,
		ttl:     cfg.TTL,
		userID:  append([]byte(nil), cfg.UserID...),
		pending: make(map[string]*ceremony),

		discoverable: cfg.Discoverable,
	}
	w, err := s.relyingParty(RP{ID: "localhost", Origin: "http://localhost"})
	if err != nil {
		return nil, err
	}
	s.policy = w.Config
	if s.now == nil {
		s.now = time.Now
	}
	if s.ttl == 0 {
		s.ttl = DefaultTTL
	}
	return s, nil
}

// relyingParty returns a go-webauthn instance bound to one RP.
func (s *Service) relyingParty(rp RP) (*webauthn.WebAuthn, error) {
	if rp.ID == "" || rp.Origin == "" {
		return nil, errors.New("passkey: RP needs an ID and an origin")
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID:          rp.ID,
		RPDisplayName: s.name,
		RPOrigins:     []string{rp.Origin},
		// Only the prf output is read; an unrequested output (some clients
		// add credProps) changes nothing and should not fail a sign-in.
		ExtensionsUnsolicitedOutputPolicy: protocol.UnsolicitedOutputPolicyIgnore,
	})
	if err != nil {
		return nil, fmt.Errorf("passkey: relying party %q: %w", rp.ID, err)
	}
	return w, nil
}

// put stores c under a fresh random id, sweeping expired ceremonies and
// dropping the oldest when MaxPending are pending.
func (s *Service) put(c *ceremony) (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("passkey: ceremony id: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(b[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	c.created = now
	s.sweepLocked(now)
	for len(s.pending) >= MaxPending {
		oldest := ""
		for k, p := range s.pending {
			if oldest == "" || p.created.Before(s.pending[oldest].created) {
				oldest = k
			}
		}
		delete(s.pending, oldest)
	}
	s.pending[id] = c
	return id, nil
}

// finish takes the ceremony id of kind k and checks the body's size.
func (s *Service) finish(id string, k kind, body []byte) (*ceremony, error) {
	c, err := s.take(id, k)
	if err != nil {
		return nil, err
	}
	if len(body) > MaxBody {
		return nil, invalid("body over 64 KiB", nil)
	}
	return c, nil
}

// take removes and returns the ceremony id of kind k. Any call uses the
// ceremony up, even one of the wrong kind or one that fails later.
func (s *Service) take(id string, k kind) (*ceremony, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.pending[id]
	delete(s.pending, id)
	now := s.now()
	s.sweepLocked(now)
	switch {
	case !ok:
		return nil, ErrUnknownCeremony
	case c.kind != k:
		return nil, fmt.Errorf("%w: ceremony of the other kind", ErrUnknownCeremony)
	case s.expired(c, now):
		return nil, ErrExpired
	}
	return c, nil
}

func (s *Service) expired(c *ceremony, now time.Time) bool {
	return now.Sub(c.created) > s.ttl
}

func (s *Service) sweepLocked(now time.Time) {
	for k, c := range s.pending {
		if s.expired(c, now) {
			delete(s.pending, k)
		}
	}
}

// Pending reports how many ceremonies are pending (for tests and metrics).
func (s *Service) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

func descriptors(creds []Credential) []protocol.CredentialDescriptor {
	out := make([]protocol.CredentialDescriptor, 0, len(creds))
	for _, c := range creds {
		d := protocol.CredentialDescriptor{
			Type:         protocol.PublicKeyCredentialType,
			CredentialID: append([]byte(nil), c.ID...),
		}
		for _, t := range c.Transports {
			d.Transport = append(d.Transport, protocol.AuthenticatorTransport(t))
		}
		out = append(out, d)
	}
	return out
}
