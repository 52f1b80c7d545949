import { describe, expect, it } from 'vitest';
import type { Test } from './api';
import { changeText, isNewSince, latestText, shownTests } from './tests';

function test(over: Partial<Test>): Test {
  return {
    id: 'o', testKey: 'k', name: 'Creatinine', code: null, value: '48', unit: 'umol/L', range: null, flag: '', flagLabel: '',
    comments: null, taken: '2026-11-20', reportId: 'r', reportName: 'Kidney function', organisation: 'Lab',
    outside: false, count: 2, change: '', previous: null, ...over,
  };
}

describe('changeText', () => {
  const prev = (value: string, unit = 'umol/L') => ({ value, unit, taken: '2026-10-01', reportId: 'r0' });
  it.each([
    ['down', test({ previous: prev('53'), change: 'down' }), 'down from 53'],
    ['up', test({ previous: prev('4.1', 'mmol/L'), unit: 'mmol/L', change: 'up' }), 'up from 4.1'],
    ['same', test({ previous: prev('48'), change: 'same' }), 'the same as before'],
    ['a unit written another way is the same unit', test({ unit: 'mmol/l', previous: prev('4.1', 'mmol/L'), change: 'down' }), 'down from 4.1'],
    ['converted: the previous unit is named', test({ unit: 'g/L', value: '11', previous: prev('1.2', 'g/dL'), change: 'down' }), 'down from 1.2 g/dL'],
    ['not comparable: no direction', test({ unit: 'mmol/L', previous: prev('90', 'mg/dL'), change: '' }), 'before: 90 mg/dL'],
    ['a comparator is in words', test({ previous: prev('<2', 'mg/L'), unit: 'mg/L', change: '' }), 'before: below 2 mg/L'],
    ['a first result', test({ previous: null, change: '' }), ''],
  ])('%s', (_, t, want) => {
    expect(changeText(t)).toBe(want);
  });
});

describe('shownTests', () => {
  const all = [test({ name: 'A' }), test({ name: 'B', outside: true }), test({ name: 'C', urgent: true })];
  it('keeps only results outside the normal range when asked', () => {
    expect(shownTests(all, true).map((t) => t.name)).toEqual(['B', 'C']);
    expect(shownTests(all, false)).toHaveLength(3);
  });
});

describe('latestText', () => {
  it.each([
    [test({ value: '113', unit: 'umol/L' }), '113 µmol/L'],
    [test({ value: '', unit: '', absent: 'Sample haemolysed' }), 'No result: Sample haemolysed'],
    [test({ value: '', unit: '' }), 'No result'],
  ])('%s', (t, want) => expect(latestText(t)).toBe(want));
});

describe('isNewSince', () => {
  it.each([
    ['2026-12-03T10:00:00Z', '2026-12-02T09:00:00Z', true],
    ['2026-12-01T10:00:00Z', '2026-12-02T09:00:00Z', false],
    ['2026-12-02', '2026-12-02T09:00:00Z', true], // a date only: the day counts as after a view that morning
    ['2026-12-01', '2026-12-02T09:00:00Z', false],
    ['2026-12-03T10:00:00Z', '', false], // never looked: nothing is marked
    ['', '2026-12-02T09:00:00Z', false],
    ['not a date', '2026-12-02T09:00:00Z', false],
  ])('%s after %s: %s', (taken, since, want) => expect(isNewSince(taken, since)).toBe(want));
});
