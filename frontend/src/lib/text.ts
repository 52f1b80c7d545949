// Small text helpers for plain English output.

import { displayNumber, unitText, valueWithShownUnit, valueWithUnit } from './units';

/** "1 test result", "2 test results". */
export function plural(n: number, one: string, many = one + 's'): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

/** "A", "A and B", "A, B and C". Blank and repeated names are dropped. */
export function joinList(items: Array<string | null | undefined>): string {
  const xs = [...new Set(items.map((s) => (s ?? '').trim()).filter((s) => s !== ''))];
  if (xs.length <= 1) return xs[0] ?? '';
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

export interface Range {
  low?: string | null;
  high?: string | null;
  text?: string | null;
}

/**
 * The normal range in words: the source's own text if it sent one (with a
 * unit code at its end shown as people write it), else the bounds with the
 * unit: "4.0 to 11.0 ×10⁹/L".
 */
export function rangeText(range: Range | null | undefined, unit?: string | null): string {
  if (!range) return '';
  const text = (range.text ?? '').trim();
  const code = (unit ?? '').trim();
  const u = unitText(code);
  if (text) {
    if (code && text.endsWith(' ' + code)) {
      const head = text.slice(0, -code.length).trimEnd();
      return u ? `${head} ${u}` : head;
    }
    return text;
  }
  const low = displayNumber((range.low ?? '').trim());
  const high = displayNumber((range.high ?? '').trim());
  const withUnit = (n: string) => valueWithShownUnit(n, u);
  if (low && high) return withUnit(`${low} to ${high}`);
  if (low) return `${withUnit(low)} or more`;
  if (high) return `Up to ${withUnit(high)}`;
  return '';
}

/**
 * "128 g/L", "97.3 mg/dL", "6.2 ×10⁹/L", "below 2 mmol/L"; the value alone
 * when there is no unit. Numbers and units follow the rules in units.ts.
 */
export function valueText(value?: string | null, unit?: string | null): string {
  return valueWithUnit(value, unit);
}

const SYSTEMS: Record<string, string> = {
  'http://loinc.org': 'LOINC',
  'http://snomed.info/sct': 'SNOMED CT',
  'http://read.info/readv2': 'Read v2',
  'http://read.info/ctv3': 'CTV3',
};

/** A short name for a coding system, e.g. "LOINC". */
export function codeSystemName(system?: string | null): string {
  if (!system) return '';
  return SYSTEMS[system] ?? system;
}

/** Plain words for a FHIR DiagnosticReport status. */
export function reportStatusText(status?: string | null): string {
  switch (status) {
    case 'final':
      return 'Final';
    case 'amended':
    case 'corrected':
    case 'appended':
      return 'Updated';
    case 'registered':
    case 'partial':
    case 'preliminary':
      return 'Not final yet';
    case 'cancelled':
      return 'Cancelled';
    case 'entered-in-error':
      return 'Entered in error';
    case '':
    case null:
    case undefined:
      return '';
    default:
      return status.charAt(0).toUpperCase() + status.slice(1);
  }
}

/** "v0.1.0" for "0.1.0" or "v0.1.0"; other labels (such as "dev") as they are. */
export function versionText(version?: string | null): string {
  const v = (version ?? '').trim();
  if (!v) return '';
  return /^\d/.test(v) ? 'v' + v : v;
}

/** "120 KB", "1.4 MB", "512 bytes" (1 KB = 1,024 bytes, as file managers show). */
export function formatBytes(n: number | null | undefined): string {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return '';
  if (n < 1024) return n === 1 ? '1 byte' : `${Math.round(n)} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = v >= 10 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
  return `${Number(text).toLocaleString('en-GB')} ${units[i]}`;
}

const FILE_KINDS: Record<string, string> = {
  'application/pdf': 'PDF',
  'text/plain': 'text',
  'text/html': 'web page',
  'application/xml': 'XML',
  'text/xml': 'XML',
  'application/json': 'JSON',
  'application/fhir+json': 'JSON',
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
  'application/rtf': 'RTF',
  'text/rtf': 'RTF',
  'application/msword': 'Word document',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word document',
};

/** "PDF" for "application/pdf; ..."; "file" when not known. */
export function fileKind(contentType: string | null | undefined): string {
  const t = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return FILE_KINDS[t] ?? 'file';
}

/** "(PDF, 120 KB)": the words after a link to an attachment. */
export function attachmentDetail(contentType: string | null | undefined, size: number | null | undefined): string {
  return '(' + [fileKind(contentType), formatBytes(size)].filter(Boolean).join(', ') + ')';
}
