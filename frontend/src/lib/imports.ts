// Words for the import page: progress, and the summary when it is done.

import { ApiError, errorMessage, type ImportStatus, type ImportSummary } from './api';
import { formatBytes, joinList, plural } from './text';

/** "Read 1.2 MB of 4 MB. Saved 1,200 records so far." */
export function progressText(s: Pick<ImportStatus, 'state' | 'bytesDone' | 'bytesTotal' | 'items' | 'file'>): string {
  const done = Math.max(0, s.bytesDone || 0);
  const total = s.bytesTotal || 0;
  const items = Math.max(0, s.items || 0);
  switch (s.state) {
    case 'running': {
      const read = total > 0 ? `Read ${formatBytes(Math.min(done, total))} of ${formatBytes(total)}` : `Read ${formatBytes(done)}`;
      return `${read}. Saved ${plural(items, 'record')} so far.`;
    }
    case 'done':
      return `Finished adding ${s.file}`;
    case 'cancelled':
      return `Stopped adding ${s.file}. Nothing from it was saved.`;
    case 'failed':
      return `Could not add ${s.file}`;
    default:
      return 'Starting';
  }
}

/** The value and max for a <progress> element: null for an indeterminate bar. */
export function progressValue(s: Pick<ImportStatus, 'bytesDone' | 'bytesTotal'>): { value: number; max: number } | null {
  if (!(s.bytesTotal > 0)) return null;
  return { value: Math.min(Math.max(0, s.bytesDone), s.bytesTotal), max: s.bytesTotal };
}

export function isFinished(state: string): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}

const TYPE_NAMES: Record<string, [string, string]> = {
  Patient: ['patient record', 'patient records'],
  Observation: ['test result', 'test results'],
  DiagnosticReport: ['test report', 'test reports'],
  Condition: ['condition', 'conditions'],
  MedicationRequest: ['medicine', 'medicines'],
  MedicationStatement: ['medicine', 'medicines'],
  Medication: ['medicine description', 'medicine descriptions'],
  AllergyIntolerance: ['allergy', 'allergies'],
  Immunization: ['vaccination', 'vaccinations'],
  Encounter: ['visit', 'visits'],
  Appointment: ['appointment', 'appointments'],
  DocumentReference: ['letter or document', 'letters and documents'],
  Composition: ['letter or document', 'letters and documents'],
  Practitioner: ['healthcare professional', 'healthcare professionals'],
  Organization: ['organisation', 'organisations'],
};

/** "2,000 test results" for ("Observation", 2000); other types by their FHIR name. */
export function typeCount(type: string, n: number): string {
  const names = TYPE_NAMES[type];
  if (names) return `${n.toLocaleString('en-GB')} ${n === 1 ? names[0] : names[1]}`;
  return `${n.toLocaleString('en-GB')} ${type}`;
}

/** The summary rows: "Added", "Updated", "Unchanged" with counts, then per kind. */
export function summaryRows(s: ImportSummary | null | undefined): { totals: Array<[string, string]>; byType: string[]; skipped: string[] } {
  if (!s) return { totals: [], byType: [], skipped: [] };
  const totals: Array<[string, string]> = [
    ['Added', plural(s.added || 0, 'record')],
    ['Updated', plural(s.updated || 0, 'record')],
    ['Unchanged', plural(s.unchanged || 0, 'record')],
  ];
  if (s.keptNewer) totals.push(['Already newer in Ward (kept)', plural(s.keptNewer, 'record')]);
  const byType = Object.entries(s.byType ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([t, n]) => typeCount(t, n));
  const skipped = (s.skipped ?? []).map((x) => `Entry ${x.entry}: ${x.reason}`);
  return { totals, byType, skipped };
}

/** Checks a chosen file before uploading: an error message, or "" when fine. */
export const MAX_IMPORT_BYTES = 1024 ** 3;

export function checkFile(file: { name: string; size: number } | null | undefined): string {
  if (!file) return 'Select a file to add';
  if (!/\.(json|ndjson|xml)$/i.test(file.name)) return 'The selected file must be a JSON, NDJSON or XML file';
  if (file.size === 0) return 'The selected file is empty';
  if (file.size > MAX_IMPORT_BYTES) return 'The selected file must be smaller than 1 GB';
  return '';
}

/** Checks the chosen files before uploading any: an error message, or "" when all are fine. */
export function checkFiles(files: ArrayLike<{ name: string; size: number }> | null | undefined): string {
  if (!files || files.length === 0) return 'Select a file to add';
  if (files.length === 1) return checkFile(files[0]);
  for (const f of Array.from(files)) {
    const problem = checkFile(f);
    if (problem) return problem.replace('The selected file', f.name);
  }
  return '';
}

// ---------------------------------------------------------------------------
// Several files: imported one after another, each with its own request (and
// so its own transaction: a file is saved whole or not at all).

export type FileState = 'done' | 'failed' | 'cancelled' | 'not-started';

export interface FileOutcome {
  name: string;
  state: FileState;
  /** For failed files: the server's plain message, naming the file. */
  message: string;
  /** For failed files: why, as the server's code ("confirm_same_person" asks the person). */
  code?: string;
  /** For failed files Ward could not read: the reader's own words (behind "Technical details"). */
  detail?: string;
  summary: ImportSummary | null;
}

export interface BatchResult {
  files: FileOutcome[];
  /** Cancel stopped the queue (the file being imported, and those after it). */
  cancelled: boolean;
  /** Why the queue stopped early without Cancel (e.g. 409 busy): the server's message. */
  problem: string;
}

export interface QueueHooks<F> {
  /** Imports one file: the final snapshot from POST /api/imports. */
  run(file: F, index: number): Promise<ImportStatus>;
  /** True once Cancel was pressed (or the page went away): start no more files. */
  stopRequested(): boolean;
  onFileEnd?(outcome: FileOutcome, index: number): void;
}

/** "broken.json could not be imported: ..." as it is; other messages get the file's name first. */
export function failureLine(name: string, message: string): string {
  const m = message.trim();
  return m.includes(name) ? m : `${name}: ${m}`;
}

export function outcomeOf(name: string, s: ImportStatus): FileOutcome {
  switch (s.state) {
    case 'done':
      return { name, state: 'done', message: '', summary: s.summary };
    case 'cancelled':
      return { name, state: 'cancelled', message: '', summary: null };
    default:
      return {
        name,
        state: 'failed',
        message: failureLine(name, s.message || `${name} could not be imported. Nothing from it was saved.`),
        code: s.code,
        detail: s.detail,
        summary: null,
      };
  }
}

/**
 * An error from one file's request that should stop the rest: locked (401)
 * or no answer at all. Other errors (413 too large, 400, 5xx) belong to
 * that file only. 409 busy is handled on its own (nothing was started).
 */
export function stopsQueue(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status === 0 || err.status === 401 || err.status === 409;
}

/** Imports the files one after another. A failed file does not stop the others. */
export async function runQueue<F extends { name: string }>(files: readonly F[], hooks: QueueHooks<F>): Promise<BatchResult> {
  const out: FileOutcome[] = files.map((f) => ({ name: f.name, state: 'not-started', message: '', summary: null }));
  let cancelled = false;
  let problem = '';
  for (let i = 0; i < files.length; i++) {
    if (hooks.stopRequested()) {
      cancelled = true;
      break;
    }
    const name = files[i].name;
    let outcome: FileOutcome;
    let stop = false;
    try {
      outcome = outcomeOf(name, await hooks.run(files[i], i));
      if (outcome.state === 'cancelled') cancelled = stop = true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        problem = e.message; // another import is running: this file was not started
        break;
      }
      outcome = { name, state: 'failed', message: failureLine(name, errorMessage(e)), code: e instanceof ApiError ? e.code : undefined, summary: null };
      stop = stopsQueue(e);
    }
    out[i] = outcome;
    hooks.onFileEnd?.(outcome, i);
    if (stop) break;
  }
  return { files: out, cancelled, problem };
}

function named(files: FileOutcome[], state: FileState): FileOutcome[] {
  return files.filter((f) => f.state === state);
}

/** "File 2 of 5: labs.json"; "Adding labs.json" when there is only one. */
export function fileLabel(index: number, total: number, name: string): string {
  return total > 1 ? `File ${index + 1} of ${total}: ${name}` : `Adding ${name}`;
}

/** The label of the overall bar: "2 of 5 files finished". */
export function overallText(finished: number, total: number): string {
  return `${finished.toLocaleString('en-GB')} of ${plural(total, 'file')} finished`;
}

/** Said when a file starts: how the one before ended, then which file this is. */
export function startText(index: number, total: number, name: string, previous?: FileOutcome | null): string {
  const before = !previous
    ? ''
    : previous.state === 'done'
      ? `${previous.name} was imported. `
      : previous.state === 'failed'
        ? `${previous.name} could not be imported. `
        : '';
  return `${before}${fileLabel(index, total, name)}.`;
}

export const ANNOUNCE_GAP_MS = 3000;

export interface Announcement {
  text: string;
  at: number;
}

/**
 * Keeps the live region calm: a new file is announced at once, progress at
 * most every `gap` ms (and only when the words changed). The new text, or
 * null to leave the region as it is.
 */
export function nextAnnouncement(last: Announcement, text: string, now: number, boundary: boolean, gap = ANNOUNCE_GAP_MS): Announcement | null {
  if (boundary) return { text, at: now };
  if (text === last.text || now - last.at < gap) return null;
  return { text, at: now };
}

/** The added/updated/unchanged counts of the imported files, added up. */
export function totalSummary(files: FileOutcome[]): ImportSummary {
  const t: ImportSummary = { added: 0, updated: 0, unchanged: 0, keptNewer: 0, skipped: [], byType: {} };
  for (const f of named(files, 'done')) {
    const s = f.summary;
    if (!s) continue;
    t.added += s.added || 0;
    t.updated += s.updated || 0;
    t.unchanged += s.unchanged || 0;
    t.keptNewer = (t.keptNewer ?? 0) + (s.keptNewer || 0);
    for (const [k, n] of Object.entries(s.byType ?? {})) t.byType![k] = (t.byType![k] ?? 0) + n;
    for (const x of s.skipped ?? []) t.skipped!.push(x);
  }
  return t;
}

export interface FileRow {
  name: string;
  added: string;
  updated: string;
  unchanged: string;
  keptNewer: string;
}

function counts(name: string, s: ImportSummary | null): FileRow {
  const n = (x: number | undefined) => (x || 0).toLocaleString('en-GB');
  return { name, added: n(s?.added), updated: n(s?.updated), unchanged: n(s?.unchanged), keptNewer: n(s?.keptNewer) };
}

/** One row per imported file, and the totals; `kept` says whether to show the "kept" column. */
export function fileRows(files: FileOutcome[]): { rows: FileRow[]; total: FileRow; kept: boolean } {
  const done = named(files, 'done');
  const total = totalSummary(files);
  return { rows: done.map((f) => counts(f.name, f.summary)), total: counts('Total', total), kept: (total.keptNewer ?? 0) > 0 };
}

/** Entries left out, named by file when there were several. */
export function skippedLines(files: FileOutcome[]): string[] {
  const several = files.length > 1;
  return named(files, 'done').flatMap((f) =>
    (f.summary?.skipped ?? []).map((x) => (several ? `${f.name}, entry ${x.entry}: ${x.reason}` : `Entry ${x.entry}: ${x.reason}`)),
  );
}

/** "labs.json has been added to your record." or "2 files have been added to your record." */
export function doneText(files: FileOutcome[]): string {
  const done = named(files, 'done');
  if (done.length === 1) return `${done[0].name} has been added to your record.`;
  return `${plural(done.length, 'file')} have been added to your record.`;
}

/** The error summary's title: "2 of 5 files could not be imported", or "There is a problem". */
export function errorTitle(r: BatchResult): string {
  const failed = named(r.files, 'failed').length;
  if (failed === 0 || r.files.length === 1) return 'There is a problem';
  return `${failed.toLocaleString('en-GB')} of ${plural(r.files.length, 'file')} could not be imported`;
}

/** Whether the error summary has anything to say. */
export function hasErrors(r: BatchResult | null): boolean {
  return !!r && (r.problem !== '' || r.files.some((f) => f.state === 'failed'));
}

function wasWere(n: number, what: string): string {
  return `${plural(n, what)} ${n === 1 ? 'was' : 'were'}`;
}

/** "2 files were not started: a.json and b.json." ("" when every file was started). */
export function notStartedText(files: FileOutcome[]): string {
  const left = named(files, 'not-started');
  if (left.length === 0) return '';
  return `${wasWere(left.length, 'file')} not started: ${joinList(left.map((f) => f.name))}.`;
}

/**
 * What Cancel did, plainly: "Import cancelled. 2 files were imported before
 * you cancelled. Nothing from labs.json was saved. 2 files were not started."
 */
export function cancelText(r: BatchResult): string {
  const done = named(r.files, 'done').length;
  const stopped = named(r.files, 'cancelled');
  const left = named(r.files, 'not-started').length;
  const parts = ['Import cancelled.'];
  if (done > 0) parts.push(`${wasWere(done, 'file')} imported before you cancelled.`);
  for (const f of stopped) parts.push(`Nothing from ${f.name} was saved.`);
  if (left > 0) parts.push(`${wasWere(left, 'file')} not started.`);
  if (done === 0) parts.push('Your record is as it was.');
  return parts.join(' ');
}

/**
 * What the imported files said about themselves, a line each: the server's
 * warnings (a partial record), repeated records, records that cannot be
 * shown, and files that brought nothing new.
 */
export function noticeLines(files: readonly FileOutcome[]): string[] {
  const out: string[] = [];
  const several = files.length > 1;
  for (const f of files) {
    const s = f.summary;
    if (f.state !== 'done' || !s) continue;
    const pre = several ? `${f.name}: ` : '';
    if (s.nothingNew) out.push(`${pre}nothing new: everything in ${f.name} was already in your record.`);
    for (const n of s.notices ?? []) out.push(`${pre}the organisation's system says: "${n}"`);
    for (const r of s.repeats ?? []) out.push(`${pre}${r}.`);
    const u = s.unreadable ?? [];
    if (u.length > 0) {
      const what = u.length === 1 ? '1 record could not be read and is not shown' : `${u.length} records could not be read and are not shown`;
      out.push(`${pre}${what} (they are kept, under Other records): ${u.join('; ')}.`);
    }
  }
  return out;
}

// Codes that are the page's own, not the server's: nothing technical to add.
const NOT_TECHNICAL = new Set(['confirm_same_person', 'other_person', 'several_people', 'network']);

/**
 * What "Technical details" holds for a failed file, a line each: the
 * reader's own words ("invalid character '/' ... (line 3)") and the
 * server's code, for the helpdesk. Empty (no details shown) when there is
 * nothing beyond the plain words.
 */
export function technicalLines(f: Pick<FileOutcome, 'state' | 'code' | 'detail'>): string[] {
  if (f.state !== 'failed') return [];
  const out: string[] = [];
  const detail = f.detail?.trim();
  if (detail) out.push(detail);
  if (f.code && (detail || !NOT_TECHNICAL.has(f.code))) out.push(`Error code: ${f.code}`);
  return out;
}
