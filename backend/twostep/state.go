package twostep

import (
	"bytes"
	"encoding/json"
)

// Bounds on a parsed State, so a corrupt row cannot make us allocate much.
const (
	MaxStateSize = 4 << 10
	MaxRecovery  = 10
)

// State is what the accounts database keeps (sealed) per account.
type State struct {
	Secret   []byte     // TOTP secret, 20 bytes from Enrol
	Enabled  bool       // false until Confirm
	LastStep int64      // highest TOTP step accepted; refuses replays
	Recovery [][32]byte // SHA-256 of each unused recovery code
}

type wire struct {
	V        int      `json:"v"`
	Secret   []byte   `json:"secret,omitempty"`
	Enabled  bool     `json:"enabled,omitempty"`
	LastStep int64    `json:"last,omitempty"`
	Recovery [][]byte `json:"recovery,omitempty"`
}

// Marshal encodes s as versioned JSON.
func (s State) Marshal() ([]byte, error) {
	w := wire{V: 1, Secret: s.Secret, Enabled: s.Enabled, LastStep: s.LastStep}
	for _, h := range s.Recovery {
		w.Recovery = append(w.Recovery, h[:])
	}
	return json.Marshal(w)
}

// Parse decodes what Marshal made, refusing anything over the bounds.
func Parse(b []byte) (State, error) {
	if len(b) > MaxStateSize {
		return State{}, ErrBadState
	}
	var w wire
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&w); err != nil || d.More() {
		return State{}, ErrBadState
	}
	if w.V != 1 || w.LastStep < 0 || len(w.Recovery) > MaxRecovery || len(w.Secret) > 64 || (w.Enabled && len(w.Secret) == 0) {
		return State{}, ErrBadState
	}
	s := State{Secret: w.Secret, Enabled: w.Enabled, LastStep: w.LastStep}
	for _, h := range w.Recovery {
		if len(h) != 32 {
			return State{}, ErrBadState
		}
		s.Recovery = append(s.Recovery, [32]byte(h))
	}
	return s, nil
}
