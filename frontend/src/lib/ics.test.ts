import { describe, expect, it } from 'vitest';
import type { Visit } from './api';
import { appointmentCalendar, calendarFileName, escapeText, foldLine } from './ics';

const MADE = new Date('2026-12-06T12:34:56Z');

const base: Visit = {
  id: 'appointment-000123',
  kind: 'appointment',
  title: 'Outpatient appointment',
  start: '2026-12-15T10:30:00Z',
  end: '2026-12-15T11:00:00Z',
  place: 'Diabetes Centre',
  clinician: 'Dr Priya Shah',
  reason: 'Diabetes review',
  status: 'booked',
  organisation: 'Demo Hospital NHS Foundation Trust',
  address: 'Outpatients, Level 2, 1 Example Road, Exampleton, ZZ99 3AA',
  phone: '0300 000 0001',
  minutes: 30,
  related: [],
};

/** Unfolds the text and returns its properties in order, as name (with parameters) and value. */
function parse(ics: string): Array<[string, string]> {
  expect(ics.endsWith('\r\n')).toBe(true);
  expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // every line ends in CRLF
  return ics
    .slice(0, -2)
    .replace(/\r\n /g, '')
    .split('\r\n')
    .map((line) => {
      const i = line.indexOf(':');
      return [line.slice(0, i), line.slice(i + 1)];
    });
}

function prop(ics: string, name: string): string | undefined {
  return parse(ics).find(([n]) => n === name)?.[1];
}

describe('appointmentCalendar', () => {
  it('writes a valid event in UTC with Z, with a UID, DTSTAMP, SUMMARY and LOCATION', () => {
    const ics = appointmentCalendar(base, MADE)!;
    const props = parse(ics);
    expect(props[0]).toEqual(['BEGIN', 'VCALENDAR']);
    expect(props.at(-1)).toEqual(['END', 'VCALENDAR']);
    expect(props.map(([n]) => n)).toEqual([
      'BEGIN', 'VERSION', 'PRODID', 'CALSCALE', 'METHOD', 'BEGIN', 'UID', 'DTSTAMP', 'DTSTART', 'DTEND',
      'SUMMARY', 'LOCATION', 'DESCRIPTION', 'STATUS', 'END', 'END',
    ]);
    expect(prop(ics, 'VERSION')).toBe('2.0');
    expect(prop(ics, 'UID')).toBe('appointment-appointment-000123@ward');
    expect(prop(ics, 'DTSTAMP')).toBe('20261206T123456Z');
    expect(prop(ics, 'DTSTART')).toBe('20261215T103000Z');
    expect(prop(ics, 'DTEND')).toBe('20261215T110000Z');
    expect(prop(ics, 'SUMMARY')).toBe('Outpatient appointment');
    expect(prop(ics, 'LOCATION')).toBe('Diabetes Centre\\, Outpatients\\, Level 2\\, 1 Example Road\\, Exampleton\\, ZZ99 3AA');
    expect(prop(ics, 'DESCRIPTION')).toBe(
      'Reason: Diabetes review\\nWith: Dr Priya Shah\\nPhone: 0300 000 0001\\nTo change or cancel this appointment\\, contact the place you are going to.',
    );
    expect(prop(ics, 'STATUS')).toBe('CONFIRMED');
  });

  it('puts a time with an offset in UTC', () => {
    const ics = appointmentCalendar({ ...base, start: '2026-07-14T10:30:00+01:00', minutes: 45 }, MADE)!;
    expect(prop(ics, 'DTSTART')).toBe('20260714T093000Z');
    expect(prop(ics, 'DTEND')).toBe('20260714T101500Z');
  });

  it('keeps a time with no zone as a floating time, never shifted', () => {
    const ics = appointmentCalendar({ ...base, start: '2026-07-14T10:30:00', minutes: 45 }, MADE)!;
    expect(prop(ics, 'DTSTART')).toBe('20260714T103000');
    expect(prop(ics, 'DTEND')).toBe('20260714T111500');
  });

  it('makes a date alone an all-day event with VALUE=DATE, ending the next day', () => {
    const ics = appointmentCalendar({ ...base, start: '2026-12-31', end: '', minutes: 20 }, MADE)!;
    expect(prop(ics, 'DTSTART;VALUE=DATE')).toBe('20261231');
    expect(prop(ics, 'DTEND;VALUE=DATE')).toBe('20270101');
    expect(prop(ics, 'DTSTART')).toBeUndefined();
    // No time of day is made up: none anywhere but in DTSTAMP (when the file was made).
    expect(parse(ics).filter(([n, v]) => n !== 'DTSTAMP' && /\d{8}T\d{6}/.test(v))).toEqual([]);
  });

  it('leaves DTEND out when the length is not known', () => {
    const ics = appointmentCalendar({ ...base, minutes: 0 }, MADE)!;
    expect(prop(ics, 'DTEND')).toBeUndefined();
  });

  it('gives nothing for an appointment with no day', () => {
    expect(appointmentCalendar({ ...base, start: '' }, MADE)).toBeNull();
    expect(appointmentCalendar({ ...base, start: '2026-12' }, MADE)).toBeNull();
  });

  it('marks one not confirmed yet as tentative', () => {
    expect(prop(appointmentCalendar({ ...base, status: 'pending' }, MADE)!, 'STATUS')).toBe('TENTATIVE');
  });

  it('escapes what the record says and folds long lines', () => {
    const ics = appointmentCalendar(
      { ...base, title: 'Review; bring your meter, and\nyour diary', place: 'Ward 7 — Oak Wing', address: 'Gloucester Road, Bristol', reason: 'x'.repeat(200) },
      MADE,
    )!;
    expect(prop(ics, 'SUMMARY')).toBe('Review\\; bring your meter\\, and\\nyour diary');
    for (const line of ics.split('\r\n')) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    expect(prop(ics, 'DESCRIPTION')).toContain('Reason: ' + 'x'.repeat(200));
  });
});

describe('escapeText', () => {
  it.each([
    ['a,b;c', 'a\\,b\\;c'],
    ['back\\slash', 'back\\\\slash'],
    ['two\r\nlines\rand\nmore', 'two\\nlines\\nand\\nmore'],
    ['bell\u0007 and tab\t', 'bell and tab\t'],
  ])('%j', (s, want) => {
    expect(escapeText(s)).toBe(want);
  });
});

describe('foldLine', () => {
  it('leaves a line of 75 octets alone and folds the 76th onto a line starting with a space', () => {
    expect(foldLine('a'.repeat(75))).toBe('a'.repeat(75));
    expect(foldLine('a'.repeat(76))).toBe('a'.repeat(75) + '\r\n a');
  });
  it('never splits a UTF-8 character and counts octets, not characters', () => {
    const line = 'SUMMARY:' + 'é'.repeat(60); // 8 + 120 octets
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    for (const p of parts) expect(new TextEncoder().encode(p).length).toBeLessThanOrEqual(75);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(parts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(line);
    // An emoji (4 octets, two UTF-16 units) stays whole.
    const emoji = foldLine('x'.repeat(73) + '📅');
    expect(emoji).toBe('x'.repeat(73) + '\r\n 📅');
  });
});

describe('calendarFileName', () => {
  it.each([
    [base, 'outpatient-appointment-2026-12-15.ics'],
    [{ ...base, title: 'Eye screening / retina (left)', start: '2027-01-30' }, 'eye-screening-retina-left-2027-01-30.ics'],
    [{ ...base, title: '', start: '' }, 'appointment.ics'],
    [{ ...base, title: '★★★' }, 'appointment-2026-12-15.ics'],
  ])('%#', (v, want) => {
    expect(calendarFileName(v)).toBe(want);
  });
});
