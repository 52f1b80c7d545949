package vault

import (
	"bytes"
	"encoding/hex"
	"errors"
	"github.com/ward-health/ward/backend/crockford"
	"regexp"
	"strings"
	"testing"
)

var inviteFormat = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}$`)

// Known answers for the activation code's text, lookup hash and slot. The
// display and lookup values were reproduced independently in Python
// (hashlib, hmac) and the slot with pyca/cryptography's ChaCha20-Poly1305
// and a hand-written HChaCha20, from the format description in invite.go.
// Do not update them: codes already handed out must keep working.
const (
	katInviteDisplay = "40GJ-48S4-4MK2-EA19-58NJ-RB9E-5WWG" // secret 0x20..0x2f
	katInviteLookup  = "6722b2487bf6aefc06bfa6f58ef6629db6c19b0d0259a6f2eca277afa78f0323"
	katInviteSlot    = `{"v":1,"kind":"invite","id":"c0c1c2c3c4c5c6c7","kdf":"hkdf-sha256","salt":"yMnKy8zNzs/Q0dLT1NXW1w==","nonce":"2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v","wrapped":"denaiquRomRqlWX4eFNP6g2G1G6bsirUIoHGjL2CCEMvX6NbrfLKI24tqbraVozS"}`
)

func TestInviteVectors(t *testing.T) {
	tests := []struct {
		secret []byte
		want   string
	}{
		{seq(0x20, 16), katInviteDisplay},
		{make([]byte, 16), "0000-0000-0000-0000-0000-0000-000T"},
		{bytes.Repeat([]byte{0xff}, 16), "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZWBY"},
	}
	for _, tt := range tests {
		if got := formatInvite(tt.secret); got != tt.want {
			t.Errorf("formatInvite(%x) = %s, want %s", tt.secret, got, tt.want)
		}
		inv, err := ParseInvite(tt.want)
		if err != nil || !bytes.Equal(inv.secret, tt.secret) {
			t.Errorf("ParseInvite(%s) = %x, %v", tt.want, inv.secretOrNil(), err)
		}
	}

	inv, disp, err := newInvite(&countReader{0x20})
	if err != nil {
		t.Fatal(err)
	}
	checkKAT(t, "invite display", disp, katInviteDisplay)
	checkKAT(t, "invite lookup hash", hex.EncodeToString(inv.LookupHash()), katInviteLookup)

	inv.rand = &countReader{0xc0}
	k := katKeys(t)
	s, err := k.AddSlot(inv)
	if err != nil {
		t.Fatal(err)
	}
	js, err := MarshalSlot(s)
	if err != nil {
		t.Fatal(err)
	}
	checkKAT(t, "invite slot", string(js), katInviteSlot)
	parsed, err := ParseSlot([]byte(katInviteSlot))
	if err != nil {
		t.Fatalf("parse KAT slot: %v", err)
	}
	dk, err := inv.Unwrap("vault-kat", parsed)
	if err != nil || !bytes.Equal(dk, seq(0, 32)) {
		t.Errorf("KAT slot unwrapped to %x, %v", dk, err)
	}
}

func (i *Invite) secretOrNil() []byte {
	if i == nil {
		return nil
	}
	return i.secret
}

func TestInviteRoundTrip(t *testing.T) {
	r := seeded(11)
	for n := 0; n < 200; n++ {
		inv, disp, err := newInvite(r)
		if err != nil {
			t.Fatal(err)
		}
		if !inviteFormat.MatchString(disp) {
			t.Fatalf("display %q does not match the format", disp)
		}
		variants := []string{
			disp,
			strings.ToLower(disp),
			strings.ReplaceAll(disp, "-", ""),
			strings.ReplaceAll(disp, "-", " "),
			"  " + strings.ReplaceAll(disp, "-", " - ") + "\n",
			strings.NewReplacer("0", "O", "1", "I").Replace(disp),
			strings.NewReplacer("1", "l").Replace(disp),
			strings.ReplaceAll(disp, "-", "\u2013"),
			strings.ReplaceAll(disp, "-", "."),
		}
		for _, v := range variants {
			p, err := ParseInvite(v)
			if err != nil {
				t.Fatalf("ParseInvite(%q) of %q: %v", v, disp, err)
			}
			if !bytes.Equal(p.secret, inv.secret) || !bytes.Equal(p.LookupHash(), inv.LookupHash()) {
				t.Fatalf("ParseInvite(%q) gave a different code", v)
			}
		}
	}
}

func TestInviteEntropy(t *testing.T) {
	a, da := NewInvite()
	b, db := NewInvite()
	if len(a.secret)*8 != 128 || da == db || bytes.Equal(a.secret, b.secret) {
		t.Fatalf("codes %q %q", da, db)
	}
	if s := a.String() + a.GoString(); strings.Contains(s, da) || strings.Contains(s, hex.EncodeToString(a.secret)) {
		t.Fatalf("String shows the code: %s", s)
	}
}

// Every single substitution and every swap of neighbouring characters is
// caught by ParseInvite, as is a wrong length or a character Ward does not
// use; none of these reach a key derivation (ParseInvite does none).
func TestInviteTyposRejected(t *testing.T) {
	_, disp, _ := newInvite(seeded(3))
	plain := strings.ReplaceAll(disp, "-", "")
	var typos []string
	for i := 0; i < len(plain); i++ {
		for _, c := range crockford.Alphabet {
			if byte(c) != plain[i] {
				typos = append(typos, plain[:i]+string(c)+plain[i+1:])
			}
		}
		if i+1 < len(plain) && plain[i] != plain[i+1] {
			typos = append(typos, plain[:i]+plain[i+1:i+2]+plain[i:i+1]+plain[i+2:])
		}
	}
	typos = append(typos,
		"", plain[:27], plain+"0", plain[1:], plain+plain,
		plain[:5]+"U"+plain[6:], plain[:5]+"*"+plain[6:], plain[:5]+"é"+plain[6:],
		strings.Repeat(" ", 200),
	)
	for _, typo := range typos {
		if _, err := ParseInvite(typo); !errors.Is(err, ErrBadInvite) {
			t.Errorf("ParseInvite(%q) = %v, want ErrBadInvite", typo, err)
		}
	}
	// Nonzero padding bits in the 26th character are refused even with
	// matching checks.
	var sym [inviteChars]byte
	for i := range sym[:inviteDataChars] {
		sym[i] = crockford.Value(plain[i])
	}
	secret, _ := ParseInvite(disp)
	sym[25] |= 1
	c0, c1 := inviteCheck(&sym, secret.secret)
	sym[26], sym[27] = c0, c1
	var b strings.Builder
	for _, v := range sym {
		b.WriteByte(crockford.Alphabet[v])
	}
	if _, err := ParseInvite(b.String()); !errors.Is(err, ErrBadInvite) {
		t.Errorf("nonzero padding: %v", err)
	}
	if got := UserMessage(ErrBadInvite); got == "" {
		t.Error("no words for a bad code")
	}
}

func TestInviteSlot(t *testing.T) {
	k := testKeys(t)
	inv, disp := NewInvite()
	other, _ := NewInvite()
	s, err := k.AddSlot(inv)
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != KindInvite || s.KDF != KDFHKDFSHA256 || s.Argon2 != nil || len(s.Salt) != saltSize {
		t.Fatalf("slot %+v", s)
	}
	js, _ := MarshalSlot(s)
	if bytes.Contains(js, []byte(strings.ReplaceAll(disp, "-", ""))) {
		t.Fatal("slot holds the code")
	}
	if _, err := ParseSlot(js); err != nil {
		t.Fatal(err)
	}
	parsed, _ := ParseInvite(disp)
	pw := cheapPassword(t, "a password")
	pwSlot, _ := k.AddSlot(pw)
	tests := []struct {
		name  string
		slots []Slot
		u     Unwrapper
		want  error
	}{
		{"code", []Slot{pwSlot, s}, parsed, nil},
		{"other code", []Slot{pwSlot, s}, other, ErrWrongSecret},
		{"activated (no invite slot)", []Slot{pwSlot}, parsed, ErrNoSlot},
		{"another vault", []Slot{s}, parsed, ErrWrongSecret},
		{"password on invite slot", []Slot{s}, pw, ErrNoSlot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "vault-1"
			if tt.name == "another vault" {
				id = "vault-2"
			}
			keys, err := Unlock(id, tt.slots, tt.u)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Unlock: %v, want %v", err, tt.want)
			}
			if err == nil && !bytes.Equal(mustDataKey(t, keys), mustDataKey(t, k)) {
				t.Fatal("different data key")
			}
		})
	}
	// The lookup hash is neither the code nor the slot's wrapping key.
	lh := parsed.LookupHash()
	wk := hkdfKey(parsed.secret, s.Salt, infoInvite)
	if len(lh) != 32 || bytes.Equal(lh, wk) || bytes.Equal(lh, hkdfKey(parsed.secret, nil, infoInvite)) {
		t.Fatal("lookup hash is a wrapping key")
	}
	parsed.Destroy()
	if _, err := parsed.Unwrap("vault-1", s); !errors.Is(err, ErrLocked) {
		t.Fatalf("after Destroy: %v", err)
	}
	if _, err := parsed.Wrap("vault-1", mustDataKey(t, k)); !errors.Is(err, ErrLocked) {
		t.Fatalf("after Destroy: %v", err)
	}
	if parsed.LookupHash() != nil {
		t.Fatal("lookup hash after Destroy")
	}
}

func FuzzParseInvite(f *testing.F) {
	_, disp, _ := newInvite(seeded(5))
	f.Add(disp)
	f.Add(strings.ToLower(disp))
	f.Add(strings.ReplaceAll(disp, "-", " "))
	f.Add(disp[:len(disp)-1] + "0")
	f.Add(katInviteDisplay)
	f.Add("")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		inv, err := ParseInvite(s)
		if err != nil {
			if err != ErrBadInvite {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		// A code that parses has a canonical form that parses to the same
		// secret, and the canonical form of s is s without the noise.
		canon := formatInvite(inv.secret)
		inv2, err := ParseInvite(canon)
		if err != nil || !bytes.Equal(inv.secret, inv2.secret) {
			t.Fatalf("canonical form %q of %q: %v", canon, s, err)
		}
	})
}

func BenchmarkParseInvite(b *testing.B) {
	_, disp := NewInvite()
	for b.Loop() {
		if _, err := ParseInvite(disp); err != nil {
			b.Fatal(err)
		}
	}
}
