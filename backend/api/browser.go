package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/ward-health/ward/backend/browserauth"
	"github.com/ward-health/ward/backend/passkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/words"
)

// The desktop window has no WebAuthn (WebKitGTK), so it asks Ward to run
// the ceremony in the system browser, on a one-time loopback page of
// Ward's own (backend/browserauth). The browser page's requests come from
// 127.0.0.1 like the window's; the guess is counted against the window's
// client, which started it.

// browserUnlock is an unlock ceremony run in the system browser.
type browserUnlock struct {
	h    *handler
	from string
}

func (c browserUnlock) Kind() string { return browserauth.KindGet }

func (c browserUnlock) Begin(ctx context.Context, rp passkey.RP) (string, json.RawMessage, error) {
	if err := c.h.opt.Vault.CheckAttempts(ctx, c.from); err != nil {
		return "", nil, err
	}
	slots, err := c.h.opt.Vault.Passkeys(ctx)
	if err != nil {
		return "", nil, err
	}
	creds := credentialsOf(slots)
	if len(creds) == 0 {
		return "", nil, session.ErrNoPasskey
	}
	return c.h.passkeys.BeginLogin(rp, creds)
}

func (c browserUnlock) Finish(ctx context.Context, ceremony string, credential []byte) (any, error) {
	prove, forget := c.h.proof(c.h.passkeys, ceremony, credential)
	tok, err := c.h.opt.Vault.UnlockPasskey(ctx, c.from, prove)
	forget()
	if err != nil {
		return nil, err
	}
	return map[string]any{"token": tok, "autoLockMinutes": c.h.opt.Vault.Status(tok).AutoLockMinutes}, nil
}

// browserConfirm is a confirmation (for a change in the settings).
type browserConfirm struct {
	h         *handler
	from, tok string
}

func (c browserConfirm) Kind() string { return browserauth.KindGet }

func (c browserConfirm) Begin(ctx context.Context, rp passkey.RP) (string, json.RawMessage, error) {
	return browserUnlock{h: c.h, from: c.from}.Begin(ctx, rp)
}

func (c browserConfirm) Finish(ctx context.Context, ceremony string, credential []byte) (any, error) {
	prove, forget := c.h.proof(c.h.passkeys, ceremony, credential)
	until, err := c.h.opt.Vault.ConfirmPasskey(ctx, c.tok, c.from, prove)
	forget()
	if err != nil {
		return nil, err
	}
	return freshJSON(until), nil
}

// browserRegister adds a passkey made in the system browser; when the
// authenticator gives its PRF output only on a second touch, the page runs
// that assertion as its next step.
type browserRegister struct {
	h    *handler
	name string
	r    *http.Request // the window's request: its token
	rp   passkey.RP    // the one-time page's, set by Begin
}

func (c *browserRegister) Kind() string { return browserauth.KindCreate }

func (c *browserRegister) Begin(ctx context.Context, rp passkey.RP) (string, json.RawMessage, error) {
	c.rp = rp
	return c.h.beginRegistration(c.r.WithContext(ctx), rp, c.name)
}

func (c *browserRegister) Finish(ctx context.Context, ceremony string, credential []byte) (any, error) {
	res, err := c.h.finishRegistration(c.r.WithContext(ctx), c.rp, ceremony, credential)
	if err != nil {
		return nil, err
	}
	if res.next != "" {
		return browserauth.Next{CeremonyID: res.next, Kind: browserauth.KindGet, Options: res.options}, nil
	}
	return map[string]any{"passkey": res.method}, nil
}

// browserStart answers POST /api/vault/passkey/browser.
func (h *handler) browserStart(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Purpose string `json:"purpose"`
		Name    string `json:"name"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	from, tok := guesser(h.clientIP(r)), bearer(r)
	var c browserauth.Ceremony
	switch body.Purpose {
	case "unlock":
		c = browserUnlock{h: h, from: from}
	case "confirm":
		c = browserConfirm{h: h, from: from, tok: tok}
	case "register":
		// The request's headers (the token) go with it; its body is read.
		c = &browserRegister{h: h, name: body.Name, r: r.Clone(context.Background())}
	default:
		writeError(w, http.StatusBadRequest, "bad_request", "Sorry, Ward could not read that request.")
		return
	}
	if body.Purpose != "unlock" {
		if _, err := h.opt.Vault.Security(r.Context(), tok); err != nil {
			h.writeWords(w, err)
			return
		}
	}
	id, url, err := h.browser.Start(c)
	if err != nil {
		h.opt.Logger.Error("passkey in the browser", "error", err)
		writeError(w, http.StatusInternalServerError, "browser_failed", "Ward could not open your web browser for this. Use your password.")
		return
	}
	h.security("passkey_browser", r, "outcome", "started", "purpose", body.Purpose)
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "url": url, "opened": h.opt.OpenURL != nil})
}

// browserStatus answers GET /api/vault/passkey/browser/{id}.
func (h *handler) browserStatus(w http.ResponseWriter, r *http.Request) {
	state, result, err := h.browser.Status(r.PathValue("id"))
	switch state {
	case "done":
		out := map[string]any{"state": "done"}
		if m, ok := result.(map[string]any); ok {
			for k, v := range m {
				out[k] = v
			}
		}
		writeJSON(w, http.StatusOK, out)
	case "failed":
		said := words.Of(err)
		writeJSON(w, http.StatusOK, map[string]any{"state": "failed", "code": said.Code, "message": said.Text})
	case "waiting", "expired":
		writeJSON(w, http.StatusOK, map[string]any{"state": state})
	default:
		writeError(w, http.StatusNotFound, "not_found", "That request has ended. Start again.")
	}
}
