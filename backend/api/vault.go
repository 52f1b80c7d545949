package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"

	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/words"
)

// vaultStatus answers GET /api/vault. To the session the vault is open
// to, it also says what the checks at unlock found (session.Integrity), so
// the page can warn about rows that failed to open or a rolled-back vault.
func (h *handler) vaultStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.vault(r).Status(h.token(r)))
}

// readJSON decodes a small JSON body, refusing other content types (which
// also stops plain HTML forms on other sites from posting here).
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	return readJSONUpTo(w, r, v, 16<<10)
}

// readJSONUpTo is readJSON for a body of up to limit bytes.
func readJSONUpTo(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "bad_request", "Sorry, Ward could not read that request.")
		return false
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, limit))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "Sorry, Ward could not read that request.")
		return false
	}
	return true
}

// unlock answers POST /api/vault/unlock. Every guess is counted against
// the client's address and for all clients together before the key
// derivation (store.DB.Unlock), and logged with its outcome.
func (h *handler) unlock(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Password    string `json:"password"`
		RecoveryKey string `json:"recoveryKey"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.Password == "" && body.RecoveryKey == "" {
		writeError(w, http.StatusBadRequest, "empty", "Enter your password.")
		return
	}
	with := "password"
	if body.RecoveryKey != "" {
		with = "recovery_key"
	}
	pw := []byte(body.Password)
	tok, err := h.vault(r).Unlock(r.Context(), session.Secret{Password: pw, RecoveryKey: body.RecoveryKey, From: guesser(h.clientIP(r))})
	clear(pw)
	if err == nil {
		h.security("unlock", r, "outcome", "ok", "with", with)
		writeJSON(w, http.StatusOK, map[string]any{"token": tok, "autoLockMinutes": h.vault(r).Status(tok).AutoLockMinutes})
		return
	}
	said := words.Of(err)
	var wait *store.WaitError
	if errors.As(err, &wait) {
		secs := int(math.Ceil(wait.Wait.Seconds()))
		h.security("unlock", r, "outcome", "throttled", "with", with, "wait_seconds", secs, "everyone", wait.Everyone)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeJSON(w, said.Status, map[string]any{"error": map[string]any{
			"code": said.Code, "message": said.Text, "retryAfterSeconds": secs,
		}})
		return
	}
	h.security("unlock", r, "outcome", said.Code, "with", with)
	if said.Status >= http.StatusInternalServerError {
		h.opt.Logger.Error("unlock failed", "error", err)
	}
	if said.Code == "wrong_password" || said.Code == "wrong_recovery_key" {
		// A wrong secret: say how many more this client may try before
		// Ward makes it wait, so the page can warn before the last one.
		// Read after the guess was counted and tried; it changes neither.
		if tries, terr := h.vault(r).TriesLeft(r.Context(), guesser(h.clientIP(r))); terr == nil {
			writeJSON(w, said.Status, map[string]any{"error": map[string]any{
				"code": said.Code, "message": said.Text,
				"triesLeft": tries.Left, "nextWaitSeconds": int(math.Ceil(tries.Wait.Seconds())),
			}})
			return
		}
	}
	writeError(w, said.Status, said.Code, said.Text)
}

// create sets up a vault in an empty data folder (the desktop app's first
// run) and answers with the recovery key, the only time it is shown.
func (h *handler) create(w http.ResponseWriter, r *http.Request) {
	if !h.opt.AllowSetup {
		writeError(w, http.StatusForbidden, "setup_disabled", "Ward can only be set up on this server from its command line (ward vault init).")
		return
	}
	var body struct {
		Password string `json:"password"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	pw := []byte(body.Password)
	tok, recovery, err := h.vault(r).Create(r.Context(), pw)
	clear(pw)
	switch {
	case err == nil:
		h.security("create", r, "outcome", "ok")
		writeJSON(w, http.StatusOK, map[string]any{"token": tok, "recoveryKey": recovery, "autoLockMinutes": h.vault(r).Status(tok).AutoLockMinutes})
	case errors.Is(err, session.ErrShortPassword):
		writeError(w, http.StatusBadRequest, "short_password", fmt.Sprintf("Your password must be %d characters or more.", session.MinPassword))
	case errors.Is(err, session.ErrExists):
		writeError(w, http.StatusConflict, "exists", "Ward is already set up on this computer. Unlock it with your password.")
	default:
		h.opt.Logger.Error("create vault failed", "error", err)
		writeError(w, http.StatusInternalServerError, "internal", words.Of(err).Text)
	}
}

// lock answers POST /api/vault/lock: only with the token of a session the
// vault is open to, so a stranger cannot close the owner's record. Without
// one the answer is the one any record endpoint gives.
func (h *handler) lock(w http.ResponseWriter, r *http.Request) {
	if err := h.vault(r).LockFor(h.token(r)); err != nil {
		h.security("lock", r, "outcome", "refused")
		said := words.Of(err)
		writeError(w, said.Status, said.Code, said.Text)
		return
	}
	h.security("lock", r, "outcome", "locked")
	w.WriteHeader(http.StatusNoContent)
}
