package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/twostep"
	"github.com/ward-health/ward/backend/words"
)

// The account routes of a server with many patients (docs/api.md,
// "Accounts"). Sign-in answers the same for an unknown address as for a
// wrong password, with the same work behind it (package signin).

func (h *handler) accountRoutes() {
	h.handle("GET /api/account", h.account)
	h.handle("POST /api/account/sign-up", h.signUp)
	h.handle("POST /api/account/verify", h.verify)
	h.handle("POST /api/account/activate", h.activate)
	h.handle("POST /api/account/sign-in", h.signIn)
	h.handle("POST /api/account/sign-in/two-step", h.secondStep)
	h.handle("POST /api/account/sign-in/email-code", h.emailCode)
	h.services.signIn = newSignInPasskeys()
	h.handle("POST /api/account/sign-in/passkey/begin", h.passkeySignInBegin)
	h.handle("POST /api/account/sign-in/passkey/finish", h.passkeySignInFinish)
	h.handle("POST /api/account/sign-out", h.signOut)
	h.handle("POST /api/account/sign-out-everywhere", h.signOutEverywhere)
	h.handle("GET /api/account/sessions", h.sessions)
	h.handle("DELETE /api/account/sessions/{handle}", h.endSession)
	h.handle("POST /api/account/two-step/enrol", h.enrolTwoStep)
	h.handle("POST /api/account/two-step/confirm", h.confirmTwoStep)
	h.handle("POST /api/account/two-step/recovery-codes", h.newRecoveryCodes)
	h.handle("DELETE /api/account/two-step", h.disableTwoStep)
	h.handle("POST /api/account/forgot", h.forgot)
	h.handle("POST /api/account/forgot/verify", h.forgotVerify)
	h.handle("POST /api/account/recover", h.recoverAccount)
	h.handle("POST /api/account/reset", h.resetAccount)
}

// accountsConfig is GET /api/config's "accounts": absent on a Ward with one
// vault.
func (h *handler) accountsConfig() any {
	if h.opt.Accounts == nil {
		return nil
	}
	p := h.opt.Accounts.Policy()
	return map[string]any{
		"enabled":            true,
		"emptyRecordAllowed": p.EmptyRecordAllowed,
		"twoStepRequired":    p.TwoStepRequired,
		"idleMinutes":        int(math.Ceil(p.Idle.Minutes())),
	}
}

func (h *handler) fail(w http.ResponseWriter, err error) {
	said := words.Of(err)
	if said.Status == http.StatusTooManyRequests {
		// The accounts' throttle, or the vault's own (a password tried
		// against the vault too often from one address): either way the
		// page is told how long to wait.
		var wait time.Duration
		var slow *signin.ThrottledError
		var vault *store.WaitError
		switch {
		case errors.As(err, &slow):
			wait = slow.Wait
		case errors.As(err, &vault):
			wait = vault.Wait
		}
		if wait > 0 {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeJSON(w, said.Status, map[string]any{"error": apiError{Code: said.Code, Message: said.Text, RetryAfterSeconds: secs}})
			return
		}
	}
	if said.Status >= 500 {
		h.opt.Logger.Error("account request failed", "code", said.Code, "err", err)
	}
	writeError(w, said.Status, said.Code, said.Text)
}

// ua is the browser as the sessions list shows it.
func ua(r *http.Request) string { return r.UserAgent() }

// signedIn sets the session cookie for g and answers with its CSRF token.
func (h *handler) signedIn(w http.ResponseWriter, g signin.Grant, extra map[string]any) {
	if err := h.cookies.setSession(w, sessionValue{S: g.SessionID, T: g.Token}); err != nil {
		h.fail(w, err)
		return
	}
	h.cookies.clear(w, stepCookie)
	body := map[string]any{"csrf": g.CSRF}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, http.StatusOK, body)
}

// step reads the step cookie of kind and checks its CSRF header.
func (h *handler) step(w http.ResponseWriter, r *http.Request, kind string) (stepValue, bool) {
	v, ok := h.cookies.getStep(r, kind)
	if !ok || subtle.ConstantTimeCompare([]byte(r.Header.Get("X-CSRF-Token")), []byte(v.C)) != 1 {
		h.fail(w, signin.ErrSignedOut)
		return stepValue{}, false
	}
	return v, true
}

// newStep sets a step cookie and gives its CSRF token.
func (h *handler) newStep(w http.ResponseWriter, kind, id string) (string, bool) {
	csrf := randomToken()
	if err := h.cookies.setStep(w, stepValue{K: kind, A: id, C: csrf}); err != nil {
		h.fail(w, err)
		return "", false
	}
	return csrf, true
}

func (h *handler) account(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	if c == nil {
		h.fail(w, signin.ErrSignedOut)
		return
	}
	ts, err := h.opt.Accounts.TwoStep(r.Context(), c.Account.ID)
	if err != nil {
		h.fail(w, err)
		return
	}
	p := h.opt.Accounts.Policy()
	passkeys := 0
	if ps, err := c.Vault.Passkeys(r.Context()); err == nil {
		passkeys = len(ps)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"email":       c.Account.Email,
		"csrf":        c.Session.CSRF,
		"idleSeconds": int(p.Idle.Seconds()),
		"expiresAt":   c.Session.Created.Add(p.Absolute).UTC().Format(time.RFC3339),
		"twoStep":     map[string]any{"enabled": ts.Enabled, "recoveryCodesLeft": ts.RecoveryCodesLeft, "required": ts.Required},
		"passkeys":    passkeys,
	})
}

func (h *handler) signUp(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		SharedOK bool   `json:"sharedOk"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if err := h.opt.Accounts.SignUp(r.Context(), body.Email, body.Password, body.SharedOK, h.clientIP(r)); err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{})
}

func (h *handler) verify(w http.ResponseWriter, r *http.Request) {
	var body struct{ Email, Code string }
	if !readJSON(w, r, &body) {
		return
	}
	id, err := h.opt.Accounts.Verify(r.Context(), body.Email, body.Code, h.clientIP(r))
	if err != nil {
		h.fail(w, err)
		return
	}
	csrf, ok := h.newStep(w, stepActivate, id)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"csrf": csrf, "emptyRecordAllowed": h.opt.Accounts.Policy().EmptyRecordAllowed})
}

func (h *handler) activate(w http.ResponseWriter, r *http.Request) {
	v, ok := h.step(w, r, stepActivate)
	if !ok {
		return
	}
	var body struct {
		Password    string `json:"password"`
		InviteCode  string `json:"inviteCode"`
		EmptyRecord bool   `json:"emptyRecord"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	g, rk, err := h.opt.Accounts.Activate(r.Context(), v.A, body.Password, body.InviteCode, body.EmptyRecord, h.clientIP(r), ua(r))
	if err != nil {
		h.fail(w, err)
		return
	}
	h.signedIn(w, g, map[string]any{"recoveryKey": rk})
}

func (h *handler) signIn(w http.ResponseWriter, r *http.Request) {
	var body struct{ Email, Password string }
	if !readJSON(w, r, &body) {
		return
	}
	if body.Email == "" || body.Password == "" {
		writeError(w, http.StatusBadRequest, "empty", "Enter your email address and password.")
		return
	}
	out, err := h.opt.Accounts.SignIn(r.Context(), body.Email, body.Password, h.clientIP(r), ua(r))
	if err != nil {
		h.fail(w, err)
		return
	}
	if out.Pending != "" {
		csrf, ok := h.newStep(w, stepTwoStep, out.Pending)
		if !ok {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"csrf": csrf, "twoStep": map[string]any{"methods": []string{signin.MethodTOTP, signin.MethodRecovery, signin.MethodEmail}}})
		return
	}
	h.signedIn(w, out.Grant, nil)
}

func (h *handler) secondStep(w http.ResponseWriter, r *http.Request) {
	v, ok := h.step(w, r, stepTwoStep)
	if !ok {
		return
	}
	var body struct{ Method, Code string }
	if !readJSON(w, r, &body) {
		return
	}
	g, err := h.opt.Accounts.SecondStep(r.Context(), v.A, body.Method, body.Code)
	if err != nil {
		h.fail(w, err)
		return
	}
	h.signedIn(w, g, nil)
}

func (h *handler) emailCode(w http.ResponseWriter, r *http.Request) {
	v, ok := h.step(w, r, stepTwoStep)
	if !ok {
		return
	}
	if err := h.opt.Accounts.EmailCode(r.Context(), v.A); err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{})
}

func (h *handler) signOut(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	if err := h.opt.Accounts.SignOut(r.Context(), c.sid, c.Caller, c.tok); err != nil {
		h.fail(w, err)
		return
	}
	h.cookies.clear(w, sessionCookie)
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	if err := h.opt.Accounts.SignOutEverywhere(r.Context(), c.Caller); err != nil {
		h.fail(w, err)
		return
	}
	h.cookies.clear(w, sessionCookie)
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) sessions(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	live, recent, err := h.opt.Accounts.Sessions(r.Context(), c.Account.ID)
	if err != nil {
		h.fail(w, err)
		return
	}
	type sess struct {
		Handle   string    `json:"handle"`
		Created  time.Time `json:"created"`
		LastSeen time.Time `json:"lastSeen"`
		Browser  string    `json:"browser"`
		Address  string    `json:"address"`
		Current  bool      `json:"current"`
	}
	type signIn struct {
		At      time.Time `json:"at"`
		Address string    `json:"address"`
		Browser string    `json:"browser"`
		Outcome string    `json:"outcome"`
	}
	out := struct {
		Sessions []sess   `json:"sessions"`
		SignIns  []signIn `json:"signIns"`
	}{Sessions: []sess{}, SignIns: []signIn{}}
	for _, s := range live {
		cur := s.Created.Equal(c.Session.Created) && s.UserAgent == c.Session.UserAgent && s.Address == c.Session.Address
		out.Sessions = append(out.Sessions, sess{s.Handle, s.Created.UTC(), s.LastSeen.UTC(), browserName(s.UserAgent), s.Address, cur})
	}
	for _, s := range recent {
		out.SignIns = append(out.SignIns, signIn{s.At.UTC(), s.Address, browserName(s.UserAgent), s.Outcome})
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) endSession(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	if err := h.opt.Accounts.EndSession(r.Context(), c.Account.ID, r.PathValue("handle")); err != nil {
		writeError(w, http.StatusNotFound, "not_found", "That session has ended already.")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// fresh refuses a change to how the account is protected unless the
// patient proved who they are in the last few minutes (POST
// /api/security/confirm), as for the vault's own settings.
func (h *handler) fresh(w http.ResponseWriter, r *http.Request) bool {
	if err := h.vault(r).Fresh(h.token(r)); err != nil {
		h.fail(w, err)
		return false
	}
	return true
}

func (h *handler) enrolTwoStep(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	e, err := h.opt.Accounts.Enrol(r.Context(), c.Account.ID, c.Account.Email)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"otpauthUrl": e.URL, "secret": e.Secret, "qrPng": "data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QR)})
}

func (h *handler) confirmTwoStep(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	var body struct{ Code string }
	if !readJSON(w, r, &body) {
		return
	}
	codes, err := h.opt.Accounts.Confirm(r.Context(), c.Account.ID, body.Code)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"recoveryCodes": codes})
}

func (h *handler) newRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	if !h.fresh(w, r) {
		return
	}
	codes, err := h.opt.Accounts.NewRecoveryCodes(r.Context(), callerOf(r).Account.ID)
	if errors.Is(err, twostep.ErrNotEnrolled) {
		// Not a fault: the patient has no two-step to make codes for.
		writeError(w, http.StatusConflict, "two_step_off", "Two-step verification is not on, so there are no recovery codes to replace. Set it up first.")
		return
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"recoveryCodes": codes})
}

func (h *handler) disableTwoStep(w http.ResponseWriter, r *http.Request) {
	if h.opt.Accounts.Policy().TwoStepRequired {
		h.fail(w, signin.ErrTwoStepNeeded)
		return
	}
	if !h.fresh(w, r) {
		return
	}
	if err := h.opt.Accounts.DisableTwoStep(r.Context(), callerOf(r).Account.ID); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) forgot(w http.ResponseWriter, r *http.Request) {
	var body struct{ Email string }
	if !readJSON(w, r, &body) {
		return
	}
	if err := h.opt.Accounts.Forgot(r.Context(), body.Email, h.clientIP(r)); err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{})
}

func (h *handler) forgotVerify(w http.ResponseWriter, r *http.Request) {
	var body struct{ Email, Code string }
	if !readJSON(w, r, &body) {
		return
	}
	id, err := h.opt.Accounts.ForgotVerify(r.Context(), body.Email, body.Code, h.clientIP(r))
	if err != nil {
		h.fail(w, err)
		return
	}
	csrf, ok := h.newStep(w, stepForgot, id)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"csrf": csrf, "orgReset": h.opt.Accounts.Policy().OrgReset})
}

func (h *handler) recoverAccount(w http.ResponseWriter, r *http.Request) {
	v, ok := h.step(w, r, stepForgot)
	if !ok {
		return
	}
	var body struct{ RecoveryKey, Password string }
	if !readJSON(w, r, &body) {
		return
	}
	g, rk, err := h.opt.Accounts.Recover(r.Context(), v.A, body.RecoveryKey, body.Password, h.clientIP(r), ua(r))
	if err != nil {
		h.fail(w, err)
		return
	}
	h.signedIn(w, g, map[string]any{"recoveryKey": rk})
}

func (h *handler) resetAccount(w http.ResponseWriter, r *http.Request) {
	v, ok := h.step(w, r, stepForgot)
	if !ok {
		return
	}
	var body struct{ Password, Confirm string }
	if !readJSON(w, r, &body) {
		return
	}
	if body.Confirm != "reset" {
		writeError(w, http.StatusBadRequest, "confirm_reset", "Confirm that your record on this server may be emptied.")
		return
	}
	g, rk, err := h.opt.Accounts.Reset(r.Context(), v.A, body.Password, h.clientIP(r), ua(r))
	if err != nil {
		h.fail(w, err)
		return
	}
	h.signedIn(w, g, map[string]any{"recoveryKey": rk})
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// browserName is a User-Agent as a person recognises it ("Firefox on
// Windows"); the full string is kept only in the accounts database.
func browserName(ua string) string {
	browser := "A browser"
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chromium/", "Chromium"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(ua, b.token) {
			browser = b.name
			break
		}
	}
	for _, o := range []struct{ token, name string }{
		{"Windows", "Windows"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			return browser + " on " + o.name
		}
	}
	return browser
}
