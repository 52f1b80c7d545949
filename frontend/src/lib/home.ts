// The home page: what matters now. Pure functions, so the order and the
// words are tested without a browser.
import type { Source, Summary, Test } from './api';
import { formatDate } from './dates';
import { joinList } from './text';
import { isNewSince, latestText } from './tests';

/** One thing that needs the patient's attention, with where to go next. */
export interface Attention {
  kind: 'new-outside' | 'import-failed' | 'out-of-date';
  text: string;
  link: string;
  linkText: string;
}

/**
 * What needs the patient's attention, after any urgent results (which have
 * their own red card): results outside the normal range that are new since
 * they last looked, an import that failed, and sources that are out of date.
 * canImport is false for a clinician viewing a share: nothing to do there.
 */
export function attention(summary: Summary, tests: Test[], since: string, canImport: boolean): Attention[] {
  const out: Attention[] = [];
  const urgent = new Set((summary.urgent ?? []).map((u) => u.reportId + '\u0000' + u.name));
  for (const t of tests) {
    if (!t.outside || t.urgent || urgent.has(t.reportId + '\u0000' + t.name) || !isNewSince(t.taken, since)) continue;
    const flag = t.flagLabel ? `, ${t.flagLabel}` : '';
    out.push({
      kind: 'new-outside',
      text: `New result outside the normal range: ${t.name} ${latestText(t)}${flag}`,
      link: '#/results/' + encodeURIComponent(t.reportId),
      linkText: `See the result for ${t.name}`,
    });
  }
  if (canImport && summary.importFailed) {
    const f = summary.importFailed;
    out.push({
      kind: 'import-failed',
      text: `Your last file, ${f.file}, could not be added. ${f.message}`,
      link: '#/import',
      linkText: 'Try adding the file again',
    });
  }
  for (const s of summary.sources ?? []) {
    if (!s.outOfDate) continue;
    out.push({
      kind: 'out-of-date',
      text: `Your records from ${s.name} were last updated on ${formatDate(s.lastUpdated)}. Newer results may be missing.`,
      link: canImport ? '#/import' : '#/about-your-record',
      linkText: canImport ? `Add a newer file from ${s.name}` : 'Where the record comes from',
    });
  }
  return out;
}

/** "Born 12 March 1985 · NHS number 943 476 5919", leaving out what is not known. */
export function identityLine(p: { birthDate: string; nhsNumber: string }): string {
  const born = formatDate(p.birthDate);
  return [born ? `Born ${born}` : 'Date of birth not known', p.nhsNumber ? `NHS number ${p.nhsNumber}` : 'NHS number not known'].join(' · ');
}

/**
 * The one-line "not your full record" notice: the organisations the items
 * name; never a source's own label ("Imported from good.json"), which is
 * no organisation.
 */
export function notFullRecordLine(organisations: string[] | null | undefined): string {
  const orgs = (organisations ?? []).filter((o) => o.trim() !== '');
  if (orgs.length === 0) return 'This is not your full health record: it shows only what was in the files added to Ward.';
  return `This is not your full health record: it shows only what ${joinList(orgs)} ${orgs.length === 1 ? 'has' : 'have'} shared.`;
}

/** The newest time any source changed, for "Last updated". */
export function lastUpdated(sources: Source[] | null | undefined): string {
  return (sources ?? []).map((s) => s.lastUpdated).filter((d) => !!d).sort().at(-1) ?? '';
}
