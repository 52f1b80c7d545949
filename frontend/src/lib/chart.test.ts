import { describe, expect, it } from 'vitest';
import type { History, Series, SeriesPoint } from './api';
import {
  buildChart,
  chartKey,
  chartSummary,
  latestText,
  niceTicks,
  notCharted,
  numericPoints,
  pointLabel,
  rangeBounds,
  seriesHeading,
  seriesOf,
  shapeFor,
  shownValue,
  timeTicks,
  toNumber,
} from './chart';

const point = (taken: string, value: string, number: number | null, flag = '') => ({
  taken,
  value,
  number,
  unit: 'mmol/mol',
  rangeCheck: number === null ? 'unclear' : flag ? 'out' : 'in',
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

const sp = (taken: string, value: string, number: number, more: Partial<SeriesPoint> = {}): SeriesPoint => ({
  taken,
  value,
  number,
  comparator: '',
  converted: false,
  flag: '',
  urgent: false,
  reportId: 'r',
  ...more,
});

// As the server sends a body weight in lb, then kg, and one number with no unit.
const weight: History = {
  name: 'Body weight',
  unit: 'kg',
  range: null,
  points: [],
  series: [
    {
      unit: 'kg',
      conversions: ['Converted from lb: 1 lb = 0.4536 kg'],
      range: null,
      points: [sp('2024-07-01', '154 lb', 69.8532249, { converted: true }), sp('2026-11-08', '66.8 kg', 66.8)],
    },
    { unit: '', conversions: [], range: null, points: [sp('2025-07-01', '68', 68)] },
  ],
};

const hbSeries = (h: History): Series => seriesOf(h)[0];
const series = (unit: string, range: Series['range'], points: SeriesPoint[]): Series => ({ unit, conversions: [], range, points });

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

describe('seriesOf', () => {
  it('takes the series the server sent, newest family first', () => {
    expect(seriesOf(weight).map((s) => s.unit)).toEqual(['kg', '']);
  });
  it('without them, one series per unit as sent, never two units on one axis', () => {
    const mixed: History = {
      ...hba1c,
      points: [...hba1c.points!, { ...point('2025-01-01', '6.5', 6.5), unit: '%' }],
    };
    const s = seriesOf(mixed);
    expect(s.map((x) => x.unit)).toEqual(['mmol/mol', '%']);
    expect(s[0].points!.map((p) => p.number)).toEqual([39, 19, 48]);
    expect(s[0].range).toEqual(hba1c.range);
    expect(s[1].range).toBeNull();
  });
  it('copes with nothing', () => {
    expect(seriesOf(null)).toEqual([]);
    expect(seriesOf({ ...hba1c, points: null })).toEqual([]);
  });
  it('counts what only the table shows', () => {
    expect(notCharted(hba1c)).toBe(1);
  });
});

describe('seriesHeading', () => {
  it('names the unit as people write it', () => {
    expect(seriesHeading(weight.series![0])).toBe('In kg');
    expect(seriesHeading({ ...weight.series![0], unit: '10*9/L' })).toBe('In ×10⁹/L');
    expect(seriesHeading(weight.series![1])).toBe('No unit given');
    expect(seriesHeading({ ...weight.series![1], unit: '{score}' })).toBe('Without a unit');
  });
});

describe('numericPoints', () => {
  it('sorts oldest first and leaves out points with no date', () => {
    const pts = numericPoints(hbSeries(hba1c).points);
    expect(pts.map((p) => p.n)).toEqual([39, 19, 48]);
    expect(numericPoints([sp('', '1', 1), sp('2025-01-01', '2', 2)]).map((p) => p.n)).toEqual([2]);
  });
});

describe('point labels', () => {
  it.each([
    [sp('2025-03-12', '48 mmol/mol', 48, { flag: 'high', flagLabel: 'High' }), 'mmol/mol', '12 March 2025: 48 mmol/mol, High'],
    [sp('2024-07-01', '154 lb', 69.8532249, { converted: true }), 'kg', '1 July 2024: 154 lb (69.9 kg), converted'],
    [sp('2025-06-01', '<2 µmol/L', 2, { comparator: '<' }), 'umol/L', '1 June 2025: below 2 µmol/L'],
    [sp('2025-06-01', '>=500 µg/L', 500, { comparator: '>=', flag: 'high', flagLabel: 'High' }), 'ug/L', '1 June 2025: 500 µg/L or above, High'],
    [sp('2025-06-01', '97.34851203958 mg/dL', 97.34851203958), 'mg/dL', '1 June 2025: 97.3 mg/dL'],
    [sp('2025-06-01', '6.8 mmol/L', 6.8, { flag: 'critical-high', flagLabel: 'Very high: needs urgent attention', urgent: true }), 'mmol/L', '1 June 2025: 6.8 mmol/L, Very high: needs urgent attention'],
    [sp('2025-06-01', '6.8 mmol/L', 6.8, { urgent: true, statusLabel: 'Not final yet' }), 'mmol/L', '1 June 2025: 6.8 mmol/L, needs urgent attention, Not final yet'],
  ])('%j in %s', (p, unit, want) => {
    expect(pointLabel(p, unit)).toBe(want);
  });
  it('shows a value as sent without noise', () => {
    expect(shownValue('12')).toBe('12');
    expect(shownValue('1234.5678 mL/min/1.73 m²')).toBe('1234.6 mL/min/1.73 m²');
  });
});

describe('shapeFor', () => {
  it('marks comparator values below or above the value shown', () => {
    expect(shapeFor('', '<')).toBe('below');
    expect(shapeFor('', '<=')).toBe('below');
    expect(shapeFor('high', '>=')).toBe('above');
    expect(shapeFor('', '>')).toBe('above');
    expect(shapeFor('', '', 'out')).toBe('diamond');
    expect(shapeFor('', '', 'in')).toBe('circle');
  });
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
  it('gives no more labels than fit', () => {
    expect(timeTicks(Date.UTC(2016, 2, 3), Date.UTC(2026, 9, 1), 4).map((t) => t.label)).toEqual(['2017', '2020', '2023', '2026']);
    expect(timeTicks(Date.UTC(2025, 0, 15), Date.UTC(2025, 11, 15), 8, 3).length).toBeLessThanOrEqual(3);
  });
});

describe('buildChart', () => {
  const m = buildChart(hbSeries(hba1c), 640, 300);
  it('plots the numeric points in time order, within the plot area', () => {
    expect(m.points).toHaveLength(3);
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
    const c = buildChart(hbSeries(h));
    expect(c.band!.bottom).toBe(c.plot.bottom);
  });
  it('has no band without a numeric range, and copes with one point or none', () => {
    expect(buildChart(hbSeries({ ...hba1c, range: null })).band).toBeNull();
    const one = buildChart(hbSeries({ ...hba1c, points: [point('2025-01-01T00:00:00Z', '40', 40)] }));
    expect(one.points).toHaveLength(1);
    expect(Number.isFinite(one.points[0].x)).toBe(true);
    const none = buildChart({ unit: 'kg', conversions: [], range: null, points: [] });
    expect(none.points).toHaveLength(0);
  });
  it('draws comparator values as markers at their value, not leaving them out', () => {
    const s = series('umol/L', { low: '', high: '21', text: '' }, [
      sp('2024-01-01', '8 umol/L', 8, { rangeCheck: 'in' }),
      sp('2025-01-01', '<2 µmol/L', 2, { comparator: '<', rangeCheck: 'in' }),
      sp('2025-06-01', '3 µmol/L', 3, { rangeCheck: 'in' }),
    ]);
    const c = buildChart(s);
    expect(c.points.map((p) => p.shape)).toEqual(['circle', 'below', 'circle']);
    expect(c.points[1].label).toBe('1 January 2025: below 2 µmol/L');
    expect(c.points[1].y).toBeGreaterThan(c.points[2].y); // 2 is drawn lower than 3
  });
  it('is red only for urgent points', () => {
    const s = series('mmol/L', { low: '3.5', high: '5.3', text: '' }, [
      sp('2025-01-01', '5.6', 5.6, { flag: 'high', flagLabel: 'High' }),
      sp('2025-02-01', '6.8', 6.8, { flag: 'critical-high', urgent: true }),
    ]);
    const c = buildChart(s);
    expect(c.points.map((p) => [p.flagged, p.urgent])).toEqual([
      [true, false],
      [true, true],
    ]);
  });
});

describe('the words inside the chart', () => {
  it('labels the latest point with its value and flag, beside it', () => {
    const m = buildChart(hbSeries(hba1c), 640, 300);
    const last = m.points[m.points.length - 1];
    expect(m.latest?.text).toBe('Latest: 48 mmol/mol, High');
    expect(Math.abs(m.latest!.x - last.x)).toBeLessThan(1);
    expect(Math.abs(m.latest!.y - last.y)).toBeLessThan(70);
    expect(buildChart({ unit: 'kg', conversions: [], range: null, points: [] }).latest).toBeNull();
  });
  it('labels the range edges and leaves room for the title above the plot', () => {
    const m = buildChart(hbSeries(hba1c), 640, 300);
    expect(m.rangeLabels.map((l) => l.text)).toEqual(['Normal up to 41 mmol/mol', 'Normal from 20 mmol/mol']);
    expect(m.plot.top).toBeGreaterThanOrEqual(30);
    expect(buildChart(hbSeries({ ...hba1c, range: null })).rangeLabels).toEqual([]);
  });
  it('never overlaps its date labels on a phone', () => {
    const long = series('mmol/mol', null, Array.from({ length: 12 }, (_, i) => sp(`${2015 + i}-01-01`, '40', 40)));
    const m = buildChart(long, 300, 240);
    const gaps = m.xTicks.slice(1).map((t, i) => t.pos - m.xTicks[i].pos);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(40);
  });
  it.each([
    ['with a flag', { value: '48 mmol/mol', flag: 'high', flagLabel: 'High' }, 'Latest: 48 mmol/mol, High'],
    ['without one', { value: '66.8 kg', flag: '' }, 'Latest: 66.8 kg'],
    ['a comparator in words', { value: '<2 µmol/L', flag: '' }, 'Latest: below 2 µmol/L'],
  ])('latestText %s', (_, p, want) => expect(latestText(p)).toBe(want));
});

describe('chartKey', () => {
  it('says "No normal range given" and never "Within range" when the series has no range', () => {
    const keys = chartKey(buildChart(weight.series![0]));
    expect(keys.map((k) => k.text)).toEqual(['No normal range given', 'Result']);
    expect(keys.some((k) => k.shape === 'band')).toBe(false);
  });
  it('names the band, each marker, and urgent points', () => {
    const s = series('mmol/L', { low: '3.5', high: '5.3', text: '' }, [
      sp('2025-01-01', '4', 4, { rangeCheck: 'in' }),
      sp('2025-01-15', '4.1', 4.1, { rangeCheck: 'in' }),
      sp('2025-02-01', '5.6', 5.6, { flag: 'high', rangeCheck: 'out' }),
      sp('2025-03-01', '6.8', 6.8, { flag: 'critical-high', urgent: true, rangeCheck: 'out' }),
      sp('2025-04-01', '<2', 2, { comparator: '<', flag: 'critical-low', urgent: true, rangeCheck: 'out' }),
      sp('2025-05-01', '>=9', 9, { comparator: '>=', flag: 'high', rangeCheck: 'out' }),
      sp('2025-06-01', '<3', 3, { comparator: '<', rangeCheck: 'out' }),
      sp('2025-07-01', '4.2', 4.2, { rangeCheck: 'none' }),
    ]);
    expect(chartKey(buildChart(s)).map((k) => [k.text, k.shape, k.urgent])).toEqual([
      ['Normal range', 'band', false],
      ['Within range', 'circle', false],
      ['High', 'triangle-up', false],
      ['Very high: needs urgent attention', 'triangle-up', true],
      ['Below the value shown (for example, below 2), very low: needs urgent attention', 'below', true],
      ['Above the value shown (for example, 500 or above), high', 'above', false],
      ['Below the value shown (for example, below 2), outside the range given', 'below', false],
      ['Not compared with a range', 'circle', false],
    ]);
  });
  it('never draws a value outside its range as "Within range", flagged or not', () => {
    // The source said normal; the range says otherwise (a glucose of 9.5 against 3.5 to 7.8).
    const s = series('mmol/L', { low: '3.5', high: '7.8', text: '' }, [sp('2025-01-01', '9.5', 9.5, { rangeCheck: 'out' })]);
    const c = buildChart(s);
    expect(c.points[0].shape).toBe('diamond');
    expect(c.points[0].flagged).toBe(true);
    expect(chartKey(c).map((k) => k.text)).toEqual(['Normal range', 'Outside the range given']);
  });
});

describe('chartSummary', () => {
  it('says how many, over what time, and the latest', () => {
    expect(chartSummary(hba1c)).toBe(
      'HbA1c: 4 results from 3 March 2021 to 1 October 2026, latest 48 mmol/mol, high. Normal range 20 to 41 mmol/mol.',
    );
  });
  it('handles one result and none, and says when there is no range', () => {
    expect(chartSummary({ ...hba1c, range: null, points: [point('2025-01-02', '40', 40)] })).toBe(
      'HbA1c: 1 result on 2 January 2025, latest 40 mmol/mol. No normal range given.',
    );
    expect(chartSummary({ ...hba1c, points: [] })).toBe('HbA1c: no results');
  });
  it('with several series, each says its unit and counts its own', () => {
    expect(chartSummary(weight, weight.series![0])).toBe(
      'Body weight in kg: 2 results from 1 July 2024 to 8 November 2026, latest 66.8 kg. No normal range given.',
    );
    expect(chartSummary(weight, weight.series![1])).toBe(
      'Body weight with no unit given: 1 result on 1 July 2025, latest 68. No normal range given.',
    );
  });
});
