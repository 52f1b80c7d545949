// What a report or result says about itself, in words: the tag in the
// list, the line about ranges, the status. The Go read model decides the
// facts (urgent, void, allInRange, rangeCheck); these only choose the words,
// so that no page can claim more than the facts allow.

import type { Report, Result, Urgent } from './api';
import { plural, valueText } from './text';
import { formatDate } from './dates';
import { flagLabel } from './flags';

export type TagKind = 'urgent' | 'flag' | 'status';

export interface Tag {
  text: string;
  kind: TagKind;
}

/** nhsuk tag class for a tag kind. Red means urgent, and nothing else. */
export function tagClass(kind: TagKind): string {
  switch (kind) {
    case 'urgent':
      return 'nhsuk-tag--red';
    case 'flag':
      return 'nhsuk-tag--orange';
    default:
      return 'nhsuk-tag--grey';
  }
}

/** Short words for a status a reader must know about; '' for final. */
export function statusTag(status?: string | null): string {
  switch (status) {
    case 'preliminary':
      return 'Preliminary';
    case 'registered':
      return 'Not ready yet';
    case 'partial':
      return 'Partial';
    case 'amended':
    case 'appended':
      return 'Amended';
    case 'corrected':
      return 'Corrected';
    case 'entered-in-error':
      return 'Entered in error';
    case 'cancelled':
      return 'Cancelled';
    case 'unknown':
      return 'Status not known';
  }
  return '';
}

/** The tags a report carries wherever it is listed. */
export function reportTags(r: Pick<Report, 'urgentCount' | 'abnormalCount' | 'outsideCount' | 'status'>): Tag[] {
  const tags: Tag[] = [];
  const urgent = r.urgentCount ?? 0;
  if (urgent > 0) tags.push({ text: 'Urgent', kind: 'urgent' });
  const flagged = (r.abnormalCount ?? 0) - urgent;
  const outside = Math.min(r.outsideCount ?? flagged, flagged);
  if (outside > 0) tags.push({ text: `${plural(outside, 'result')} outside range`, kind: 'flag' });
  if (flagged - outside > 0) tags.push({ text: plural(flagged - outside, 'abnormal result'), kind: 'flag' });
  const s = statusTag(r.status);
  if (s) tags.push({ text: s, kind: 'status' });
  return tags;
}

/**
 * The line about ranges. "No results outside the normal range" only when the
 * server found every result has a range and is inside it (allInRange).
 */
export function rangeSummary(
  r: Pick<Report, 'urgentCount' | 'abnormalCount' | 'outsideCount' | 'unrangedCount' | 'allInRange' | 'results'>,
): string {
  const n = (r.results ?? []).length;
  const urgent = r.urgentCount ?? 0;
  const flagged = r.abnormalCount ?? 0;
  const unranged = r.unrangedCount ?? 0;
  const parts: string[] = [];
  if (urgent > 0) parts.push(`${plural(urgent, 'result')} ${urgent === 1 ? 'needs' : 'need'} urgent attention`);
  const outside = Math.min(r.outsideCount ?? flagged - urgent, flagged - urgent);
  if (outside > 0) parts.push(`${plural(outside, 'result')} outside the normal range`);
  if (flagged - urgent - outside > 0) parts.push(plural(flagged - urgent - outside, 'abnormal result'));
  if (parts.length > 0) {
    if (unranged > 0) parts.push(unranged === n ? 'no normal range given' : `${plural(unranged, 'result')} with no normal range given`);
    return sentence(parts.join('; '));
  }
  if (n === 0) return '';
  if (r.allInRange) return 'No results outside the normal range';
  if (unranged >= n) return 'No normal range given';
  if (unranged > 0) return `${plural(unranged, 'result')} with no normal range given`;
  // What the source says and its range disagree, or the source's own
  // words ("Borderline") stand in for a flag: send the reader to the result.
  return 'See the result: what the record says and its range do not agree';
}

function sentence(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The words for a result's range, or why there is none to compare with. */
export function resultRangeNote(x: Pick<Result, 'rangeCheck' | 'range'>): string {
  if (!x.range || x.rangeCheck === 'none') return 'No normal range given';
  if (x.rangeCheck === 'unclear') return 'This result cannot be compared with the range given';
  return '';
}

/** The home page banner's heading: "1 result needs urgent attention". */
export function urgentHeading(items: Urgent[]): string {
  const n = items.length;
  return `${plural(n, 'result')} ${n === 1 ? 'needs' : 'need'} urgent attention`;
}

/** One urgent result as the banner lists it: "Potassium, 20 November 2026". */
export function urgentLine(u: Urgent): string {
  const when = formatDate(u.taken);
  return when ? `${u.name}, ${when}` : u.name;
}

// ---------------------------------------------------------------------------
// The report page: its first line, its history links, its previous values.

/** A result as the report's first line names it: "Creatinine 113 µmol/L, High". */
export function resultLine(x: Pick<Result, 'name' | 'value' | 'unit' | 'absent' | 'flag' | 'flagLabel' | 'computed' | 'rangeCheck'>): string {
  const value = valueText(x.value, x.unit) || (x.absent ? `no value (${x.absent})` : 'no value');
  const flag = flagLabel(x.flag, x.flagLabel) || (x.computed || x.rangeCheck === 'out' ? 'outside the range given' : '');
  return `${x.name} ${value}${flag ? ', ' + flag : ''}`;
}

const DIRECTIONAL = new Set(['high', 'low', 'critical-high', 'critical-low']);
const MOST_NAMED = 3;

/** "Creatinine 113 µmol/L, High; Sodium 150 mmol/L, High and 2 more". */
function namedResults(xs: Result[]): string {
  const named = xs.slice(0, MOST_NAMED).map(resultLine).join('; ');
  return xs.length > MOST_NAMED ? `${named} and ${xs.length - MOST_NAMED} more` : named;
}

/**
 * The report page's first line: what needs attention, named, before
 * anything else ("1 of 4 results outside the normal range: Creatinine
 * 113 µmol/L, High"). It reassures ("All 4 results are inside the normal
 * range") only when the server found every result has a range and is inside
 * it (allInRange); results withdrawn (entered in error) are not among
 * `results` and count for nothing. "" for a report with no results.
 */
export function reportLead(r: Pick<Report, 'results' | 'allInRange' | 'unrangedCount' | 'void'>): string {
  const xs = r.results ?? [];
  const n = xs.length;
  if (r.void || n === 0) return '';
  const urgent = xs.filter((x) => x.urgent);
  const outside = xs.filter((x) => !x.urgent && (DIRECTIONAL.has(x.flag) || (!x.flag && (!!x.computed || x.rangeCheck === 'out'))));
  const abnormal = xs.filter((x) => !x.urgent && x.flag && !DIRECTIONAL.has(x.flag));
  const unranged = r.unrangedCount ?? xs.filter((x) => x.rangeCheck === 'none' || x.rangeCheck === 'unclear').length;
  // The first clause says "of 4 results"; the ones after it are read on from it.
  const clauses: string[] = [];
  const count = (k: number) => (clauses.length > 0 ? String(k) : n === 1 ? 'Your result' : `${k} of ${plural(n, 'result')}`);
  if (urgent.length > 0) {
    const verb = urgent.length === 1 ? 'needs' : 'need';
    clauses.push(`${count(urgent.length)} ${verb} urgent attention: ${namedResults(urgent)}`);
  }
  if (outside.length > 0) {
    clauses.push(`${count(outside.length)}${n === 1 && clauses.length === 0 ? ' is' : ''} outside the normal range: ${namedResults(outside)}`);
  }
  if (abnormal.length > 0) {
    clauses.push(`${count(abnormal.length)}${n === 1 && clauses.length === 0 ? ' is' : ''} marked abnormal: ${namedResults(abnormal)}`);
  }
  if (clauses.length > 0) {
    if (unranged > 0) clauses.push(`${unranged} with no normal range given`);
    return clauses.length === 1 ? clauses[0] : clauses.join('. ') + '.';
  }
  if (r.allInRange) return n === 1 ? 'Your result is inside the normal range' : `All ${n} results are inside the normal range`;
  if (unranged >= n) return n === 1 ? 'No normal range was given for your result' : `No normal range was given for these ${n} results`;
  if (unranged > 0) return `${unranged} of ${plural(n, 'result')} ${unranged === 1 ? 'has' : 'have'} no normal range given`;
  // The source's own words ("Borderline") or a disagreement with the range.
  return 'See each result below: what the record says and its range do not agree';
}

/**
 * The link from a result to its history. The subject is always "results"
 * (plural), so the verb agrees whatever the test is called ("White blood
 * cells", "HbA1c"); a name that already ends in "result(s)" is not doubled.
 */
export function historyLinkText(name: string, hasPrevious: boolean): string {
  const test = name.trim().replace(/\s+results?$/i, '') || 'test';
  return hasPrevious ? `See how your ${test} results have changed over time` : `See all your ${test} results`;
}
