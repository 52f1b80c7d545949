package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"

	"github.com/ward-health/ward/backend/passkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
	"github.com/ward-health/ward/backend/words"
)

// Sign in with face or fingerprint on a server with accounts (docs/api.md,
// "Accounts"): one browser prompt, no email address typed and no second
// step. The passkey is a discoverable credential whose user handle is the
// account id's 16 raw bytes (random, so nothing personal: see
// accountHandle) and whose PRF output, over the one fixed input of
// passkey.AccountPRFInput, unwraps the account's vault.
//
//	POST /api/account/sign-in/passkey/begin  {}
//	  → 200 {"ceremonyId", "publicKey"}       (publicKey: request options JSON)
//	POST /api/account/sign-in/passkey/finish {"ceremonyId", "credential"}
//	  → 200 {"csrf"} and the session cookie
//
// The user handle in the posted assertion is not signed; it only says
// which account's passkey slots to check the assertion against. A handle
// that names no active account, or another account than the credential's,
// gets the refusal of a wrong passkey (401 wrong_passkey).

// newSignInPasskeys is the server-wide ceremony service of passkey
// sign-in. Its ceremonies belong to no vault until the assertion names
// one; it never registers a passkey, so its user handle is never used.
func newSignInPasskeys() *passkey.Service {
	sum := sha256.Sum256([]byte("ward accounts sign-in: no user"))
	s, err := passkey.New(passkey.Config{Name: "Ward", UserID: sum[:16]})
	if err != nil {
		panic(fmt.Sprintf("passkey sign-in service: %v", err)) // only for a bad constant Config
	}
	return s
}

// newAccountPasskeys is the ceremony service of one account's vault: its
// passkeys are discoverable, with the account's user handle, and their
// slots use passkey.AccountPRFInput, so they can sign in with one prompt.
func newAccountPasskeys(account string) *passkey.Service {
	s, err := passkey.New(passkey.Config{Name: "Ward", UserID: accountHandle(account), Discoverable: true})
	if err != nil {
		panic(fmt.Sprintf("passkey service: %v", err)) // an account id is 1 to 64 bytes
	}
	return s
}

// accountHandle is the user handle of an account's passkeys: the 16 raw
// bytes of its id (32 hex characters of random, see package accounts).
// An id not in that form is used as it is.
func accountHandle(account string) []byte {
	if b, err := hex.DecodeString(account); err == nil && len(b) == 16 {
		return b
	}
	return []byte(account)
}

// handleAccount is the account a user handle names ("" for none).
func handleAccount(h []byte) string {
	if len(h) == 16 {
		return hex.EncodeToString(h)
	}
	return string(h)
}

// passkeySignInBegin answers POST /api/account/sign-in/passkey/begin.
func (h *handler) passkeySignInBegin(w http.ResponseWriter, r *http.Request) {
	var body struct{}
	if !readJSON(w, r, &body) {
		return
	}
	rp, err := h.rpOf(r)
	if err == nil {
		err = h.opt.Accounts.CheckPasskey(r.Context(), h.clientIP(r))
	}
	if err == nil {
		var id string
		var opts json.RawMessage
		if id, opts, err = h.services.signIn.BeginDiscoverableLogin(rp); err == nil {
			writeJSON(w, http.StatusOK, map[string]any{"ceremonyId": id, "publicKey": opts})
			return
		}
	}
	h.passkeySignInError(w, r, "sign_in_passkey_begin", err)
}

// passkeySignInFinish answers POST /api/account/sign-in/passkey/finish.
func (h *handler) passkeySignInFinish(w http.ResponseWriter, r *http.Request) {
	var body struct {
		CeremonyID string          `json:"ceremonyId"`
		Ceremony   string          `json:"ceremony"` // the vault endpoints' name for it
		Credential json.RawMessage `json:"credential"`
	}
	if !readPasskeyJSON(w, r, &body) {
		return
	}
	if body.CeremonyID == "" {
		body.CeremonyID = body.Ceremony
	}
	account := handleAccount(passkey.UserHandleOf(body.Credential))
	prove, forget := h.discoverableProof(body.CeremonyID, body.Credential, account)
	g, err := h.opt.Accounts.SignInPasskey(r.Context(), account, h.clientIP(r), ua(r), prove)
	forget()
	if err != nil {
		h.passkeySignInError(w, r, "sign_in", err)
		return
	}
	h.security("sign_in", r, "outcome", "ok", "with", "passkey")
	h.signedIn(w, g, nil)
}

// discoverableProof checks a posted assertion against the slots of the
// vault of account (named by the assertion's own user handle) and returns
// what opens the matching slot, like proof. Every way it can fail is
// session.ErrWrongPasskey, with the cause for the security log only. The
// PRF output is zeroed by forget.
func (h *handler) discoverableProof(ceremony string, body []byte, account string) (prove session.Proof, forget func()) {
	var output []byte
	want := accountHandle(account)
	return func(slots []vault.Slot) (vault.Unwrapper, vault.Slot, error) {
		cred, _, out, err := h.services.signIn.FinishDiscoverableLogin(ceremony, body, func(handle []byte) ([]passkey.Credential, error) {
			if account == "" || !bytes.Equal(handle, want) {
				return nil, errors.New("user handle of another account")
			}
			return credentialsOf(slots), nil
		})
		if err != nil {
			return nil, vault.Slot{}, fmt.Errorf("%w: %w", session.ErrWrongPasskey, err)
		}
		output = out
		id := base64.RawURLEncoding.EncodeToString(cred.ID)
		for _, s := range slots {
			if s.Kind != vault.KindPRF || s.ID != id || s.Passkey == nil {
				continue
			}
			u, err := vault.NewPRF(cred.ID, s.Salt, out)
			if err != nil {
				return nil, vault.Slot{}, fmt.Errorf("%w: %w", session.ErrWrongPasskey, err)
			}
			p := *s.Passkey
			p.SignCount = cred.SignCount
			s.Passkey = &p
			return wrongPasskeyOnFail{u}, s, nil
		}
		return nil, vault.Slot{}, fmt.Errorf("%w: no slot for the credential", session.ErrWrongPasskey)
	}, func() { clear(output) }
}

// passkeySignInError answers a refused passkey sign-in. Both throttles
// answer 429 with Retry-After and retryAfterSeconds, as the password's
// sign-in does; a wait the vault imposes on this client's passkey tries
// reads as too many face or fingerprint tries, not wrong passwords.
func (h *handler) passkeySignInError(w http.ResponseWriter, r *http.Request, event string, err error) {
	var wait *store.WaitError
	if errors.As(err, &wait) && !wait.Everyone {
		err = &signin.PasskeyThrottledError{Wait: wait.Wait}
	}
	var slow *signin.PasskeyThrottledError
	switch {
	case errors.As(err, &slow):
	case errors.As(err, &wait):
		slow = &signin.PasskeyThrottledError{Wait: wait.Wait}
	default:
		h.passkeyError(w, r, event, err)
		return
	}
	secs := int(math.Ceil(slow.Wait.Seconds()))
	said := words.Of(err)
	h.security(event, r, "outcome", "throttled", "with", "passkey", "wait_seconds", secs)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeJSON(w, said.Status, map[string]any{"error": apiError{Code: said.Code, Message: said.Text, RetryAfterSeconds: secs}})
}

// readPasskeyJSON is readJSON for a body of up to passkey.MaxBody (64
// KiB): an assertion with a long clientDataJSON or extension outputs is
// larger than readJSON's 16 KiB.
func readPasskeyJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "bad_request", "Sorry, Ward could not read that request.")
		return false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, passkey.MaxBody)).Decode(v); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", "Sorry, the answer from your device is too large for Ward to read.")
			return false
		}
		writeError(w, http.StatusBadRequest, "bad_request", "Sorry, Ward could not read that request.")
		return false
	}
	return true
}
