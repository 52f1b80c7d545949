package server

import (
	"net/http"
	"time"
)

// bodyDeadlines bounds how long reading each request's body may take:
// http.Server's ReadTimeout would be one limit for every request, too short
// for a 1 GB import or too long for everything else.
//
// The deadline is set only when there is a body. Without one, net/http is
// already watching the connection with a read of its own, and a deadline
// on that read would cancel a slow handler's context; once a body has been
// read to its end, net/http clears the deadline itself for the same reason.
func bodyDeadlines(h http.Handler, opt Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			d := opt.BodyTimeout
			if opt.SlowBody != nil && opt.SlowBody(r) {
				d = opt.SlowBodyTimeout
			}
			// Not every ResponseWriter can (a test recorder, say): then
			// the server's other timeouts are all there is.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
		}
		h.ServeHTTP(w, r)
	})
}
