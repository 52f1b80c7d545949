package passkey

import (
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
)

// prfOutput returns a copy of the PRF output (results.first) the client
// reported. At creation a client may instead say only enabled=true
// (ErrNeedAssertion). The output is not signed by the authenticator; a wrong
// one simply fails to unwrap the vault key.
func prfOutput(r protocol.AuthenticationExtensionsClientOutputs, creation bool) ([]byte, error) {
	p := r.PRF
	if p == nil || p.Results == nil || len(p.Results.First) == 0 {
		if creation && p != nil && p.Enabled != nil && *p.Enabled {
			return nil, fmt.Errorf("%w: prf enabled, no output at creation", ErrNeedAssertion)
		}
		return nil, ErrNoPRF
	}
	if creation && p.Enabled != nil && !*p.Enabled {
		return nil, invalid("prf results with enabled=false", nil)
	}
	if len(p.Results.First) != PRFSize {
		return nil, fmt.Errorf("%w: got %d bytes", ErrBadPRF, len(p.Results.First))
	}
	out := make([]byte, PRFSize)
	copy(out, p.Results.First)
	wipe(p.Results.First)
	wipe(p.Results.Second)
	return out, nil
}

// wipe zeroes b.
func wipe(b []byte) {
	clear(b)
}
