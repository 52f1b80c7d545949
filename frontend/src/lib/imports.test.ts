import { describe, expect, it } from 'vitest';
import { checkFile, isFinished, progressText, progressValue, summaryRows, typeCount } from './imports';
import { attachmentDetail, fileKind, formatBytes } from './text';
import { importContentType, newImportId } from './api';

describe('formatBytes', () => {
  it('uses plain sizes', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(277)).toBe('277 bytes');
    expect(formatBytes(1024)).toBe('1 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(120 * 1024)).toBe('120 KB');
    expect(formatBytes(1.44 * 1024 * 1024)).toBe('1.4 MB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5 GB');
    expect(formatBytes(2000 * 1024 ** 4)).toBe('2,000 TB');
    expect(formatBytes(-1)).toBe('');
    expect(formatBytes(null)).toBe('');
  });
});

describe('fileKind and attachmentDetail', () => {
  it('names file types in plain words', () => {
    expect(fileKind('application/pdf')).toBe('PDF');
    expect(fileKind('text/plain; charset=utf-8')).toBe('text');
    expect(fileKind('application/x-unknown')).toBe('file');
    expect(fileKind('')).toBe('file');
    expect(attachmentDetail('application/pdf', 120 * 1024)).toBe('(PDF, 120 KB)');
    expect(attachmentDetail('application/pdf', undefined)).toBe('(PDF)');
  });
});

describe('progress', () => {
  it('says what is happening', () => {
    expect(progressText({ state: 'running', bytesDone: 1024, bytesTotal: 4096, items: 1200, file: 'b.json' })).toBe(
      'Read 1 KB of 4 KB. Saved 1,200 records so far.',
    );
    expect(progressText({ state: 'running', bytesDone: 2048, bytesTotal: -1, items: 1, file: 'b.json' })).toBe(
      'Read 2 KB. Saved 1 record so far.',
    );
    expect(progressText({ state: 'done', bytesDone: 1, bytesTotal: 1, items: 1, file: 'b.json' })).toBe('Finished adding b.json');
    expect(progressText({ state: 'cancelled', bytesDone: 1, bytesTotal: 1, items: 1, file: 'b.json' })).toMatch(/Nothing from it was saved/);
  });
  it('gives a bar value, or none when the size is not known', () => {
    expect(progressValue({ bytesDone: 5, bytesTotal: 10 })).toEqual({ value: 5, max: 10 });
    expect(progressValue({ bytesDone: 50, bytesTotal: 10 })).toEqual({ value: 10, max: 10 });
    expect(progressValue({ bytesDone: 5, bytesTotal: -1 })).toBeNull();
  });
  it('knows the final states', () => {
    expect(isFinished('done')).toBe(true);
    expect(isFinished('failed')).toBe(true);
    expect(isFinished('cancelled')).toBe(true);
    expect(isFinished('running')).toBe(false);
  });
});

describe('summaryRows', () => {
  it('lists totals and kinds, most first', () => {
    const rows = summaryRows({
      added: 3990,
      updated: 1,
      unchanged: 0,
      keptNewer: 2,
      skipped: [{ entry: 12, reason: 'no id' }],
      byType: { Condition: 2, Observation: 2000, Claim: 1, Patient: 0 },
    });
    expect(rows.totals).toEqual([
      ['Added', '3,990 records'],
      ['Updated', '1 record'],
      ['Unchanged', '0 records'],
      ['Already newer in Ward (kept)', '2 records'],
    ]);
    expect(rows.byType).toEqual(['2,000 test results', '2 conditions', '1 Claim']);
    expect(rows.skipped).toEqual(['Entry 12: no id']);
    expect(summaryRows(null).totals).toEqual([]);
  });
  it('names types', () => {
    expect(typeCount('AllergyIntolerance', 1)).toBe('1 allergy');
  });
});

describe('checkFile and importContentType', () => {
  it('checks the file', () => {
    expect(checkFile(null)).toBe('Select a file to add');
    expect(checkFile({ name: 'a.pdf', size: 10 })).toMatch(/must be a JSON/);
    expect(checkFile({ name: 'a.json', size: 0 })).toBe('The selected file is empty');
    expect(checkFile({ name: 'A.NDJSON', size: 5 })).toBe('');
    expect(checkFile({ name: 'big.json', size: 2 * 1024 ** 3 })).toBe('The selected file must be smaller than 1 GB');
  });
  it('picks a content type', () => {
    expect(importContentType({ name: 'a.json', type: '' })).toBe('application/json');
    expect(importContentType({ name: 'a.ndjson', type: '' })).toBe('application/x-ndjson');
    expect(importContentType({ name: 'a.xml', type: '' })).toBe('application/xml');
    expect(importContentType({ name: 'a.json', type: 'application/fhir+json' })).toBe('application/fhir+json');
    expect(importContentType({ name: 'a', type: '' })).toBe('application/octet-stream');
  });
});

describe('newImportId', () => {
  it('makes ids the server accepts (8-64 letters, digits or dashes), different each time', () => {
    const a = newImportId();
    expect(a).toMatch(/^[A-Za-z0-9-]{8,64}$/);
    expect(newImportId()).not.toBe(a);
  });
});
