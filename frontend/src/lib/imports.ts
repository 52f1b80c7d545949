// Words for the import page: progress, and the summary when it is done.

import type { ImportStatus, ImportSummary } from './api';
import { formatBytes, plural } from './text';

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
