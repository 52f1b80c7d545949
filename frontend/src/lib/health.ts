// Display rules for the health summary. The words themselves (status
// labels, the dose written out, "Not given", "No allergies recorded by X")
// come from the server, so the health page, the timeline and search say the
// same thing; these helpers only decide where each item is listed and how
// its dates read. Older servers sent fewer fields, so every rule also works
// from the status alone.

import type { Allergy, Condition, Immunisation, Medication } from './api';
import { formatDate } from './dates';

export interface ConditionGroups {
  current: Condition[];
  /** The record does not say whether these still apply. */
  unknown: Condition[];
  past: Condition[];
}

const CURRENT_CONDITION = new Set(['active', 'recurrence', 'relapse']);

/** Where a condition is listed. A condition with no status is never called current. */
export function conditionGroup(c: Condition): 'current' | 'past' | 'unknown' {
  if (c.group === 'current' || c.group === 'past' || c.group === 'unknown') return c.group;
  if (CURRENT_CONDITION.has(c.status)) return 'current';
  if (!c.status) return c.resolved ? 'past' : 'unknown';
  return ['inactive', 'remission', 'resolved'].includes(c.status) ? 'past' : 'unknown';
}

export function groupConditions(conditions: Condition[]): ConditionGroups {
  const out: ConditionGroups = { current: [], unknown: [], past: [] };
  for (const c of conditions) out[conditionGroup(c)].push(c);
  return out;
}

/** "Since 3 May 2020"; "From 3 May 2020 to 1 June 2020"; "Start date not known". */
export function conditionDates(c: Condition): string {
  const group = conditionGroup(c);
  if (group === 'current' && !c.resolved) return c.onset ? `Since ${formatDate(c.onset)}` : 'Start date not known';
  const parts = [c.onset ? `From ${formatDate(c.onset)}` : '', c.resolved ? `${c.onset ? 'to' : 'Ended'} ${formatDate(c.resolved)}` : ''];
  return parts.filter(Boolean).join(' ') || (group === 'unknown' ? 'Dates not known' : '');
}

export interface MedicineGroups {
  current: Medication[];
  /** On hold, not started yet, or status not known: listed apart, labelled. */
  notCurrent: Medication[];
  past: Medication[];
  /** Cancelled or not taken: never shown as taken. */
  notTaken: Medication[];
}

const MEDICINE_GROUPS: Record<string, keyof MedicineGroups> = {
  current: 'current',
  active: 'current',
  'on-hold': 'notCurrent',
  'not-started': 'notCurrent',
  draft: 'notCurrent',
  intended: 'notCurrent',
  unknown: 'notCurrent',
  past: 'past',
  completed: 'past',
  stopped: 'past',
  'not-taken': 'notTaken',
  cancelled: 'notTaken',
};

export function medicineGroup(m: Medication): keyof MedicineGroups {
  return MEDICINE_GROUPS[m.status] ?? 'notCurrent';
}

export function groupMedicines(meds: Medication[]): MedicineGroups {
  const out: MedicineGroups = { current: [], notCurrent: [], past: [], notTaken: [] };
  for (const m of meds) out[medicineGroup(m)].push(m);
  return out;
}

/** The status label for a medicine that is not plainly current. */
export function medicineStatus(m: Medication): string {
  if (m.statusLabel) return m.statusLabel;
  const group = medicineGroup(m);
  return group === 'notTaken' ? 'Not taken' : group === 'notCurrent' ? 'Status not known' : '';
}

export interface Row {
  key: string;
  value: string;
}

/**
 * The dates a medicine card shows. A medicine that was cancelled, not taken
 * or not started has no "Started" date, only when it was recorded.
 */
export function medicineDates(m: Medication): Row[] {
  const group = medicineGroup(m);
  if (group === 'notTaken' || m.status === 'not-started') {
    const when = m.recorded || m.started;
    return when ? [{ key: 'Recorded', value: formatDate(when) }] : [];
  }
  const rows: Row[] = [];
  if (m.started) rows.push({ key: 'Started', value: formatDate(m.started) });
  if (m.stopped) rows.push({ key: 'Stopped', value: formatDate(m.stopped) });
  return rows;
}

/** A medicine card's row, with the test id its value has on the page. */
export interface MedicineRow extends Row {
  testid: string;
}

/**
 * The rows of a medicine card, in order: how to take it, the record's own
 * words, who prescribed it, the organisation, then the dates. Who
 * prescribed it and the organisation are separate rows, each saying one
 * thing: "Prescribed by Dr Tom Ellis", "Organisation: Demo Hospital".
 */
export function medicineRows(m: Medication): MedicineRow[] {
  const rows: MedicineRow[] = [{ key: 'How to take it', value: m.dose || 'Not recorded', testid: 'dose' }];
  if (m.doseText) rows.push({ key: 'As written in the record', value: m.doseText, testid: 'dose-text' });
  rows.push({ key: 'Prescribed by', value: m.prescriber?.trim() || 'Not recorded', testid: 'prescriber' });
  if (m.organisation?.trim()) rows.push({ key: 'Organisation', value: m.organisation.trim(), testid: 'medicine-organisation' });
  for (const d of medicineDates(m)) rows.push({ ...d, testid: 'medicine-' + d.key.toLowerCase() });
  return rows;
}

export function groupAllergies(allergies: Allergy[]): { current: Allergy[]; past: Allergy[] } {
  const past = (a: Allergy) => a.group === 'past' || (!a.group && (a.status === 'inactive' || a.status === 'resolved'));
  return { current: allergies.filter((a) => !past(a)), past: allergies.filter(past) };
}

/** "Severe. High risk"; "Not recorded". */
export function severityText(severity: string, criticality: string): string {
  const sev = severity ? severity.charAt(0).toUpperCase() + severity.slice(1) : '';
  const crit = criticality === 'high' ? 'High risk' : '';
  return [sev, crit].filter(Boolean).join('. ') || 'Not recorded';
}

/** "Not given" for a vaccination that was not done, else "". */
export function immunisationStatus(im: Immunisation): string {
  if (im.statusLabel) return im.statusLabel;
  return im.status && im.status !== 'completed' ? 'Not given' : '';
}
