import { describe, expect, it } from 'vitest';
import { aboutLinks, aboutPage } from './aboutTest';
import type { Result } from './api';

const result = (name: string, testKey?: string, code: Result['code'] = null) => ({ id: name, name, testKey, code }) as Result;

describe('aboutPage', () => {
  it.each<[string, string, string | undefined, Result['code'], string | null]>([
    ['HbA1c by LOINC', 'Glycated haemoglobin', 'loinc|4548-4', null, 'https://www.nhs.uk/conditions/type-2-diabetes/diagnosis/'],
    ['HbA1c by name', 'HbA1c', 'name|hba1c', null, 'https://www.nhs.uk/conditions/type-2-diabetes/diagnosis/'],
    ['a name in another case, with extra spaces', '  Total   CHOLESTEROL ', undefined, null, 'https://www.nhs.uk/conditions/high-cholesterol/'],
    ['eGFR', 'eGFR', 'loinc|33914-3', null, 'https://www.nhs.uk/conditions/kidney-disease/'],
    ['a LOINC code given as a code', 'Blood count', 'http://snomed.info/sct|26604007', { system: 'LOINC', code: '58410-2', display: '' }, 'https://www.nhs.uk/tests-and-treatments/blood-tests/'],
    ['the LOINC code wins over the name', 'Creatinine', 'loinc|4548-4', null, 'https://www.nhs.uk/conditions/type-2-diabetes/diagnosis/'],
    ['a test with no entry gets no link', 'Potassium', 'loinc|2823-3', null, null],
    ['an unknown name gets no link', 'Vitamin D', 'name|vitamin d', null, null],
    ['a SNOMED code that looks like a LOINC entry is not one', 'Thing', 'http://snomed.info/sct|4548-4', { system: 'SNOMED CT', code: '4548-4', display: '' }, null],
  ])('%s', (_, name, key, code, want) => {
    expect(aboutPage(name, key, code)?.url ?? null).toBe(want);
  });

  it('every page is on NHS.UK, over https', () => {
    const names = ['HbA1c', 'Full blood count', 'Cholesterol', 'Creatinine', 'eGFR', 'HDL cholesterol', 'Kidney function'];
    for (const n of names) {
      const p = aboutPage(n);
      expect(p, n).not.toBeNull();
      expect(p!.url).toMatch(/^https:\/\/www\.nhs\.uk\/(conditions|tests-and-treatments)\/[a-z0-9-/]+\/$/);
      expect(p!.title).not.toBe('');
    }
  });
});

describe('aboutLinks', () => {
  it('one link per page, naming the tests it is about, in the order named', () => {
    const links = aboutLinks({
      name: 'Kidney function (urea and electrolytes)',
      codes: [{ system: 'LOINC', code: '24362-6', display: '' }],
      results: [result('Sodium', 'loinc|2951-2'), result('Creatinine', 'loinc|2160-0'), result('eGFR', 'loinc|33914-3')],
    });
    expect(links).toEqual([
      {
        title: 'Chronic kidney disease',
        url: 'https://www.nhs.uk/conditions/kidney-disease/',
        tests: ['Kidney function (urea and electrolytes)', 'Creatinine', 'eGFR'],
      },
    ]);
  });
  it('several pages', () => {
    const links = aboutLinks({ name: 'Bloods', codes: [], results: [result('HbA1c', 'loinc|4548-4'), result('Total cholesterol', 'loinc|2093-3')] });
    expect(links.map((l) => l.title)).toEqual(['Type 2 diabetes: diagnosis', 'High cholesterol']);
  });
  it('none known: no links', () => {
    expect(aboutLinks({ name: 'Vitamin D', codes: null, results: [result('Vitamin D')] })).toEqual([]);
  });
});
