// Package bench measures Ward end to end on the machine it runs on, for
// `ward bench` and `make bench`: importing a patient (JSON parse, seal,
// commit), unlocking (password and passkey slots, then opening the record),
// reading through the real HTTP handler (in process and over loopback),
// serving under concurrent load (the reads, and share-code redemptions on
// a server with accounts: share.go), and the raw floor of each stage on the same
// machine in the same run (encoding/json, XChaCha20-Poly1305, SQLite) so the
// numbers say how close Ward is to the limit. It also records binary and
// frontend bundle sizes.
//
// A second floor is what a user might pick instead of Ward: when the
// sqlcipher command (Debian's encrypted SQLite) is on PATH, it loads the same
// resources into one table in one transaction, timed as a whole process
// (start to exit, its key derivation included), beside `ward vault import`
// of the same file, also a whole process (Argon2id unlock included). Without
// sqlcipher those numbers are absent from the report, never zero.
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
