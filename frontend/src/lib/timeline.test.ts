import { describe, expect, it } from 'vitest';
import { appendPage, groupByMonth, monthKey, splitUpcoming, todayText } from './timeline';

describe('monthKey', () => {
  it('uses the month in UK time', () => {
    expect(monthKey('2026-11-24T09:48:00Z')).toBe('2026-11');
    // 31 March 2025 23:30 UTC is 1 April 00:30 in the UK (BST).
    expect(monthKey('2025-03-31T23:30:00Z')).toBe('2025-04');
    expect(monthKey('2025-03-12')).toBe('2025-03');
    expect(monthKey('2025-03')).toBe('2025-03');
    expect(monthKey('2025')).toBe('2025');
    expect(monthKey('')).toBe('');
    expect(monthKey('soon')).toBe('');
  });
});

describe('groupByMonth', () => {
  it('groups consecutive items under month headings, keeping order', () => {
    const items = [
      { date: '2027-01-25T10:15:00Z', t: 'a' },
      { date: '2026-11-24T10:04:00Z', t: 'b' },
      { date: '2026-11-02', t: 'c' },
      { date: '2025-11-24', t: 'd' },
      { date: '', t: 'e' },
    ];
    const groups = groupByMonth(items);
    expect(groups.map((g) => g.heading)).toEqual(['January 2027', 'November 2026', 'November 2025', 'Date not known']);
    expect(groups[1].items.map((i) => i.t)).toEqual(['b', 'c']);
  });
  it('returns nothing for no items', () => {
    expect(groupByMonth([])).toEqual([]);
  });
});

describe('appendPage', () => {
  it('adds the next page without repeating items', () => {
    const a = { date: '2026-01-01', kind: 'result', title: 'A', link: '#/results/1' };
    const b = { date: '2025-12-01', kind: 'visit', title: 'B', link: '#/visits' };
    expect(appendPage([a], [a, b])).toEqual([a, b]);
  });
});

describe('splitUpcoming', () => {
  it('puts only items flagged upcoming above today, keeping the order', () => {
    const items = [
      { date: '2027-02-01T10:00:00Z', t: 'eye screening', upcoming: true },
      { date: '2027-01-15T10:00:00Z', t: 'cancelled appointment' }, // future, not going ahead
      { date: '2026-12-15T10:00:00Z', t: 'blood test', upcoming: true },
      { date: '2026-12-01', t: 'letter' },
      { date: '2026-11-01', t: 'result', upcoming: false },
    ];
    const { upcoming, past } = splitUpcoming(items);
    expect(upcoming.map((i) => i.t)).toEqual(['eye screening', 'blood test']);
    expect(past.map((i) => i.t)).toEqual(['cancelled appointment', 'letter', 'result']);
  });
  it('has nothing upcoming when nothing is flagged', () => {
    expect(splitUpcoming([{ date: '2030-01-01', upcoming: undefined }]).upcoming).toEqual([]);
  });
});

describe('todayText', () => {
  it.each([
    ['2026-12-06T12:00:00Z', 'Sunday 6 December 2026'],
    // 23:30 UTC in summer is already the next day in the UK.
    ['2026-07-06T23:30:00Z', 'Tuesday 7 July 2026'],
  ])('%s → %s', (now, want) => {
    expect(todayText(new Date(now))).toBe(want);
  });
});
