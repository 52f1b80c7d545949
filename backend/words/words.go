// Package words is Ward's one table from errors to what people read. Lower
// packages return typed errors; the API and the CLI, at the edge, ask here
// for the API's code, its HTTP status and a plain sentence, so that the
// same failure reads the same way in the window, the browser and the
// terminal.
package words

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ward-health/ward/backend/accounts"
	"github.com/ward-health/ward/backend/fhir"
	"github.com/ward-health/ward/backend/identity"
	"github.com/ward-health/ward/backend/intake"
	"github.com/ward-health/ward/backend/passkey"
	"github.com/ward-health/ward/backend/passwords"
	"github.com/ward-health/ward/backend/publish"
	"github.com/ward-health/ward/backend/session"
	"github.com/ward-health/ward/backend/share"
	"github.com/ward-health/ward/backend/signin"
	"github.com/ward-health/ward/backend/store"
	"github.com/ward-health/ward/backend/vault"
)

// Words is an error as people see it.
type Words struct {
	Status int    // HTTP status
	Code   string // the API's error code
	Text   string // a plain sentence (or a few)
}

// row is one line of the table: errors.Is(err, match) gives these words.
type row struct {
	match  error
	status int
	code   string
	text   string
}

var table = []row{
	{store.ErrNotVault, http.StatusConflict, "not_vault", "This file is not a Ward record, so Ward has not changed it."},
	{store.ErrNewer, http.StatusConflict, "newer_vault", "This record was made by a newer version of Ward. Update Ward to open it. Nothing has been changed."},
	{store.ErrNoVault, http.StatusConflict, "no_vault", "There is no Ward record in this folder yet."},
	{session.ErrNoVault, http.StatusConflict, "no_vault", "There is no record here yet."},
	{store.ErrExists, http.StatusConflict, "exists", "There is already a Ward record in this folder. Nothing has been changed."},
	{store.ErrReadOnly, http.StatusInsufficientStorage, "read_only", "Ward cannot save to this folder because it is read-only. Nothing has been changed."},
	{store.ErrDiskFull, http.StatusInsufficientStorage, "disk_full", "The disk is full, so Ward could not save. Nothing has been changed: free some space and try again."},
	{store.ErrRollback, http.StatusConflict, "rolled_back", "Some of this record has been put back to an older copy outside Ward. Import it again from the organisation."},
	{store.ErrCancelled, http.StatusConflict, "cancelled", "The import was cancelled. Nothing from it was saved."},
	// A Lock pressed while an unlock was decrypting wins; the person unlocks again.
	{session.ErrLockedWhileOpening, http.StatusConflict, "locked", "Your record was locked while it was opening. Unlock it again."},
	// No valid token, and a locked record, read the same: a stranger must not
	// learn whether someone has the record open.
	{session.ErrLocked, http.StatusUnauthorized, "locked", "Your record is locked. Unlock it to carry on."},
	{session.ErrUnauthorised, http.StatusUnauthorized, "locked", "Your record is locked. Unlock it to carry on."},
	{vault.ErrLocked, http.StatusUnauthorized, "locked", "Your record is locked. Sign in again to open it."},
	{session.ErrWrongPasskey, http.StatusUnauthorized, "wrong_passkey", "That face or fingerprint did not unlock your record. Try again, or use your password."},
	{session.ErrNoPasskey, http.StatusNotFound, "no_passkey", "Face or fingerprint unlock is not set up for this record. Use your password."},
	{session.ErrNotFresh, http.StatusForbidden, "not_fresh", "Confirm it is you first."},
	{session.ErrBadAutoLock, http.StatusBadRequest, "bad_auto_lock", "Choose an auto-lock time from 1 to 240 minutes."},
	{store.ErrLastWayIn, http.StatusConflict, "last_way_in", "You cannot remove this: it is the only way into your record besides the recovery key. Add another way first."},
	{store.ErrNoSuchSlot, http.StatusNotFound, "not_found", "We could not find that face or fingerprint unlock. It may have been removed already."},
	{passkey.ErrNoPRF, http.StatusUnprocessableEntity, "no_prf", "This device can sign you in but cannot protect your record's key; use your password on this device."},
	{passkey.ErrExpired, http.StatusGone, "ceremony_expired", "That took too long. Try again."},
	{passkey.ErrUnknownCeremony, http.StatusGone, "ceremony_expired", "That took too long or was already used. Try again."},
	{passkey.ErrNoUserVerification, http.StatusUnprocessableEntity, "no_user_verification", "Your device did not check your face, fingerprint or PIN. Use a device that can, or your password."},
	{passkey.ErrInvalid, http.StatusBadRequest, "bad_passkey", "Sorry, Ward could not read the answer from your device. Try again."},
	{vault.ErrRecoveryKeyTypo, http.StatusBadRequest, "recovery_key_typo", vault.ErrRecoveryKeyTypo.Error() + "."},
	{vault.ErrRecoveryKeyLength, http.StatusBadRequest, "recovery_key_typo", vault.ErrRecoveryKeyLength.Error() + "."},
	{vault.ErrIntegrity, http.StatusConflict, "integrity", "This record has been changed outside Ward and cannot be opened."},
	{vault.ErrUnsupportedVersion, http.StatusConflict, "newer_vault", "This record was saved by a newer version of Ward. Update Ward to open it."},
	{session.ErrWrongRecoveryKey, http.StatusUnauthorized, "wrong_recovery_key", "That recovery key does not unlock this record."},
	{vault.ErrWrongSecret, http.StatusUnauthorized, "wrong_password", "That password is not right."},
	{vault.ErrNoSlot, http.StatusUnauthorized, "wrong_password", "That password is not right."},
	{vault.ErrSlotMismatch, http.StatusUnauthorized, "wrong_password", "This way of signing in is not set up for this record."},
	{intake.ErrTooLarge, http.StatusRequestEntityTooLarge, "too_large", "The file is larger than 1 GB, which is more than Ward can import at once. Ask the organisation for a smaller export."},
	{session.ErrShortPassword, http.StatusBadRequest, "short_password", fmt.Sprintf("Your password must be at least %d characters.", session.MinPassword)},
	// Accounts (a Ward server for many patients). Sign-in says the same for
	// an unknown address as for a wrong password: no one learns who has an
	// account here.
	{signin.ErrSignedOut, http.StatusUnauthorized, "signed_out", "You are signed out. Sign in to carry on."},
	{signin.ErrWrongSignIn, http.StatusUnauthorized, "wrong_sign_in", "The email address or password is not right."},
	{signin.ErrPasskeyTooMany, http.StatusTooManyRequests, "too_many_tries", "Too many tries with face or fingerprint from here. Wait a few minutes and try again, or sign in with your password."},
	{signin.ErrWrongCode, http.StatusUnauthorized, "wrong_code", "That code is not right, or it has expired. Check it, or ask for a new one."},
	{signin.ErrWrongInvite, http.StatusUnauthorized, "wrong_invite", "That activation code is not right, has been used or has expired. Check it, or ask the organisation for a new one."},
	{vault.ErrBadInvite, http.StatusBadRequest, "wrong_invite", "That activation code has a typo. Check it against the letter or email it came in."},
	{signin.ErrSharedAddress, http.StatusConflict, "shared_address", "This looks like a shared email address. Other people who read it could reset your account. Use an address only you read."},
	{signin.ErrNotAllowed, http.StatusForbidden, "not_allowed", "This server does not allow that. Ask the organisation that runs it for an activation code."},
	{signin.ErrTwoStepNeeded, http.StatusForbidden, "two_step_required", "This organisation requires two-step verification. Set it up to carry on."},
	{signin.ErrNoRecovery, http.StatusForbidden, "no_recovery", "Without your recovery key this record cannot be recovered."},
	{accounts.ErrBadEmail, http.StatusBadRequest, "bad_email", "Enter an email address like name@example.com, using one alphabet."},
	{passwords.ErrTooShort, http.StatusBadRequest, "weak_password", passwords.ErrTooShort.Reason()},
	{passwords.ErrTooLong, http.StatusBadRequest, "weak_password", passwords.ErrTooLong.Reason()},
	{passwords.ErrGuessable, http.StatusBadRequest, "weak_password", passwords.ErrGuessable.Reason()},
	// Sharing. Every refusal of a code reads the same, whatever the cause:
	// no one learns whether a code exists, or whose it is.
	{share.ErrBadRecipient, http.StatusBadRequest, "bad_recipient", "Enter the name and email address of the person you are sharing with (and their organisation, if you like), each under 200 characters."},
	{share.ErrBadSections, http.StatusBadRequest, "bad_sections", "Choose what to share: all of your record, or at least one of results, conditions, medicines, allergies, immunisations, visits or documents."},
	{share.ErrBadTTL, http.StatusBadRequest, "bad_duration", "Choose how long the share lasts: from 15 minutes to 7 days."},
	{share.ErrNoBirthDate, http.StatusConflict, "no_birth_date", "Your record has no full date of birth, which the person you share with is asked for, so it cannot be shared."},
	{share.ErrNotFound, http.StatusNotFound, "not_found", "There is nothing at this address."},
	{share.ErrNotRight, http.StatusUnauthorized, "not_right", "The code or date of birth is not right, or this share has ended. Check them, or ask the patient for a new code."},
	{share.ErrBadCode, http.StatusUnauthorized, "not_right", "The code or date of birth is not right, or this share has ended. Check them, or ask the patient for a new code."},
	{share.ErrBadDate, http.StatusUnauthorized, "not_right", "The code or date of birth is not right, or this share has ended. Check them, or ask the patient for a new code."},
	{share.ErrViewerEnded, http.StatusUnauthorized, "share_ended", "This share has ended: the patient stopped it, it expired, or it was left unused. Ask the patient for a new code."},
	{share.ErrBadUpload, http.StatusBadRequest, "bad_upload", "The server could not keep this share: it was not sealed as Ward seals shares. Update Ward on your computer and try again."},
	{share.ErrSectionsDiffer, http.StatusConflict, "share_mismatch", "This share cannot be opened: what it holds does not match what the patient chose to share. Ask the patient to share again."},
	{accounts.ErrTooManyKeys, http.StatusConflict, "too_many_keys", "You already have 10 publishing keys. Remove one you no longer use, then make a new one."},
	// Publishing from a computer (the server is the patient's, elsewhere).
	{publish.ErrNoServer, http.StatusConflict, "no_share_server", "To share from this computer, first link it to your account on a Ward server: go to Security settings, then \"Share through a Ward server\"."},
	{publish.ErrBadServer, http.StatusBadRequest, "bad_server", "Enter the server's address as it starts in your browser, for example https://ward.example.org."},
	{publish.ErrKeyRefused, http.StatusForbidden, "publish_key_refused", "The Ward server did not accept this computer's publishing key: it may have been removed. Make a new key on the server (Security settings) and enter it here."},
	{publish.ErrNotWard, http.StatusBadGateway, "not_ward", "Something answered at that address, but not a Ward server. Check the address."},
}

// Of turns err into words.
func Of(err error) Words {
	var mm *identity.MismatchError
	if errors.As(err, &mm) {
		return mismatch(mm)
	}
	var fe *fhir.FormatError
	if errors.As(err, &fe) {
		return Words{http.StatusBadRequest, "bad_file", "It could not be read: " + fe.Error() + "."}
	}
	var slow *signin.ThrottledError
	if errors.As(err, &slow) {
		return Words{http.StatusTooManyRequests, "too_many_tries", "Too many tries. Wait " + Duration(slow.Wait) + " and try again, or sign in with your face or fingerprint."}
	}
	var away *publish.UnreachableError
	if errors.As(err, &away) {
		return Words{http.StatusBadGateway, "server_unreachable", "Ward could not reach " + away.Server + ", so nothing was shared. Check this computer is online and try again."}
	}
	var refused *publish.ServerError
	if errors.As(err, &refused) {
		st := refused.Status
		if st == http.StatusUnauthorized || st >= 500 {
			st = http.StatusBadGateway // the server's trouble, not this Ward's lock
		}
		return Words{st, refused.Code, "The Ward server said: " + refused.Text}
	}
	var many *share.ThrottledError
	if errors.As(err, &many) {
		return Words{http.StatusTooManyRequests, "too_many_tries", "Too many tries. Wait " + Duration(many.Wait) + " and try again."}
	}
	var wait *store.WaitError
	if errors.As(err, &wait) {
		return Words{http.StatusTooManyRequests, "too_many_attempts", waitText(wait)}
	}
	if errors.Is(err, intake.ErrNotCCDA) {
		return Words{http.StatusBadRequest, "bad_file", "It could not be read: " + intake.ErrNotCCDA.Error() + "."}
	}
	for _, r := range table {
		if errors.Is(err, r.match) {
			return Words{r.status, r.code, r.text}
		}
	}
	return Words{http.StatusInternalServerError, "internal", "Sorry, something went wrong. Nothing has been changed."}
}

// waitText says why and how long to wait before guessing again.
func waitText(e *store.WaitError) string {
	if e.Everyone {
		return fmt.Sprintf("Too many wrong passwords have been tried from different places, so Ward is not taking any for now. Wait %s and try again.", Duration(e.Wait))
	}
	return fmt.Sprintf("You have entered the wrong password too many times. Wait %s and try again.", Duration(e.Wait))
}

// Duration says a duration the way a person would: "1 minute", "30 seconds",
// rounding up.
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return plural(int(math.Ceil(d.Seconds())), "second")
	case d < time.Hour:
		return plural(int(math.Ceil(d.Minutes())), "minute")
	}
	return plural(int(math.Ceil(d.Hours())), "hour")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// ImportFailed is why a file was not imported, naming it, and saying that
// nothing from it was saved. What is wrong with a file comes first in
// plain words (faultText); ImportDetail keeps the reader's own words.
func ImportFailed(file string, err error) Words {
	w := Of(err)
	switch w.Code {
	case "bad_file":
		w.Text = faultText(file, err)
	case "other_person", "several_people", "confirm_same_person":
		// The words already say nothing was imported.
	case "locked":
		w.Text = fmt.Sprintf("%s could not be imported because your record was locked. Nothing from it was saved.", file)
	case "cancelled":
		w.Text = fmt.Sprintf("The import was cancelled. Nothing from %s was saved.", file)
	default:
		w.Text = fmt.Sprintf("%s could not be imported. %s", file, w.Text)
	}
	return w
}

// mismatch names both people: whom the file is about and whose record
// this is.
func mismatch(e *identity.MismatchError) Words {
	file := ""
	if len(e.File) > 0 {
		file = e.File[0].Label()
	}
	switch {
	case errors.Is(e, identity.ErrSeveral):
		var names []string
		for _, p := range e.File {
			names = append(names, describe(p))
		}
		return Words{http.StatusConflict, "several_people",
			fmt.Sprintf("This file is about more than one person: %s. Nothing was imported. A Ward record holds one person's health information: ask the organisation for a file about just one of them.", join(names))}
	case errors.Is(e, identity.ErrUnsure):
		return Words{http.StatusConflict, "confirm_same_person",
			fmt.Sprintf("This file is about %s. This record is %s. Ward cannot tell for sure that they are the same person (%s). Nothing was imported. If they are the same person, confirm it and import the file again.", describe(e.File[0]), possessive(e.Vault), e.Reason)}
	}
	first := firstName(e.File[0])
	return Words{http.StatusConflict, "other_person",
		fmt.Sprintf("This file is about %s. This record is %s. Nothing was imported. To keep %s record too, make a separate vault for them.", describe(e.File[0]), possessive(e.Vault), firstNonEmpty(possessiveName(first), possessiveName(file), "their"))}
}

// describe is "Sam Rivera, born 1948" (with an NHS number when that is
// what tells them apart).
func describe(p identity.Person) string {
	s := firstNonEmpty(p.Label(), "someone not named")
	if y := p.BirthYear(); y != "" {
		s += ", born " + y
	}
	if n := p.NHSNumber(); n != "" {
		s += ", NHS number " + spaced(n)
	}
	return s
}

// possessive is "Alex Morgan's, born 1968".
func possessive(p identity.Person) string {
	name := p.Label()
	if name == "" {
		return "someone else's"
	}
	s := possessiveName(name)
	if y := p.BirthYear(); y != "" {
		s += ", born " + y
	}
	if n := p.NHSNumber(); n != "" {
		s += ", NHS number " + spaced(n)
	}
	return s
}

func possessiveName(n string) string {
	if n == "" {
		return ""
	}
	if strings.HasSuffix(n, "s") {
		return n + "'"
	}
	return n + "'s"
}

func firstName(p identity.Person) string {
	for _, n := range p.Names {
		if len(n.Given) > 0 && n.Given[0] != "" {
			return n.Given[0]
		}
	}
	return ""
}

func spaced(nhs string) string {
	if len(nhs) == 10 {
		return nhs[:3] + " " + nhs[3:6] + " " + nhs[6:]
	}
	return nhs
}

func join(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], "; ") + " and " + names[len(names)-1]
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
