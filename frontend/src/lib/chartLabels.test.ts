import { describe, expect, it } from 'vitest';
import { chartTitle, labelWidth, latestLabel, rangeEdgeLabels } from './chartLabels';

const plot = { left: 56, top: 42, right: 624, bottom: 268 };

describe('chartTitle', () => {
  it.each([
    ['HbA1c', 'mmol/mol', 'HbA1c (mmol/mol)'],
    ['Creatinine', 'umol/L', 'Creatinine (µmol/L)'],
    ['White blood cells', '10*9/L', 'White blood cells (×10⁹/L)'],
    ['Body weight', '', 'Body weight (no unit given)'],
    ['Score', '{score}', 'Score (without a unit)'],
    ['', 'kg', 'Test (kg)'],
  ])('%s in %s', (name, unit, want) => expect(chartTitle(name, unit)).toBe(want));
});

describe('rangeEdgeLabels', () => {
  it('labels both edges of a two-sided range, inside the band when there is room', () => {
    const band = { top: 120, bottom: 200 };
    const labels = rangeEdgeLabels({ low: 60, high: 120 }, band, 'umol/L', plot);
    expect(labels.map((l) => l.text)).toEqual(['Normal up to 120 µmol/L', 'Normal from 60 µmol/L']);
    for (const l of labels) {
      expect(l.y - 14).toBeGreaterThanOrEqual(band.top);
      expect(l.y).toBeLessThanOrEqual(band.bottom);
      expect(l.x).toBeGreaterThan(plot.left);
    }
    expect(labels[0].y).toBeLessThan(labels[1].y - 14); // they do not overlap
  });
  it('outside a band too thin for both', () => {
    const band = { top: 150, bottom: 170 };
    const [high, low] = rangeEdgeLabels({ low: 4, high: 5 }, band, 'mmol/L', plot);
    expect(high.y).toBeLessThanOrEqual(band.top);
    expect(low.y - 14).toBeGreaterThanOrEqual(band.bottom);
  });
  it('a one-sided range has one edge: "60 or more" has no top', () => {
    expect(rangeEdgeLabels({ low: 60, high: null }, { top: 42, bottom: 150 }, 'mL/min', plot).map((l) => l.text)).toEqual([
      'Normal from 60 mL/min',
    ]);
    expect(rangeEdgeLabels({ low: null, high: 5 }, { top: 100, bottom: 268 }, 'mmol/L', plot).map((l) => l.text)).toEqual(['Normal up to 5 mmol/L']);
  });
  it('goes inside the band at the top and bottom of the plot, never outside it', () => {
    const labels = rangeEdgeLabels({ low: 20, high: 41 }, { top: 44, bottom: 266 }, 'mmol/mol', plot);
    for (const l of labels) {
      expect(l.y - 14).toBeGreaterThanOrEqual(plot.top);
      expect(l.y).toBeLessThanOrEqual(plot.bottom);
    }
  });
  it('no band, no labels', () => {
    expect(rangeEdgeLabels(null, null, 'kg', plot)).toEqual([]);
  });
});

describe('latestLabel', () => {
  const text = 'Latest: 48 mmol/mol, High';
  it('ends at the point, above it, when there is room', () => {
    expect(latestLabel({ x: 600, y: 150 }, text, plot, 640)).toEqual({ x: 600, y: 138, text, anchor: 'end' });
  });
  it('moves off the line through the other points', () => {
    // A flat line at y = 138 runs just where the label would go above the point.
    const line = [100, 200, 300, 400, 500, 600].map((x) => ({ x, y: 134 }));
    const l = latestLabel({ x: 600, y: 150 }, text, plot, 640, line);
    expect(l.y).not.toBe(138);
    expect(Math.abs(l.y - 150)).toBeLessThan(70);
  });
  it('never over a range edge label', () => {
    const edge = { x: 62, y: 138, text: 'Normal up to 41 mmol/mol', anchor: 'start' as const };
    const l = latestLabel({ x: 300, y: 150 }, text, { ...plot, right: 344 }, 360, [], [edge]);
    // The edge label takes y 124 to 140; the latest label's text is 14 px tall above its baseline.
    expect(l.y <= 124 || l.y - 14 >= 140, `latest at y ${l.y}`).toBe(true);
  });
  it('goes below a point at the top of the plot', () => {
    expect(latestLabel({ x: 600, y: 45 }, text, plot, 640).y).toBeGreaterThan(45);
  });
  it('starts at a point near the left, and stays inside a narrow chart', () => {
    expect(latestLabel({ x: 80, y: 150 }, text, plot, 640).anchor).toBe('start');
    const narrow = latestLabel({ x: 150, y: 150 }, text, { ...plot, right: 264 }, 280);
    expect(narrow.anchor).toBe('middle');
    expect(narrow.x - labelWidth(text) / 2).toBeGreaterThanOrEqual(0);
  });
});
