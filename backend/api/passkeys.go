package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/ward-health/ward/backend/passkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
	"github.com/ward-health/ward/backend/words"
)

// newPasskeys is the ceremony service. Its user handle (kept by the
// authenticator with a resident passkey) is derived from the vault's id,
// so every passkey of one vault names the same user and nothing about the
// patient; a folder with no vault yet gets a random one.
func newPasskeys(v *session.Manager) *passkey.Service {
	id := ""
	if v != nil {
		id = v.VaultID()
	}
	seed := []byte("ward passkey user " + id)
	if id == "" {
		seed = make([]byte, 32)
		_, _ = rand.Read(seed)
	}
	sum := sha256.Sum256(seed)
	s, err := passkey.New(passkey.Config{Name: "Ward", UserID: sum[:16]})
	if err != nil {
		panic(fmt.Sprintf("passkey service: %v", err)) // only for a bad constant Config
	}
	return s
}

// errIPHost means the page was opened at an IP address, which WebAuthn
// does not accept as a relying party.
var errIPHost = errors.New("api: face and fingerprint need the page at a name, not an IP address")

// rpOf is the relying party of a ceremony run by this request's page: its
// host, and the origin the page runs at. An IP address is no valid RP ID,
// so a Ward on 127.0.0.1 must be opened at localhost for passkeys.
func (h *handler) rpOf(r *http.Request) (passkey.RP, error) {
	host := r.Host
	name := host
	if hn, _, err := net.SplitHostPort(host); err == nil {
		name = hn
	}
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "" || net.ParseIP(strings.Trim(name, "[]")) != nil {
		return passkey.RP{}, errIPHost
	}
	scheme := "https"
	if r.TLS == nil && (name == "localhost" || strings.HasSuffix(name, ".localhost")) {
		scheme = "http" // a secure context without TLS: the browser allows it
	}
	return passkey.RP{ID: name, Origin: scheme + "://" + strings.ToLower(host)}, nil
}

// credentialsOf are the passkey slots' credentials, for a ceremony.
func credentialsOf(slots []vault.Slot) []passkey.Credential {
	var out []passkey.Credential
	for _, s := range slots {
		if s.Kind != vault.KindPRF || s.Passkey == nil {
			continue
		}
		id, err := base64.RawURLEncoding.DecodeString(s.ID)
		if err != nil {
			continue
		}
		out = append(out, passkey.Credential{
			ID: id, PublicKey: s.Passkey.PublicKey, SignCount: s.Passkey.SignCount,
			Transports: s.Passkey.Transports, AAGUID: s.Passkey.AAGUID, Salt: s.Salt,
		})
	}
	return out
}

// proof checks a posted assertion against the vault's passkey slots and
// returns what opens the matching slot. Every way it can fail is
// session.ErrWrongPasskey (with the cause, for the security log only).
// The vault unwraps with the PRF output after the proof has returned, so
// the output is zeroed by forget, which the caller runs once the unlock or
// confirmation has returned.
func (h *handler) proof(svc *passkey.Service, ceremony string, body []byte) (prove session.Proof, forget func()) {
	var output []byte
	return func(slots []vault.Slot) (vault.Unwrapper, vault.Slot, error) {
		cred, out, err := svc.FinishLogin(ceremony, body, credentialsOf(slots))
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

// wrongPasskeyOnFail makes a PRF output that does not open its slot read
// as a wrong passkey, not a wrong password.
type wrongPasskeyOnFail struct{ vault.Unwrapper }

func (u wrongPasskeyOnFail) Unwrap(vaultID string, s vault.Slot) ([]byte, error) {
	k, err := u.Unwrapper.Unwrap(vaultID, s)
	if errors.Is(err, vault.ErrWrongSecret) {
		return nil, fmt.Errorf("%w: %w", session.ErrWrongPasskey, err)
	}
	return k, err
}

// beginPasskey starts an assertion over the vault's passkeys.
func (h *handler) beginPasskey(ctx context.Context, r *http.Request, rp passkey.RP) (string, json.RawMessage, error) {
	if err := h.vault(r).CheckAttempts(ctx, guesser(h.clientIP(r))); err != nil {
		return "", nil, err
	}
	slots, err := h.vault(r).Passkeys(ctx)
	if err != nil {
		return "", nil, err
	}
	creds := credentialsOf(slots)
	if len(creds) == 0 {
		return "", nil, session.ErrNoPasskey
	}
	return h.passkeysFor(r).BeginLogin(rp, creds)
}

// passkeyBegin answers POST /api/vault/passkey/begin (and the confirm one).
func (h *handler) passkeyBegin(w http.ResponseWriter, r *http.Request) {
	var body struct{}
	if !readJSON(w, r, &body) {
		return
	}
	rp, err := h.rpOf(r)
	if err == nil {
		var id string
		var opts json.RawMessage
		if id, opts, err = h.beginPasskey(r.Context(), r, rp); err == nil {
			writeJSON(w, http.StatusOK, map[string]any{"ceremony": id, "publicKey": opts})
			return
		}
	}
	h.passkeyError(w, r, "passkey_begin", err)
}

type ceremonyBody struct {
	Ceremony   string          `json:"ceremony"`
	Credential json.RawMessage `json:"credential"`
}

// passkeyFinish answers POST /api/vault/passkey/finish: an unlock.
func (h *handler) passkeyFinish(w http.ResponseWriter, r *http.Request) {
	var body ceremonyBody
	if !readJSON(w, r, &body) {
		return
	}
	prove, forget := h.proof(h.passkeysFor(r), body.Ceremony, body.Credential)
	tok, err := h.vault(r).UnlockPasskey(r.Context(), guesser(h.clientIP(r)), prove)
	forget()
	if err == nil {
		h.security("unlock", r, "outcome", "ok", "with", "passkey")
		writeJSON(w, http.StatusOK, map[string]any{"token": tok, "autoLockMinutes": h.vault(r).Status(tok).AutoLockMinutes})
		return
	}
	h.passkeyError(w, r, "unlock", err)
}

// passkeyError writes err in words, logging the outcome (never a body).
func (h *handler) passkeyError(w http.ResponseWriter, r *http.Request, event string, err error) {
	if errors.Is(err, errIPHost) {
		h.security(event, r, "outcome", "ip_host", "with", "passkey")
		writeError(w, http.StatusBadRequest, "use_localhost", "To use face or fingerprint, open Ward at http://localhost with its port number, not at an IP address.")
		return
	}
	said := words.Of(err)
	var wait *store.WaitError
	if errors.As(err, &wait) {
		secs := int(math.Ceil(wait.Wait.Seconds()))
		h.security(event, r, "outcome", "throttled", "with", "passkey", "wait_seconds", secs, "everyone", wait.Everyone)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeJSON(w, said.Status, map[string]any{"error": map[string]any{
			"code": said.Code, "message": said.Text, "retryAfterSeconds": secs,
		}})
		return
	}
	h.security(event, r, "outcome", said.Code, "with", "passkey", "reason", passkeyReason(err))
	if said.Status >= http.StatusInternalServerError {
		h.opt.Logger.Error(event+" failed", "error", err)
	}
	writeError(w, said.Status, said.Code, said.Text)
}

// passkeyReason names why a passkey was refused, for the security log: the
// kind of failure only, never anything from the request.
func passkeyReason(err error) string {
	for _, r := range []struct {
		err  error
		name string
	}{
		{passkey.ErrUnknownCeremony, "unknown_or_used_ceremony"},
		{passkey.ErrExpired, "expired"},
		{passkey.ErrNoUserVerification, "no_user_verification"},
		{passkey.ErrCloned, "sign_count"},
		{passkey.ErrBadPRF, "bad_prf"},
		{passkey.ErrNoPRF, "no_prf"},
		{passkey.ErrInvalid, "invalid"},
		{vault.ErrWrongSecret, "prf_did_not_unwrap"},
	} {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return ""
}
