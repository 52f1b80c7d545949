// Package bench measures Ward end to end on the machine it runs on, for
// `ward bench` and `make bench`: importing a patient (JSON parse, seal,
// commit), unlocking (password and passkey slots, then opening the record),
// reading through the real HTTP handler (in process and over loopback),
// serving under concurrent load, and the raw floor of each stage on the same
// machine in the same run (encoding/json, XChaCha20-Poly1305, SQLite) so the
// numbers say how close Ward is to the limit. It also records binary and
// frontend bundle sizes.
//
// Every request loop is bounded in both count and time and talks only to
// 127.0.0.1. Everything runs on temporary data directories, removed at the
// end. Run returns a Report; WriteTable prints it, its JSON form (stable keys)
// is for comparing runs with Compare.
//
// Peak memory is measured per import by running the import in a child
// process (Options.Child, which `ward bench` points at itself) and reading
// the child's peak RSS; without a child the import runs in process and the
// peak is the whole process's so far.
package bench
