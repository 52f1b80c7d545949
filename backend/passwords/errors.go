package passwords

// Error is why Check refused a password. It is a small integer type so
// callers can compare with == or errors.Is and switch on it.
type Error int

const (
	// ErrTooShort: fewer than MinRunes characters.
	ErrTooShort Error = iota + 1
	// ErrTooLong: more than MaxRunes characters. The cap keeps zxcvbn's
	// matching (superlinear in length) and Argon2id's input bounded.
	ErrTooLong
	// ErrGuessable: zxcvbn scores it below MinScore, it is a common
	// password, or it is the account's own email or name.
	ErrGuessable
)

func (e Error) Error() string {
	switch e {
	case ErrTooShort:
		return "passwords: too short"
	case ErrTooLong:
		return "passwords: too long"
	case ErrGuessable:
		return "passwords: too easy to guess"
	}
	return "passwords: refused"
}

// Reason is the plain-English sentence to show the person choosing the
// password. It says what to do, not which rule fired in which library.
func (e Error) Reason() string {
	switch e {
	case ErrTooShort:
		return "This password is too short. Use at least 8 characters; a phrase of a few unrelated words works well."
	case ErrTooLong:
		return "This password is too long. Use at most 128 characters."
	case ErrGuessable:
		return "This password is too easy to guess. Try a longer phrase of unrelated words."
	}
	return "This password can't be used. Try a longer phrase of unrelated words."
}
