// Result flags: plain-English labels and tag colours. The label is always shown
// as text so that the meaning never depends on colour alone.

export type Flag =
  | ''
  | 'high'
  | 'low'
  | 'abnormal'
  | 'critical-high'
  | 'critical-low'
  | 'critical';

const LABELS: Record<string, string> = {
  high: 'High',
  low: 'Low',
  abnormal: 'Abnormal',
  'critical-high': 'Very high - urgent',
  'critical-low': 'Very low - urgent',
  critical: 'Very abnormal - urgent',
};

/** The words to show for a flag. Prefers the label the API sent. "" means nothing to show. */
export function flagLabel(flag: string | null | undefined, apiLabel?: string | null): string {
  const given = (apiLabel ?? '').trim();
  if (given) return given;
  if (!flag) return '';
  return LABELS[flag] ?? 'Outside range';
}

/** True when the result is outside its range or otherwise flagged. */
export function isFlagged(flag: string | null | undefined): boolean {
  return !!flag;
}

/** True for the critical flags. */
export function isCritical(flag: string | null | undefined): boolean {
  return !!flag && flag.startsWith('critical');
}

/** nhsuk tag modifier class for a flag. */
export function flagTagClass(flag: string | null | undefined): string {
  if (!flag) return 'nhsuk-tag--grey';
  if (isCritical(flag)) return 'nhsuk-tag--red';
  return 'nhsuk-tag--orange';
}
