// Package browserauth runs a WebAuthn ceremony in the system browser for the
// desktop window, whose web view (WebKitGTK on Linux) has no
// PublicKeyCredential. It follows RFC 8252's loopback pattern: each flow gets
// its own listener on 127.0.0.1 (a random port) serving one small page at
// http://localhost:PORT/passkey/<state>. The page is opened at "localhost",
// never at 127.0.0.1, because an IP address is not a valid WebAuthn RP ID.
//
// # A flow
//
// Start listens, makes a random single-use state (32 bytes, base64url) and a
// random poll id, and asks the Opener to open the URL. The page posts to
// /passkey/<state>/begin for the options (Ceremony.Begin, with the RP the page
// runs at), runs navigator.credentials.get or create, and posts the
// credential to /passkey/<state>/finish (Ceremony.Finish). The window polls
// Status with the poll id: "waiting", then "done" with Finish's result,
// "failed" with its error, or "expired". The result (a session token, a new
// passkey) stays in this process: the browser only learns that it worked.
//
// # What is refused
//
// Only the exact origin http://localhost:PORT may post, and only with the
// right state; begin runs once and finish once (a Finish may ask for one more
// browser step with Next). Bodies are at most 64 KiB. A flow is valid for
// 2 minutes from Start. After it ends (finished, failed, expired) its
// listener is closed; a background sweep closes the expired ones nobody
// touched. Every answer carries a strict CSP (no inline script or style),
// nosniff, no-referrer and no-store.
//
// The credential body holds the PRF output: it is handed to Finish, zeroed
// afterwards, and never logged. This package logs nothing.
package browserauth
