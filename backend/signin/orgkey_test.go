package signin_test

import (
	"path/filepath"
	"testing"

	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// TestOrganisationRecordsKey: with the organisation's records key (the
// config's accounts.serverKeySlot) every record activated or reset is
// wrapped by it too, and the patient is told; without it (the default) no
// vault has a slot anyone but the patient can open.
func TestOrganisationRecordsKey(t *testing.T) {
	kekSlots := func(t *testing.T, w *world, account string) []vault.Slot {
		t.Helper()
		a, err := w.db.ByID(ctx, account)
		if err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(filepath.Join(w.dir, a.VaultDir))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		slots, err := db.Slots(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []vault.Slot
		for _, s := range slots {
			if s.Kind == vault.KindKEK || s.Kind == vault.KindInvite {
				out = append(out, s)
			}
		}
		return out
	}

	t.Run("off by default", func(t *testing.T) {
		w := newWorld(t, withoutMail())
		id, _, _ := w.active(t, "ada@example.com", pwA)
		if s := kekSlots(t, w, id); len(s) != 0 {
			t.Fatalf("a record opened by more than the patient's own factors: %+v", s)
		}
	})

	t.Run("on", func(t *testing.T) {
		kek, err := vault.LoadOrCreateKEK(filepath.Join(t.TempDir(), "records.key"))
		if err != nil {
			t.Fatal(err)
		}
		w := newWorld(t, withoutMail(), withRecordsKey(kek), withPolicy(func(p *signin.Policy) { p.OrgReset = true }))
		id, _, g := w.active(t, "ada@example.com", pwA)
		s := kekSlots(t, w, id)
		if len(s) != 1 || s[0].Kind != vault.KindKEK {
			t.Fatalf("slots %+v, want one kek slot", s)
		}
		c, err := w.svc.Resolve(ctx, g.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := vault.Unlock(c.Vault.VaultID(), s, kek)
		if err != nil {
			t.Fatalf("the records key does not open the record: %v", err)
		}
		keys.Destroy()
		sec, err := c.Vault.Security(ctx, g.Token)
		if err != nil {
			t.Fatal(err)
		}
		told := false
		for _, m := range sec.Methods {
			told = told || m.Kind == "organisation"
		}
		if !told {
			t.Fatalf("the patient is not told: %+v", sec.Methods)
		}
	})
}
