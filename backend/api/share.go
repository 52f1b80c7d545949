package api

// Sharing, the patient's side (docs/api.md, "Sharing"): on a server with
// accounts a signed-in patient shares part of their record with a
// clinician for 15 minutes to 7 days. Ward seals a copy of the chosen
// sections under a code (package share), emails the code to the
// recipient, and mints a SMART Health Link for the same copy (shl.go).

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/share"
	"github.com/ward-health/ward/backend/shl"
)

// Sharing wires sharing into a server with accounts.
type Sharing struct {
	Service  *share.Service
	Accounts *accounts.DB
	Outbox   *mail.Outbox
	// Dir is the accounts folder: accounts' vault folders are relative to
	// it (a clinician's note is delivered to the vault's inbox there).
	Dir string
	// LookupKey keys the hash that finds a SMART Health Link by its
	// manifest id (serverkey.Keys.ShareLookup).
	LookupKey []byte
}

func (h *handler) shareRoutes() {
	h.handle("POST /api/shares", h.createShare)
	h.handle("GET /api/shares", h.listShares)
	h.handle("POST /api/shares/{id}/revoke", h.revokeShare)
	h.handle("GET /api/shares/{id}/access", h.shareAccess)
	h.handle("POST /api/share/open", h.openShare)
	h.handle("GET /api/share", h.shareView)
	h.handle("POST /api/share/finish", h.finishShare)
	h.handle("POST /api/share/note", h.shareNote)
}

// sharingConfig is GET /api/config's "sharing": absent without sharing.
func (h *handler) sharingConfig() any {
	// "server": shares are kept here; "computer": this Ward seals them
	// and publishes them to the server set in Security settings.
	from := "server"
	switch {
	case h.opt.Accounts == nil && h.opt.Vault != nil:
		if h.opt.Vault.Status("").Demo {
			return nil // the demo record is shared with nobody
		}
		from = "computer"
	case h.opt.Accounts == nil || h.opt.Sharing == nil:
		return nil
	}
	return map[string]any{
		"enabled":        true,
		"from":           from,
		"minMinutes":     int(share.MinTTL / time.Minute),
		"maxMinutes":     int(share.MaxTTL / time.Minute),
		"defaultMinutes": int(share.DefaultTTL / time.Minute),
	}
}

// publicURL is where browsers reach Ward: the policy's, or this request's
// own origin.
func (h *handler) publicURL(r *http.Request) string {
	if u := h.opt.Accounts.Policy().PublicURL; u != "" {
		return strings.TrimSuffix(u, "/")
	}
	scheme := "http"
	if r.TLS != nil || h.opt.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h *handler) org() string {
	if o := h.opt.Accounts.Policy().Organisation; o != "" {
		return o
	}
	return "Ward"
}

// shareJSON is one share as GET /api/shares and POST /api/shares give it.
type shareJSON struct {
	ID        string          `json:"id"`
	Label     string          `json:"label"`
	Recipient share.Recipient `json:"recipient"`
	Sections  any             `json:"sections"` // "all" or the list
	Created   time.Time       `json:"created"`
	Expires   time.Time       `json:"expires"`
	State     string          `json:"state"`
	FirstUsed *time.Time      `json:"firstUsed"`
	Notify    bool            `json:"notify"`
	Email     *emailState     `json:"email,omitempty"`
}

type emailState struct {
	State string `json:"state"`
	Class string `json:"class"`
}

func sectionsJSON(s []string) any {
	if len(s) == 1 && s[0] == share.Everything {
		return "all"
	}
	if s == nil {
		return []string{}
	}
	return s
}

func toShareJSON(s share.Share) shareJSON {
	out := shareJSON{ID: s.ID, Label: s.Label, Recipient: s.Recipient, Sections: sectionsJSON(s.Sections),
		Created: s.Created, Expires: s.Expires, State: s.State, Notify: s.Notify}
	if !s.FirstUsed.IsZero() {
		t := s.FirstUsed
		out.FirstUsed = &t
	}
	return out
}

// readSections reads "all" or a list of sections.
func readSections(raw json.RawMessage) ([]string, error) {
	var all string
	if json.Unmarshal(raw, &all) == nil {
		if all == "all" {
			return []string{share.Everything}, nil
		}
		return nil, share.ErrBadSections
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, share.ErrBadSections
	}
	for _, s := range list {
		if strings.EqualFold(strings.TrimSpace(s), share.Everything) {
			return nil, share.ErrBadSections // "all" is how the whole record is asked for
		}
	}
	return share.NormaliseSections(list)
}

// firstName is the first word of a name, at most 40 characters.
func firstName(name string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	if utf8.RuneCountInString(f) > 40 {
		f = string([]rune(f)[:40])
	}
	return f
}

// shareAsk is what the patient asks for: who, what and for how long.
type shareAsk struct {
	Recipient share.Recipient `json:"recipient"`
	Sections  json.RawMessage `json:"sections"`
	Minutes   int             `json:"minutes"`
	// Notify: email the patient when the share is first opened (absent:
	// yes).
	Notify *bool `json:"notify,omitempty"`
}

// quieten turns the first-opened email off for s when the patient asked.
func (h *handler) quieten(ctx context.Context, q *shareAsk, account string, s *share.Share) error {
	if q.Notify == nil || *q.Notify {
		return nil
	}
	if err := h.opt.Sharing.Service.Quiet(ctx, account, s.ID); err != nil {
		return err
	}
	s.Notify = false
	return nil
}

// ttl tidies the recipient and checks the length; the service checks the
// rest.
func (q *shareAsk) ttl() (time.Duration, error) {
	if q.Minutes < 0 || q.Minutes > int(share.MaxTTL/time.Minute) {
		return 0, share.ErrBadTTL
	}
	if q.Recipient.Name = strings.TrimSpace(q.Recipient.Name); q.Recipient.Name == "" {
		return 0, share.ErrBadRecipient
	}
	return time.Duration(q.Minutes) * time.Minute, nil
}

// patientName is the name on the open record, for the email ("": none).
func patientName(m *session.Manager, tok string) string {
	if rec, err := m.Record(tok); err == nil && rec != nil {
		if p := rec.Summary().Patient; p != nil {
			return p.Name
		}
	}
	return ""
}

func (h *handler) createShare(w http.ResponseWriter, r *http.Request) {
	c := callerOf(r)
	sh := h.opt.Sharing
	var req shareAsk
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&req); err != nil {
		h.fail(w, share.ErrBadRecipient)
		return
	}
	sections, err := readSections(req.Sections)
	if err != nil {
		h.fail(w, err)
		return
	}
	ttl, err := req.ttl()
	if err != nil {
		h.fail(w, err)
		return
	}
	contents, err := c.Vault.Contents(r.Context(), c.tok)
	if err != nil {
		h.fail(w, err)
		return
	}
	s, code, err := sh.Service.Create(r.Context(), c.Account.ID, contents, req.Recipient, sections, ttl)
	if err == nil {
		err = h.quieten(r.Context(), &req, c.Account.ID, &s)
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	patient := patientName(c.Vault, c.tok)
	pub := h.publicURL(r)
	body := map[string]any{"share": toShareJSON(s), "code": code, "url": pub + "/#/share", "link": "", "qrPng": ""}

	// The SMART Health Link for the same sections, for as long as the
	// share lasts; its passcode is the code (flag P).
	label := "Record shared by " + firstName(patient)
	if firstName(patient) == "" {
		label = "Shared health record"
	}
	if h.publicURLOf() == "" {
		// Without --public-url the receiver could not be told where the
		// link's files are: no link.
	} else if p, err := share.Subset(contents, sections); err != nil {
		h.opt.Logger.Warn("share: no SMART Health Link", "err", err)
	} else if link, err := shl.New(pub, label, s.Expires, true); err != nil {
		h.opt.Logger.Warn("share: no SMART Health Link (the public URL must be https)", "err", err)
	} else if err := h.putLink(r.Context(), s, link, p, code); err != nil {
		h.opt.Logger.Error("share: SMART Health Link not kept", "err", err)
	} else {
		body["link"] = link.Encode()
		if png, err := qrcode.Encode(link.Encode(), qrcode.Medium, 320); err == nil {
			body["qrPng"] = "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
		}
	}

	body["share"] = h.emailShare(r.Context(), s, code, patient, pub)
	writeJSON(w, http.StatusCreated, body)
}

// emailShare sends share s's code to its recipient: who shared, until
// when, where, and the code; nothing of the record. It gives the share
// with its email's state (none when it could not be queued: logged).
func (h *handler) emailShare(ctx context.Context, s share.Share, code, patient, pub string) shareJSON {
	sh := h.opt.Sharing
	j := toShareJSON(s)
	who := patient
	if who == "" {
		who = "A patient"
	}
	text := "Hello " + s.Recipient.Name + ",\n\n" +
		who + " has shared part of their health record with you through " + h.org() + "'s Ward, until " +
		s.Expires.UTC().Format("Monday 2 January 2006 at 15:04 MST") + ".\n\n" +
		"To read it, open " + pub + "/#/share and enter this code:\n\n    " + code + "\n\n" +
		"You will also need the patient's date of birth.\n\n" +
		"Ward keeps a record of when the share is opened and shows it to the patient. " +
		"If you were not expecting this, you can ignore this email.\n"
	id, err := sh.Outbox.EnqueueTracked(ctx, mail.Message{To: s.Recipient.Email,
		Subject: who + " has shared their health record with you", Text: text})
	if err == nil {
		err = sh.Accounts.SetShareOutbox(ctx, s.ID, id)
		j.Email = &emailState{State: mail.Queued}
	}
	if err != nil {
		h.opt.Logger.Error("share: email not queued", "err", err)
	}
	return j
}

func (h *handler) listShares(w http.ResponseWriter, r *http.Request) {
	account := h.shareAccount(r)
	sh := h.opt.Sharing
	list, err := sh.Service.List(r.Context(), account)
	if err != nil {
		h.fail(w, err)
		return
	}
	ob, err := sh.Accounts.ShareOutboxes(r.Context(), account)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := make([]shareJSON, 0, len(list))
	for _, s := range list {
		j := toShareJSON(s)
		if id, ok := ob[s.ID]; ok {
			if d, err := sh.Outbox.Status(r.Context(), id); err == nil {
				j.Email = &emailState{State: d.State, Class: d.Class}
			} else if errors.Is(err, mail.ErrUnknownMessage) {
				j.Email = &emailState{State: mail.Sent} // sent and since cleared from the outbox
			}
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"shares": out})
}

func (h *handler) revokeShare(w http.ResponseWriter, r *http.Request) {
	if err := h.opt.Sharing.Service.Revoke(r.Context(), h.shareAccount(r), r.PathValue("id")); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) shareAccess(w http.ResponseWriter, r *http.Request) {
	log, err := h.opt.Sharing.Service.Access(r.Context(), h.shareAccount(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, err)
		return
	}
	type line struct {
		At        time.Time `json:"at"`
		Address   string    `json:"address"`
		Browser   string    `json:"browser"`
		Page      string    `json:"page"`
		Clinician string    `json:"clinician"`
	}
	out := make([]line, 0, len(log))
	for _, a := range log {
		out = append(out, line{At: a.At, Address: a.Address, Browser: browserName(a.UserAgent), Page: a.Page, Clinician: a.Clinician})
	}
	writeJSON(w, http.StatusOK, map[string]any{"access": out})
}

// publicURLOf is the policy's public URL, for the SMART Health Link
// server's location URLs ("" when none is set: they are then relative to
// the request's host, see shl.Server).
func (h *handler) publicURLOf() string {
	return strings.TrimSuffix(h.opt.Accounts.Policy().PublicURL, "/")
}
