import { describe, expect, it } from 'vitest';
import type { History } from './api';
import { buildChart, chartSummary, niceTicks, numericPoints, rangeBounds, shapeFor, timeTicks, toNumber } from './chart';

const point = (taken: string, value: string, number: number | null, flag = '') => ({
  taken,
  value,
  number,
  flag,
  flagLabel: flag === 'high' ? 'High' : flag === 'low' ? 'Low' : '',
  reportId: 'r',
  organisation: 'Org',
});

const hba1c: History = {
  name: 'HbA1c',
  unit: 'mmol/mol',
  range: { low: '20', high: '41', text: '20 to 41 mmol/mol' },
  points: [
    point('2021-03-03T09:00:00Z', '39', 39),
    point('2022-01-03T09:00:00Z', 'see comment', null),
    point('2026-10-01T09:00:00Z', '48', 48, 'high'),
    point('2024-06-01T09:00:00Z', '19', 19, 'low'),
  ],
};

describe('toNumber', () => {
  it('reads numbers from strings', () => {
    expect(toNumber('5.0')).toBe(5);
    expect(toNumber(' 41 ')).toBe(41);
    expect(toNumber('<5')).toBe(5);
    expect(toNumber('-1.5')).toBe(-1.5);
    expect(toNumber('')).toBeNull();
    expect(toNumber('positive')).toBeNull();
    expect(toNumber(null)).toBeNull();
    expect(toNumber(7)).toBe(7);
    expect(toNumber(NaN)).toBeNull();
  });
});

describe('rangeBounds', () => {
  it('reads one or both bounds', () => {
    expect(rangeBounds({ low: '20', high: '41', text: '' })).toEqual({ low: 20, high: 41 });
    expect(rangeBounds({ low: '', high: '5.0', text: 'Below 5.0' })).toEqual({ low: null, high: 5 });
    expect(rangeBounds({ low: '', high: '', text: 'Negative' })).toBeNull();
    expect(rangeBounds(null)).toBeNull();
  });
});

describe('numericPoints', () => {
  it('leaves out values that are not numbers and sorts oldest first', () => {
    const pts = numericPoints(hba1c.points);
    expect(pts.map((p) => p.n)).toEqual([39, 19, 48]);
  });
});

describe('shapeFor', () => {
  it('gives flagged points a different shape, not only a colour', () => {
    expect(shapeFor('')).toBe('circle');
    expect(shapeFor('high')).toBe('triangle-up');
    expect(shapeFor('critical-high')).toBe('triangle-up');
    expect(shapeFor('low')).toBe('triangle-down');
    expect(shapeFor('abnormal')).toBe('diamond');
  });
});

describe('niceTicks', () => {
  it('picks round numbers', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(3.2, 5.1, 4)).toEqual([3.5, 4, 4.5, 5]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });
});

describe('timeTicks', () => {
  it('uses years for long spans and months for short ones', () => {
    const years = timeTicks(Date.UTC(2021, 2, 3), Date.UTC(2026, 9, 1));
    expect(years.map((t) => t.label)).toEqual(['2022', '2023', '2024', '2025', '2026']);
    const months = timeTicks(Date.UTC(2025, 0, 15), Date.UTC(2025, 5, 15));
    expect(months[0].label).toBe('Feb 2025');
  });
});

describe('buildChart', () => {
  const m = buildChart(hba1c, 640, 300);
  it('plots the numeric points in time order, within the plot area', () => {
    expect(m.points).toHaveLength(3);
    expect(m.notNumeric).toBe(1);
    const xs = m.points.map((p) => p.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    for (const p of m.points) {
      expect(p.x).toBeGreaterThanOrEqual(m.plot.left);
      expect(p.x).toBeLessThanOrEqual(m.plot.right);
      expect(p.y).toBeGreaterThanOrEqual(m.plot.top);
      expect(p.y).toBeLessThanOrEqual(m.plot.bottom);
    }
    expect(m.points.map((p) => p.shape)).toEqual(['circle', 'triangle-down', 'triangle-up']);
    expect(m.points[2].label).toBe('1 October 2026: 48 mmol/mol, High');
    expect(m.path.startsWith('M')).toBe(true);
  });
  it('draws the range as a band: the high point above it, the low one below', () => {
    expect(m.band).not.toBeNull();
    const band = m.band!;
    expect(band.top).toBeLessThan(band.bottom);
    const [normal, low, high] = m.points;
    expect(normal.y).toBeGreaterThan(band.top);
    expect(normal.y).toBeLessThan(band.bottom);
    expect(high.y).toBeLessThan(band.top); // svg y grows downwards
    expect(low.y).toBeGreaterThan(band.bottom);
  });
  it('draws a one-sided range to the edge of the plot', () => {
    const h: History = { ...hba1c, range: { low: '', high: '5.0', text: 'Below 5.0' }, points: [point('2025-01-01', '4', 4), point('2025-06-01', '6', 6, 'high')] };
    const c = buildChart(h);
    expect(c.band!.bottom).toBe(c.plot.bottom);
  });
  it('has no band without a numeric range, and copes with one point or none', () => {
    expect(buildChart({ ...hba1c, range: null }).band).toBeNull();
    const one = buildChart({ ...hba1c, points: [point('2025-01-01T00:00:00Z', '40', 40)] });
    expect(one.points).toHaveLength(1);
    expect(Number.isFinite(one.points[0].x)).toBe(true);
    const none = buildChart({ ...hba1c, points: [point('2025-01-01', 'positive', null)] });
    expect(none.points).toHaveLength(0);
    expect(none.notNumeric).toBe(1);
  });
});

describe('chartSummary', () => {
  it('says how many, over what time, and the latest', () => {
    expect(chartSummary(hba1c)).toBe(
      'HbA1c: 4 results from 3 March 2021 to 1 October 2026, latest 48 mmol/mol, high. Normal range 20 to 41 mmol/mol.',
    );
  });
  it('handles one result and none', () => {
    expect(chartSummary({ ...hba1c, range: null, points: [point('2025-01-02', '40', 40)] })).toBe(
      'HbA1c: 1 result on 2 January 2025, latest 40 mmol/mol.',
    );
    expect(chartSummary({ ...hba1c, points: [] })).toBe('HbA1c: no results');
  });
});
