// Shapes a test's history (GET /api/history) for the charts on the test
// history page: one chart per unit family (History.series, so one axis never
// mixes units: hazard HAZ-040), numeric points over time, the normal range as
// a band only when the series has one, comparator values ("<2") as below/above
// markers, ticks, and a one-sentence summary for each chart's aria-label.
// Pure functions.

import type { History, Series, SeriesPoint } from './api';
import { formatDate } from './dates';
import { flagLabel } from './flags';
import { plural, rangeText, valueText } from './text';
import { displayNumber, unitText, valueWithShownUnit } from './units';
import { latestLabel, rangeEdgeLabels, type ChartLabel } from './chartLabels';

/** Flags have a shape of their own; so do comparator values ("below", "above"). */
export type Shape = 'circle' | 'triangle-up' | 'triangle-down' | 'diamond' | 'below' | 'above';

export interface ChartPoint {
  x: number; // px
  y: number; // px
  shape: Shape;
  /** High, low or abnormal: a colour of its own (not red) and a text label. */
  flagged: boolean;
  /** Critical: red. Only urgent points are red. */
  urgent: boolean;
  /** What the point's marker means, for the chart's key: "High", "Within range". */
  meaning: string;
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
  /** The normal range, in px (top < bottom), or null when the series has no numeric range. */
  band: { top: number; bottom: number } | null;
  xTicks: Tick[];
  yTicks: Tick[];
  /** The range's edges in words ("Normal up to 41 mmol/mol"), one per edge the range has. */
  rangeLabels: ChartLabel[];
  /** The newest point's value in words, beside it; null with no points. */
  latest: ChartLabel | null;
}

/** Room at the top of the chart for its title (drawn inside the SVG). */
export const TITLE_HEIGHT = 30;

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

/**
 * A flag's shape; a comparator value's marker ("<2": below, ">=500": above)
 * wins. A value outside its range that the source did not flag is a diamond,
 * never a plain "within range" circle.
 */
export function shapeFor(flag: string, comparator = '', rangeCheck = ''): Shape {
  if (comparator.startsWith('<') || comparator === '≤') return 'below';
  if (comparator.startsWith('>') || comparator === '≥') return 'above';
  if (!flag) return rangeCheck === 'out' ? 'diamond' : 'circle';
  if (flag.endsWith('high')) return 'triangle-up';
  if (flag.endsWith('low')) return 'triangle-down';
  return 'diamond';
}

/**
 * The series to chart, newest unit family first. The server sends them; for
 * an older answer without them, one series per unit exactly as sent, so
 * units are never mixed on one axis even then.
 */
export function seriesOf(h: History | null | undefined): Series[] {
  if (!h) return [];
  if (Array.isArray(h.series)) return h.series.filter((s) => (s.points ?? []).length > 0);
  const byUnit = new Map<string, Series>();
  const sorted = [...(h.points ?? [])].sort((a, b) => (a.taken || '').localeCompare(b.taken || ''));
  for (const p of sorted) {
    if (typeof p.number !== 'number' || !Number.isFinite(p.number)) continue;
    const unit = (p.unit ?? '').trim();
    let s = byUnit.get(unit);
    if (!s) byUnit.set(unit, (s = { unit, conversions: [], range: null, points: [] }));
    s.points!.push({
      taken: p.taken,
      number: p.number,
      comparator: p.comparator ?? '',
      value: valueText(p.value, unit),
      converted: false,
      rangeCheck: p.rangeCheck,
      flag: p.flag,
      flagLabel: p.flagLabel,
      urgent: !!p.urgent,
      statusLabel: p.statusLabel,
      reportId: p.reportId,
    });
    const range = p.range !== undefined ? p.range : unit === (h.unit ?? '').trim() ? h.range : null;
    if (range) s.range = range;
  }
  const newest = (s: Series) => s.points![s.points!.length - 1].taken || '';
  return [...byUnit.values()].sort((a, b) => newest(b).localeCompare(newest(a)));
}

/** How many results are not numbers: only the table shows them. */
export function notCharted(h: History | null | undefined): number {
  return (h?.points ?? []).filter((p) => typeof p.number !== 'number' || !Number.isFinite(p.number)).length;
}

/** The heading over one chart when there are several: "In kg", "In mmol/L". */
export function seriesHeading(s: Series): string {
  const u = unitText(s.unit);
  if (u) return `In ${u}`;
  return s.unit.trim() ? 'Without a unit' : 'No unit given';
}

/** The chart's points with their time, oldest first; points without a date are left out. */
export function numericPoints(points: SeriesPoint[] | null | undefined): Array<SeriesPoint & { t: number; n: number }> {
  const out: Array<SeriesPoint & { t: number; n: number }> = [];
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

/** A series point's value as sent, shown as people read it: "97.3 mg/dL", "below 2 µmol/L". */
export function shownValue(value: string): string {
  const v = (value ?? '').trim();
  const space = v.indexOf(' ');
  return space < 0 ? valueWithShownUnit(v, '') : valueWithShownUnit(v.slice(0, space), v.slice(space + 1));
}

/**
 * The text for one point: "12 March 2025: 48 mmol/mol, High";
 * "3 May 2024: 154 lb (69.9 kg), converted"; "1 June 2025: below 2 µmol/L".
 */
export function pointLabel(p: SeriesPoint, unit: string): string {
  let s = `${formatDate(p.taken)}: ${shownValue(p.value)}`;
  if (p.converted) {
    const n = displayNumber(String(Number(p.number.toPrecision(12))));
    s += ` (${shownValue(`${p.comparator ?? ''}${n} ${unitText(unit)}`)}), converted`;
  }
  const flag = flagLabel(p.flag, p.flagLabel);
  if (flag) s += ', ' + flag;
  if (p.urgent && !/urgent/i.test(flag)) s += ', needs urgent attention';
  if (p.statusLabel) s += ', ' + p.statusLabel;
  return s;
}

/** The latest point's label in the chart: "Latest: 48 mmol/mol, High". */
export function latestText(p: Pick<SeriesPoint, 'value' | 'flag' | 'flagLabel'>): string {
  const flag = flagLabel(p.flag, p.flagLabel);
  return `Latest: ${shownValue(p.value)}${flag ? ', ' + flag : ''}`;
}

const DAY = 86_400_000;

/** Builds the chart for one series, `width` x `height` px. */
export function buildChart(series: Series, width = 640, height = 300): ChartModel {
  const plot = { left: 56, top: TITLE_HEIGHT + 12, right: width - 16, bottom: height - 32 };
  const pts = numericPoints(series.points);
  const bounds = rangeBounds(series.range);

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
    shape: shapeFor(p.flag, p.comparator, p.rangeCheck),
    flagged: !!p.flag || p.rangeCheck === 'out',
    urgent: !!p.urgent,
    meaning: pointMeaning(p, !!bounds),
    label: pointLabel(p, series.unit),
  }));
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');

  let band: ChartModel['band'] = null;
  if (bounds) {
    const lo = bounds.low ?? yMin;
    const hi = bounds.high ?? yMax;
    band = { top: round(y(Math.min(hi, yMax))), bottom: round(y(Math.max(lo, yMin))) };
  }

  const newest = pts[pts.length - 1];
  const last = points[points.length - 1];
  // Year labels are about 4 characters, month labels 8: as many as fit.
  const plotWidth = plot.right - plot.left;
  const rangeLabels = rangeEdgeLabels(bounds, band, series.unit, plot);
  return {
    width,
    height,
    plot,
    points,
    path,
    band,
    rangeLabels,
    latest: newest ? latestLabel(last, latestText(newest), plot, width, points, rangeLabels) : null,
    xTicks: timeTicks(tMin, tMax, Math.floor(plotWidth / 56), Math.floor(plotWidth / 96)).map((t) => ({ pos: round(x(t.t)), label: t.label })),
    yTicks: yTickValues.filter((v) => v >= yMin && v <= yMax).map((v) => ({ pos: round(y(v)), label: tickLabel(v) })),
  };
}

export interface Key {
  shape: Shape | 'band' | 'none';
  urgent: boolean;
  flagged: boolean;
  text: string;
}

/**
 * What a point's marker means, in the key's words. "Within range" only for a
 * value the server placed inside a range; "Result" where the chart has no
 * range at all; never colour alone.
 */
export function pointMeaning(p: SeriesPoint, chartHasRange: boolean): string {
  const flag = p.flag ?? '';
  let base: string;
  const very = flag.startsWith('critical') ? 'Very ' : '';
  if (flag.endsWith('high')) base = very ? 'Very high' : 'High';
  else if (flag.endsWith('low')) base = very ? 'Very low' : 'Low';
  else if (flag) base = very ? 'Very abnormal' : 'Abnormal';
  else if (p.rangeCheck === 'out') base = 'Outside the range given';
  else if (p.rangeCheck === 'in' && chartHasRange) base = 'Within range';
  else base = chartHasRange ? 'Not compared with a range' : 'Result';
  const comp = shapeFor('', p.comparator ?? '');
  let text = base;
  if (comp === 'below' || comp === 'above') {
    const marker = comp === 'below' ? 'Below the value shown (for example, below 2)' : 'Above the value shown (for example, 500 or above)';
    text = base === 'Result' || base === 'Within range' ? marker : `${marker}, ${base.toLowerCase()}`;
  }
  return p.urgent ? `${text}: needs urgent attention` : text;
}

/**
 * The chart's key: the normal range, or "No normal range given" (then no
 * band is drawn); what each marker shown means; red only for urgent results.
 */
export function chartKey(model: ChartModel): Key[] {
  const keys: Key[] = [
    model.band
      ? { shape: 'band', urgent: false, flagged: false, text: 'Normal range' }
      : { shape: 'none', urgent: false, flagged: false, text: 'No normal range given' },
  ];
  for (const p of model.points) {
    if (keys.some((k) => k.text === p.meaning)) continue;
    keys.push({ shape: p.shape, urgent: p.urgent, flagged: p.flagged, text: p.meaning });
  }
  return keys;
}

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Year ticks (or month ticks for a short span) between two times: at most
 * `maxYears` year labels or `maxMonths` month labels, so they never overlap.
 */
export function timeTicks(tMin: number, tMax: number, maxYears = 8, maxMonths = 6): Array<{ t: number; label: string }> {
  const a = new Date(tMin);
  const b = new Date(tMax);
  const years = b.getUTCFullYear() - a.getUTCFullYear();
  const out: Array<{ t: number; label: string }> = [];
  if (years >= 2) {
    const step = Math.ceil(years / Math.max(1, maxYears));
    for (let yr = a.getUTCFullYear() + 1; yr <= b.getUTCFullYear(); yr += step) {
      out.push({ t: Date.UTC(yr, 0, 1), label: String(yr) });
    }
    return out;
  }
  const months = years * 12 + b.getUTCMonth() - a.getUTCMonth();
  const step = Math.max(1, Math.ceil(months / Math.max(1, maxMonths)));
  for (let m = 1; m <= months; m += step) {
    const d = Date.UTC(a.getUTCFullYear(), a.getUTCMonth() + m, 1);
    const dd = new Date(d);
    out.push({ t: d, label: `${SHORT_MONTHS[dd.getUTCMonth()]} ${dd.getUTCFullYear()}` });
  }
  return out;
}

/**
 * A chart's aria-label: "HbA1c: 20 results from 3 March 2021 to 1 October 2026,
 * latest 48 mmol/mol, high. Normal range 20 to 41 mmol/mol." With more than
 * one series, each says its unit and counts its own points: "Body weight in
 * kg: 5 results …".
 */
export function chartSummary(h: History, series?: Series): string {
  const all = seriesOf(h);
  const s = series ?? all[0];
  const name = h.name || 'Test';
  const several = all.length > 1 && !!s;
  const range = s ? s.range : h.range;
  const unit = s ? s.unit : h.unit;
  const rangeWords = rangeText(range, unit);
  const tail = rangeWords ? `. Normal range ${rangeWords}.` : '. No normal range given.';
  if (several) {
    const pts = numericPoints(s.points);
    const head = `${name} ${seriesHeading(s).replace(/^In /, 'in ').replace(/^No unit given$/, 'with no unit given').replace(/^Without a unit$/, 'without a unit')}`;
    return `${head}: ${plural(pts.length, 'result')}${span(pts)}, latest ${latestWords(pts[pts.length - 1], unit)}${tail}`;
  }
  const points = [...(h.points ?? [])].sort((a, b) => (a.taken || '').localeCompare(b.taken || ''));
  if (points.length === 0) return `${name}: no results`;
  const last = points[points.length - 1];
  const flag = flagLabel(last.flag, last.flagLabel).toLowerCase();
  return `${name}: ${plural(points.length, 'result')}${span(points)}, latest ${valueText(last.value, last.unit)}${flag ? ', ' + flag : ''}${tail}`;
}

function span(points: Array<{ taken: string }>): string {
  if (points.length === 0) return '';
  const first = formatDate(points[0].taken);
  return points.length === 1 ? ` on ${first}` : ` from ${first} to ${formatDate(points[points.length - 1].taken)}`;
}

function latestWords(p: SeriesPoint | undefined, unit: string): string {
  if (!p) return 'none';
  return pointLabel(p, unit).replace(/^[^:]*: /, '').replace(/, High$|, Low$/, (m) => m.toLowerCase());
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
