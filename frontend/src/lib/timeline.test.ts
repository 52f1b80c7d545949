import { describe, expect, it } from 'vitest';
import { appendPage, groupByMonth, monthKey } from './timeline';

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
