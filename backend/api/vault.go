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
	"time"

	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
	"github.com/ward-health/ward/backend/words"
)

// vaultStatus answers GET /api/vault. To the session the vault is open
// to, it also says what the checks at unlock found (session.Integrity), so
// the page can warn about rows that failed to open or a rolled-back vault.
func (h *handler) vaultStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, h.opt.Vault.Status(bearer(r)))
}

// readJSON decodes a small JSON body, refusing other content types (which
// also stops plain HTML forms on other sites from posting here).
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "bad_request", "Sorry, Ward could not read that request.")
		return false
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 16<<10))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "Sorry, Ward could not read that request.")
		return false
	}
	return true
}

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
	pw := []byte(body.Password)
	tok, err := h.opt.Vault.Unlock(r.Context(), session.Secret{Password: pw, RecoveryKey: body.RecoveryKey})
	clear(pw)
	if err == nil {
		writeJSON(w, http.StatusOK, map[string]any{"token": tok, "autoLockMinutes": h.opt.Vault.Status(tok).AutoLockMinutes})
		return
	}
	var wait *store.WaitError
	switch {
	case errors.As(err, &wait):
		secs := int(math.Ceil(wait.Wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": map[string]any{
			"code":              "too_many_attempts",
			"message":           fmt.Sprintf("You have entered the wrong password too many times. Wait %s and try again.", humanWait(wait.Wait)),
			"retryAfterSeconds": secs,
		}})
	case errors.Is(err, vault.ErrRecoveryKeyTypo), errors.Is(err, vault.ErrRecoveryKeyLength):
		writeError(w, http.StatusBadRequest, "recovery_key_typo", err.Error()+".")
	case errors.Is(err, vault.ErrWrongSecret), errors.Is(err, vault.ErrNoSlot):
		if body.RecoveryKey != "" {
			writeError(w, http.StatusUnauthorized, "wrong_recovery_key", "That recovery key does not unlock this record.")
			return
		}
		writeError(w, http.StatusUnauthorized, "wrong_password", "That password is not right.")
	case errors.Is(err, session.ErrNoVault):
		writeError(w, http.StatusConflict, "no_vault", "There is no record here yet.")
	case errors.Is(err, session.ErrLocked):
		// Someone pressed Lock while the record was opening: the lock wins.
		writeError(w, http.StatusConflict, "locked", "Your record was locked while it was opening. Unlock it again.")
	default:
		h.opt.Logger.Error("unlock failed", "error", err)
		writeError(w, http.StatusInternalServerError, "internal", words.Of(err).Text)
	}
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
	tok, recovery, err := h.opt.Vault.Create(r.Context(), pw)
	clear(pw)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, map[string]any{"token": tok, "recoveryKey": recovery, "autoLockMinutes": h.opt.Vault.Status(tok).AutoLockMinutes})
	case errors.Is(err, session.ErrShortPassword):
		writeError(w, http.StatusBadRequest, "short_password", fmt.Sprintf("Your password must be %d characters or more.", session.MinPassword))
	case errors.Is(err, session.ErrExists):
		writeError(w, http.StatusConflict, "exists", "Ward is already set up on this computer. Unlock it with your password.")
	default:
		h.opt.Logger.Error("create vault failed", "error", err)
		writeError(w, http.StatusInternalServerError, "internal", words.Of(err).Text)
	}
}

func (h *handler) lock(w http.ResponseWriter, r *http.Request) {
	h.opt.Vault.Lock()
	w.WriteHeader(http.StatusNoContent)
}

// humanWait says a duration the way a person would: "1 minute", "30 seconds".
func humanWait(d time.Duration) string {
	switch {
	case d < time.Minute:
		n := int(math.Ceil(d.Seconds()))
		return plural(n, "second")
	case d < time.Hour:
		return plural(int(math.Ceil(d.Minutes())), "minute")
	}
	return plural(int(math.Ceil(d.Hours())), "hour")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
