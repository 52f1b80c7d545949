package words

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second: "1 second", 30 * time.Second: "30 seconds", 61 * time.Second: "2 minutes",
		time.Minute: "1 minute", time.Hour: "1 hour",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestUnlockWords(t *testing.T) {
	for _, tt := range []struct {
		name   string
		err    error
		status int
		code   string
		text   string
	}{
		{"one client waits", &store.WaitError{Attempts: 5, Wait: 30 * time.Second}, http.StatusTooManyRequests, "too_many_attempts",
			"You have entered the wrong password too many times. Wait 30 seconds and try again."},
		{"everyone waits", fmt.Errorf("unlock: %w", &store.WaitError{Attempts: 100, Wait: time.Hour, Everyone: true}), http.StatusTooManyRequests, "too_many_attempts",
			"Too many wrong passwords have been tried from different places, so Ward is not taking any for now. Wait 1 hour and try again."},
		{"wrong password", fmt.Errorf("unlock: %w", vault.ErrWrongSecret), http.StatusUnauthorized, "wrong_password", "That password is not right."},
		{"wrong recovery key", fmt.Errorf("%w: %w", session.ErrWrongRecoveryKey, vault.ErrWrongSecret), http.StatusUnauthorized, "wrong_recovery_key",
			"That recovery key does not unlock this record."},
		{"locked while opening", session.ErrLockedWhileOpening, http.StatusConflict, "locked", "Your record was locked while it was opening. Unlock it again."},
		// No valid token and a locked record read alike.
		{"locked", session.ErrLocked, http.StatusUnauthorized, "locked", "Your record is locked. Unlock it to carry on."},
		{"no valid token", session.ErrUnauthorised, http.StatusUnauthorized, "locked", "Your record is locked. Unlock it to carry on."},
		{"something else", errors.New("disk on fire"), http.StatusInternalServerError, "internal", "Sorry, something went wrong. Nothing has been changed."},
	} {
		if got := Of(tt.err); got != (Words{tt.status, tt.code, tt.text}) {
			t.Errorf("%s: %+v", tt.name, got)
		}
	}
}
