import { describe, expect, it } from 'vitest';
import { rangeSummary, reportTags, resultRangeNote, statusTag, tagClass, urgentHeading, urgentLine } from './results';
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
