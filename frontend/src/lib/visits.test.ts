import { describe, expect, it } from 'vitest';
import type { Visit } from './api';
import { canAddToCalendar, durationText, relatedKind, relativeDay, telLink, visitTime, whenText } from './visits';

// Noon on Sunday 6 December 2026 in the UK (GMT).
const NOW = new Date('2026-12-06T12:00:00Z');

function visit(over: Partial<Visit> = {}): Visit {
  return {
    id: 'a1',
    kind: 'appointment',
    title: 'Blood test',
    start: '2026-12-15T10:30:00Z',
    end: '',
    place: 'Blood Test Clinic',
    clinician: '',
    reason: '',
    status: 'booked',
    organisation: 'Demo Hospital',
    address: '1 Example Road, Exampleton',
    phone: '0300 000 0000',
    minutes: 30,
    ...over,
  };
}

describe('whenText', () => {
  it.each([
    ['2026-12-15T10:30:00Z', 'Tuesday 15 December 2026, 10:30am'],
    // Summer: 09:30 UTC is 10:30 in the UK.
    ['2026-07-14T09:30:00Z', 'Tuesday 14 July 2026, 10:30am'],
    ['2026-07-14T10:30:00+01:00', 'Tuesday 14 July 2026, 10:30am'],
    // 23:30 UTC on 14 July is 00:30 on the 15th in the UK: the UK day and weekday.
    ['2026-07-14T23:30:00Z', 'Wednesday 15 July 2026, 12:30am'],
    ['2026-12-15T12:00:00Z', 'Tuesday 15 December 2026, midday'],
    // No zone: the clock time as written, in summer too (never shifted).
    ['2026-07-14T10:30:00', 'Tuesday 14 July 2026, 10:30am'],
    ['2026-07-14T23:30:00.000', 'Tuesday 14 July 2026, 11:30pm'],
    // A date alone: no time made up.
    ['2026-12-15', 'Tuesday 15 December 2026'],
    // A month alone has no weekday.
    ['2026-12', 'December 2026'],
    ['', ''],
  ])('%s → %s', (iso, want) => {
    expect(whenText(iso)).toBe(want);
  });

  it('does not depend on the browser time zone for zoneless times', () => {
    // The same text whatever zone the page is asked to use for instants.
    expect(whenText('2026-07-14T10:30:00', 'America/New_York')).toBe('Tuesday 14 July 2026, 10:30am');
    expect(whenText('2026-07-14T10:30:00Z', 'America/New_York')).toBe('Tuesday 14 July 2026, 6:30am');
  });
});

describe('visitTime', () => {
  it.each([
    ['2026-02-30', null],
    ['2026-12-15T25:00:00', null],
    ['soon', null],
    ['2026', null],
    ['2026-12-15', { year: 2026, month: 12, day: 15, zoned: false }],
    ['2026-12-15T10:30:00', { year: 2026, month: 12, day: 15, hour: 10, minute: 30, clock: '10:30am', zoned: false }],
    ['2026-12-15T10:30:00Z', { year: 2026, month: 12, day: 15, clock: '10:30am', zoned: true }],
    ['2026-07-14T23:30:00Z', { year: 2026, month: 7, day: 15, clock: '12:30am', zoned: true }],
  ])('%s', (iso, want) => {
    expect(visitTime(iso)).toEqual(want);
  });
});

describe('relativeDay', () => {
  it.each([
    ['2026-12-06T18:00:00Z', 'today'],
    ['2026-12-06', 'today'],
    ['2026-12-07T00:10:00Z', 'tomorrow'],
    ['2026-12-05T23:59:00Z', 'yesterday'],
    ['2026-12-15T10:30:00Z', 'in 9 days'],
    ['2026-12-08', 'in 2 days'],
    ['2026-12-19', 'in 13 days'],
    ['2026-12-20', 'in 2 weeks'],
    ['2026-11-15T09:00:00Z', '3 weeks ago'],
    ['2027-02-05', 'in 2 months'],
    ['2026-06-10T09:30:00Z', '5 months ago'],
    ['2025-12-06', '1 year ago'],
    ['2024-06-06', '2 years ago'],
    ['2026-12', ''],
    ['', ''],
  ])('%s → %s', (iso, want) => {
    expect(relativeDay(iso, NOW)).toBe(want);
  });

  it('counts UK calendar days, not hours', () => {
    // 23:30 UTC on 6 July is already 7 July in the UK (BST).
    const lateEvening = new Date('2026-07-06T23:30:00Z');
    expect(relativeDay('2026-07-07', lateEvening)).toBe('today');
    expect(relativeDay('2026-07-08T08:00:00Z', lateEvening)).toBe('tomorrow');
  });
});

describe('durationText', () => {
  it.each([
    [30, '30 minutes'],
    [1, '1 minute'],
    [60, '1 hour'],
    [75, '1 hour 15 minutes'],
    [120, '2 hours'],
    [0, ''],
    [-5, ''],
    [undefined, ''],
    [Number.NaN, ''],
  ])('%s → %s', (m, want) => {
    expect(durationText(m)).toBe(want);
  });
});

describe('canAddToCalendar', () => {
  it.each([
    ['booked and upcoming', visit(), true, true],
    ['a date alone', visit({ start: '2026-12-15' }), true, true],
    ['past', visit(), false, false],
    ['cancelled, even if listed as upcoming', visit({ status: 'cancelled' }), true, false],
    ['did not attend', visit({ status: 'noshow' }), true, false],
    ['entered in error', visit({ status: 'entered-in-error' }), true, false],
    ['no start', visit({ start: '' }), true, false],
    ['a month alone', visit({ start: '2026-12' }), true, false],
  ])('%s', (_name, v, upcoming, want) => {
    expect(canAddToCalendar(v, upcoming)).toBe(want);
  });
});

describe('telLink', () => {
  it.each([
    ['0300 000 0000', 'tel:03000000000'],
    ['+44 (0)300 000-0000', 'tel:+4403000000000'],
    ['ext', null],
    ['', null],
    [undefined, null],
  ])('%s', (phone, want) => {
    expect(telLink(phone)).toBe(want);
  });
});

describe('relatedKind', () => {
  it('names letters and results', () => {
    expect(relatedKind('document')).toBe('Letter');
    expect(relatedKind('result')).toBe('Test result');
  });
});
