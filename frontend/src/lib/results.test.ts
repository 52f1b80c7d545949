import { describe, expect, it } from 'vitest';
import { historyLinkText, rangeSummary, reportLead, reportTags, resultLine, resultRangeNote, statusTag, tagClass, urgentHeading, urgentLine } from './results';
import type { Result } from './api';

const results = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i) }) as Result);

describe('rangeSummary', () => {
  it.each([
    ['every result has a range and is in it', { allInRange: true, abnormalCount: 0, urgentCount: 0, unrangedCount: 0, results: results(2) }, 'No results outside the normal range'],
    ['no range at all', { allInRange: false, abnormalCount: 0, urgentCount: 0, unrangedCount: 1, results: results(1) }, 'No normal range given'],
    ['some without a range', { allInRange: false, abnormalCount: 0, urgentCount: 0, unrangedCount: 1, results: results(2) }, '1 result with no normal range given'],
    ['in range but the source disagrees', { allInRange: false, abnormalCount: 0, urgentCount: 0, unrangedCount: 0, results: results(1) }, 'See the result: what the record says and its range do not agree'],
    ['one urgent', { allInRange: false, abnormalCount: 1, urgentCount: 1, unrangedCount: 0, results: results(2) }, '1 result needs urgent attention'],
    ['urgent and flagged and unranged', { allInRange: false, abnormalCount: 3, urgentCount: 1, unrangedCount: 1, results: results(4) }, '1 result needs urgent attention; 2 results outside the normal range; 1 result with no normal range given'],
    ['an older server without allInRange never reassures', { abnormalCount: 0, results: results(2) }, 'See the result: what the record says and its range do not agree'],
    ['a positive result is abnormal, not outside a range', { abnormalCount: 1, outsideCount: 0, urgentCount: 0, unrangedCount: 1, results: results(1) }, '1 abnormal result; no normal range given'],
    ['no results', { abnormalCount: 0, results: [] }, ''],
  ])('%s', (_, report, want) => {
    expect(rangeSummary(report as Parameters<typeof rangeSummary>[0])).toBe(want);
  });
});

describe('reportTags', () => {
  it('an urgent report is red "Urgent", the rest orange, the status grey', () => {
    const tags = reportTags({ urgentCount: 1, abnormalCount: 3, outsideCount: 2, status: 'preliminary' });
    expect(tags).toEqual([
      { text: 'Urgent', kind: 'urgent' },
      { text: '2 results outside range', kind: 'flag' },
      { text: 'Preliminary', kind: 'status' },
    ]);
    expect(tags.map((t) => tagClass(t.kind))).toEqual(['nhsuk-tag--red', 'nhsuk-tag--orange', 'nhsuk-tag--grey']);
  });
  it('a mildly high result is never red', () => {
    expect(reportTags({ urgentCount: 0, abnormalCount: 1, outsideCount: 1, status: 'final' })).toEqual([{ text: '1 result outside range', kind: 'flag' }]);
  });
  it('a positive result is an abnormal result, not one outside a range', () => {
    expect(reportTags({ urgentCount: 0, abnormalCount: 1, outsideCount: 0, status: 'final' })).toEqual([{ text: '1 abnormal result', kind: 'flag' }]);
  });
  it('red is only ever the urgent tag', () => {
    for (const kind of ['flag', 'status'] as const) expect(tagClass(kind)).not.toContain('red');
  });
});

describe('statusTag', () => {
  it.each([
    ['final', ''],
    ['preliminary', 'Preliminary'],
    ['registered', 'Not ready yet'],
    ['amended', 'Amended'],
    ['corrected', 'Corrected'],
    ['entered-in-error', 'Entered in error'],
    [undefined, ''],
  ])('%s', (status, want) => expect(statusTag(status)).toBe(want));
});

describe('resultRangeNote', () => {
  it('says when there is no range, never "Within range"', () => {
    expect(resultRangeNote({ range: null, rangeCheck: 'none' })).toBe('No normal range given');
    expect(resultRangeNote({ range: { low: '', high: '', text: 'Negative' }, rangeCheck: 'unclear' })).toBe('This result cannot be compared with the range given');
    expect(resultRangeNote({ range: { low: '1', high: '2', text: '1 to 2' }, rangeCheck: 'in' })).toBe('');
  });
});

describe('urgent banner', () => {
  it('names the test and the day', () => {
    const u = [{ reportId: 'k', name: 'Potassium', taken: '2026-11-20', organisation: 'Riverside Pathology' }];
    expect(urgentHeading(u)).toBe('1 result needs urgent attention');
    expect(urgentLine(u[0])).toBe('Potassium, 20 November 2026');
    expect(urgentHeading([...u, ...u])).toBe('2 results need urgent attention');
  });
});

// ---------------------------------------------------------------------------
// The report page's first line and history links.

const r = (name: string, more: Partial<Result> = {}): Result =>
  ({ id: name, name, value: '', unit: '', flag: '', flagLabel: '', rangeCheck: 'in', code: null, range: null, comments: null, ...more }) as Result;
const creatinine = r('Creatinine', { value: '113', unit: 'umol/L', flag: 'high', flagLabel: 'High', rangeCheck: 'out' });
const sodium = r('Sodium', { value: '139', unit: 'mmol/L' });
const potassium = r('Potassium', { value: '6.9', unit: 'mmol/L', flag: 'critical-high', flagLabel: 'Very high - urgent', urgent: true, rangeCheck: 'out' });

describe('reportLead', () => {
  it.each<[string, Parameters<typeof reportLead>[0], string]>([
    ['one of four outside, named with value, unit and flag', { results: [creatinine, sodium, sodium, sodium], unrangedCount: 0 }, '1 of 4 results outside the normal range: Creatinine 113 µmol/L, High'],
    ['a single result', { results: [creatinine], unrangedCount: 0 }, 'Your result is outside the normal range: Creatinine 113 µmol/L, High'],
    ['urgent first, then outside, then no range', { results: [creatinine, potassium, r('eGFR', { value: '70', rangeCheck: 'none' })], unrangedCount: 1 },
      '1 of 3 results needs urgent attention: Potassium 6.9 mmol/L, Very high - urgent. 1 outside the normal range: Creatinine 113 µmol/L, High. 1 with no normal range given.'],
    ['a single urgent result', { results: [potassium], unrangedCount: 0 }, 'Your result needs urgent attention: Potassium 6.9 mmol/L, Very high - urgent'],
    ['a positive result is marked abnormal, not outside a range', { results: [r('Chlamydia', { value: 'Positive', flag: 'abnormal', flagLabel: 'Abnormal', rangeCheck: 'none' }), sodium], unrangedCount: 1 },
      '1 of 2 results marked abnormal: Chlamydia Positive, Abnormal. 1 with no normal range given.'],
    ['outside the range though the source did not flag it', { results: [r('Glucose', { value: '9.1', unit: 'mmol/L', computed: 'Outside the normal range given: high', rangeCheck: 'out' }), sodium], unrangedCount: 0 },
      '1 of 2 results outside the normal range: Glucose 9.1 mmol/L, outside the range given'],
    ['no value says why', { results: [r('Magnesium', { absent: 'Sample haemolysed', flag: 'low', flagLabel: 'Low' }), sodium], unrangedCount: 0 },
      '1 of 2 results outside the normal range: Magnesium no value (Sample haemolysed), Low'],
    ['more than three named: the rest counted', { results: [1, 2, 3, 4, 5].map((i) => r(`Test ${i}`, { value: String(i), flag: 'high', flagLabel: 'High' })), unrangedCount: 0 },
      '5 of 5 results outside the normal range: Test 1 1, High; Test 2 2, High; Test 3 3, High and 2 more'],
    ['all in range: the only reassurance', { results: [sodium, sodium, sodium, sodium], allInRange: true, unrangedCount: 0 }, 'All 4 results are inside the normal range'],
    ['one in range', { results: [sodium], allInRange: true, unrangedCount: 0 }, 'Your result is inside the normal range'],
    ['nothing flagged but no range: never reassures', { results: [sodium], allInRange: false, unrangedCount: 1 }, 'No normal range was given for your result'],
    ['none of several has a range', { results: [sodium, sodium], allInRange: false, unrangedCount: 2 }, 'No normal range was given for these 2 results'],
    ['some without a range: never reassures about the rest', { results: [sodium, sodium, sodium], allInRange: false, unrangedCount: 1 }, '1 of 3 results has no normal range given'],
    ['an older server without allInRange never reassures', { results: [sodium, sodium], unrangedCount: 0 }, 'See each result below: what the record says and its range do not agree'],
    ['a withdrawn report says nothing here (its warning leads)', { results: [creatinine], void: true }, ''],
    ['no results (a text report)', { results: [] }, ''],
  ])('%s', (_, report, want) => {
    expect(reportLead(report)).toBe(want);
    if (!report.allInRange) expect(reportLead(report)).not.toMatch(/inside the normal range|all normal|nothing outside|no results outside/i);
  });

  it('counts only the results sent: withdrawn ones are not among them', () => {
    // The server puts entered-in-error results in `withdrawn`, never in `results`.
    const report = { results: [sodium, sodium], withdrawn: [creatinine], allInRange: true, unrangedCount: 0 };
    expect(reportLead(report)).toBe('All 2 results are inside the normal range');
  });
});

describe('resultLine', () => {
  it.each<[string, Result, string]>([
    ['value, shown unit and flag', creatinine, 'Creatinine 113 µmol/L, High'],
    ['no flag', sodium, 'Sodium 139 mmol/L'],
    ['a comparator in words', r('Bilirubin', { value: '<2', unit: 'umol/L' }), 'Bilirubin below 2 µmol/L'],
  ])('%s', (_, x, want) => expect(resultLine(x)).toBe(want));
});

describe('historyLinkText', () => {
  it.each<[string, string, boolean, string]>([
    ['a plural name', 'White blood cells', true, 'See how your White blood cells results have changed over time'],
    ['a singular name', 'HbA1c', true, 'See how your HbA1c results have changed over time'],
    ['a name ending in "result" is not doubled', 'Urine culture result', true, 'See how your Urine culture results have changed over time'],
    ['a name ending in "results"', 'Liver function test results', false, 'See all your Liver function test results'],
    ['no earlier result', 'Sodium', false, 'See all your Sodium results'],
    ['spaces around the name', '  Platelets ', true, 'See how your Platelets results have changed over time'],
  ])('%s', (_, name, previous, want) => {
    expect(historyLinkText(name, previous)).toBe(want);
    expect(historyLinkText(name, previous)).not.toMatch(/\bhas changed\b|results results/);
  });
});
