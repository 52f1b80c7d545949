import { describe, expect, it } from 'vitest';
import type { Summary, Test } from './api';
import { attention, identityLine, notFullRecordLine } from './home';

function t(over: Partial<Test>): Test {
  return {
    id: 'o', testKey: 'k', name: 'Creatinine', code: null, value: '113', unit: 'umol/L', range: null, flag: 'high',
    flagLabel: 'High', comments: null, taken: '2026-12-03T09:00:00Z', reportId: 'r1', reportName: 'Kidney function',
    organisation: 'Lab', outside: true, count: 1, change: '', ...over,
  };
}

const base: Summary = { patient: null, sources: [], counts: null };

describe('attention', () => {
  const since = '2026-12-02T09:00:00Z';
  it('lists new results outside the range, a failed import and out-of-date sources, in that order', () => {
    const s: Summary = {
      ...base,
      importFailed: { file: 'broken.json', code: 'bad_json', message: 'This file is not valid FHIR JSON.' },
      sources: [{ name: 'Old Hospital', lastUpdated: '2026-05-01T10:00:00Z', outOfDate: true }, { name: 'New', lastUpdated: '2026-12-01T10:00:00Z' }],
    };
    const got = attention(s, [t({}), t({ name: 'Sodium', testKey: 's', outside: false })], since, true);
    expect(got.map((a) => a.kind)).toEqual(['new-outside', 'import-failed', 'out-of-date']);
    expect(got[0].text).toBe('New result outside the normal range: Creatinine 113 µmol/L, High');
    expect(got[0].link).toBe('#/results/r1');
    expect(got[1].text).toContain('broken.json');
    expect(got[1].link).toBe('#/import');
    expect(got[2].text).toBe('Your records from Old Hospital were last updated on 1 May 2026. Newer results may be missing.');
  });
  it('leaves out old results, results in range, urgent ones (they have the red card) and everything when never looked', () => {
    const s: Summary = { ...base, urgent: [{ reportId: 'r2', name: 'Potassium', taken: '', organisation: '' }] };
    const tests = [
      t({ taken: '2026-11-01' }),
      t({ outside: false, flag: '' }),
      t({ urgent: true }),
      t({ reportId: 'r2', name: 'Potassium' }),
    ];
    expect(attention(s, tests, since, true)).toEqual([]);
    expect(attention(s, [t({})], '', true)).toEqual([]);
  });
  it('asks a clinician viewing a share to do nothing', () => {
    const s: Summary = { ...base, importFailed: { file: 'x.json', code: 'c', message: 'm' }, sources: [{ name: 'A', lastUpdated: '2026-01-01', outOfDate: true }] };
    const got = attention(s, [], '', false);
    expect(got.map((a) => a.kind)).toEqual(['out-of-date']);
    expect(got[0].link).toBe('#/about-your-record');
  });
});

describe('identityLine', () => {
  it.each([
    [{ birthDate: '1985-03-12', nhsNumber: '943 476 5919' }, 'Born 12 March 1985 · NHS number 943 476 5919'],
    [{ birthDate: '', nhsNumber: '' }, 'Date of birth not known · NHS number not known'],
  ])('%o', (p, want) => expect(identityLine(p)).toBe(want));
});

describe('notFullRecordLine', () => {
  it.each([
    [['Demo Hospital NHS Foundation Trust'], 'This is not your full health record: it shows only what Demo Hospital NHS Foundation Trust has shared.'],
    [['A', 'B'], 'This is not your full health record: it shows only what A and B have shared.'],
    [[], 'This is not your full health record: it shows only what was in the files added to Ward.'],
    [null, 'This is not your full health record: it shows only what was in the files added to Ward.'],
  ])('%o', (orgs, want) => expect(notFullRecordLine(orgs)).toBe(want));
});
