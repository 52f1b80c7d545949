package passkey

import (
	"encoding/base64"
	"testing"

	"github.com/ward-health/ward/backend/passkey/passkeytest"
)

// softAuth is the software authenticator of backend/passkey/passkeytest,
// under the names these tests use.
type softAuth = passkeytest.Authenticator

type prfMode = passkeytest.PRFMode

const (
	prfAtCreate    = passkeytest.PRFAtCreate
	prfEnabledOnly = passkeytest.PRFOnGet
	prfNone        = passkeytest.PRFNone
)

func newSoftAuth(t testing.TB) *softAuth { return passkeytest.New(t) }

var b64 = base64.RawURLEncoding

var mustJSON = passkeytest.MustJSON
