package twostep

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/skip2/go-qrcode"
)

const (
	period = 30
	digits = 6
)

// Enrol makes a new secret for account: the state (not yet Enabled), the
// otpauth:// URL, and that URL as a 256-pixel PNG QR code.
func Enrol(account, issuer string) (State, string, []byte, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account,
		Period: period, SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return State{}, "", nil, fmt.Errorf("twostep: %w", err)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(key.Secret())
	if err != nil {
		return State{}, "", nil, fmt.Errorf("twostep: %w", err)
	}
	png, err := qrcode.Encode(key.URL(), qrcode.Medium, 256)
	if err != nil {
		return State{}, "", nil, fmt.Errorf("twostep: %w", err)
	}
	return State{Secret: secret}, key.URL(), png, nil
}

// hotp is RFC 4226 with 6 digits; own code so Verify knows which step matched.
func hotp(secret []byte, step int64) string {
	m := hmac.New(sha1.New, secret)
	binary.Write(m, binary.BigEndian, uint64(step))
	sum := m.Sum(nil)
	o := sum[len(sum)-1] & 0xf
	v := binary.BigEndian.Uint32(sum[o:]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1000000)
}

// Verify accepts a code for the step of now, or one step either side (clock
// drift), and refuses one whose step is not after LastStep, so a code seen
// over a shoulder cannot be reused. On success it sets LastStep.
func (s *State) Verify(code string, now time.Time) error {
	if len(s.Secret) == 0 {
		return ErrNotEnrolled
	}
	code = strings.Join(strings.Fields(code), "")
	if len(code) != digits || strings.Trim(code, "0123456789") != "" {
		return ErrWrongCode
	}
	cur := now.Unix() / period
	matched, fresh := int64(-1), int64(-1)
	for step := cur - 1; step <= cur+1; step++ { // no early exit
		if subtle.ConstantTimeCompare([]byte(hotp(s.Secret, step)), []byte(code)) == 1 {
			matched = step
			if step > s.LastStep {
				fresh = step
			}
		}
	}
	switch {
	case fresh >= 0:
		s.LastStep = fresh
		return nil
	case matched >= 0:
		return ErrReplay
	}
	return ErrWrongCode
}

// Confirm is Verify then Enabled = true: proof the app was set up.
func (s *State) Confirm(code string, now time.Time) error {
	if err := s.Verify(code, now); err != nil {
		return err
	}
	s.Enabled = true
	return nil
}
