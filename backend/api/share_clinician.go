package api

// Sharing, the clinician's side: no account, only the code the patient's
// email brought and the patient's date of birth. Opening a share starts a
// viewer session (share.Viewers, in memory) named by the ward-share
// cookie; with it the ordinary record routes serve the shared copy, read
// only, and only the routes its sections cover (authoriseShare in
// caller.go).

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gorilla/securecookie"

	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/serverkey"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/share"
	"github.com/ward-health/ward/backend/words"
)

const shareCookie = "ward-share"

// shareValue is what the ward-share cookie holds.
type shareValue struct {
	S string `json:"s"` // viewer session id
	C string `json:"c"` // CSRF token for the share's POSTs
}

func newShareCodecs(keys []serverkey.CookieKey) []securecookie.Codec {
	var out []securecookie.Codec
	for _, k := range keys {
		s := securecookie.New(k.Hash, k.Block)
		s.SetSerializer(securecookie.JSONEncoder{})
		s.MaxAge(int(share.MaxTTL / time.Second))
		s.MaxLength(1024)
		out = append(out, s)
	}
	return out
}

func (h *handler) getShareCookie(r *http.Request) (shareValue, bool) {
	var v shareValue
	ok := h.cookies.get(r, shareCookie, h.shareCodecs, &v)
	return v, ok && v.S != "" && v.C != ""
}

// shareFail answers a sharing error, with retryAfterSeconds when the
// clinician must wait.
func (h *handler) shareFail(w http.ResponseWriter, err error) {
	var many *share.ThrottledError
	if errors.As(err, &many) {
		said := words.Of(err)
		secs := int(math.Ceil(many.Wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeJSON(w, said.Status, map[string]any{"error": apiError{Code: said.Code, Message: said.Text, RetryAfterSeconds: secs}})
		return
	}
	h.fail(w, err)
}

type viewJSON struct {
	Label       string    `json:"label"`
	PatientName string    `json:"patientName"`
	Sections    any       `json:"sections"`
	Expires     time.Time `json:"expires"`
}

func viewOf(v *share.Viewer) viewJSON {
	return viewJSON{Label: v.Label, PatientName: v.PatientName, Sections: sectionsJSON(v.Sections), Expires: v.Expires}
}

func (h *handler) openShare(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code      string `json:"code"`
		BirthDate string `json:"birthDate"`
		Name      string `json:"name"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
		h.fail(w, share.ErrNotRight)
		return
	}
	sh := h.opt.Sharing
	v, err := sh.Service.Redeem(r.Context(), req.Code, req.BirthDate, oneLine(req.Name), h.clientIP(r), ua(r))
	if err != nil {
		h.shareFail(w, err)
		return
	}
	// A new share replaces one this browser had open.
	if old, ok := h.getShareCookie(r); ok {
		sh.Service.Viewers().End(old.S)
	}
	sid := sh.Service.Viewers().Start(v)
	csrf := randomToken()
	age := time.Until(v.Expires)
	if age > share.MaxTTL {
		age = share.MaxTTL
	}
	if err := h.cookies.set(w, shareCookie, h.shareCodecs, shareValue{S: sid, C: csrf}, age); err != nil {
		sh.Service.Viewers().End(sid)
		h.fail(w, err)
		return
	}
	if v.FirstUse && !v.Quiet {
		h.tellPatientOpened(r.Context(), v, h.clientIP(r), ua(r))
	}
	body := viewOf(v)
	writeJSON(w, http.StatusOK, map[string]any{"csrf": csrf, "label": body.Label, "patientName": body.PatientName,
		"sections": body.Sections, "expires": body.Expires})
}

// tellPatientOpened emails the patient that their share was first opened:
// by whom (the name the clinician typed) and when. Nothing of the record.
func (h *handler) tellPatientOpened(ctx context.Context, v *share.Viewer, from, ua string) {
	sh := h.opt.Sharing
	a, err := sh.Accounts.ByID(ctx, v.Account)
	if err != nil {
		h.opt.Logger.Error("share: no account to tell", "err", err)
		return
	}
	who := v.Clinician
	if who == "" {
		who = "Someone (who gave no name)"
	}
	text := "The share of your health record you made in " + h.org() + "'s Ward has been opened.\n\n" +
		"Opened by: " + who + "\n" +
		"When: " + time.Now().UTC().Format("Monday 2 January 2006 at 15:04 MST") + "\n" +
		"From: " + browserName(ua) + " at " + from + "\n\n" +
		"You can see every page they read, and stop the share at any time, under Sharing when you sign in.\n" +
		"If you did not expect this, stop the share now.\n"
	if err := sh.Outbox.Enqueue(ctx, mail.Message{To: a.Email, Subject: "Your shared record was opened", Text: text}); err != nil {
		h.opt.Logger.Error("share: email to the patient not queued", "err", err)
	}
}

func (h *handler) shareView(w http.ResponseWriter, r *http.Request) {
	sc := viewerOf(r)
	if sc == nil {
		h.fail(w, share.ErrViewerEnded)
		return
	}
	// The CSRF token again: a reloaded page has lost the one the opening
	// answered with, and Finish and the note need it.
	body := viewOf(sc.v)
	writeJSON(w, http.StatusOK, map[string]any{"csrf": sc.csrf, "label": body.Label, "patientName": body.PatientName,
		"sections": body.Sections, "expires": body.Expires})
}

func (h *handler) finishShare(w http.ResponseWriter, r *http.Request) {
	if sc := viewerOf(r); sc != nil {
		h.opt.Sharing.Service.Viewers().End(sc.sid)
	}
	h.cookies.clear(w, shareCookie)
	w.WriteHeader(http.StatusNoContent)
}

// MaxNote is the longest note a clinician may leave, in characters.
const MaxNote = 2000

// errBadNote is a note that is empty or too long.
var errBadNote = errors.New("api: a note is 1 to 2,000 characters")

func (h *handler) shareNote(w http.ResponseWriter, r *http.Request) {
	sc := viewerOf(r)
	if sc == nil {
		h.fail(w, share.ErrViewerEnded)
		return
	}
	var req struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad_note", "Write a note of up to 2,000 characters.")
		return
	}
	text := strings.TrimSpace(req.Text)
	if text == "" || !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxNote {
		writeError(w, http.StatusBadRequest, "bad_note", "Write a note of up to 2,000 characters.")
		return
	}
	sh := h.opt.Sharing
	a, err := sh.Accounts.ByID(r.Context(), sc.v.Account)
	if err != nil || a.VaultDir == "" {
		h.fail(w, share.ErrViewerEnded)
		return
	}
	doc, name := noteDocument(sc.v, text, time.Now())
	dir := a.VaultDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(sh.Dir, dir)
	}
	if err := session.Deliver(r.Context(), dir, name, strings.NewReader(string(doc))); err != nil {
		h.fail(w, err)
		return
	}
	_ = sh.Service.Viewers().LogAccess(r.Context(), sc.v, "note left", h.clientIP(r), ua(r))
	w.WriteHeader(http.StatusAccepted)
}

// noteDocument is a clinician's note as a FHIR R4 DocumentReference, and
// a file name for it.
func noteDocument(v *share.Viewer, text string, now time.Time) ([]byte, string) {
	who := v.Clinician
	if who == "" {
		who = "A clinician"
	}
	by := who + " (through a share)"
	id := "share-note-" + v.ShareID[:min(12, len(v.ShareID))] + "-" + strconv.FormatInt(now.UnixNano(), 36)
	doc := map[string]any{
		"resourceType": "DocumentReference",
		"id":           id,
		"status":       "current",
		"type":         map[string]any{"text": "Letter"},
		"category":     []map[string]any{{"text": "Letter"}},
		"date":         now.UTC().Format(time.RFC3339),
		"description":  "Note from " + by,
		"author":       []map[string]any{{"display": by}},
		"content": []map[string]any{{"attachment": map[string]any{
			"contentType": "text/plain; charset=utf-8",
			"title":       "Note from " + by,
			"creation":    now.UTC().Format(time.RFC3339),
			"data":        base64.StdEncoding.EncodeToString([]byte(text)),
		}}},
	}
	b, _ := json.Marshal(doc)
	return b, fmt.Sprintf("%s.json", id)
}

// oneLine keeps a name typed by a stranger to one line of printable text.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s))
}
