package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/ward-health/ward/backend/vault"
)

// A wrong password says how many more this client may try before Ward
// makes it wait, and how long that wait will be; the wait itself answers
// as before (429 with retryAfterSeconds), and a right password still opens.
func TestUnlockSaysTriesLeft(t *testing.T) {
	h, recovery := lockedVault(t, time.Minute)
	for i, want := range []float64{4, 3, 2, 1} {
		r := call(t, h, "POST", "/api/vault/unlock", "", `{"password":"wrong horse"}`)
		e, _ := r.body["error"].(map[string]any)
		if r.code != http.StatusUnauthorized || e["code"] != "wrong_password" || e["triesLeft"] != want || e["nextWaitSeconds"] != float64(30) {
			t.Fatalf("wrong password %d: %d %v", i+1, r.code, r.body)
		}
	}
	// A wrong recovery key is a wrong guess too, and says the same.
	r := call(t, h, "POST", "/api/vault/unlock", "", `{"recoveryKey":"`+otherRecoveryKey(t, recovery)+`"}`)
	e, _ := r.body["error"].(map[string]any)
	if r.code != http.StatusUnauthorized || e["code"] != "wrong_recovery_key" || e["triesLeft"] != float64(0) || e["nextWaitSeconds"] != float64(60) {
		t.Fatalf("wrong recovery key as the fifth guess: %d %v", r.code, r.body)
	}
	// Now the wait: no tries are counted or said.
	r = call(t, h, "POST", "/api/vault/unlock", "", `{"password":"correct horse"}`)
	e, _ = r.body["error"].(map[string]any)
	if r.code != http.StatusTooManyRequests || e["retryAfterSeconds"] == nil || e["triesLeft"] != nil {
		t.Fatalf("during the wait: %d %v", r.code, r.body)
	}
	// A request Ward cannot read is not a guess and says nothing of tries.
	r = call(t, h, "POST", "/api/vault/unlock", "", `{}`)
	e, _ = r.body["error"].(map[string]any)
	if r.code != http.StatusBadRequest || e["triesLeft"] != nil {
		t.Fatalf("empty: %d %v", r.code, r.body)
	}
}

// otherRecoveryKey is a well-formed recovery key that is not this vault's.
func otherRecoveryKey(t *testing.T, mine string) string {
	t.Helper()
	rk, display := vault.NewRecoveryKey()
	rk.Destroy()
	if display == mine {
		t.Fatal("the same recovery key twice")
	}
	return display
}
