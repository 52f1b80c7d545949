package vault

import (
	"errors"
)

// Sentinel errors. Errors returned by this package wrap these with context;
// test for them with errors.Is. Turn any error into words for the person at
// the screen with [UserMessage].
var (
	// ErrWrongSecret means a password, recovery key, passkey or server key did
	// not open a slot.
	ErrWrongSecret = errors.New("vault: wrong secret")
	// ErrIntegrity means a sealed value failed authentication: it was changed,
	// truncated, or copied from another row, table, vault or version.
	ErrIntegrity = errors.New("vault: integrity check failed")
	// ErrLocked means the keys were destroyed (the vault was locked).
	ErrLocked = errors.New("vault: keys are locked")
	// ErrUnsupportedVersion means a ciphertext or slot was written by a newer
	// version of Ward.
	ErrUnsupportedVersion = errors.New("vault: unsupported format version")
	// ErrSlotMismatch is returned by an Unwrapper for a slot that is not its
	// kind (or, for passkey and server-key slots, not its credential or key).
	// [Unlock] skips such slots.
	ErrSlotMismatch = errors.New("vault: slot is not for this secret")
	// ErrNoSlot means Unlock found no slot that the given secret could open.
	ErrNoSlot = errors.New("vault: no matching key slot")

	// ErrRecoveryKeyTypo is returned by ParseRecoveryKey when the check
	// characters do not match or a character is not one Ward uses. Its message
	// is meant for the person typing the key.
	ErrRecoveryKeyTypo = errors.New("That recovery key has a typo: check each group")
	// ErrRecoveryKeyLength is returned by ParseRecoveryKey when the key has
	// too few or too many characters.
	ErrRecoveryKeyLength = errors.New("That recovery key is the wrong length: it should be 7 groups of 5 letters and numbers")
)

// wrongSecretError records which kind of secret was wrong, so UserMessage can
// name it.
type wrongSecretError struct{ kind SlotKind }

func (e *wrongSecretError) Error() string {
	return "vault: " + string(e.kind) + " slot: wrong secret"
}

func (e *wrongSecretError) Unwrap() error { return ErrWrongSecret }

// UserMessage returns a plain-English sentence about err for the person
// using Ward. It never includes secrets or technical detail. It returns ""
// for a nil error.
func UserMessage(err error) string {
	if err == nil {
		return ""
	}
	var ws *wrongSecretError
	switch {
	case errors.As(err, &ws):
		switch ws.kind {
		case KindRecovery:
			return "That recovery key does not unlock this record. Check that it is the key for this record."
		case KindPRF:
			return "That passkey could not unlock this record. Try another way to sign in."
		case KindKEK:
			return "The server's key does not match this record. Ask whoever runs this Ward server for help."
		}
		return "That password is not right. Check it and try again."
	case errors.Is(err, ErrWrongSecret):
		return "That password is not right. Check it and try again."
	case errors.Is(err, ErrRecoveryKeyTypo):
		return ErrRecoveryKeyTypo.Error()
	case errors.Is(err, ErrRecoveryKeyLength):
		return ErrRecoveryKeyLength.Error()
	case errors.Is(err, ErrIntegrity):
		return "This record has been changed outside Ward and cannot be opened."
	case errors.Is(err, ErrLocked):
		return "Your record is locked. Sign in again to open it."
	case errors.Is(err, ErrUnsupportedVersion):
		return "This record was saved by a newer version of Ward. Update Ward to open it."
	case errors.Is(err, ErrNoSlot), errors.Is(err, ErrSlotMismatch):
		return "This way of signing in is not set up for this record."
	}
	return "Ward could not open your record because something went wrong. Please try again."
}
