package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/ward-health/ward/backend/passkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/vault"
	"github.com/ward-health/ward/backend/words"
)

// pendingPasskeys remembers, between the steps of adding a passkey, the
// name the patient chose and (when the authenticator gives its PRF output
// only on a second touch) the new credential. Entries go at the last step;
// at most maxPending are kept, the oldest dropped, like the ceremonies.
type pendingPasskeys struct {
	mu    sync.Mutex
	order []string
	byID  map[string]pendingPasskey
}

type pendingPasskey struct {
	name string
	cred *passkey.Credential // set for the follow-up assertion
}

const maxPending = 64

func (p *pendingPasskeys) put(id string, v pendingPasskey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byID == nil {
		p.byID = map[string]pendingPasskey{}
	}
	p.byID[id] = v
	p.order = append(p.order, id)
	for len(p.order) > maxPending {
		delete(p.byID, p.order[0])
		p.order = p.order[1:]
	}
}

func (p *pendingPasskeys) take(id string) (pendingPasskey, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.byID[id]
	delete(p.byID, id)
	return v, ok
}

// securityView answers GET /api/security.
func (h *handler) securityView(w http.ResponseWriter, r *http.Request) {
	s, err := h.vault(r).Security(r.Context(), h.token(r))
	if err != nil {
		h.writeWords(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (h *handler) writeWords(w http.ResponseWriter, err error) {
	said := words.Of(err)
	if said.Status >= http.StatusInternalServerError {
		h.opt.Logger.Error("security settings", "error", err)
	}
	writeError(w, said.Status, said.Code, said.Text)
}

// confirm answers POST /api/security/confirm: the password again.
func (h *handler) confirm(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Password string `json:"password"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.Password == "" {
		writeError(w, http.StatusBadRequest, "empty", "Enter your password.")
		return
	}
	pw := []byte(body.Password)
	until, err := h.vault(r).Confirm(r.Context(), h.token(r), session.Secret{Password: pw, From: guesser(h.clientIP(r))})
	clear(pw)
	h.confirmed(w, r, "password", until, err)
}

// confirmed answers a confirmation: the session's new freshUntil, or why not.
func (h *handler) confirmed(w http.ResponseWriter, r *http.Request, with string, until time.Time, err error) {
	if err != nil {
		h.passkeyError(w, r, "confirm", err)
		return
	}
	h.security("confirm", r, "outcome", "ok", "with", with)
	writeJSON(w, http.StatusOK, freshJSON(until))
}

// freshJSON is a confirmation's answer, {"freshUntil": RFC 3339 in UTC}.
func freshJSON(until time.Time) map[string]any {
	return map[string]any{"freshUntil": until.UTC().Format(time.RFC3339)}
}

// confirmPasskeyFinish answers POST /api/security/confirm/passkey/finish.
func (h *handler) confirmPasskeyFinish(w http.ResponseWriter, r *http.Request) {
	var body ceremonyBody
	if !readJSON(w, r, &body) {
		return
	}
	prove, forget := h.proof(h.passkeysFor(r), body.Ceremony, body.Credential)
	until, err := h.vault(r).ConfirmPasskey(r.Context(), h.token(r), guesser(h.clientIP(r)), prove)
	forget()
	h.confirmed(w, r, "passkey", until, err)
}

// addPasskeyBegin answers POST /api/security/passkeys/begin.
func (h *handler) addPasskeyBegin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	rp, err := h.rpOf(r)
	if err != nil {
		h.passkeyError(w, r, "passkey_add", err)
		return
	}
	id, opts, err := h.beginRegistration(r, rp, body.Name)
	if err != nil {
		h.passkeyError(w, r, "passkey_add", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ceremony": id, "publicKey": opts})
}

// beginRegistration starts adding a passkey for the holder of the
// request's token, who must have unlocked or confirmed lately.
func (h *handler) beginRegistration(r *http.Request, rp passkey.RP, name string) (string, json.RawMessage, error) {
	s, err := h.vault(r).Security(r.Context(), h.token(r))
	if err != nil {
		return "", nil, err
	}
	if s.FreshUntil == "" {
		return "", nil, session.ErrNotFresh
	}
	slots, err := h.vault(r).Passkeys(r.Context())
	if err != nil {
		return "", nil, err
	}
	id, opts, err := h.passkeysFor(r).BeginRegistration(rp, "Ward record", credentialsOf(slots))
	if err != nil {
		return "", nil, err
	}
	h.pending.put(id, pendingPasskey{name: name})
	return id, opts, nil
}

// addPasskeyFinish answers POST /api/security/passkeys/finish.
func (h *handler) addPasskeyFinish(w http.ResponseWriter, r *http.Request) {
	var body ceremonyBody
	if !readJSON(w, r, &body) {
		return
	}
	rp, err := h.rpOf(r)
	if err != nil {
		h.passkeyError(w, r, "passkey_add", err)
		return
	}
	res, err := h.finishRegistration(r, rp, body.Ceremony, body.Credential)
	if err != nil {
		h.passkeyError(w, r, "passkey_add", err)
		return
	}
	if res.next != "" {
		writeJSON(w, http.StatusOK, map[string]any{"needsAssertion": true, "ceremony": res.next, "publicKey": res.options})
		return
	}
	h.security("passkey_add", r, "outcome", "ok")
	writeJSON(w, http.StatusOK, map[string]any{"passkey": res.method})
}

type registered struct {
	method  session.Method
	next    string // a follow-up ceremony to get the PRF output
	options json.RawMessage
}

// finishRegistration ends a registration (or its follow-up assertion) and
// writes the slot once there is a PRF output; nothing is written without.
func (h *handler) finishRegistration(r *http.Request, rp passkey.RP, ceremony string, body []byte) (registered, error) {
	p, ok := h.pending.take(ceremony)
	if !ok {
		return registered{}, passkey.ErrUnknownCeremony
	}
	var cred passkey.Credential
	var output []byte
	var err error
	if p.cred != nil {
		cred, output, err = h.passkeysFor(r).FinishLogin(ceremony, body, []passkey.Credential{*p.cred})
	} else {
		cred, output, err = h.passkeysFor(r).FinishRegistration(ceremony, body)
	}
	if errors.Is(err, passkey.ErrNeedAssertion) && p.cred == nil {
		next, opts, err := h.passkeysFor(r).FollowUp(rp, cred)
		if err != nil {
			return registered{}, err
		}
		c := cred
		h.pending.put(next, pendingPasskey{name: p.name, cred: &c})
		return registered{next: next, options: opts}, nil
	}
	if err != nil {
		return registered{}, err
	}
	defer clear(output)
	if p.cred != nil { // the follow-up: the credential as registered, its new count
		c := *p.cred
		c.SignCount = cred.SignCount
		cred = c
	}
	slot, err := h.vault(r).AddPasskey(h.token(r), cred.ID, cred.Salt, output, vault.Passkey{
		PublicKey: cred.PublicKey, SignCount: cred.SignCount, Transports: cred.Transports,
		AAGUID: cred.AAGUID, RPID: rp.ID, Name: p.name,
	})
	if err != nil {
		return registered{}, err
	}
	m, _ := session.PasskeyOf(slot)
	return registered{method: m}, nil
}

// renamePasskey answers POST /api/security/passkeys/{id}/rename.
func (h *handler) renamePasskey(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name string `json:"name"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	m, err := h.vault(r).RenamePasskey(r.Context(), h.token(r), r.PathValue("id"), body.Name)
	if err != nil {
		h.writeWords(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"passkey": m})
}

// removePasskey answers DELETE /api/security/passkeys/{id}.
func (h *handler) removePasskey(w http.ResponseWriter, r *http.Request) {
	if err := h.vault(r).RemovePasskey(r.Context(), h.token(r), r.PathValue("id")); err != nil {
		h.writeWords(w, err)
		return
	}
	h.security("passkey_remove", r, "outcome", "ok")
	writeJSON(w, http.StatusOK, map[string]any{})
}

// setPassword answers POST /api/security/password.
func (h *handler) setPassword(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Password string `json:"password"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	pw := []byte(body.Password)
	err := h.vault(r).SetPassword(r.Context(), h.token(r), pw)
	clear(pw)
	if err != nil {
		h.writeWords(w, err)
		return
	}
	h.security("password_change", r, "outcome", "ok")
	writeJSON(w, http.StatusOK, map[string]any{})
}

// removePassword answers DELETE /api/security/password.
func (h *handler) removePassword(w http.ResponseWriter, r *http.Request) {
	if err := h.vault(r).RemovePassword(r.Context(), h.token(r)); err != nil {
		h.writeWords(w, err)
		return
	}
	h.security("password_remove", r, "outcome", "ok")
	writeJSON(w, http.StatusOK, map[string]any{})
}

// newRecoveryKey answers POST /api/security/recovery-key.
func (h *handler) newRecoveryKey(w http.ResponseWriter, r *http.Request) {
	key, err := h.vault(r).NewRecoveryKey(r.Context(), h.token(r))
	if err != nil {
		h.writeWords(w, err)
		return
	}
	h.security("recovery_key_new", r, "outcome", "ok")
	writeJSON(w, http.StatusOK, map[string]any{"recoveryKey": key})
}

// setAutoLock answers POST /api/security/auto-lock.
func (h *handler) setAutoLock(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Minutes int `json:"minutes"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if err := h.vault(r).SetAutoLock(r.Context(), h.token(r), body.Minutes); err != nil {
		h.writeWords(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"autoLockMinutes": body.Minutes})
}
