// Groups timeline items (newest first) under month headings: "November 2026".

import { formatDate } from './dates';
import { isoDay, visitTime, whenText } from './visits';

export interface Dated {
  date: string;
}

export interface Group<T> {
  key: string; // "2026-11", or "" for items without a date
  heading: string; // "November 2026", or "Date not known"
  items: T[];
}

/** The month key of an ISO date in UK time ("2026-11"), or "" when not known. */
export function monthKey(iso: string): string {
  const text = formatDate(iso); // UK time, like the dates shown
  const m = /(?:^|\s)(January|February|March|April|May|June|July|August|September|October|November|December) (\d{4})$/.exec(text);
  if (!m) return /^\d{4}$/.test(text) ? text : '';
  const month = MONTHS.indexOf(m[1]) + 1;
  return `${m[2]}-${String(month).padStart(2, '0')}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function headingFor(key: string): string {
  if (!key) return 'Date not known';
  const [y, m] = key.split('-');
  return m ? `${MONTHS[Number(m) - 1]} ${y}` : y;
}

/** Groups items in their order into consecutive month groups. */
export function groupByMonth<T extends Dated>(items: T[]): Group<T>[] {
  const groups: Group<T>[] = [];
  for (const item of items) {
    const key = monthKey(item.date);
    const last = groups[groups.length - 1];
    if (last && last.key === key) last.items.push(item);
    else groups.push({ key, heading: headingFor(key), items: [item] });
  }
  return groups;
}

/** Adds a page of items to what is shown, leaving out any already there (same date, kind, title and link). */
export function appendPage<T extends Dated & { kind?: string; title?: string; link?: string }>(shown: T[], page: T[]): T[] {
  const seen = new Set(shown.map(itemKey));
  return [...shown, ...page.filter((i) => !seen.has(itemKey(i)))];
}

function itemKey(i: Dated & { kind?: string; title?: string; link?: string }): string {
  return [i.date, i.kind, i.title, i.link].join('\u0000');
}

/**
 * Splits items (newest first) into the appointments still to come, shown
 * above "Today", and everything else below it, each in its order. Only the
 * backend's upcoming flag puts an item above: a cancelled appointment, or
 * anything else dated in the future, is never shown as to come.
 */
export function splitUpcoming<T extends { upcoming?: boolean }>(items: T[]): { upcoming: T[]; past: T[] } {
  return { upcoming: items.filter((i) => i.upcoming === true), past: items.filter((i) => i.upcoming !== true) };
}

/** Today's date in UK time for the "Today" marker: "Sunday 6 December 2026". */
export function todayText(now: Date): string {
  const t = visitTime(now.toISOString());
  return t ? whenText(isoDay(t)) : '';
}
