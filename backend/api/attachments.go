package api

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/handoff"
	"github.com/ward-health/ward/backend/records"
)

// inlineTypes are the attachments sent as what they are, for the page to
// show: none of them can run script. text/html is here only because
// records.AttachmentFile sanitises every HTML attachment (whatever its
// declared spelling) and labels it text/html. The value is the file name's
// extension.
var inlineTypes = map[string]string{
	"application/pdf": ".pdf",
	"image/png":       ".png",
	"image/jpeg":      ".jpg",
	"image/gif":       ".gif",
	"text/plain":      ".txt",
	"text/html":       ".html",
}

// downloadExtensions name files of other common types that are sent as
// application/octet-stream downloads, so the computer opens them with the
// right program. Types that a browser would run (HTML, SVG, XML with
// stylesheets, scripts) are deliberately absent: they are saved as .bin.
var downloadExtensions = map[string]string{
	"application/msword": ".doc",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
	"application/vnd.oasis.opendocument.text":                                 ".odt",
	"application/rtf":  ".rtf",
	"text/rtf":         ".rtf",
	"image/tiff":       ".tif",
	"text/csv":         ".csv",
	"application/json": ".json",
}

// attachmentSandbox is the policy on every attachment: even a file a
// browser shows on its own runs no script and reaches nothing.
const attachmentSandbox = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"

// attachment sends a document's file. The handful of inlineTypes go as
// themselves (Content-Disposition: inline); anything else goes as
// application/octet-stream with Content-Disposition: attachment, so no
// browser renders it. The media type is normalised again here, so a
// spelling like "Text/HTML" or " image/svg+xml" cannot choose another path.
func (h *handler) attachment(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	i, err := strconv.Atoi(r.PathValue("index"))
	f, ok := rec.AttachmentFile(r.PathValue("id"), i)
	if err != nil || !ok {
		writeError(w, http.StatusNotFound, "not_found", "We could not find that attachment.")
		return
	}
	attachmentHeaders(w.Header(), f)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.WriteHeader(http.StatusOK)
	w.Write(f.Data)
}

// openAttachmentTTL is how long the system browser has to fetch a file
// handed to it: xdg-open may have to start the browser first.
const openAttachmentTTL = time.Minute

// openAttachment hands a document's file to the system browser, for the
// desktop window, which can neither show a PDF nor save a download: the file
// is served once over loopback (backend/handoff; nothing is written to disk)
// with exactly the headers GET .../attachments/{index} sends, so the browser
// shows what it can show safely and saves the rest as a download. The link
// lasts a minute and only while this session's vault stays open. Without
// OpenURL (ward serve, where the page saves the file itself) there is no
// such address.
func (h *handler) openAttachment(w http.ResponseWriter, r *http.Request, rec *records.Record) {
	if h.opt.OpenURL == nil {
		writeError(w, http.StatusNotFound, "not_found", "There is nothing at this address.")
		return
	}
	i, err := strconv.Atoi(r.PathValue("index"))
	f, ok := rec.AttachmentFile(r.PathValue("id"), i)
	if err != nil || !ok {
		writeError(w, http.StatusNotFound, "not_found", "We could not find that attachment.")
		return
	}
	hd := http.Header{}
	attachmentHeaders(hd, f)
	m, tok := h.vault(r), h.token(r)
	still := func() bool { _, err := m.Record(tok); return err == nil }
	url, err := handoff.Offer(handoff.File{Header: hd, Body: f.Data}, openAttachmentTTL, still)
	if err == nil {
		err = h.opt.OpenURL(url)
	}
	if err != nil {
		h.opt.Logger.Warn("could not hand an attachment to the system browser", "err", err)
		writeError(w, http.StatusServiceUnavailable, "not_opened", "Ward could not open your web browser. Try again.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"opened": true})
}

// attachmentHeaders sets Content-Type, Content-Disposition (with a safe file
// name), the sandbox policy and nosniff for an attachment.
func attachmentHeaders(hd http.Header, f records.AttachmentFile) {
	mt := records.MediaType(f.MediaType)
	ext, inline := inlineTypes[mt]
	ctype, disposition := mt, "inline"
	if inline {
		if strings.HasPrefix(mt, "text/") && f.Charset != "" {
			if s := mime.FormatMediaType(mt, map[string]string{"charset": f.Charset}); s != "" {
				ctype = s
			}
		}
	} else {
		ctype, disposition = "application/octet-stream", "attachment"
		ext = downloadExtensions[mt]
		if ext == "" {
			ext = ".bin"
		}
	}
	hd.Set("Content-Type", ctype)
	hd.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": safeFilename(f.Title, ext)}))
	hd.Set("Content-Security-Policy", attachmentSandbox)
	hd.Set("X-Content-Type-Options", "nosniff")
}

// safeFilename makes a file name from an attachment's title: ASCII letters,
// digits and hyphens, with every run of anything else (dots and slashes
// included, so no path and no second extension) as one space or underscore,
// at most 60 characters, then ext.
func safeFilename(title, ext string) string {
	var b strings.Builder
	var sep byte
	for _, c := range title {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
			if sep != 0 && b.Len() > 0 {
				b.WriteByte(sep)
			}
			sep = 0
			b.WriteRune(c)
			if b.Len() >= 60 {
				break
			}
		} else if sep == 0 {
			sep = '_'
			if c == ' ' {
				sep = ' '
			}
		}
	}
	name := b.String()
	switch strings.ToUpper(name) {
	case "", "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "LPT1", "LPT2", "LPT3":
		name = "attachment"
	}
	return name + ext
}
