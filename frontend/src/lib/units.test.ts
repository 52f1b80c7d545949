import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { comparatorWords, displayNumber, unitText, valueWithShownUnit, valueWithUnit } from './units';

describe('displayNumber', () => {
  it.each([
    // More than 3 decimals is machine noise: 3 significant figures, every whole digit, at least one decimal.
    ['97.34851203958', '97.3'],
    ['1234.5678', '1234.6'],
    ['0.000123456', '0.000123'],
    ['1.23456', '1.23'],
    ['0.1234', '0.123'],
    ['-97.34851203958', '-97.3'],
    ['99.99999', '100.0'],
    ['12345678.12345', '12345678.1'],
    // Up to 3 decimals: exactly as the source wrote it.
    ['5.0', '5.0'],
    ['0.125', '0.125'],
    ['-0.5', '-0.5'],
    ['140', '140'],
    ['007', '007'],
    ['.5', '.5'],
    ['0.0000', '0.0000'],
    // Exponent notation is written out.
    ['1e-7', '0.0000001'],
    ['2.5E3', '2500'],
    ['1.23456e-5', '0.0000123'],
    // Comparators are kept; the number after them follows the same rules.
    ['>=500', '>=500'],
    ['<2', '<2'],
    ['<2.123456', '<2.12'],
    // Not a plain number: as sent.
    ['7,5', '7,5'],
    ['positive', 'positive'],
    ['1-2', '1-2'],
    ['', ''],
    [' 5.25 ', '5.25'],
  ])('%j is shown as %j', (value, want) => {
    expect(displayNumber(value)).toBe(want);
  });
  it('takes numbers and nothing', () => {
    expect(displayNumber(97.34851203958)).toBe('97.3');
    expect(displayNumber(5)).toBe('5');
    expect(displayNumber(1e-7)).toBe('0.0000001');
    expect(displayNumber(null)).toBe('');
    expect(displayNumber(undefined)).toBe('');
  });
});

// The table the server's unit display is tested on too (backend/units TestText).
const table = JSON.parse(readFileSync(new URL('../../../backend/units/testdata/text.json', import.meta.url), 'utf8')) as {
  units: Array<[string, string]>;
};

describe('unitText', () => {
  it('has the shared cases', () => {
    expect(table.units.length).toBeGreaterThan(20);
  });
  it.each(table.units)('%j is shown as %j', (code, want) => {
    expect(unitText(code)).toBe(want);
  });
  it('copes with nothing', () => {
    expect(unitText(null)).toBe('');
    expect(unitText(undefined)).toBe('');
    expect(unitText('  kg ')).toBe('kg');
  });
});

describe('valueWithUnit', () => {
  it.each([
    ['97.34851203958', 'mg/dL', '97.3 mg/dL'],
    ['6.2', '10*9/L', '6.2 ×10⁹/L'],
    ['154', '[lb_av]', '154 lb'],
    ['37.0', 'Cel', '37.0 °C'],
    ['45', '%', '45%'],
    ['<2', 'mmol/L', 'below 2 mmol/L'],
    ['>2', 'mmol/L', 'above 2 mmol/L'],
    ['<=2', 'mmol/L', '2 mmol/L or below'],
    ['>=500', 'U/L', '500 U/L or above'],
    ['>=500', '', '500 or above'],
    ['12', '{score}', '12'],
    ['12', '', '12'],
    ['positive', '', 'positive'],
    ['<positive', 'mg', '<positive mg'],
    ['7,5', 'mmol/L', '7,5 mmol/L'],
    ['', 'kg', ''],
  ])('%j %j is shown as %j', (value, unit, want) => {
    expect(valueWithUnit(value, unit)).toBe(want);
  });
  it('takes a number, and a unit already shown', () => {
    expect(valueWithUnit(69.8532249, 'kg')).toBe('69.9 kg');
    expect(valueWithShownUnit('<2', 'mL/min/1.73 m²')).toBe('below 2 mL/min/1.73 m²');
  });
});

describe('comparatorWords', () => {
  it.each([
    ['<', 'below'],
    ['>', 'above'],
    ['<=', 'or below'],
    ['>=', 'or above'],
    ['', ''],
  ])('%j is %j', (c, want) => expect(comparatorWords(c)).toBe(want));
});
