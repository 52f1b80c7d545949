// Package passwords decides whether a new password is good enough, and hashes
// account passwords with Argon2id under a bound on memory.
//
// Check has no composition rules (no "one digit, one symbol"): length and
// guessability, as estimated by zxcvbn, are what stop an attacker, and
// composition rules mostly push people towards "Password1!". Argon2id runs
// use 64 MiB each, so a Limiter caps how many run at once; Dummy spends the
// same work on an unknown email so timing does not reveal which accounts
// exist.
package passwords
