// "Test results, by test" (GET /api/tests): each test once, with its latest
// result and how it compares with the one before. Pure functions.
import type { Test } from './api';
import { unitText, valueWithUnit } from './units';

/**
 * The change from the previous result: "down from 53", "up from 4.1",
 * "the same as before"; "before: 90 mg/dL" when the two cannot be compared
 * (the backend says so with change ""), so it never says "down" about
 * results in units of different kinds; "" for a first result.
 */
export function changeText(t: Pick<Test, 'unit' | 'previous' | 'change'>): string {
  const p = t.previous;
  if (!p) return '';
  // The previous unit is named only when it differs from the latest's.
  const prev = unitText(p.unit).toLowerCase() === unitText(t.unit).toLowerCase() ? valueWithUnit(p.value, '') : valueWithUnit(p.value, p.unit);
  if (!prev) return '';
  switch (t.change) {
    case 'up':
      return `up from ${prev}`;
    case 'down':
      return `down from ${prev}`;
    case 'same':
      return 'the same as before';
  }
  return `before: ${valueWithUnit(p.value, p.unit)}`;
}

/** The tests the list shows: all, or only those outside the normal range. */
export function shownTests(tests: Test[], outsideOnly: boolean): Test[] {
  return outsideOnly ? tests.filter((t) => t.outside || t.urgent) : tests;
}

/** The latest result as text: "113 µmol/L", or why there is none. */
export function latestText(t: Pick<Test, 'value' | 'unit' | 'absent'>): string {
  return valueWithUnit(t.value, t.unit) || (t.absent ? `No result: ${t.absent}` : 'No result');
}

/** Tests taken after since (an RFC 3339 time; "" for never): "new since you last looked". */
export function isNewSince(taken: string, since: string): boolean {
  if (!since || !taken) return false;
  const t = Date.parse(taken.length === 10 ? taken + 'T23:59:59Z' : taken);
  const s = Date.parse(since);
  return Number.isFinite(t) && Number.isFinite(s) && t > s;
}
