// Package passkeytest is a software WebAuthn authenticator and client in
// one, for tests only: it must never be linked into Ward itself. It answers
// the options the server sends (PublicKeyCredentialCreationOptionsJSON and
// RequestOptionsJSON) with the credential JSON that
// PublicKeyCredential.toJSON() gives in Chromium, including the PRF
// extension's output, so a test can run real ceremonies against
// backend/passkey or the HTTP API without a browser.
//
// An Authenticator holds one credential: an ECDSA P-256 key with
// attestation "none", a signature counter, an AAGUID and a PRF
// (CTAP hmac-secret) secret. Its zero knobs are an honest platform
// authenticator with user verification and PRF output at create and get;
// the Options (or the exported fields, which a test may change between
// ceremonies) make it misbehave. An Authenticator is not safe for
// concurrent use.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// PRFMode is what the authenticator does with the PRF extension.
type PRFMode int

const (
	// PRFAtCreate: enabled, with results at create and at get (most
	// platform authenticators).
	PRFAtCreate PRFMode = iota
	// PRFOnGet: enabled=true at create but results only at get (some
	// security keys), so a registration needs a follow-up assertion.
	PRFOnGet
	// PRFNone: no PRF at all; the authenticator signs but cannot protect
	// a key.
	PRFNone
)

// Authenticator is a software authenticator with one credential.
type Authenticator struct {
	Key    *ecdsa.PrivateKey
	ID     []byte // credential id, 32 random bytes
	Secret []byte // the credential's PRF secret
	AAGUID []byte
	Count  uint32 // signature counter; Get increases it by Step

	// Knobs; the zero value is an honest authenticator.
	PRF         PRFMode
	NoUV        bool   // user verification flag off
	PRFLen      int    // 0 = 32; else the PRF output is cut or padded to this
	Origin      string // "" = the origin given to Create or Get
	RPID        string // "" = the options' RP id
	Step        uint32 // counter increment per signature; 0 = 1
	FrozenCount bool   // Get keeps Count as is (a clone, or no counter)
	ClientPad   int    // bytes of padding added to clientDataJSON
	UserHandle  []byte // userHandle in the assertion; nil = none (or StoredUser when Resident)
	// Resident makes a discoverable credential: Get sends the user.id
	// Create was given (StoredUser) as userHandle, as such an
	// authenticator does, unless UserHandle overrides it.
	Resident   bool
	StoredUser []byte // user.id of the options Create answered
}

// Option sets a knob of a new Authenticator.
type Option func(*Authenticator)

// NoUserVerification makes the authenticator clear the UV flag.
func NoUserVerification() Option { return func(a *Authenticator) { a.NoUV = true } }

// NoPRF makes an authenticator without the PRF extension.
func NoPRF() Option { return func(a *Authenticator) { a.PRF = PRFNone } }

// PRFOnlyOnGet makes an authenticator that enables PRF at create but gives
// its output only at get.
func PRFOnlyOnGet() Option { return func(a *Authenticator) { a.PRF = PRFOnGet } }

// FreezeCount makes an authenticator whose sign count never moves.
func FreezeCount() Option { return func(a *Authenticator) { a.FrozenCount = true } }

// Resident makes an authenticator whose credential is discoverable: its
// assertions carry the user handle it was created with.
func Resident() Option { return func(a *Authenticator) { a.Resident = true } }

// WithOrigin makes the authenticator's client put origin in clientDataJSON
// whatever the ceremony's origin is.
func WithOrigin(origin string) Option { return func(a *Authenticator) { a.Origin = origin } }

// New returns an authenticator with a fresh random credential.
func New(t testing.TB, opts ...Option) *Authenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a := &Authenticator{Key: key, ID: random(32), Secret: random(32), AAGUID: random(16)}
	for _, o := range opts {
		o(a)
	}
	return a
}

// WithSecret is a copy of a (the same key, credential id and counter) whose
// PRF gives other output: an authenticator that signs for the credential
// but whose output does not unwrap its slot.
func (a *Authenticator) WithSecret(secret []byte) *Authenticator {
	b := *a
	b.Secret = append([]byte(nil), secret...)
	return &b
}

func random(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

var b64 = base64.RawURLEncoding

// EvalPRF is the WebAuthn PRF over salt: HMAC-SHA256 of the credential's
// secret over SHA-256("WebAuthn PRF" || 0x00 || salt), as the client
// hands hmac-secret, cut or padded to PRFLen when that is set.
func (a *Authenticator) EvalPRF(salt []byte) []byte {
	h := sha256.Sum256(append([]byte("WebAuthn PRF\x00"), salt...))
	m := hmac.New(sha256.New, a.Secret)
	m.Write(h[:])
	out := m.Sum(nil)
	switch n := a.PRFLen; {
	case n > 0 && n < len(out):
		out = out[:n]
	case n > len(out):
		out = append(out, make([]byte, n-len(out))...)
	}
	return out
}

// COSEKey is the credential's public key as a COSE_Key (EC2, ES256).
func (a *Authenticator) COSEKey(t testing.TB) []byte {
	t.Helper()
	pub := a.Key.PublicKey
	x := make([]byte, 32)
	y := make([]byte, 32)
	pub.X.FillBytes(x)
	pub.Y.FillBytes(y)
	em, _ := cbor.CoreDetEncOptions().EncMode()
	b, err := em.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (a *Authenticator) flags(attested bool) byte {
	f := byte(0x01) // UP
	if !a.NoUV {
		f |= 0x04
	}
	if attested {
		f |= 0x40
	}
	return f
}

func (a *Authenticator) authData(t testing.TB, rpID string, attested bool) []byte {
	if a.RPID != "" {
		rpID = a.RPID
	}
	h := sha256.Sum256([]byte(rpID))
	d := append(h[:], a.flags(attested))
	d = binary.BigEndian.AppendUint32(d, a.Count)
	if attested {
		d = append(d, a.AAGUID...)
		d = binary.BigEndian.AppendUint16(d, uint16(len(a.ID)))
		d = append(d, a.ID...)
		d = append(d, a.COSEKey(t)...)
	}
	return d
}

func (a *Authenticator) clientData(typ, challenge, origin string) []byte {
	if a.Origin != "" {
		origin = a.Origin
	}
	cd := map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false}
	if a.ClientPad > 0 {
		cd["pad"] = strings.Repeat("a", a.ClientPad)
	}
	b, _ := json.Marshal(cd)
	return b
}

// creationOptions is the part of PublicKeyCredentialCreationOptionsJSON
// the authenticator reads.
type creationOptions struct {
	Challenge string `json:"challenge"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	Extensions struct {
		PRF struct {
			Eval struct {
				First string `json:"first"`
			} `json:"eval"`
		} `json:"prf"`
	} `json:"extensions"`
}

// Create answers navigator.credentials.create({publicKey: options}) run by
// a page at origin: options is the server's
// PublicKeyCredentialCreationOptionsJSON, the answer the new credential's
// toJSON().
func (a *Authenticator) Create(t testing.TB, options []byte, origin string) []byte {
	t.Helper()
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatal(err)
	}
	if u, err := b64.DecodeString(o.User.ID); err == nil {
		a.StoredUser = u
	}
	authData := a.authData(t, o.RP.ID, true)
	em, _ := cbor.CTAP2EncOptions().EncMode()
	att, err := em.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData})
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&a.Key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ext := map[string]any{}
	switch a.PRF {
	case PRFAtCreate:
		salt, _ := b64.DecodeString(o.Extensions.PRF.Eval.First)
		ext["prf"] = map[string]any{"enabled": true, "results": map[string]string{"first": b64.EncodeToString(a.EvalPRF(salt))}}
	case PRFOnGet:
		ext["prf"] = map[string]any{"enabled": true}
	}
	return MustJSON(t, map[string]any{
		"id":                      b64.EncodeToString(a.ID),
		"rawId":                   b64.EncodeToString(a.ID),
		"type":                    "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON":     b64.EncodeToString(a.clientData("webauthn.create", o.Challenge, origin)),
			"authenticatorData":  b64.EncodeToString(authData),
			"transports":         []string{"hybrid", "internal"},
			"publicKey":          b64.EncodeToString(spki),
			"publicKeyAlgorithm": -7,
			"attestationObject":  b64.EncodeToString(att),
		},
		"clientExtensionResults": ext,
	})
}

// requestOptions is the part of PublicKeyCredentialRequestOptionsJSON the
// authenticator reads.
type requestOptions struct {
	Challenge  string `json:"challenge"`
	RPID       string `json:"rpId"`
	Extensions struct {
		PRF struct {
			Eval struct {
				First string `json:"first"`
			} `json:"eval"`
			EvalByCredential map[string]struct {
				First string `json:"first"`
			} `json:"evalByCredential"`
		} `json:"prf"`
	} `json:"extensions"`
}

// Get answers navigator.credentials.get({publicKey: options}) run by a page
// at origin: options is the server's PublicKeyCredentialRequestOptionsJSON,
// the answer the assertion's toJSON(), with the PRF output for this
// credential's entry of evalByCredential, or else over eval (the one input
// of a discoverable login). It moves the counter first
// (unless FrozenCount).
func (a *Authenticator) Get(t testing.TB, options []byte, origin string) []byte {
	t.Helper()
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatal(err)
	}
	switch {
	case a.FrozenCount:
	case a.Step == 0:
		a.Count++
	default:
		a.Count += a.Step
	}
	authData := a.authData(t, o.RPID, false)
	cd := a.clientData("webauthn.get", o.Challenge, origin)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte(nil), authData...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.Key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	ext := map[string]any{}
	first := o.Extensions.PRF.Eval.First
	if e, ok := o.Extensions.PRF.EvalByCredential[b64.EncodeToString(a.ID)]; ok {
		first = e.First
	}
	if first != "" && a.PRF != PRFNone {
		salt, _ := b64.DecodeString(first)
		ext["prf"] = map[string]any{"results": map[string]string{"first": b64.EncodeToString(a.EvalPRF(salt))}}
	}
	resp := map[string]any{
		"clientDataJSON":    b64.EncodeToString(cd),
		"authenticatorData": b64.EncodeToString(authData),
		"signature":         b64.EncodeToString(sig),
	}
	if h := a.UserHandle; h != nil || (a.Resident && a.StoredUser != nil) {
		if h == nil {
			h = a.StoredUser
		}
		resp["userHandle"] = b64.EncodeToString(h)
	}
	return MustJSON(t, map[string]any{
		"id":                      b64.EncodeToString(a.ID),
		"rawId":                   b64.EncodeToString(a.ID),
		"type":                    "public-key",
		"authenticatorAttachment": "platform",
		"response":                resp,
		"clientExtensionResults":  ext,
	})
}

// MustJSON is json.Marshal(v), failing t on an error.
func MustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
