// When, how long and what next for an appointment or visit, in words:
// "Tuesday 15 December 2026, 10:30am", "in 9 days", "30 minutes".
//
// Times are read as lib/dates.ts reads them (a date as written; a time with
// an offset in UK time), with one more rule: a time sent with no zone
// ("2026-12-15T10:30:00", which FHIR forbids but some systems send) is the
// place's own clock time and is shown as written, never shifted by the
// browser's zone. Relative dates count calendar days in UK time against a
// `now` the caller passes (the page passes the clock; tests pass a date).

import type { Visit } from './api';
import { UK_TIME_ZONE, formatDate, formatDateTime, formatTime } from './dates';
import { plural } from './text';

/** A calendar day, with the time of day when the value has one. */
export interface VisitTime {
  year: number;
  month: number; // 1-12
  day: number;
  /** The time of day as shown ("10:30am"), when there is one. */
  clock?: string;
  /** Hour and minute, for a zoneless time only (a zoned one is placed by its instant). */
  hour?: number;
  minute?: number;
  /** Whether it was an instant (with Z or an offset): only then can it be put in UTC. */
  zoned: boolean;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ZONELESS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
const SHOWN_DAY = /^(\d{1,2}) ([A-Z][a-z]+) (\d{4})$/;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function realDay(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** The day and time of a FHIR date or dateTime as the patient reads it; null for none, a month or year alone, or nonsense. */
export function visitTime(iso: string | null | undefined, timeZone = UK_TIME_ZONE): VisitTime | null {
  const s = (iso ?? '').trim();
  let m = DATE.exec(s);
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return realDay(year, month, day) ? { year, month, day, zoned: false } : null;
  }
  m = ZONELESS.exec(s);
  if (m) {
    const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
    if (!realDay(year, month, day) || hour > 23 || minute > 59) return null;
    return { year, month, day, hour, minute, clock: formatTime(hour, minute), zoned: false };
  }
  if (!ZONED.test(s) || Number.isNaN(new Date(s).getTime())) return null;
  // An instant: its day and time exactly as lib/dates.ts shows them (in UK
  // time), read back from its words so the two can never disagree.
  const shown = SHOWN_DAY.exec(formatDate(s, timeZone));
  if (!shown) return null;
  const clock = formatDateTime(s, timeZone).split(' at ')[1];
  return { year: Number(shown[3]), month: MONTHS.indexOf(shown[2]) + 1, day: Number(shown[1]), clock, zoned: true };
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function dayNumber(t: VisitTime): number {
  return Date.UTC(t.year, t.month - 1, t.day) / 86_400_000;
}

/** "2026-12-15": the day alone. */
export function isoDay(t: VisitTime): string {
  return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

/**
 * "Tuesday 15 December 2026, 10:30am"; "Tuesday 15 December 2026" for a
 * date alone (no time is made up); the date as lib/dates.ts gives it for a
 * month or year alone; "" for none.
 */
export function whenText(iso: string | null | undefined, timeZone = UK_TIME_ZONE): string {
  const t = visitTime(iso, timeZone);
  if (!t) return formatDate(iso, timeZone);
  const date = `${WEEKDAYS[new Date(dayNumber(t) * 86_400_000).getUTCDay()]} ${formatDate(isoDay(t))}`;
  return t.clock ? `${date}, ${t.clock}` : date;
}

/**
 * How far the day is from today, in UK calendar days: "today", "tomorrow",
 * "yesterday", "in 9 days", "3 weeks ago", "in 2 months", "1 year ago"; ""
 * when the value has no day.
 */
export function relativeDay(iso: string | null | undefined, now: Date, timeZone = UK_TIME_ZONE): string {
  const t = visitTime(iso, timeZone);
  const today = visitTime(now.toISOString(), timeZone);
  if (!t || !today) return '';
  const days = dayNumber(t) - dayNumber(today);
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days === -1) return 'yesterday';
  const n = Math.abs(days);
  let span: string;
  if (n < 14) span = plural(n, 'day');
  else if (n < 61) span = plural(Math.floor(n / 7), 'week');
  else {
    const months = days > 0 ? wholeMonths(today, t) : wholeMonths(t, today);
    span = months < 12 ? plural(Math.max(2, months), 'month') : plural(Math.floor(months / 12), 'year');
  }
  return days > 0 ? `in ${span}` : `${span} ago`;
}

/** Whole calendar months from a to a later b (6 June to 5 December is 5). */
function wholeMonths(a: VisitTime, b: VisitTime): number {
  return (b.year - a.year) * 12 + (b.month - a.month) - (b.day < a.day ? 1 : 0);
}

/** "30 minutes", "1 hour", "1 hour 15 minutes"; "" when not known. */
export function durationText(minutes: number | null | undefined): string {
  const m = Math.round(minutes ?? 0);
  if (!(m > 0)) return '';
  if (m < 60) return plural(m, 'minute');
  const rest = m % 60;
  const hours = plural(Math.floor(m / 60), 'hour');
  return rest ? `${hours} ${plural(rest, 'minute')}` : hours;
}

/** Statuses that say a visit did not or will not happen: never upcoming, never offered for a calendar. */
const NOT_HAPPENING = new Set(['cancelled', 'noshow', 'entered-in-error']);

/**
 * Whether to offer "Add to calendar": only for an upcoming appointment that
 * is going ahead and has a day (the backend never lists a cancelled one as
 * upcoming; this checks again, since a calendar entry outlives the page).
 */
export function canAddToCalendar(v: Visit, upcoming: boolean): boolean {
  return upcoming && !NOT_HAPPENING.has(v.status) && visitTime(v.start) !== null;
}

/** A phone number as a tel: link ("tel:+443000000000"), or null when it has too few digits to dial. */
export function telLink(phone: string | null | undefined): string | null {
  const digits = (phone ?? '').replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
  return digits.replace('+', '').length >= 3 ? 'tel:' + digits : null;
}

/** What a related item is, for its link: "Letter", "Test result". */
export function relatedKind(kind: string): string {
  return kind === 'document' ? 'Letter' : 'Test result';
}
