package api

// Publishing from a computer, the server's side (docs/api.md "Publishing
// from a computer"). A patient whose vault is on their own computer makes
// a publishing key here (Security settings, while signed in) and gives it
// to the Ward there. That Ward seals a share on the computer and sends it
// to /api/remote/ with the key as a bearer token: the server keeps the
// sealed copy as it keeps its own shares, emails the code and serves the
// clinician, but never holds that patient's vault. A key can make, list
// and end its account's shares, and nothing else.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/share"
)

// remoteKey carries the account a publishing key named.
type remoteKey struct{}

// publishKeyPrefix marks Ward's publishing keys, so a key pasted into the
// wrong box is recognised (and secret scanners can find leaked ones).
const publishKeyPrefix = "wardpk_"

func (h *handler) remoteRoutes() {
	h.handle("GET /api/security/publish-keys", h.listPublishKeys)
	h.handle("POST /api/security/publish-keys", h.makePublishKey)
	h.handle("DELETE /api/security/publish-keys/{id}", h.removePublishKey)
	h.handle("GET /api/remote/hello", h.remoteHello)
	h.handle("POST /api/remote/shares", h.remotePublish)
	h.handle("GET /api/remote/shares", h.listShares)
	h.handle("POST /api/remote/shares/{id}/revoke", h.revokeShare)
	h.handle("GET /api/remote/shares/{id}/access", h.shareAccess)
}

// shareAccount is whose shares this request reaches: the publishing key's
// account, or the signed-in patient's.
func (h *handler) shareAccount(r *http.Request) string {
	if a, ok := r.Context().Value(remoteKey{}).(string); ok {
		return a
	}
	if c := callerOf(r); c != nil {
		return c.Account.ID
	}
	return ""
}

// authoriseRemote answers for /api/remote/: a publishing key and nothing
// else. A bearer token is not sent by browsers on their own, so there is
// no CSRF to guard against; a request from a web page (with an Origin) is
// refused all the same, since no page of Ward's uses these. Wrong keys
// count against the client's address, as wrong passwords do.
func (h *handler) authoriseRemote(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	if h.opt.Sharing == nil {
		writeError(w, http.StatusNotFound, "not_found", "There is nothing at this address.")
		return r, false
	}
	if r.Header.Get("Origin") != "" {
		writeError(w, http.StatusForbidden, "cross_origin", "This request came from another website, so Ward refused it.")
		return r, false
	}
	db := h.opt.Sharing.Accounts
	ipKey := "publish-ip:" + h.clientIP(r)
	wait, err := db.Check(r.Context(), ipKey)
	if err != nil {
		h.fail(w, err)
		return r, false
	}
	if wait > 0 {
		h.fail(w, &share.ThrottledError{Wait: wait})
		return r, false
	}
	key := bearer(r)
	account := ""
	if strings.HasPrefix(key, publishKeyPrefix) && len(key) < 100 {
		account, err = db.PublishKeyAccount(r.Context(), key)
	}
	if account == "" {
		if err != nil && !errors.Is(err, accounts.ErrNotFound) {
			h.fail(w, err)
			return r, false
		}
		if _, err := db.Fail(r.Context(), ipKey); err != nil {
			h.fail(w, err)
			return r, false
		}
		writeError(w, http.StatusUnauthorized, "publish_key_refused",
			"This server does not know this computer's publishing key: it may have been removed. Make a new one in Security settings on the server.")
		return r, false
	}
	return r.WithContext(context.WithValue(r.Context(), remoteKey{}, account)), true
}

func (h *handler) remoteHello(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"organisation": h.org()})
}

// remotePublish keeps a share sealed on the patient's computer and emails
// its code. The code is used for its keyed hash and the email, and not
// kept.
func (h *handler) remotePublish(w http.ResponseWriter, r *http.Request) {
	var req struct {
		shareAsk
		Share   share.Sealed `json:"share"`
		Code    string       `json:"code"`
		Patient string       `json:"patient"`
	}
	// The sealed copy is at most share.MaxSealed, a third larger in JSON.
	if !readJSONUpTo(w, r, &req, share.MaxSealed/3*4+64<<10) {
		return
	}
	ttl, err := req.ttl()
	if err != nil {
		h.fail(w, err)
		return
	}
	patient := strings.TrimSpace(req.Patient)
	if len(patient) > 200 || strings.ContainsAny(patient, "\r\n") {
		patient = ""
	}
	s, err := h.opt.Sharing.Service.Publish(r.Context(), h.shareAccount(r), req.Share, req.Code, req.Recipient, ttl)
	if err == nil {
		err = h.quieten(r.Context(), &req.shareAsk, h.shareAccount(r), &s)
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	pub := h.publicURL(r)
	writeJSON(w, http.StatusCreated, map[string]any{"share": h.emailShare(r.Context(), s, req.Code, patient, pub),
		"url": pub + "/#/share", "link": "", "qrPng": ""})
}

func (h *handler) listPublishKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := h.opt.Sharing.Accounts.PublishKeysOf(r.Context(), callerOf(r).Account.ID)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// makePublishKey makes a key, shown this once. It is a security change:
// the patient confirms who they are first, as for a new passkey.
func (h *handler) makePublishKey(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	var req struct {
		Name string `json:"name"`
	}
	if !readJSON(w, r, &req) {
		return
	}
	if err := c.Vault.Fresh(c.tok); err != nil {
		h.fail(w, err)
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = "A computer"
	}
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck // crypto/rand does not fail (Go 1.24+)
	key := publishKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	idb := make([]byte, 8)
	rand.Read(idb) //nolint:errcheck // as above
	id := hex.EncodeToString(idb)
	if err := h.opt.Sharing.Accounts.PutPublishKey(r.Context(), c.Account.ID, id, name, key); err != nil {
		h.fail(w, err)
		return
	}
	h.security("publish_key_new", r, "outcome", "ok")
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "name": name, "key": key, "server": h.publicURL(r)})
}

func (h *handler) removePublishKey(w http.ResponseWriter, r *http.Request) {
	if err := h.opt.Sharing.Accounts.RemovePublishKey(r.Context(), callerOf(r).Account.ID, r.PathValue("id")); err != nil {
		if errors.Is(err, accounts.ErrNotFound) {
			err = share.ErrNotFound
		}
		h.fail(w, err)
		return
	}
	h.security("publish_key_removed", r, "outcome", "ok")
	w.WriteHeader(http.StatusNoContent)
}
