// Shapes a test's history (GET /api/history) for the chart on the test
// history page: numeric points over time, the normal range as a band, ticks,
// and a one-sentence summary for the chart's aria-label. Pure functions.

import type { History, HistoryPoint } from './api';
import { formatDate } from './dates';
import { flagLabel } from './flags';
import { plural, valueText } from './text';

export type Shape = 'circle' | 'triangle-up' | 'triangle-down' | 'diamond';

export interface ChartPoint {
  x: number; // px
  y: number; // px
  shape: Shape;
  flagged: boolean;
  label: string; // "12 March 2025: 48 mmol/mol, High"
}

export interface Tick {
  pos: number; // px
  label: string;
}

export interface ChartModel {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  points: ChartPoint[];
  /** The line through the points, as an SVG path. */
  path: string;
  /** The normal range, in px (top < bottom), or null when there is no numeric range. */
  band: { top: number; bottom: number } | null;
  xTicks: Tick[];
  yTicks: Tick[];
  /** Results that are not numbers (left out of the chart; the table shows them). */
  notNumeric: number;
}

/** A number from a range bound or value string ("5.0", "<5", " 41 "); null if none. */
export function toNumber(s: string | number | null | undefined): number | null {
  if (typeof s === 'number') return Number.isFinite(s) ? s : null;
  if (!s) return null;
  const m = /^\s*[<>≤≥]?=?\s*(-?\d+(?:\.\d+)?)\s*$/.exec(s);
  return m ? Number(m[1]) : null;
}

/** The numeric range bounds, or null when neither bound is a number. */
export function rangeBounds(range: History['range']): { low: number | null; high: number | null } | null {
  if (!range) return null;
  const low = toNumber(range.low);
  const high = toNumber(range.high);
  if (low === null && high === null) return null;
  return { low, high };
}

export function shapeFor(flag: string): Shape {
  if (!flag) return 'circle';
  if (flag.endsWith('high')) return 'triangle-up';
  if (flag.endsWith('low')) return 'triangle-down';
  return 'diamond';
}

/** The numeric points with their time, oldest first. */
export function numericPoints(points: HistoryPoint[] | null | undefined): Array<HistoryPoint & { t: number; n: number }> {
  const out: Array<HistoryPoint & { t: number; n: number }> = [];
  for (const p of points ?? []) {
    const n = typeof p.number === 'number' && Number.isFinite(p.number) ? p.number : null;
    const t = Date.parse(p.taken);
    if (n === null || Number.isNaN(t)) continue;
    out.push({ ...p, t, n });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** "Nice" tick values covering lo..hi, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toFixed(10)));
  }
  return ticks;
}

function tickLabel(v: number): string {
  return v.toLocaleString('en-GB', { maximumFractionDigits: 2 });
}

/** The text for one point: "12 March 2025: 48 mmol/mol, High". */
export function pointLabel(p: HistoryPoint, unit: string): string {
  const flag = flagLabel(p.flag, p.flagLabel);
  return `${formatDate(p.taken)}: ${valueText(p.value, p.unit || unit)}${flag ? ', ' + flag : ''}`;
}

const DAY = 86_400_000;

/** Builds the chart for a history, `width` x `height` px. */
export function buildChart(h: History, width = 640, height = 300): ChartModel {
  const plot = { left: 48, top: 12, right: width - 16, bottom: height - 32 };
  const pts = numericPoints(h.points);
  const notNumeric = (h.points ?? []).length - pts.length;
  const bounds = rangeBounds(h.range);

  const values = pts.map((p) => p.n);
  if (bounds?.low != null) values.push(bounds.low);
  if (bounds?.high != null) values.push(bounds.high);
  let yMin = values.length ? Math.min(...values) : 0;
  let yMax = values.length ? Math.max(...values) : 1;
  const pad = (yMax - yMin) * 0.1 || Math.abs(yMax) * 0.1 || 1;
  yMin -= pad;
  yMax += pad;
  if (yMin < 0 && values.every((v) => v >= 0)) yMin = 0;
  const yTickValues = niceTicks(yMin, yMax, 5);
  yMin = Math.min(yMin, yTickValues[0]);
  yMax = Math.max(yMax, yTickValues[yTickValues.length - 1]);

  let tMin = pts.length ? pts[0].t : 0;
  let tMax = pts.length ? pts[pts.length - 1].t : 1;
  if (tMax - tMin < DAY) {
    tMin -= 30 * DAY;
    tMax += 30 * DAY;
  }
  const x = (t: number) => plot.left + ((t - tMin) / (tMax - tMin)) * (plot.right - plot.left);
  const y = (v: number) => plot.bottom - ((v - yMin) / (yMax - yMin)) * (plot.bottom - plot.top);

  const points = pts.map((p) => ({
    x: round(x(p.t)),
    y: round(y(p.n)),
    shape: shapeFor(p.flag),
    flagged: !!p.flag,
    label: pointLabel(p, h.unit),
  }));
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');

  let band: ChartModel['band'] = null;
  if (bounds) {
    const lo = bounds.low ?? yMin;
    const hi = bounds.high ?? yMax;
    band = { top: round(y(Math.min(hi, yMax))), bottom: round(y(Math.max(lo, yMin))) };
  }

  return {
    width,
    height,
    plot,
    points,
    path,
    band,
    xTicks: timeTicks(tMin, tMax).map((t) => ({ pos: round(x(t.t)), label: t.label })),
    yTicks: yTickValues.filter((v) => v >= yMin && v <= yMax).map((v) => ({ pos: round(y(v)), label: tickLabel(v) })),
    notNumeric,
  };
}

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Year ticks (or month ticks for a short span) between two times. */
export function timeTicks(tMin: number, tMax: number): Array<{ t: number; label: string }> {
  const a = new Date(tMin);
  const b = new Date(tMax);
  const years = b.getUTCFullYear() - a.getUTCFullYear();
  const out: Array<{ t: number; label: string }> = [];
  if (years >= 2) {
    const step = Math.ceil(years / 8);
    for (let yr = a.getUTCFullYear() + 1; yr <= b.getUTCFullYear(); yr += step) {
      out.push({ t: Date.UTC(yr, 0, 1), label: String(yr) });
    }
    return out;
  }
  const months = years * 12 + b.getUTCMonth() - a.getUTCMonth();
  const step = Math.max(1, Math.ceil(months / 6));
  for (let m = 1; m <= months; m += step) {
    const d = Date.UTC(a.getUTCFullYear(), a.getUTCMonth() + m, 1);
    const dd = new Date(d);
    out.push({ t: d, label: `${SHORT_MONTHS[dd.getUTCMonth()]} ${dd.getUTCFullYear()}` });
  }
  return out;
}

/**
 * The chart's aria-label: "HbA1c: 20 results from 3 March 2021 to 1 October 2026,
 * latest 48 mmol/mol, high. Normal range 20 to 41 mmol/mol."
 */
export function chartSummary(h: History): string {
  const all = [...(h.points ?? [])].sort((a, b) => (a.taken || '').localeCompare(b.taken || ''));
  const name = h.name || 'Test';
  if (all.length === 0) return `${name}: no results`;
  const first = formatDate(all[0].taken);
  const lastPoint = all[all.length - 1];
  const last = formatDate(lastPoint.taken);
  let s = `${name}: ${plural(all.length, 'result')}`;
  s += all.length === 1 ? ` on ${first}` : ` from ${first} to ${last}`;
  const flag = flagLabel(lastPoint.flag, lastPoint.flagLabel).toLowerCase();
  s += `, latest ${valueText(lastPoint.value, lastPoint.unit || h.unit)}${flag ? ', ' + flag : ''}`;
  const range = h.range?.text || '';
  if (range) s += `. Normal range ${range}`;
  return s + '.';
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
