// Package shl implements SMART Health Links (HL7 SMART Health Cards and
// Links IG, STU1, "links-specification") for Ward's shares.
//
// It has three parts:
//
//   - Link (link.go): the shlink:/ payload — New mints one with a random
//     256-bit manifest id and a random 256-bit file key; Encode and Parse
//     convert to and from the "shlink:/…" string (optionally behind a viewer
//     URL ending in "#").
//   - Encrypt / Decrypt (jwe.go): compact JWE with "alg":"dir",
//     "enc":"A256GCM" and a "cty" header, via go-jose.
//   - Server (server.go): an http.Handler for the manifest endpoint
//     POST /shl/{id} and the short-lived file endpoint GET /shl/file/{token},
//     backed by a Store the caller implements (MemStore is an in-memory one
//     for tests and development).
//
// Passcodes are stored as Argon2id hashes in PHC string form (see
// HashPasscode); the lifetime limit on wrong passcodes is enforced by the
// Store with a reserve-then-refund protocol (Store.Attempt / Store.Refund)
// so that parallel requests cannot exceed it.
package shl
