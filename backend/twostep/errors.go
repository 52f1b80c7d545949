package twostep

// Error is a typed, comparable error from this package.
type Error string

func (e Error) Error() string { return string(e) }

const (
	// ErrWrongCode: the code matches no accepted step or recovery code.
	ErrWrongCode Error = "twostep: wrong code"
	// ErrReplay: the code is right but its step was already used. The API
	// shows the same words as ErrWrongCode; only tests and logs tell apart.
	ErrReplay Error = "twostep: code already used"
	// ErrBadState: Parse refused the sealed state.
	ErrBadState Error = "twostep: malformed state"
	// ErrNotEnrolled: the state has no secret.
	ErrNotEnrolled Error = "twostep: not enrolled"
)
