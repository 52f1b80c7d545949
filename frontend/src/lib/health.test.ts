import { describe, expect, it } from 'vitest';
import type { Allergy, Condition, Immunisation, Medication } from './api';
import {
  conditionDates,
  conditionGroup,
  groupAllergies,
  groupMedicines,
  immunisationStatus,
  medicineDates,
  medicineRows,
  medicineStatus,
  severityText,
} from './health';

const condition = (c: Partial<Condition>): Condition => ({
  id: 'c',
  name: 'Asthma',
  status: '',
  group: '',
  statusLabel: '',
  verification: '',
  verificationLabel: '',
  onset: '',
  resolved: '',
  dateNote: '',
  organisation: '',
  codes: null,
  ...c,
});

const medicine = (m: Partial<Medication>): Medication => ({
  id: 'm',
  name: 'Metformin',
  status: 'current',
  statusLabel: '',
  sourceStatus: '',
  dose: '',
  doseText: '',
  started: '',
  stopped: '',
  recorded: '',
  prescriber: '',
  organisation: '',
  codes: null,
  ...m,
});

describe('conditionGroup', () => {
  const cases: Array<[Partial<Condition>, string]> = [
    [{ group: 'current', status: 'active' }, 'current'],
    [{ status: 'active' }, 'current'],
    [{ status: 'recurrence' }, 'current'],
    [{ status: 'resolved' }, 'past'],
    [{ status: 'remission' }, 'past'],
    [{ status: '' }, 'unknown'],
    [{ status: '', resolved: '2020-01-01' }, 'past'],
    [{ status: 'something-else' }, 'unknown'],
    [{ group: 'unknown', status: '' }, 'unknown'],
  ];
  it.each(cases)('%j is %s', (c, want) => expect(conditionGroup(condition(c))).toBe(want));
});

describe('conditionDates', () => {
  const cases: Array<[Partial<Condition>, string]> = [
    [{ status: 'active', onset: '2020-05-03' }, 'Since 3 May 2020'],
    [{ status: 'active' }, 'Start date not known'],
    [{ status: 'resolved', onset: '2020-05-03', resolved: '2020-06-01' }, 'From 3 May 2020 to 1 June 2020'],
    [{ status: 'resolved', resolved: '2020-06-01' }, 'Ended 1 June 2020'],
    [{ status: '' }, 'Dates not known'],
    // The impossible range is shown as the record gives it; the note beside it says so.
    [{ status: 'resolved', onset: '2019-05-10', resolved: '2018-07-01' }, 'From 10 May 2019 to 1 July 2018'],
  ];
  it.each(cases)('%j reads %s', (c, want) => expect(conditionDates(condition(c))).toBe(want));
});

describe('groupMedicines', () => {
  it('lists only current medicines as current, and cancelled ones apart from past ones', () => {
    const meds = [
      medicine({ id: 'a', status: 'current' }),
      medicine({ id: 'b', status: 'on-hold', statusLabel: 'On hold' }),
      medicine({ id: 'c', status: 'not-started' }),
      medicine({ id: 'd', status: 'unknown' }),
      medicine({ id: 'e', status: 'past' }),
      medicine({ id: 'f', status: 'not-taken', statusLabel: 'Cancelled — not taken' }),
      medicine({ id: 'g', status: 'something-new' }),
    ];
    const g = groupMedicines(meds);
    expect(g.current.map((m) => m.id)).toEqual(['a']);
    expect(g.notCurrent.map((m) => m.id)).toEqual(['b', 'c', 'd', 'g']);
    expect(g.past.map((m) => m.id)).toEqual(['e']);
    expect(g.notTaken.map((m) => m.id)).toEqual(['f']);
  });
});

describe('medicineStatus', () => {
  const cases: Array<[Partial<Medication>, string]> = [
    [{ status: 'current' }, ''],
    [{ status: 'on-hold', statusLabel: 'On hold' }, 'On hold'],
    [{ status: 'unknown' }, 'Status not known'],
    [{ status: 'not-taken' }, 'Not taken'],
    [{ status: 'not-taken', statusLabel: 'Cancelled — not taken' }, 'Cancelled — not taken'],
  ];
  it.each(cases)('%j is labelled %s', (m, want) => expect(medicineStatus(medicine(m))).toBe(want));
});

describe('medicineDates', () => {
  it('shows when a medicine was started and stopped', () => {
    expect(medicineDates(medicine({ status: 'past', started: '2024-01-02', stopped: '2024-02-03' }))).toEqual([
      { key: 'Started', value: '2 January 2024' },
      { key: 'Stopped', value: '3 February 2024' },
    ]);
  });
  it('never shows a cancelled or not-started medicine as started', () => {
    expect(medicineDates(medicine({ status: 'not-taken', recorded: '2024-01-02' }))).toEqual([{ key: 'Recorded', value: '2 January 2024' }]);
    expect(medicineDates(medicine({ status: 'not-taken', started: '2024-01-02' }))).toEqual([{ key: 'Recorded', value: '2 January 2024' }]);
    expect(medicineDates(medicine({ status: 'not-started', recorded: '2026-02-01' }))).toEqual([{ key: 'Recorded', value: '1 February 2026' }]);
    expect(medicineDates(medicine({ status: 'not-taken' }))).toEqual([]);
  });
});

describe('medicineRows', () => {
  const rows = (m: Partial<Medication>) => medicineRows(medicine(m)).map((r) => [r.key, r.value, r.testid]);
  it('says who prescribed it and the organisation on rows of their own', () => {
    expect(rows({ dose: 'Take one tablet twice a day', prescriber: 'Dr Tom Ellis', organisation: 'Demo Hospital NHS Foundation Trust', status: 'current', started: '2022-12-04' })).toEqual([
      ['How to take it', 'Take one tablet twice a day', 'dose'],
      ['Prescribed by', 'Dr Tom Ellis', 'prescriber'],
      ['Organisation', 'Demo Hospital NHS Foundation Trust', 'medicine-organisation'],
      ['Started', '4 December 2022', 'medicine-started'],
    ]);
  });
  it('says not recorded for a missing prescriber, never the organisation in its place', () => {
    const r = rows({ prescriber: '', organisation: 'Demo Hospital NHS Foundation Trust' });
    expect(r.find((x) => x[0] === 'Prescribed by')).toEqual(['Prescribed by', 'Not recorded', 'prescriber']);
    expect(r.filter((x) => String(x[1]).includes('Demo Hospital'))).toEqual([['Organisation', 'Demo Hospital NHS Foundation Trust', 'medicine-organisation']]);
  });
  it("keeps the record's own words and leaves out an empty organisation", () => {
    expect(rows({ dose: 'Twice a day', doseText: '1 BD', prescriber: 'Dr A', organisation: ' ' })).toEqual([
      ['How to take it', 'Twice a day', 'dose'],
      ['As written in the record', '1 BD', 'dose-text'],
      ['Prescribed by', 'Dr A', 'prescriber'],
    ]);
  });
});

describe('groupAllergies', () => {
  const allergy = (a: Partial<Allergy>): Allergy => ({
    id: 'a',
    substance: 'Penicillin',
    reactions: [],
    severity: '',
    criticality: '',
    status: 'active',
    group: '',
    statusLabel: '',
    verification: '',
    verificationLabel: '',
    recorded: '',
    organisation: '',
    ...a,
  });
  it('moves inactive and resolved allergies to past', () => {
    const g = groupAllergies([
      allergy({ id: '1', group: 'current' }),
      allergy({ id: '2', group: 'past', status: 'resolved' }),
      allergy({ id: '3', status: 'inactive' }),
      allergy({ id: '4', status: '' }),
    ]);
    expect(g.current.map((a) => a.id)).toEqual(['1', '4']);
    expect(g.past.map((a) => a.id)).toEqual(['2', '3']);
  });
});

describe('severityText', () => {
  const cases: Array<[string, string, string]> = [
    ['severe', 'high', 'Severe. High risk'],
    ['mild', '', 'Mild'],
    ['', 'high', 'High risk'],
    ['', 'low', 'Not recorded'],
  ];
  it.each(cases)('%s, %s is %s', (s, c, want) => expect(severityText(s, c)).toBe(want));
});

describe('immunisationStatus', () => {
  const im = (x: Partial<Immunisation>): Immunisation => ({ id: 'i', name: 'Flu', date: '', status: 'completed', statusLabel: '', reason: '', organisation: '', ...x });
  it('says Not given for a vaccination that was not done', () => {
    expect(immunisationStatus(im({ status: 'not-done', statusLabel: 'Not given' }))).toBe('Not given');
    expect(immunisationStatus(im({ status: 'not-done' }))).toBe('Not given');
    expect(immunisationStatus(im({ status: 'completed' }))).toBe('');
  });
});
