// The warning shown on every page of an open record when the checks made at
// unlock found a problem (docs/api.md, GET /api/vault "integrity"). Until
// now only `ward vault verify` said so; a person reading their record
// should know when part of it could not be trusted, and what to do.

import type { Vault } from './api';
import { plural } from './text';

export interface IntegrityWarning {
  heading: string;
  /** One plain-English paragraph per problem found. */
  paragraphs: string[];
}

/** The warning for a vault status, or null when there is nothing to say. */
export function integrityWarning(vault: Vault | null | undefined): IntegrityWarning | null {
  const found = vault?.state === 'unlocked' ? vault.integrity : undefined;
  if (!found) return null;
  const paragraphs: string[] = [];
  const failed = Number.isFinite(found.failed) ? Math.max(0, Math.floor(found.failed)) : 0;
  if (failed > 0) {
    const items = plural(failed, 'item');
    const verb = failed === 1 ? 'it' : 'them';
    paragraphs.push(
      `Some of your record could not be opened: ${items} may have been changed outside Ward. ` +
        `Import ${verb} again from the organisation that sent ${verb}.`,
    );
  }
  if (found.rolledBack) {
    paragraphs.push(
      'Your record is not the same as when Ward last saved it: part of it may have been put back to an older copy, ' +
        'so recent changes may be missing. Import your most recent files again.',
    );
  }
  if (paragraphs.length === 0) return null;
  return { heading: 'Part of your record may not be right', paragraphs };
}
