package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// wrappers returns one Wrapper/Unwrapper pair per slot kind (cheap params),
// plus a wrong secret of the same kind.
func wrappers(t *testing.T) []struct {
	name         string
	w            Wrapper
	right, wrong Unwrapper
} {
	t.Helper()
	rk, _, err := newRecoveryKey(seeded(2))
	if err != nil {
		t.Fatal(err)
	}
	rk2, _, _ := newRecoveryKey(seeded(3))
	input := seq(0x40, 32)
	prf, err := NewPRF([]byte("cred-1"), input, seq(0x60, 32))
	if err != nil {
		t.Fatal(err)
	}
	prfWrong, _ := NewPRF([]byte("cred-1"), input, seq(0x61, 32))
	kek, _ := KEKFromEnv("gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIA=")
	// A KEK with a different key but the same id, to reach the AEAD check.
	kekWrong := newKEK(seq(0x90, 32))
	kekWrong.id = kek.id
	return []struct {
		name         string
		w            Wrapper
		right, wrong Unwrapper
	}{
		{"password", cheapPassword(t, "correct horse"), cheapPassword(t, "correct horse"), cheapPassword(t, "correct hors")},
		{"recovery", rk, rk, rk2},
		{"prf", prf, prf, prfWrong},
		{"kek", kek, kek, kekWrong},
	}
}

func TestSlotRoundTripAllKinds(t *testing.T) {
	for _, tt := range wrappers(t) {
		t.Run(tt.name, func(t *testing.T) {
			k := testKeys(t)
			slot, err := k.AddSlot(tt.w)
			if err != nil {
				t.Fatal(err)
			}
			js, err := MarshalSlot(slot)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(js, mustDataKey(t, k)) {
				t.Fatal("data key in clear")
			}
			slot2, err := ParseSlot(js)
			if err != nil {
				t.Fatal(err)
			}
			k2, err := Unlock("vault-1", []Slot{slot2}, tt.right)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(mustDataKey(t, k2), mustDataKey(t, k)) {
				t.Fatal("unlocked a different data key")
			}
			// Records sealed before still open: nothing was re-encrypted.
			ct, _ := k.Seal(baseAD, []byte("record"))
			if _, err := k2.Open(baseAD, ct); err != nil {
				t.Fatal(err)
			}

			_, err = Unlock("vault-1", []Slot{slot2}, tt.wrong)
			if !errors.Is(err, ErrWrongSecret) {
				t.Fatalf("wrong secret: err = %v, want ErrWrongSecret", err)
			}
			if UserMessage(err) == UserMessage(errors.New("x")) {
				t.Fatalf("no specific user message for %v", err)
			}

			// Swapped into another vault: fails.
			if _, err := Unlock("vault-2", []Slot{slot2}, tt.right); !errors.Is(err, ErrWrongSecret) {
				t.Fatalf("other vault: err = %v", err)
			}
			// Relabelled id fails (for kinds where the id is not matched first).
			if tt.name == "password" || tt.name == "recovery" {
				s := slot2
				s.ID = "0000000000000000"
				if _, err := Unlock("vault-1", []Slot{s}, tt.right); !errors.Is(err, ErrWrongSecret) {
					t.Fatalf("relabelled: err = %v", err)
				}
			}
		})
	}
}

// The slot AD binds kind, id and vault id: with the same wrapping key, a
// slot whose kind, id or vault changes does not open.
func TestSlotADBinding(t *testing.T) {
	wk := seq(0x33, 32)
	dk := seq(0, 32)
	base := Slot{Kind: KindRecovery, ID: "0102030405060708", KDF: KDFHKDFSHA256, Salt: seq(0, 16)}
	if err := sealSlot(&base, "vault-1", wk, dk, seeded(4)); err != nil {
		t.Fatal(err)
	}
	if got, err := openSlot(&base, "vault-1", wk); err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("open: %v", err)
	}
	tests := []struct {
		name  string
		mod   func(*Slot)
		vault string
	}{
		{"kind", func(s *Slot) { s.Kind = KindKEK }, "vault-1"},
		{"id", func(s *Slot) { s.ID = "0102030405060709" }, "vault-1"},
		{"vault", func(s *Slot) {}, "vault-2"},
		{"kind/id boundary", func(s *Slot) { s.Kind = "recovery0"; s.ID = "102030405060708" }, "vault-1"},
	}
	for _, tt := range tests {
		s := base
		tt.mod(&s)
		if _, err := openSlot(&s, tt.vault, wk); !errors.Is(err, ErrWrongSecret) {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}

func TestUnlockSkipsOtherSlots(t *testing.T) {
	k := testKeys(t)
	rk, _, _ := newRecoveryKey(seeded(2))
	pw := cheapPassword(t, "pw")
	s1, _ := k.AddSlot(rk)
	s2, _ := k.AddSlot(pw)
	slots := []Slot{s1, s2}
	if _, err := Unlock("vault-1", slots, pw); err != nil {
		t.Fatal(err)
	}
	if _, err := Unlock("vault-1", slots, rk); err != nil {
		t.Fatal(err)
	}
	kek := newKEK(seq(0x80, 32))
	if _, err := Unlock("vault-1", slots, kek); !errors.Is(err, ErrNoSlot) {
		t.Fatalf("no kek slot: err = %v", err)
	}
	if _, err := Unlock("vault-1", nil, pw); !errors.Is(err, ErrNoSlot) {
		t.Fatalf("no slots: err = %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	k := testKeys(t)
	old := cheapPassword(t, "old password")
	s, _ := k.AddSlot(old)
	ct, _ := k.Seal(baseAD, []byte("record"))

	unlocked, err := Unlock("vault-1", []Slot{s}, old)
	if err != nil {
		t.Fatal(err)
	}
	newPw := cheapPassword(t, "new password")
	ns, err := unlocked.AddSlot(newPw)
	if err != nil {
		t.Fatal(err)
	}
	unlocked.Destroy()
	again, err := Unlock("vault-1", []Slot{ns}, newPw)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := again.Open(baseAD, ct); err != nil || string(pt) != "record" {
		t.Fatalf("old record after password change: %q, %v", pt, err)
	}
	if _, err := Unlock("vault-1", []Slot{ns}, old); !errors.Is(err, ErrWrongSecret) {
		t.Fatalf("old password on new slot: %v", err)
	}
}

// TestPasswordDefaultParams is the one test that runs Argon2id at full cost.
func TestPasswordDefaultParams(t *testing.T) {
	k := testKeys(t)
	pw := NewPassword([]byte("a long passphrase"))
	s, err := k.AddSlot(pw)
	if err != nil {
		t.Fatal(err)
	}
	if *s.Argon2 != DefaultArgon2Params || len(s.Salt) != 16 {
		t.Fatalf("slot params %+v salt %d", *s.Argon2, len(s.Salt))
	}
	if NeedsRehash(s) {
		t.Fatal("default slot needs rehash")
	}
	if _, err := Unlock("vault-1", []Slot{s}, pw); err != nil {
		t.Fatal(err)
	}
}

func TestStrongerParamsStillOpen(t *testing.T) {
	k := testKeys(t)
	// Higher time cost than the cheap default used to unwrap: Unwrap uses
	// the slot's own parameters.
	strong, err := NewPasswordWithParams([]byte("pw"), Argon2Params{Memory: 128, Time: 4, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := k.AddSlot(strong)
	if _, err := Unlock("vault-1", []Slot{s}, cheapPassword(t, "pw")); err != nil {
		t.Fatal(err)
	}
}

func TestNeedsRehash(t *testing.T) {
	d := DefaultArgon2Params
	tests := []struct {
		p    Argon2Params
		want bool
	}{
		{d, false},
		{Argon2Params{d.Memory * 2, d.Time, d.Threads}, false},
		{Argon2Params{2 * 1024 * 1024, 1, 4}, false}, // RFC 9106 first option
		{Argon2Params{d.Memory, d.Time + 1, 1}, false},
		{Argon2Params{d.Memory / 2, d.Time, d.Threads}, true},
		{Argon2Params{d.Memory / 2, d.Time * 4, d.Threads}, true},
		{Argon2Params{d.Memory, d.Time - 1, d.Threads}, true},
		{cheap, true},
	}
	for _, tt := range tests {
		p := tt.p
		s := Slot{Version: SlotVersion, Kind: KindPassword, Argon2: &p}
		if got := NeedsRehash(s); got != tt.want {
			t.Errorf("NeedsRehash(%+v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if NeedsRehash(Slot{Version: SlotVersion, Kind: KindRecovery}) {
		t.Error("recovery slot needs rehash")
	}
}

func validSlotJSON(t *testing.T) map[string]any {
	t.Helper()
	k := testKeys(t)
	s, err := k.AddSlot(cheapPassword(t, "pw"))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := MarshalSlot(s)
	var m map[string]any
	json.Unmarshal(js, &m)
	return m
}

func TestParseSlotRejects(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(m map[string]any)
		version bool // want ErrUnsupportedVersion
		msg     string
	}{
		{"future version", func(m map[string]any) { m["v"] = 2 }, true, ""},
		{"unknown kind", func(m map[string]any) { m["kind"] = "quantum" }, true, ""},
		{"version 0", func(m map[string]any) { m["v"] = 0 }, false, "version"},
		{"huge memory", func(m map[string]any) { m["argon2"] = map[string]any{"m": 4*1024*1024 + 1, "t": 3, "p": 4} }, false, "memory"},
		{"huge time", func(m map[string]any) { m["argon2"] = map[string]any{"m": 65536, "t": 101, "p": 4} }, false, "passes"},
		{"zero lanes", func(m map[string]any) { m["argon2"] = map[string]any{"m": 65536, "t": 3, "p": 0} }, false, "lanes"},
		{"no params", func(m map[string]any) { delete(m, "argon2") }, false, "parameters"},
		{"wrong kdf", func(m map[string]any) { m["kdf"] = "hkdf-sha256" }, false, "KDF"},
		{"short salt", func(m map[string]any) { m["salt"] = "AAAA" }, false, "salt"},
		{"short nonce", func(m map[string]any) { m["nonce"] = "AAAA" }, false, "nonce"},
		{"short wrapped", func(m map[string]any) { m["wrapped"] = "AAAA" }, false, "wrapped"},
		{"empty id", func(m map[string]any) { m["id"] = "" }, false, "id"},
		{"argon2 on recovery", func(m map[string]any) { m["kind"] = "recovery"; m["kdf"] = "hkdf-sha256" }, false, "Argon2id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validSlotJSON(t)
			tt.mod(m)
			js, _ := json.Marshal(m)
			_, err := ParseSlot(js)
			if err == nil {
				t.Fatal("accepted")
			}
			if errors.Is(err, ErrUnsupportedVersion) != tt.version || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if _, err := ParseSlot([]byte("{")); err == nil {
		t.Fatal("bad JSON accepted")
	}
	if _, err := ParseSlot(bytes.Repeat([]byte(" "), 10000)); err == nil {
		t.Fatal("huge input accepted")
	}
}

// A crafted slot asking for absurd Argon2 cost is refused before any KDF
// work, by Unwrap as well as ParseSlot.
func TestUnwrapRefusesAbsurdParams(t *testing.T) {
	k := testKeys(t)
	s, _ := k.AddSlot(cheapPassword(t, "pw"))
	s.Argon2 = &Argon2Params{Memory: 64 * 1024 * 1024, Time: 3, Threads: 4} // 64 GiB
	_, err := Unlock("vault-1", []Slot{s}, cheapPassword(t, "pw"))
	if err == nil || errors.Is(err, ErrWrongSecret) || !strings.Contains(err.Error(), "memory") {
		t.Fatalf("err = %v", err)
	}
	if _, err := NewPasswordWithParams([]byte("pw"), Argon2Params{Memory: 64, Time: 1000, Threads: 1}); err == nil {
		t.Fatal("NewPasswordWithParams accepted 1000 passes")
	}
}

func TestPasswordEmptyRefused(t *testing.T) {
	k := testKeys(t)
	if _, err := k.AddSlot(cheapPassword(t, "")); err == nil {
		t.Fatal("empty password wrapped")
	}
}

func TestPRFSlot(t *testing.T) {
	k := testKeys(t)
	input := NewPRFInput()
	out := seq(0x10, 32)
	p, err := NewPRF([]byte{1, 2, 3}, input, out)
	if err != nil {
		t.Fatal(err)
	}
	s, err := k.AddSlot(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != "AQID" || !bytes.Equal(s.Salt, input) {
		t.Fatalf("slot id %q salt %x", s.ID, s.Salt)
	}
	// Another credential's PRF skips this slot.
	other, _ := NewPRF([]byte{9}, input, out)
	if _, err := Unlock("vault-1", []Slot{s}, other); !errors.Is(err, ErrNoSlot) {
		t.Fatalf("other credential: %v", err)
	}
	// Same credential, output for a different input: mismatch, not a KDF try.
	diff, _ := NewPRF([]byte{1, 2, 3}, seq(0, 32), out)
	if _, err := Unlock("vault-1", []Slot{s}, diff); !errors.Is(err, ErrNoSlot) {
		t.Fatalf("other input: %v", err)
	}
	for _, bad := range []struct{ id, in, out []byte }{
		{nil, input, out},
		{make([]byte, 1024), input, out},
		{[]byte{1}, input[:16], out},
		{[]byte{1}, input, out[:31]},
	} {
		if _, err := NewPRF(bad.id, bad.in, bad.out); err == nil {
			t.Errorf("NewPRF(%d, %d, %d bytes) accepted", len(bad.id), len(bad.in), len(bad.out))
		}
	}
}

func TestDestroyedSecretsRefuse(t *testing.T) {
	k := testKeys(t)
	rk, _ := NewRecoveryKey()
	kek := newKEK(seq(1, 32))
	s1, _ := k.AddSlot(rk)
	s2, _ := k.AddSlot(kek)
	rk.Destroy()
	kek.Destroy()
	if _, err := k.AddSlot(rk); !errors.Is(err, ErrLocked) {
		t.Fatal(err)
	}
	if _, err := rk.Unwrap("vault-1", s1); !errors.Is(err, ErrLocked) {
		t.Fatal(err)
	}
	if _, err := kek.Unwrap("vault-1", s2); !errors.Is(err, ErrLocked) {
		t.Fatal(err)
	}
}
