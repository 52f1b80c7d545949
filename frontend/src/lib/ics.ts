// An appointment as an iCalendar file (RFC 5545) for "Add to calendar".
//
// - A time with an offset is written in UTC with Z, so every calendar shows
//   it at the right moment wherever it is.
// - A time with no zone (which some systems send) is written as a "floating"
//   time, without Z: the same clock time in any calendar, never shifted.
// - A date alone is written with VALUE=DATE, an all-day event: no time is
//   made up.
// Text is escaped (backslash, comma, semicolon, line breaks), lines are
// folded at 75 octets (never inside a UTF-8 character) and end in CRLF.

import type { Visit } from './api';
import { visitTime, type VisitTime } from './visits';

const CRLF = '\r\n';

/** TEXT escaped as RFC 5545 says (3.3.11); other control characters are dropped. */
export function escapeText(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
}

const encoder = new TextEncoder();

/** One content line folded into lines of at most 75 octets, each after the first starting with a space (3.1). */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = encoder.encode(ch).length;
    if (octets + size > 75) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** "20261215T103000Z" for an instant. */
function utcStamp(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/** Adds minutes (or days) to a zoneless time by the calendar, not by any zone. */
function shifted(t: VisitTime, minutes: number): VisitTime {
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour ?? 0, (t.minute ?? 0) + minutes));
  const out: VisitTime = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), zoned: false };
  return t.hour === undefined ? out : { ...out, hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

function localStamp(t: VisitTime): string {
  const date = `${pad(t.year, 4)}${pad(t.month)}${pad(t.day)}`;
  return t.hour === undefined ? date : `${date}T${pad(t.hour)}${pad(t.minute ?? 0)}00`;
}

/** DTSTART and DTEND for a visit, or null when it has no day. */
function times(v: Visit): { start: string; end?: string } | null {
  const t = visitTime(v.start);
  if (!t) return null;
  const minutes = Math.max(0, Math.round(v.minutes ?? 0));
  if (!t.clock) {
    // An all-day event ends on the next day (DTEND is not part of it).
    return { start: `DTSTART;VALUE=DATE:${localStamp(t)}`, end: `DTEND;VALUE=DATE:${localStamp(shifted(t, 24 * 60))}` };
  }
  if (t.zoned) {
    const start = new Date(v.start);
    return {
      start: `DTSTART:${utcStamp(start)}`,
      end: minutes ? `DTEND:${utcStamp(new Date(start.getTime() + minutes * 60_000))}` : undefined,
    };
  }
  return { start: `DTSTART:${localStamp(t)}`, end: minutes ? `DTEND:${localStamp(shifted(t, minutes))}` : undefined };
}

/** What the event says about itself: why, with whom, how to reach the place. */
function description(v: Visit): string {
  const lines = [
    v.reason && `Reason: ${v.reason}`,
    v.clinician && `With: ${v.clinician}`,
    v.phone && `Phone: ${v.phone}`,
    'To change or cancel this appointment, contact the place you are going to.',
  ];
  return lines.filter(Boolean).join('\n');
}

/** "A visit's id" made safe for the UID, which must not change when the file is made again. */
function uidOf(v: Visit): string {
  return `appointment-${(v.id || v.start).replace(/[^A-Za-z0-9.-]+/g, '-')}@ward`;
}

/**
 * The .ics text for an upcoming appointment, or null when it has no day to
 * put in a calendar. `now` is the DTSTAMP (when the file was made).
 */
export function appointmentCalendar(v: Visit, now: Date): string | null {
  const t = times(v);
  if (!t) return null;
  const location = [v.place || v.organisation, v.address].filter(Boolean).join(', ');
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Ward//Ward health record//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${uidOf(v)}`,
    `DTSTAMP:${utcStamp(now)}`,
    t.start,
    t.end,
    `SUMMARY:${escapeText(v.title || 'Appointment')}`,
    location && `LOCATION:${escapeText(location)}`,
    `DESCRIPTION:${escapeText(description(v))}`,
    `STATUS:${['proposed', 'pending', 'waitlist'].includes(v.status) ? 'TENTATIVE' : 'CONFIRMED'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines
    .filter((l): l is string => !!l)
    .map(foldLine)
    .join(CRLF) + CRLF;
}

/** "blood-test-2026-12-15.ics": what the appointment is and its day, in characters safe in any file system. */
export function calendarFileName(v: Visit): string {
  const t = visitTime(v.start);
  const what = (v.title || 'appointment')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const day = t ? `-${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}` : '';
  return `${what || 'appointment'}${day}.ics`;
}
