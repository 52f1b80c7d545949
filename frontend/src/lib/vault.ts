// When to show the unlock page (docs/api.md, "The vault: locked and unlocked").
// Pure functions, so the decisions can be unit tested.

import type { Vault } from './api';
import { unlockHref, type Route } from './router';
import { plural } from './text';

/**
 * The lock UI the app shows:
 * - 'pending': asking /api/vault (show nothing that needs the record yet)
 * - 'off': no lock UI at all (demo mode, or an older backend without /api/vault)
 * - 'none': there is no vault yet; the set-up page (#/setup) creates one
 * - 'locked': the unlock page
 * - 'unlocked': the record, and a Lock button
 */
export type LockMode = 'pending' | 'off' | 'none' | 'locked' | 'unlocked';

/**
 * The lock mode for the answer to GET /api/vault. When the call fails (an older
 * backend answers 404) the app carries on as before, with no lock UI: pass null.
 * The record endpoints still answer 401 "locked" when locked, which sends the
 * person to the unlock page.
 */
export function modeFromVault(vault: Vault | null | undefined): LockMode {
  if (!vault || vault.demo) return 'off';
  switch (vault.state) {
    case 'none':
      return 'none';
    case 'unlocked':
      return 'unlocked';
    case 'locked':
      return 'locked';
    default:
      // An unknown state: be safe and ask to unlock.
      return 'locked';
  }
}

/** Routes that show part of the record (and so need it unlocked). */
export function needsRecord(route: Route): boolean {
  return route.name !== 'help' && route.name !== 'unlock' && route.name !== 'setup' && route.name !== 'not-found';
}

/**
 * Where to send the person instead of `route`, or null to show it.
 * Returns a hash ("#/unlock?next=%2Fresults").
 */
export function redirectFor(route: Route, mode: LockMode): string | null {
  switch (mode) {
    case 'pending':
      return null;
    case 'off':
    case 'unlocked':
      // No unlock page: go where they were heading. The set-up page is done
      // with: once it has made the vault, the next step is adding records.
      if (route.name === 'unlock') return '#' + route.next;
      if (route.name === 'setup') return mode === 'unlocked' ? '#/import' : '#/';
      return null;
    case 'none':
      // Nothing to unlock yet: set Ward up first.
      return needsRecord(route) || route.name === 'unlock' ? '#/setup' : null;
    case 'locked':
      if (route.name === 'setup') return '#/unlock';
      return needsRecord(route) ? unlockHref(route) : null;
  }
}

/** Whether the header shows the Lock button. */
export function showLockButton(mode: LockMode): boolean {
  return mode === 'unlocked';
}

/** "Ward locks your record after 15 minutes without use." (empty when not known). */
export function autoLockText(minutes: number | null | undefined): string {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes <= 0) return '';
  return `Ward locks your record after ${plural(Math.round(minutes), 'minute')} without use.`;
}

/**
 * Why the unlock page is showing, for its notification banner:
 * - 'locked': the person pressed Lock
 * - 'idle': this page locked the record after autoLockMinutes without use
 * - 'exists': the set-up page found Ward already set up (409 exists)
 */
export type LockNotice = { kind: 'locked' } | { kind: 'idle'; minutes: number } | { kind: 'exists'; message: string };

/** "Ward locked your record because it was not used for 15 minutes" */
export function idleLockText(minutes: number): string {
  return `Ward locked your record because it was not used for ${plural(Math.max(1, Math.round(minutes)), 'minute')}`;
}

// ---------------------------------------------------------------------------
// Waiting after too many wrong tries (docs/api.md: 429 with retryAfterSeconds;
// a wrong secret says triesLeft and nextWaitSeconds).

/** "4 minutes 12 seconds", "1 minute", "30 seconds", "1 hour 5 minutes": a wait in words, rounded up to the second. */
export function waitText(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return [plural(h, 'hour'), m > 0 ? plural(m, 'minute') : ''].filter(Boolean).join(' ');
  if (m > 0) return [plural(m, 'minute'), sec > 0 ? plural(sec, 'second') : ''].filter(Boolean).join(' ');
  return plural(sec, 'second');
}

/** The visible countdown, changing each second: "Try again in 4 minutes 12 seconds". */
export function countdownText(secondsLeft: number): string {
  return secondsLeft > 0 ? `Try again in ${waitText(secondsLeft)}` : 'You can try again now';
}

/**
 * What the polite live region says: once a minute, not each second (a
 * screen reader would talk over everything), then once more when the
 * wait is over. "You can try again in about 5 minutes." The same text for
 * a whole minute, so the region is only announced when it changes.
 */
export function countdownAnnouncement(secondsLeft: number): string {
  if (secondsLeft <= 0) return 'You can try again now.';
  if (secondsLeft <= 60) return 'You can try again in less than a minute.';
  const minutes = Math.ceil(secondsLeft / 60);
  return `You can try again in about ${plural(minutes, 'minute')}.`;
}

/**
 * The warning after a wrong secret, before the try that makes Ward wait:
 * "You have 1 more try before Ward makes you wait 30 seconds." When every
 * wrong try already brings a wait, says so. "" when there are tries to
 * spare (3 or more) or the server did not say.
 */
export function triesWarning(triesLeft: number | undefined, nextWaitSeconds: number | undefined): string {
  if (triesLeft === undefined || triesLeft > 2) return '';
  const wait = nextWaitSeconds && nextWaitSeconds > 0 ? ` ${waitText(nextWaitSeconds)}` : '';
  if (triesLeft === 0) return `If the next one is wrong too, Ward will make you wait${wait} before you can try again.`;
  return `You have ${plural(triesLeft, 'more try', 'more tries')} before Ward makes you wait${wait}.`;
}
