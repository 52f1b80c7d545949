package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/mail"
	"github.com/ward-health/ward/backend/mail/mailpittest"
)

// TestShareEmailSMTPDownThenUp: a share made while the mail server is
// down says its email is queued, then, once tried, failed (the server
// could not be reached) and is tried again later; when the server is
// back the clinician gets the code exactly once, however often the
// outbox is flushed after, and the patient's list says sent.
func TestShareEmailSMTPDownThenUp(t *testing.T) {
	if mailpittest.Binary() == "" {
		t.Skip("no Mailpit (set WARD_MAILPIT, e.g. to .tools/mailpit from make deps): this needs a real SMTP server to stop and start")
	}
	ctx := context.Background()
	se := newShareEnv(t, true)
	a := se.newPatient("Alma")
	se.signUp(a)
	toClinician := func() []mailpittest.Msg {
		var out []mailpittest.Msg
		for _, m := range se.mp.Messages(t) {
			if slices.Contains(m.To, clinicianEmail) {
				out = append(out, m)
			}
		}
		return out
	}
	type emailState struct{ State, Class string }
	listed := func(id string) emailState {
		t.Helper()
		var list struct {
			Shares []struct {
				ID    string
				Email *emailState
			}
		}
		se.must(http.StatusOK, a, "GET", "/api/shares", nil, &list)
		for _, s := range list.Shares {
			if s.ID == id && s.Email != nil {
				return *s.Email
			}
		}
		t.Fatalf("share %s has no email state: %+v", id, list)
		return emailState{}
	}

	se.mp.Stop()
	c := se.share(a, []string{"results"}, 60)
	if c.Share.Email.State != mail.Queued {
		t.Fatalf("made with the mail server down, the share says its email is %q", c.Share.Email.State)
	}
	if n, err := se.outbox.Flush(ctx); n != 0 || err == nil || mail.Class(err) != "connect" {
		t.Fatalf("flush with the mail server down: %d sent, %v (%s)", n, err, mail.Class(err))
	}
	if got := listed(c.Share.ID); got != (emailState{mail.Failed, "connect"}) {
		t.Fatalf("after a failed try the list says %+v", got)
	}

	// Back up: nothing is sent before the retry is due, then it is, once.
	se.mp.Start()
	if n, err := se.outbox.Flush(ctx); n != 0 || err != nil {
		t.Fatalf("flush before the retry is due: %d sent, %v", n, err)
	}
	se.clock.Add(mail.BackoffBase)
	if n, err := se.outbox.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("flush once the retry is due: %d sent, %v", n, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(toClinician()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	for range 2 {
		se.clock.Add(time.Minute) // past any retry a row left behind would have
		if n, err := se.outbox.Flush(ctx); n != 0 || err != nil {
			t.Fatalf("a later flush: %d sent, %v", n, err)
		}
	}
	time.Sleep(200 * time.Millisecond) // a second copy would have arrived by now
	got := toClinician()
	if len(got) != 1 {
		t.Fatalf("the clinician got %d emails: %+v", len(got), got)
	}
	m := shareCodeRE.FindStringSubmatch(se.mp.Text(t, got[0].ID))
	if m == nil || m[1] != c.Code || !strings.Contains(got[0].Subject, "shared their health record") {
		t.Fatalf("the email (%q) does not hold the code", got[0].Subject)
	}
	if got := listed(c.Share.ID); got != (emailState{mail.Sent, ""}) {
		t.Fatalf("after it was sent the list says %+v", got)
	}
}
