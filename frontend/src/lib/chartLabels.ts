// The words drawn inside a history chart: its title with the unit, the
// normal range's edges, and the latest result, each placed where it stays
// inside the plot. Pure functions; chart.ts builds the model with them.

import { displayNumber, unitText, valueWithShownUnit } from './units';

/** A text drawn in the chart. */
export interface ChartLabel {
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'middle' | 'end';
}

/** The chart's text size (px), and about how wide one character of it is. */
export const LABEL_PX = 14;
const CHAR_PX = 7.8;

/** About how wide a label is drawn, in px. */
export function labelWidth(text: string): number {
  return Math.ceil(text.length * CHAR_PX);
}

/** "HbA1c (mmol/mol)"; "Body weight (no unit given)": the unit is always said. */
export function chartTitle(name: string, unit: string): string {
  const u = unitText(unit);
  return `${name || 'Test'} (${u || (unit.trim() ? 'without a unit' : 'no unit given')})`;
}

interface Plot {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * The range's edges in words, at the left of the plot: "Normal up to
 * 41 mmol/mol" under the top edge and "Normal from 20 mmol/mol" over the
 * bottom one, inside the band (where flagged points are not), or outside it
 * when the band is too thin for both. Only an edge the range has is
 * labelled: a range "60 or more" has no top edge.
 */
export function rangeEdgeLabels(
  bounds: { low: number | null; high: number | null } | null,
  band: { top: number; bottom: number } | null,
  unit: string,
  plot: Plot,
): ChartLabel[] {
  if (!bounds || !band) return [];
  const u = unitText(unit);
  const words = (n: number) => valueWithShownUnit(displayNumber(String(n)), u);
  const x = plot.left + 6;
  const roomy = band.bottom - band.top >= 2 * (LABEL_PX + 8);
  const out: ChartLabel[] = [];
  if (bounds.high !== null) {
    const inside = band.top + LABEL_PX + 4;
    const y = roomy || band.top - 6 - LABEL_PX < plot.top ? inside : band.top - 6;
    out.push({ x, y, text: `Normal up to ${words(bounds.high)}`, anchor: 'start' });
  }
  if (bounds.low !== null) {
    const inside = band.bottom - 6;
    const y = roomy || band.bottom + LABEL_PX + 4 > plot.bottom ? inside : band.bottom + LABEL_PX + 4;
    out.push({ x, y, text: `Normal from ${words(bounds.low)}`, anchor: 'start' });
  }
  return out;
}

/**
 * Where the latest point's label goes: beside it, ending at it when there is
 * room to its left (else starting there), above or below it at the nearest
 * place the line, the other points and the `avoid` labels leave clear;
 * always inside the plot.
 */
export function latestLabel(
  at: { x: number; y: number },
  text: string,
  plot: Plot,
  width: number,
  points: Array<{ x: number; y: number }> = [],
  avoid: ChartLabel[] = [],
): ChartLabel {
  const w = labelWidth(text);
  const anchor: ChartLabel['anchor'] = at.x - w >= 4 ? 'end' : at.x + w <= width - 4 ? 'start' : 'middle';
  const x = anchor === 'middle' ? width / 2 : at.x;
  const left = anchor === 'end' ? x - w : anchor === 'start' ? x : x - w / 2;
  // Nearest first: just above, just below, then further away.
  const ys = [at.y - 12, at.y + 12 + LABEL_PX, at.y - 32, at.y + 32 + LABEL_PX, at.y - 52, at.y + 52 + LABEL_PX].filter(
    (y) => y - LABEL_PX >= plot.top - 4 && y <= plot.bottom - 2,
  );
  let best = ys[0] ?? Math.min(at.y + 12 + LABEL_PX, plot.bottom - 2);
  let fewest = Infinity;
  for (const y of ys) {
    const box = { left: left - 4, right: left + w + 4, top: y - LABEL_PX - 2, bottom: y + 4 };
    const n = crossings(box, points) + 100 * avoid.filter((l) => overlaps(box, boxOf(l))).length;
    if (n < fewest) [best, fewest] = [y, n];
    if (n === 0) break;
  }
  return { x, y: best, text, anchor };
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function boxOf(l: ChartLabel): Box {
  const w = labelWidth(l.text);
  const left = l.anchor === 'end' ? l.x - w : l.anchor === 'middle' ? l.x - w / 2 : l.x;
  return { left, right: left + w, top: l.y - LABEL_PX, bottom: l.y + 2 };
}

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** How much of the line through `points` (sampled along it) falls in a box. */
function crossings(box: Box, points: Array<{ x: number; y: number }>): number {
  const inside = (x: number, y: number) => x >= box.left && x <= box.right && y >= box.top && y <= box.bottom;
  let n = 0;
  for (let i = 0; i < points.length; i++) {
    if (inside(points[i].x, points[i].y)) n += 4; // a marker is bigger than a line
    if (i === 0) continue;
    const a = points[i - 1];
    const b = points[i];
    for (let k = 1; k < 8; k++) if (inside(a.x + ((b.x - a.x) * k) / 8, a.y + ((b.y - a.y) * k) / 8)) n++;
  }
  return n;
}
