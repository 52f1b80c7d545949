import { describe, expect, it } from 'vitest';
import { codeSystemName, joinList, plural, rangeText, reportStatusText, valueText, versionText } from './text';

describe('plural', () => {
  const cases: Array<[number, string, string | undefined, string]> = [
    [0, 'test result', undefined, '0 test results'],
    [1, 'test result', undefined, '1 test result'],
    [2, 'test result', undefined, '2 test results'],
    [1200, 'result', undefined, '1,200 results'],
    [2, 'result is', 'results are', '2 results are'],
    [1, 'result is', 'results are', '1 result is'],
  ];
  it.each(cases)('plural(%i, %j, %j) = %j', (n, one, many, want) => {
    expect(plural(n, one, many)).toBe(want);
  });
});

describe('joinList', () => {
  const cases: Array<[Array<string | null>, string]> = [
    [[], ''],
    [['A'], 'A'],
    [['A', 'B'], 'A and B'],
    [['A', 'B', 'C'], 'A, B and C'],
    [['A', '', null, 'A', ' B '], 'A and B'],
  ];
  it.each(cases)('joinList(%j) = %j', (items, want) => {
    expect(joinList(items)).toBe(want);
  });
});

describe('rangeText', () => {
  const cases: Array<[Parameters<typeof rangeText>[0], string | undefined, string]> = [
    [null, 'g/L', ''],
    [undefined, undefined, ''],
    [{ low: '130', high: '170', text: '130 to 170 g/L' }, 'g/L', '130 to 170 g/L'],
    [{ low: '130', high: '170', text: '' }, 'g/L', '130 to 170 g/L'],
    [{ low: '130', high: '170' }, '', '130 to 170'],
    [{ low: '60', high: '' }, 'mL/min', '60 mL/min or more'],
    [{ low: '', high: '5' }, 'mmol/L', 'Up to 5 mmol/L'],
    [{ low: '', high: '', text: '' }, 'x', ''],
    // Units as people write them, from the bounds or at the end of the text.
    [{ low: '4.0', high: '11.0', text: '' }, '10*9/L', '4.0 to 11.0 ×10⁹/L'],
    [{ low: '4.0', high: '11.0', text: '4.0 to 11.0 10*9/L' }, '10*9/L', '4.0 to 11.0 ×10⁹/L'],
    [{ low: '12', high: '20', text: '12 to 20 {Breaths}/min' }, '{Breaths}/min', '12 to 20 breaths/min'],
    [{ low: '0', high: '10', text: '0 to 10 {score}' }, '{score}', '0 to 10'],
    [{ low: '', high: '', text: 'M 130-180 g/L; F 115-165 g/L' }, 'g/L', 'M 130-180 g/L; F 115-165 g/L'],
    [{ low: '3.1234567', high: '' }, 'mmol/L', '3.12 mmol/L or more'],
    [{ low: '', high: '30' }, '%', 'Up to 30%'],
  ];
  it.each(cases)('rangeText(%j, %j) = %j', (range, unit, want) => {
    expect(rangeText(range, unit)).toBe(want);
  });
});

describe('valueText', () => {
  const cases: Array<[string | null | undefined, string | null | undefined, string]> = [
    ['128', 'g/L', '128 g/L'],
    ['Negative', '', 'Negative'],
    ['', 'g/L', ''],
    [null, null, ''],
    ['97.34851203958', 'mg/dL', '97.3 mg/dL'],
    ['5.0', 'mmol/L', '5.0 mmol/L'],
    ['6.2', '10*3/uL', '6.2 ×10³/µL'],
    ['120', 'mm[Hg]', '120 mmHg'],
    ['<2', 'mg/L', 'below 2 mg/L'],
    ['>=500', 'U/L', '500 U/L or above'],
    ['12', '1', '12'],
  ];
  it.each(cases)('valueText(%j, %j) = %j', (v, u, want) => {
    expect(valueText(v, u)).toBe(want);
  });
});

describe('codeSystemName', () => {
  const cases: Array<[string | null | undefined, string]> = [
    ['http://loinc.org', 'LOINC'],
    ['http://snomed.info/sct', 'SNOMED CT'],
    ['urn:oid:1.2.3', 'urn:oid:1.2.3'],
    ['', ''],
    [undefined, ''],
  ];
  it.each(cases)('codeSystemName(%j) = %j', (s, want) => {
    expect(codeSystemName(s)).toBe(want);
  });
});

describe('reportStatusText', () => {
  const cases: Array<[string | null | undefined, string]> = [
    ['final', 'Final'],
    ['preliminary', 'Not final yet'],
    ['partial', 'Not final yet'],
    ['amended', 'Updated'],
    ['corrected', 'Updated'],
    ['cancelled', 'Cancelled'],
    ['entered-in-error', 'Entered in error'],
    ['unknown', 'Unknown'],
    ['', ''],
    [null, ''],
  ];
  it.each(cases)('reportStatusText(%j) = %j', (s, want) => {
    expect(reportStatusText(s)).toBe(want);
  });
});

describe('versionText', () => {
  const cases: Array<[string | null | undefined, string]> = [
    ['v0.1.0', 'v0.1.0'],
    ['0.1.0', 'v0.1.0'],
    ['dev', 'dev'],
    ['', ''],
    [null, ''],
  ];
  it.each(cases)('versionText(%j) = %j', (v, want) => {
    expect(versionText(v)).toBe(want);
  });
});
