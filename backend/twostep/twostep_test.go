package twostep

import (
	"bytes"
	"encoding/base32"
	"errors"
	"image/png"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func code(t testing.TB, s State, at time.Time) string {
	c, err := totp.GenerateCodeCustom(base32.StdEncoding.EncodeToString(s.Secret), at, totp.ValidateOpts{Period: 30, Digits: 6})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVerify(t *testing.T) {
	s, _, _, err := Enrol("a@example.org", "Ward")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name string
		off  time.Duration
		want error
	}{
		{"minus two", -60 * time.Second, ErrWrongCode},
		{"plus two", 60 * time.Second, ErrWrongCode},
		{"previous", -30 * time.Second, nil},
		{"previous again", -30 * time.Second, ErrReplay},
		{"current", 0, nil},
		{"current again", 0, ErrReplay},
		{"older after newer", -30 * time.Second, ErrReplay},
		{"next", 30 * time.Second, nil},
	}
	for _, tt := range tests {
		c := code(t, s, now.Add(tt.off))
		if err := s.Verify(c[:3]+" "+c[3:], now); !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v want %v", tt.name, err, tt.want)
		}
	}
	if err := s.Verify("12345", now); !errors.Is(err, ErrWrongCode) {
		t.Error(err)
	}
}

func TestEnrolQR(t *testing.T) {
	s, url, p, err := Enrol("a@example.org", "Ward")
	if err != nil || len(s.Secret) != 20 || s.Enabled || url == "" {
		t.Fatal(err, s, url)
	}
	img, err := png.Decode(bytes.NewReader(p))
	if err != nil || img.Bounds().Dx() != 256 || img.Bounds().Dy() != 256 {
		t.Fatal(err)
	}
	now := time.Now()
	if err := s.Confirm(code(t, s, now), now); err != nil || !s.Enabled {
		t.Fatal(err)
	}
}

func TestRecovery(t *testing.T) {
	var s State
	codes, _ := s.NewRecoveryCodes()
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 11 || c[5] != '-' || seen[c] {
			t.Fatal(c)
		}
		seen[c] = true
	}
	if err := s.UseRecovery(" " + codes[3][:5] + codes[3][6:]); err != nil {
		t.Fatal(err)
	}
	if err := s.UseRecovery(codes[3]); !errors.Is(err, ErrWrongCode) || s.RecoveryLeft() != 9 {
		t.Fatal(err, s.RecoveryLeft())
	}
}

func TestRoundTrip(t *testing.T) {
	s, _, _, _ := Enrol("a@example.org", "Ward")
	s.Enabled, s.LastStep = true, 42
	s.NewRecoveryCodes()
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(b)
	if err != nil || !bytes.Equal(got.Secret, s.Secret) || got.LastStep != 42 || !got.Enabled || len(got.Recovery) != 10 || got.Recovery[9] != s.Recovery[9] {
		t.Fatal(err, got)
	}
	if _, err := Parse(make([]byte, MaxStateSize+1)); !errors.Is(err, ErrBadState) {
		t.Fatal(err)
	}
}

func FuzzParse(f *testing.F) {
	s, _, _, _ := Enrol("a@example.org", "Ward")
	s.NewRecoveryCodes()
	b, _ := s.Marshal()
	f.Add(b)
	f.Add([]byte(`{"v":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err == nil {
			if _, err := s.Marshal(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	s, _, _, _ := Enrol("a@example.org", "Ward")
	now := time.Now()
	for b.Loop() {
		s.LastStep = 0
		s.Verify("000000", now)
	}
}
