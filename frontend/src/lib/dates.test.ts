import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatTime } from './dates';

describe('formatDate', () => {
  const cases: Array<[string | null | undefined, string]> = [
    ['2025-03-12', '12 March 2025'],
    ['1968-03-01', '1 March 1968'],
    ['2025-12-31', '31 December 2025'],
    ['2025-03', 'March 2025'],
    ['2025', '2025'],
    ['2026-10-01T09:12:00Z', '1 October 2026'],
    // 23:30 UTC on 31 March is 00:30 BST on 1 April in the UK.
    ['2025-03-31T23:30:00Z', '1 April 2025'],
    // Winter: UK time equals UTC.
    ['2025-01-31T23:30:00Z', '31 January 2025'],
    ['2025-03-12T09:30:00+01:00', '12 March 2025'],
    ['', ''],
    [null, ''],
    [undefined, ''],
    ['not a date', 'not a date'],
    ['2025-13-01', '2025-13-01'],
  ];
  it.each(cases)('formatDate(%j) = %j', (input, want) => {
    expect(formatDate(input)).toBe(want);
  });
});

describe('formatTime', () => {
  const cases: Array<[number, number, string]> = [
    [0, 0, 'midnight'],
    [12, 0, 'midday'],
    [9, 30, '9:30am'],
    [9, 0, '9am'],
    [15, 40, '3:40pm'],
    [0, 5, '12:05am'],
    [12, 15, '12:15pm'],
    [23, 59, '11:59pm'],
  ];
  it.each(cases)('formatTime(%i, %i) = %j', (h, m, want) => {
    expect(formatTime(h, m)).toBe(want);
  });
});

describe('formatDateTime', () => {
  const cases: Array<[string | null, string]> = [
    ['2026-10-01T15:40:00Z', '1 October 2026 at 4:40pm'], // BST
    ['2026-01-05T09:12:00Z', '5 January 2026 at 9:12am'], // GMT
    ['2026-01-05T12:00:00Z', '5 January 2026 at midday'],
    ['2025-03-12', '12 March 2025'],
    ['', ''],
    [null, ''],
    ['yesterday', 'yesterday'],
  ];
  it.each(cases)('formatDateTime(%j) = %j', (input, want) => {
    expect(formatDateTime(input)).toBe(want);
  });
});

describe('a date-time with no zone is shown as written', () => {
  it.each([
    ['2026-07-15T10:30:00', 'Europe/London', '15 July 2026 at 10:30am'],
    ['2026-07-15T10:30:00', 'America/New_York', '15 July 2026 at 10:30am'],
    ['2026-07-15T23:30', 'Asia/Tokyo', '15 July 2026 at 11:30pm'],
    ['2026-01-01T00:00:00.000', 'Australia/Sydney', '1 January 2026 at midnight'],
    ['2026-13-01T10:00:00', 'Europe/London', '2026-13-01T10:00:00'],
    // With a zone it is still UK time.
    ['2026-07-15T10:30:00Z', 'Europe/London', '15 July 2026 at 11:30am'],
  ])('%s in %s', (iso, zone, want) => expect(formatDateTime(iso, zone)).toBe(want));
});
