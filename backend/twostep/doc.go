// Package twostep is the second step of signing in: a code from an
// authenticator app (TOTP), single-use recovery codes, and the state the
// accounts database keeps sealed.
package twostep
