import { describe, expect, it } from 'vitest';
import { flagLabel, flagTagClass, isCritical, isFlagged } from './flags';

describe('flagLabel', () => {
  const cases: Array<[string | null | undefined, string | undefined, string]> = [
    ['high', 'High', 'High'],
    ['low', '', 'Low'],
    ['high', undefined, 'High'],
    ['abnormal', undefined, 'Abnormal'],
    ['critical-high', undefined, 'Very high - urgent'],
    ['critical-low', undefined, 'Very low - urgent'],
    ['critical', undefined, 'Very abnormal - urgent'],
    ['something-new', undefined, 'Outside range'],
    ['critical-high', 'Very high - urgent', 'Very high - urgent'],
    ['low', '  Slightly low ', 'Slightly low'],
    ['', '', ''],
    ['', undefined, ''],
    [null, null as unknown as undefined, ''],
    [undefined, undefined, ''],
  ];
  it.each(cases)('flagLabel(%j, %j) = %j', (flag, label, want) => {
    expect(flagLabel(flag, label)).toBe(want);
  });
});

describe('flag classes', () => {
  const cases: Array<[string, boolean, boolean, string]> = [
    ['', false, false, 'nhsuk-tag--grey'],
    ['high', true, false, 'nhsuk-tag--orange'],
    ['low', true, false, 'nhsuk-tag--orange'],
    ['abnormal', true, false, 'nhsuk-tag--orange'],
    ['critical-high', true, true, 'nhsuk-tag--red'],
    ['critical-low', true, true, 'nhsuk-tag--red'],
    ['critical', true, true, 'nhsuk-tag--red'],
  ];
  it.each(cases)('%j: flagged=%j critical=%j class=%j', (flag, flagged, critical, cls) => {
    expect(isFlagged(flag)).toBe(flagged);
    expect(isCritical(flag)).toBe(critical);
    expect(flagTagClass(flag)).toBe(cls);
  });
});
