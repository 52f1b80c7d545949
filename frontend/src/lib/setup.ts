// First run (docs/api.md, POST /api/vault/create): checking the new password
// before it is sent, and showing the recovery key. Pure functions, unit tested.

import { pageTitle } from './router';

/** The shortest password the server accepts (backend session.MinPassword). */
export const MIN_PASSWORD = 8;

export type SetupField = 'password' | 'confirm';

export interface SetupError {
  /** The field the message belongs to, or null for a problem with no field (the service). */
  field: SetupField | null;
  message: string;
}

export const SETUP_MESSAGES = {
  empty: 'Enter a password',
  short: `Your password must be ${MIN_PASSWORD} characters or more`,
  confirmEmpty: 'Enter your password again to confirm it',
  mismatch: 'The passwords do not match. Enter the same password in both boxes',
} as const;

/**
 * Length as a person counts it (an emoji is one character, not two UTF-16
 * units). The server counts UTF-8 bytes, which is never fewer, so anything
 * accepted here is accepted there too.
 */
export function passwordLength(password: string): number {
  return Array.from(password).length;
}

/**
 * The problems with a new password and its confirmation, in page order (empty
 * when it can be sent). Passwords are not trimmed: spaces are part of them.
 * The confirmation is only checked once the password itself is acceptable.
 */
export function checkNewPassword(password: string, confirm: string): SetupError[] {
  if (password === '') return [{ field: 'password', message: SETUP_MESSAGES.empty }];
  if (passwordLength(password) < MIN_PASSWORD) return [{ field: 'password', message: SETUP_MESSAGES.short }];
  if (confirm === '') return [{ field: 'confirm', message: SETUP_MESSAGES.confirmEmpty }];
  if (confirm !== password) return [{ field: 'confirm', message: SETUP_MESSAGES.mismatch }];
  return [];
}

/**
 * A recovery key in groups for showing: "abcde fghjk-…" → ["ABCDE", "FGHJK", …].
 * Dashes and spaces separate groups as the server sends them; a key without
 * any is cut into groups of 5.
 */
export function recoveryKeyGroups(key: string): string[] {
  const clean = key.toUpperCase().trim();
  if (clean === '') return [];
  const parts = clean.split(/[\s-]+/).filter(Boolean);
  if (parts.length > 1) return parts;
  return clean.match(/.{1,5}/g) ?? [];
}

/** The key as it should be copied or typed: groups joined by dashes. */
export function recoveryKeyText(key: string): string {
  return recoveryKeyGroups(key).join('-');
}

/**
 * The set-up page's title for its step: "Set up Ward - Ward", then "Your
 * recovery key - Set up Ward - Ward", with "Error: " first while an error
 * shows. The page keeps it while the key is on screen, whatever the
 * router sets on a link followed meanwhile (see Setup.svelte).
 */
export function setupTitle(step: 'password' | 'key', hasError: boolean): string {
  const title = step === 'password' ? pageTitle('Set up Ward') : pageTitle('Your recovery key', 'Set up Ward');
  return hasError ? 'Error: ' + title : title;
}
