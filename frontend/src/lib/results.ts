// What a report or result says about itself, in words: the tag in the
// list, the line about ranges, the status. The Go read model decides the
// facts (urgent, void, allInRange, rangeCheck); these only choose the words,
// so that no page can claim more than the facts allow.

import type { Report, Result, Urgent } from './api';
import { plural } from './text';
import { formatDate } from './dates';

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
