// Whose service this is and how the record is kept safe, in words: the
// header's brand and the "How your record is kept safe" section of the
// What you can see page. Ward never uses the NHS's name or logo as its own.

import type { Config } from './api';
import { autoLockText } from './vault';
import { plural } from './text';

/** The header's name: "Demo Hospital NHS Foundation Trust — your hospital record", or "Ward" when no organisation is set. */
export function brandText(config: Pick<Config, 'organisation'> | null | undefined): string {
  const org = config?.organisation?.name?.trim();
  return org ? `${org} — your hospital record` : 'Ward';
}

/**
 * How this Ward keeps the record:
 * - 'vault': one record, encrypted on this computer, with the Lock button
 * - 'accounts': a server with accounts; the record opens while signed in
 * - 'demo': the demonstration, one made-up record for every visitor, never locked
 * - 'unknown': an older backend that does not say
 */
export type Protection =
  | { kind: 'vault'; minutes: number | null }
  | { kind: 'accounts'; minutes: number | null }
  | { kind: 'demo' }
  | { kind: 'unknown' };

/** The sentences of "How your record is kept safe", in order (none when not known). */
export function keptSafeText(p: Protection): string[] {
  switch (p.kind) {
    case 'vault':
      return [
        'Your record is encrypted on this computer. Nobody can read it without your password, a passkey you added, or your recovery key, not even from a copy of its files.',
        autoLockText(p.minutes) || 'Ward locks your record when it has not been used for a while.',
        'To lock it straight away, select Lock at the top of any page. You will need your password or passkey to open it again.',
      ];
    case 'accounts':
      return [
        'Your record is encrypted on this server. It is opened only while you are signed in.',
        signOutText(p.minutes),
        'To sign out straight away, select Sign out at the top of any page.',
      ];
    case 'demo':
      return [
        'This is a demonstration with a made-up record. Everyone who visits sees the same record, so it does not lock and nothing can be added to it.',
        'A Ward that holds your own record keeps it encrypted, and locks it when it has not been used for a while.',
      ];
    case 'unknown':
      return [];
  }
}

function signOutText(minutes: number | null): string {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes <= 0) return 'Ward signs you out when you have not used it for a while.';
  return `Ward signs you out after ${plural(Math.round(minutes), 'minute')} without use.`;
}

/** One sentence on how Ward relates to the NHS and to the organisation that offers it. */
export function nhsRelationText(organisation: string | null | undefined, demo: boolean): string {
  const start = 'Ward is open-source software. It is not an NHS service.';
  if (demo) return `${start} In this demonstration the organisation and the records are made up.`;
  const org = organisation?.trim();
  return org ? `${start} ${org} chose to offer it; the records come from them.` : `${start} The records in it come from the organisations that share them with you.`;
}
