// Virtualised list maths for long lists (test results): only the rows in or
// near the viewport are in the DOM; rows have one fixed height (set by CSS and
// measured at run time), and data comes in pages fetched on demand.

export interface Window {
  /** First row to render (0-based, inclusive). */
  start: number;
  /** One past the last row to render. */
  end: number;
}

/**
 * The rows to render for a list whose top is `listTop` px from the top of the
 * viewport (negative once scrolled past), in a viewport `viewportHeight` px high.
 * `overscan` extra rows above and below keep scrolling smooth.
 */
export function visibleRange(
  listTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): Window {
  if (total <= 0 || !(rowHeight > 0)) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, -listTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = clamp(first - overscan, 0, total);
  const end = clamp(first + visible + overscan, start, total);
  return { start, end };
}

/** Page numbers (of `pageSize` rows) needed to show rows start..end. */
export function pagesFor(win: Window, pageSize: number): number[] {
  if (win.end <= win.start || pageSize <= 0) return [];
  const first = Math.floor(win.start / pageSize);
  const last = Math.floor((win.end - 1) / pageSize);
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  return pages;
}

/** The scroll offset (from the list top) that brings row `index` fully into view, or null if it already is. */
export function scrollToShow(index: number, listTop: number, viewportHeight: number, rowHeight: number): number | null {
  const top = listTop + index * rowHeight;
  if (top >= 0 && top + rowHeight <= viewportHeight) return null;
  // Put the row just inside the edge it is nearest to.
  return top < 0 ? index * rowHeight : index * rowHeight - viewportHeight + rowHeight;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(n, lo), hi);
}
