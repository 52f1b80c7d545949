// Package share lets a patient on an accounts server share a read-only,
// time-limited view of part of their record with a clinician, by a code
// the clinician is sent.
//
// The patient chooses sections (results, medicines, …) and how long the
// share lasts (15 minutes to 7 days). Ward copies those resources, with
// the patient, organisations and people they name, into a Payload, seals
// it under a key derived from a random 100-bit code (code.go, seal.go) and
// stores only the ciphertext, a per-share salt and a keyed hash of the
// code to find it (accounts.DB shares table). The clinician types the code
// and the patient's date of birth (Service.Redeem); every refusal reads
// the same (ErrNotRight), is counted against the client's address and
// against everyone, and five wrong dates end the share. A clinician's
// viewer session (Viewers) lasts 15 minutes unused, and each request checks
// that the patient has not revoked the share and that it has not expired.
//
// Neither the accounts database nor the server key, nor both together,
// open a share: only its code does.
package share
