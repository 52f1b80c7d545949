import { describe, expect, it } from 'vitest';
import {
  cancelText,
  checkFile,
  checkFiles,
  doneText,
  errorTitle,
  failureLine,
  fileLabel,
  fileRows,
  hasErrors,
  isFinished,
  nextAnnouncement,
  notStartedText,
  overallText,
  progressText,
  progressValue,
  runQueue,
  skippedLines,
  startText,
  summaryRows,
  technicalLines,
  totalSummary,
  typeCount,
  type BatchResult,
  type FileOutcome,
} from './imports';
import { attachmentDetail, fileKind, formatBytes } from './text';
import { ApiError, SERVICE_PROBLEM, importContentType, newImportId, type ImportStatus, type ImportSummary } from './api';

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

describe('checkFiles', () => {
  it('asks for at least one file, and names the bad one when there are several', () => {
    expect(checkFiles([])).toBe('Select a file to add');
    expect(checkFiles(null)).toBe('Select a file to add');
    expect(checkFiles([{ name: 'a.pdf', size: 1 }])).toBe('The selected file must be a JSON, NDJSON or XML file');
    expect(checkFiles([{ name: 'a.json', size: 1 }, { name: 'notes.txt', size: 1 }])).toBe('notes.txt must be a JSON, NDJSON or XML file');
    expect(checkFiles([{ name: 'a.json', size: 1 }, { name: 'b.json', size: 0 }])).toBe('b.json is empty');
    expect(checkFiles([{ name: 'a.json', size: 1 }, { name: 'b.xml', size: 2 }])).toBe('');
  });
});

const sum = (added: number, updated = 0, unchanged = 0, extra: Partial<ImportSummary> = {}): ImportSummary => ({
  added,
  updated,
  unchanged,
  byType: { Observation: added },
  ...extra,
});

function snapshot(file: string, state: ImportStatus['state'], extra: Partial<ImportStatus> = {}): ImportStatus {
  return { id: 'x', file, state, bytesDone: 1, bytesTotal: 1, items: 0, message: '', summary: null, ...extra };
}

const files = (...names: string[]) => names.map((name) => ({ name }));

describe('runQueue', () => {
  it('imports the files one after another; a failed file does not stop the others', async () => {
    const order: string[] = [];
    let inFlight = 0;
    const ended: string[] = [];
    const r = await runQueue(files('a.json', 'broken.json', 'c.xml'), {
      async run(f) {
        inFlight++;
        expect(inFlight).toBe(1); // never two at once
        order.push(f.name);
        await new Promise((res) => setTimeout(res, 1));
        inFlight--;
        if (f.name === 'broken.json') {
          return snapshot(f.name, 'failed', { message: 'broken.json could not be imported: entry 3: this is not valid JSON. Nothing from it was saved.' });
        }
        return snapshot(f.name, 'done', { summary: sum(f.name === 'a.json' ? 2 : 5) });
      },
      stopRequested: () => false,
      onFileEnd: (o) => ended.push(`${o.name}:${o.state}`),
    });
    expect(order).toEqual(['a.json', 'broken.json', 'c.xml']);
    expect(ended).toEqual(['a.json:done', 'broken.json:failed', 'c.xml:done']);
    expect(r.cancelled).toBe(false);
    expect(r.problem).toBe('');
    expect(r.files.map((f) => f.state)).toEqual(['done', 'failed', 'done']);
    expect(r.files[1].message).toMatch(/^broken\.json could not be imported: entry 3/);
    expect(hasErrors(r)).toBe(true);
    expect(errorTitle(r)).toBe('1 of 3 files could not be imported');
    expect(doneText(r.files)).toBe('2 files have been added to your record.');
  });

  it('carries on after a per-file error answer (413), naming the file', async () => {
    const r = await runQueue(files('huge.json', 'b.json'), {
      async run(f) {
        if (f.name === 'huge.json') throw new ApiError('That file is larger than 1 GB.', 413, 'too_large');
        return snapshot(f.name, 'done', { summary: sum(1) });
      },
      stopRequested: () => false,
    });
    expect(r.files.map((f) => [f.state, f.message])).toEqual([
      ['failed', 'huge.json: That file is larger than 1 GB.'],
      ['done', ''],
    ]);
    expect(technicalLines(r.files[0])).toEqual(['Error code: too_large']);
  });

  it("keeps a file's plain words and its technical detail apart", async () => {
    const plain = 'comment.json is not valid FHIR JSON: line 3 has a comment, which JSON files cannot have. Nothing from it was saved; everything else is as it was.';
    const detail = "entry 0: this is not valid JSON: invalid character '/' looking for beginning of object key string (line 3)";
    const r = await runQueue(files('comment.json'), {
      run: async (f) => snapshot(f.name, 'failed', { message: plain, code: 'bad_file', detail }),
      stopRequested: () => false,
    });
    expect(r.files[0].message).toBe(plain);
    expect(r.files[0].detail).toBe(detail);
    expect(technicalLines(r.files[0])).toEqual([detail, 'Error code: bad_file']);
  });

  it('stops on 409 busy with the server\'s message; that file and the rest are not started', async () => {
    let calls = 0;
    const busy = 'Another import is still running. Wait for it to finish, then try again.';
    const r = await runQueue(files('a.json', 'b.json', 'c.json'), {
      async run(f) {
        calls++;
        if (f.name === 'b.json') throw new ApiError(busy, 409, 'busy');
        return snapshot(f.name, 'done', { summary: sum(1) });
      },
      stopRequested: () => false,
    });
    expect(calls).toBe(2);
    expect(r.problem).toBe(busy);
    expect(r.cancelled).toBe(false);
    expect(r.files.map((f) => f.state)).toEqual(['done', 'not-started', 'not-started']);
    expect(hasErrors(r)).toBe(true);
    expect(errorTitle(r)).toBe('There is a problem');
    expect(notStartedText(r.files)).toBe('2 files were not started: b.json and c.json.');
  });

  it('stops when the server cannot be reached', async () => {
    const r = await runQueue(files('a.json', 'b.json'), {
      run: async () => {
        throw new ApiError(SERVICE_PROBLEM, 0, 'network');
      },
      stopRequested: () => false,
    });
    expect(r.files.map((f) => f.state)).toEqual(['failed', 'not-started']);
    expect(r.files[0].message).toBe(`a.json: ${SERVICE_PROBLEM}`);
  });

  it('Cancel stops the file being imported and starts no more', async () => {
    let stop = false;
    const started: string[] = [];
    const r = await runQueue(files('a.json', 'b.json', 'labs.json', 'd.json', 'e.json'), {
      async run(f) {
        started.push(f.name);
        if (f.name === 'labs.json') {
          stop = true; // Cancel pressed while labs.json is being imported
          return snapshot(f.name, 'cancelled', { message: 'The import was cancelled.' });
        }
        return snapshot(f.name, 'done', { summary: sum(1) });
      },
      stopRequested: () => stop,
    });
    expect(started).toEqual(['a.json', 'b.json', 'labs.json']);
    expect(r.cancelled).toBe(true);
    expect(r.files.map((f) => f.state)).toEqual(['done', 'done', 'cancelled', 'not-started', 'not-started']);
    expect(hasErrors(r)).toBe(false);
    expect(cancelText(r)).toBe('Import cancelled. 2 files were imported before you cancelled. Nothing from labs.json was saved. 2 files were not started.');
  });

  it('Cancel between files (or too late for the file) starts no more', async () => {
    let stop = false;
    const r = await runQueue(files('a.json', 'b.json', 'c.json'), {
      async run(f) {
        stop = true; // pressed, but a.json finished first
        return snapshot(f.name, 'done', { summary: sum(1) });
      },
      stopRequested: () => stop,
    });
    expect(r.cancelled).toBe(true);
    expect(r.files.map((f) => f.state)).toEqual(['done', 'not-started', 'not-started']);
    expect(cancelText(r)).toBe('Import cancelled. 1 file was imported before you cancelled. 2 files were not started.');
  });
});

describe('wording for several files', () => {
  const outcome = (name: string, state: FileOutcome['state'], summary: ImportSummary | null = null, message = ''): FileOutcome => ({
    name,
    state,
    message,
    summary,
  });

  it('cancel wording for one file says the record is as it was', () => {
    const r: BatchResult = { files: [outcome('big.json', 'cancelled')], cancelled: true, problem: '' };
    expect(cancelText(r)).toBe('Import cancelled. Nothing from big.json was saved. Your record is as it was.');
    expect(errorTitle(r)).toBe('There is a problem');
    expect(hasErrors(r)).toBe(false);
    expect(hasErrors(null)).toBe(false);
  });

  it('labels, counts and live-region text', () => {
    expect(fileLabel(1, 5, 'labs.json')).toBe('File 2 of 5: labs.json');
    expect(fileLabel(0, 1, 'big.json')).toBe('Adding big.json');
    expect(overallText(2, 5)).toBe('2 of 5 files finished');
    expect(overallText(0, 1)).toBe('0 of 1 file finished');
    expect(startText(0, 3, 'a.json')).toBe('File 1 of 3: a.json.');
    expect(startText(1, 3, 'b.json', outcome('a.json', 'done'))).toBe('a.json was imported. File 2 of 3: b.json.');
    expect(startText(2, 3, 'c.json', outcome('b.json', 'failed'))).toBe('b.json could not be imported. File 3 of 3: c.json.');
    expect(failureLine('a.json', 'a.json could not be imported.')).toBe('a.json could not be imported.');
    expect(failureLine('a.json', 'Sorry.')).toBe('a.json: Sorry.');
  });

  it('announces new files at once and progress at most every few seconds', () => {
    let last = nextAnnouncement({ text: '', at: 0 }, 'File 1 of 2: a.json.', 1000, true)!;
    expect(last).toEqual({ text: 'File 1 of 2: a.json.', at: 1000 });
    expect(nextAnnouncement(last, 'Read 1 KB of 4 KB. Saved 1 record so far.', 1250, false)).toBeNull();
    expect(nextAnnouncement(last, 'Read 2 KB of 4 KB. Saved 5 records so far.', 3999, false)).toBeNull();
    last = nextAnnouncement(last, 'Read 2 KB of 4 KB. Saved 5 records so far.', 4000, false)!;
    expect(last.text).toBe('Read 2 KB of 4 KB. Saved 5 records so far.');
    expect(nextAnnouncement(last, last.text, 9000, false)).toBeNull(); // nothing new to say
    expect(nextAnnouncement(last, 'a.json was imported. File 2 of 2: b.json.', 4100, true)?.text).toBe('a.json was imported. File 2 of 2: b.json.');
  });

  it('adds up the imported files, per file and in total', () => {
    const fs = [
      outcome('a.json', 'done', sum(2, 1, 3, { byType: { Observation: 2, Condition: 1 }, skipped: [{ entry: 4, reason: 'no id' }] })),
      outcome('broken.json', 'failed', null, 'broken.json could not be imported.'),
      outcome('c.json', 'done', sum(1200, 0, 0, { keptNewer: 1 })),
    ];
    const t = totalSummary(fs);
    expect(t).toMatchObject({ added: 1202, updated: 1, unchanged: 3, keptNewer: 1, byType: { Observation: 1202, Condition: 1 } });
    expect(summaryRows(t).byType).toEqual(['1,202 test results', '1 condition']);
    const table = fileRows(fs);
    expect(table.rows).toEqual([
      { name: 'a.json', added: '2', updated: '1', unchanged: '3', keptNewer: '0' },
      { name: 'c.json', added: '1,200', updated: '0', unchanged: '0', keptNewer: '1' },
    ]);
    expect(table.total).toEqual({ name: 'Total', added: '1,202', updated: '1', unchanged: '3', keptNewer: '1' });
    expect(table.kept).toBe(true);
    expect(skippedLines(fs)).toEqual(['a.json, entry 4: no id']);
    expect(skippedLines([fs[0]])).toEqual(['Entry 4: no id']);
    expect(doneText([fs[0]])).toBe('a.json has been added to your record.');
    expect(errorTitle({ files: fs, cancelled: false, problem: '' })).toBe('1 of 3 files could not be imported');
    expect(notStartedText(fs)).toBe('');
    expect(notStartedText([outcome('x.json', 'not-started')])).toBe('1 file was not started: x.json.');
  });
});

describe('what files said about themselves', () => {
  it('lists warnings, repeats, unreadable records and nothing new, per file', async () => {
    const { noticeLines, outcomeOf } = await import('./imports');
    const done = (name: string, summary: object) => ({ name, state: 'done' as const, message: '', summary: { added: 0, updated: 0, unchanged: 1, byType: {}, ...summary } });
    const lines = noticeLines([
      done('a.json', { nothingNew: true }),
      done('b.json', { notices: ['It may not contain the entire record available in the system.'], repeats: ['Observation o1 appears 2 times: the newest was kept'], unreadable: ['Observation obs-42 has `issued` as a number'] }),
    ]);
    expect(lines).toEqual([
      'a.json: nothing new: everything in a.json was already in your record.',
      'b.json: the organisation\'s system says: "It may not contain the entire record available in the system."',
      'b.json: Observation o1 appears 2 times: the newest was kept.',
      'b.json: 1 record could not be read and is not shown (they are kept, under Other records): Observation obs-42 has `issued` as a number.',
    ]);
    const failed = outcomeOf('x.json', { id: 'i', file: 'x.json', state: 'failed', bytesDone: 0, bytesTotal: 0, items: 0, message: 'This file is about Sam Rivera', code: 'confirm_same_person', summary: null });
    expect(failed.code).toBe('confirm_same_person');
  });
});

describe('technicalLines', () => {
  const failed = (code?: string, detail?: string): Pick<FileOutcome, 'state' | 'code' | 'detail'> => ({ state: 'failed', code, detail });
  it.each([
    ['detail and code', failed('bad_file', "invalid character '/' (line 3)"), ["invalid character '/' (line 3)", 'Error code: bad_file']],
    ['a code alone', failed('too_large'), ['Error code: too_large']],
    ['a question for the person, not a fault', failed('confirm_same_person'), []],
    ['another person: the words say it all', failed('other_person'), []],
    ['no answer at all', failed('network'), []],
    ['nothing known', failed(), []],
    ['blank detail', failed(undefined, '   '), []],
  ])('%s', (_name, f, want) => expect(technicalLines(f)).toEqual(want));

  it('is empty for a file that did not fail', () => {
    expect(technicalLines({ state: 'done', code: 'bad_file', detail: 'x' })).toEqual([]);
  });
});
