import { describe, expect, it } from 'vitest';
import { pagesFor, scrollToShow, visibleRange } from './virtual';

describe('visibleRange', () => {
  it('renders the rows in view plus overscan', () => {
    expect(visibleRange(100, 900, 100, 5000, 5)).toEqual({ start: 0, end: 15 });
    // Scrolled 10,000px down the list: rows 100.. are at the top.
    expect(visibleRange(-10_000, 900, 100, 5000, 5)).toEqual({ start: 95, end: 115 });
  });
  it('stays within the list', () => {
    expect(visibleRange(-499_950, 900, 100, 5000, 5)).toEqual({ start: 4994, end: 5000 });
    expect(visibleRange(-10_000_000, 900, 100, 5000, 5)).toEqual({ start: 5000, end: 5000 });
    expect(visibleRange(0, 900, 100, 3, 5)).toEqual({ start: 0, end: 3 });
  });
  it('keeps the DOM bounded whatever the total', () => {
    for (const total of [10, 5000, 1_000_000]) {
      const w = visibleRange(-123_456, 900, 90, total);
      expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(900 / 90) + 1 + 16);
    }
  });
  it('renders nothing for an empty list or an unmeasured row', () => {
    expect(visibleRange(0, 900, 100, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(0, 900, 0, 10)).toEqual({ start: 0, end: 0 });
  });
});

describe('pagesFor', () => {
  it('names the pages that hold the rows', () => {
    expect(pagesFor({ start: 0, end: 20 }, 200)).toEqual([0]);
    expect(pagesFor({ start: 190, end: 210 }, 200)).toEqual([0, 1]);
    expect(pagesFor({ start: 200, end: 400 }, 200)).toEqual([1]);
    expect(pagesFor({ start: 5, end: 5 }, 200)).toEqual([]);
  });
});

describe('scrollToShow', () => {
  it('is null when the row is in view', () => {
    expect(scrollToShow(2, 0, 900, 100)).toBeNull();
  });
  it('scrolls down to a row below the viewport', () => {
    // Row 10 is at 1000..1100; the viewport is 900 high.
    expect(scrollToShow(10, 0, 900, 100)).toBe(200);
  });
  it('scrolls up to a row above the viewport', () => {
    expect(scrollToShow(3, -1000, 900, 100)).toBe(300);
  });
});
