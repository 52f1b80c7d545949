package passkey

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

// prfMode is what a soft authenticator does with the PRF extension at
// creation.
type prfMode int

const (
	prfAtCreate    prfMode = iota // enabled and results, as a platform authenticator
	prfEnabledOnly                // enabled=true, results only on get()
	prfNone                       // no PRF at all
)

// softAuth is a test-only WebAuthn authenticator and client in one: an
// ECDSA P-256 credential with attestation "none", a signature counter and a
// PRF (hmac-secret) secret, producing what PublicKeyCredential.toJSON()
// gives in Chromium.
type softAuth struct {
	key    *ecdsa.PrivateKey
	id     []byte
	secret []byte // the credential's PRF secret
	aaguid []byte
	count  uint32

	// knobs the tests turn; the zero value is an honest authenticator
	prf        prfMode
	noUV       bool
	prfLen     int    // 0 = 32; else the output is cut or padded to this
	origin     string // "" = the ceremony's origin
	rpID       string // "" = the options' rp id
	step       uint32 // counter increment per signature; 0 = 1
	fixedCount bool   // keep count as is (a clone replaying an old counter)
	clientPad  int    // bytes of padding added to clientDataJSON
	userHandle []byte // userHandle in the assertion; nil = none
}

func newSoftAuth(t testing.TB) *softAuth {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a := &softAuth{key: key, id: make([]byte, 32), secret: make([]byte, 32), aaguid: make([]byte, 16)}
	rand.Read(a.id)
	rand.Read(a.secret)
	rand.Read(a.aaguid)
	return a
}

var b64 = base64.RawURLEncoding

// evalPRF is the WebAuthn PRF: HMAC-SHA256 over the salt hashed with the
// "WebAuthn PRF" context, as the client hands hmac-secret.
func (a *softAuth) evalPRF(salt []byte) []byte {
	h := sha256.Sum256(append([]byte("WebAuthn PRF\x00"), salt...))
	m := hmac.New(sha256.New, a.secret)
	m.Write(h[:])
	out := m.Sum(nil)
	switch n := a.prfLen; {
	case n > 0 && n < len(out):
		out = out[:n]
	case n > len(out):
		out = append(out, make([]byte, n-len(out))...)
	}
	return out
}

func (a *softAuth) coseKey(t testing.TB) []byte {
	pub := a.key.PublicKey
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

func (a *softAuth) flags(attested bool) byte {
	f := byte(0x01) // UP
	if !a.noUV {
		f |= 0x04
	}
	if attested {
		f |= 0x40
	}
	return f
}

func (a *softAuth) authData(rpID string, attested bool, t testing.TB) []byte {
	if a.rpID != "" {
		rpID = a.rpID
	}
	h := sha256.Sum256([]byte(rpID))
	d := append(h[:], a.flags(attested))
	d = binary.BigEndian.AppendUint32(d, a.count)
	if attested {
		d = append(d, a.aaguid...)
		d = binary.BigEndian.AppendUint16(d, uint16(len(a.id)))
		d = append(d, a.id...)
		d = append(d, a.coseKey(t)...)
	}
	return d
}

func (a *softAuth) clientData(typ, challenge, origin string) []byte {
	if a.origin != "" {
		origin = a.origin
	}
	cd := map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false}
	if a.clientPad > 0 {
		cd["pad"] = strings.Repeat("a", a.clientPad)
	}
	b, _ := json.Marshal(cd)
	return b
}

// creationOptions is the part of PublicKeyCredentialCreationOptionsJSON
// the soft authenticator reads.
type creationOptions struct {
	Challenge string `json:"challenge"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	Extensions struct {
		PRF struct {
			Eval struct {
				First string `json:"first"`
			} `json:"eval"`
		} `json:"prf"`
	} `json:"extensions"`
}

// create answers navigator.credentials.create(options) at origin.
func (a *softAuth) create(t testing.TB, options []byte, origin string) []byte {
	t.Helper()
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatal(err)
	}
	authData := a.authData(o.RP.ID, true, t)
	em, _ := cbor.CTAP2EncOptions().EncMode()
	att, err := em.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData})
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&a.key.PublicKey)
	ext := map[string]any{}
	switch a.prf {
	case prfAtCreate:
		salt, _ := b64.DecodeString(o.Extensions.PRF.Eval.First)
		ext["prf"] = map[string]any{"enabled": true, "results": map[string]string{"first": b64.EncodeToString(a.evalPRF(salt))}}
	case prfEnabledOnly:
		ext["prf"] = map[string]any{"enabled": true}
	}
	return mustJSON(t, map[string]any{
		"id":                      b64.EncodeToString(a.id),
		"rawId":                   b64.EncodeToString(a.id),
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
// soft authenticator reads.
type requestOptions struct {
	Challenge  string `json:"challenge"`
	RPID       string `json:"rpId"`
	Extensions struct {
		PRF struct {
			EvalByCredential map[string]struct {
				First string `json:"first"`
			} `json:"evalByCredential"`
		} `json:"prf"`
	} `json:"extensions"`
}

// get answers navigator.credentials.get(options) at origin.
func (a *softAuth) get(t testing.TB, options []byte, origin string) []byte {
	t.Helper()
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatal(err)
	}
	switch {
	case a.fixedCount:
	case a.step == 0:
		a.count++
	default:
		a.count += a.step
	}
	authData := a.authData(o.RPID, false, t)
	cd := a.clientData("webauthn.get", o.Challenge, origin)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte(nil), authData...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	ext := map[string]any{}
	if e, ok := o.Extensions.PRF.EvalByCredential[b64.EncodeToString(a.id)]; ok && a.prf != prfNone {
		salt, _ := b64.DecodeString(e.First)
		ext["prf"] = map[string]any{"results": map[string]string{"first": b64.EncodeToString(a.evalPRF(salt))}}
	}
	resp := map[string]any{
		"clientDataJSON":    b64.EncodeToString(cd),
		"authenticatorData": b64.EncodeToString(authData),
		"signature":         b64.EncodeToString(sig),
	}
	if a.userHandle != nil {
		resp["userHandle"] = b64.EncodeToString(a.userHandle)
	}
	return mustJSON(t, map[string]any{
		"id":                      b64.EncodeToString(a.id),
		"rawId":                   b64.EncodeToString(a.id),
		"type":                    "public-key",
		"authenticatorAttachment": "platform",
		"response":                resp,
		"clientExtensionResults":  ext,
	})
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
