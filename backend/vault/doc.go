// Package vault holds Ward's encryption keys and seals health records at the
// application level. Ward keeps records in SQLite without page encryption, so
// everything that identifies a person or describes their health is sealed by
// this package before it reaches the database.
//
// # Key hierarchy
//
//	password ──Argon2id──┐
//	recovery key ─HKDF───┤
//	passkey PRF ──HKDF───┼─► wrapping key ─XChaCha20-Poly1305─► slot (stores the data key, wrapped)
//	server KEK ───HKDF───┘
//
//	data key (256-bit, random, one per vault; never stored unwrapped)
//	  ├─HKDF-SHA256 "ward.vault.v1 seal"  ─► sealing key: XChaCha20-Poly1305 for every record
//	  └─HKDF-SHA256 "ward.vault.v1 index" ─► index key: HMAC-SHA256 for lookup keys
//
// A vault has one random data key. It is stored only inside key slots, in the
// spirit of LUKS: each slot wraps the same data key under a key derived from
// one secret (a password, a recovery key, a passkey's WebAuthn PRF output, or
// the server's key-encryption key in serve mode). Adding, removing or changing
// a secret touches only its slot; records are never re-encrypted. Changing a
// password is:
//
//	keys, err := vault.Unlock(vaultID, slots, vault.NewPassword(oldPassword))
//	newSlot, err := keys.AddSlot(vault.NewPassword(newPassword))
//	// store newSlot, delete the old password slot; records are unchanged
//
// The API follows filippo.io/age: a [Wrapper] turns a data key into a [Slot],
// an [Unwrapper] turns a [Slot] back into a data key, and [Unlock] tries an
// Unwrapper against a vault's slots. [Password], [RecoveryKey], [PRF] and [KEK]
// are both.
//
// # Records
//
// [Keys.Seal] encrypts a record with XChaCha20-Poly1305 under a fresh random
// 24-byte nonce. The associated data ([AD]) binds the ciphertext to its vault
// id, table, row key and row version, so a sealed value copied to another row,
// table or vault, or an older version put back in place of a newer one (while
// the row's version column says otherwise), fails to open with [ErrIntegrity].
// Ciphertext format (41 bytes of overhead):
//
//	0x01 | nonce (24 bytes) | XChaCha20-Poly1305 ciphertext and 16-byte tag
//
// [Keys.Index] gives HMAC-SHA256 keyed hashes that the store uses to address
// records, for example by (source organisation, resource type, FHIR id), and
// for coarse keyed index values, without storing the plaintext.
//
// # What stays in the clear
//
// With the database file alone, and no secret, an attacker can see only:
//
//   - the vault id (random, chosen by the store) and the slots: each slot's
//     kind, id (random; for a passkey slot the WebAuthn credential id; for a
//     KEK slot a fingerprint of the server key), KDF name and Argon2id
//     parameters, salt, nonce and wrapped key;
//   - table names, row keys (which the store makes from [Keys.Index] output,
//     so they reveal only equality between rows), row versions;
//   - the length of each sealed value (41 bytes longer than its plaintext) and
//     how many rows there are: the store should pad values if lengths matter;
//   - anything else the store itself chooses to keep in clear columns, such as
//     timestamps of writes.
//
// Rollback: the AD binds a ciphertext to a row version, but the version itself
// is stored in clear beside it. Someone who can write the database can put back
// an older (ciphertext, version) pair together; detecting that needs a counter
// kept outside the database, which this package does not provide.
//
// # Zeroing
//
// Best effort: byte slices this package creates for keys (derived keys, the
// data key, recovery key secrets, the KEK) are zeroed after use or by Destroy.
// Slices passed in by the caller (passwords, PRF outputs) stay the caller's to
// zero. Copies held inside golang.org/x/crypto (the AEAD's key schedule), in
// crypto/hmac and by the Go runtime (strings, moved stacks) cannot be zeroed
// from here.
package vault
