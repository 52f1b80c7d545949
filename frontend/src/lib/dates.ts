// Date formatting in the NHS content style: "12 March 2025" (en-GB, no weekday)
// and times like "9:30am", "midday", "midnight".
//
// Dates arrive as ISO strings straight from FHIR: a date ("2025-03-12"), a
// partial date ("2025-03" or "2025") or a date-time with an offset
// ("2025-03-12T09:30:00Z"). Date-only values are calendar dates and are never
// shifted by time zone; date-times are shown in UK time, since that is where
// the hospital holding the record is; a date-time with no zone is shown as
// written (hazard HAZ-065).

export const UK_TIME_ZONE = 'Europe/London';

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

const DATE_ONLY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const ZONELESS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;

interface Parts {
  year: number;
  month?: number; // 1-12
  day?: number;
  hour?: number;
  minute?: number;
}

function parse(iso: string | null | undefined, timeZone: string): Parts | null {
  if (!iso) return null;
  const s = iso.trim();
  const m = DATE_ONLY.exec(s);
  if (m) {
    const year = Number(m[1]);
    const month = m[2] ? Number(m[2]) : undefined;
    const day = m[3] ? Number(m[3]) : undefined;
    if (month !== undefined && (month < 1 || month > 12)) return null;
    if (day !== undefined && (day < 1 || day > 31)) return null;
    return { year, month, day };
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s)) return null;
  // A date-time with no zone is a clock time as the source wrote it: shown
  // as written, never read as this browser's local time and shifted.
  const local = ZONELESS.exec(s);
  if (local) {
    const [year, month, day, hour, minute] = local.slice(1, 6).map(Number);
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
    return { year, month, day, hour, minute };
  }
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return null;
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  });
  const get = (type: string) =>
    Number(fmt.formatToParts(d).find((p) => p.type === type)?.value ?? NaN);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
  };
}

function dateText(p: Parts): string {
  if (p.month === undefined) return String(p.year);
  const month = MONTHS[p.month - 1];
  if (p.day === undefined) return `${month} ${p.year}`;
  return `${p.day} ${month} ${p.year}`;
}

/** "12 March 2025". Returns "" for empty input and the input itself when it is not a date. */
export function formatDate(iso: string | null | undefined, timeZone = UK_TIME_ZONE): string {
  if (!iso) return '';
  const p = parse(iso, timeZone);
  return p ? dateText(p) : iso;
}

/** "9:30am", "2:05pm", "midday", "midnight". */
export function formatTime(hour: number, minute: number): string {
  if (minute === 0 && hour === 12) return 'midday';
  if (minute === 0 && hour === 0) return 'midnight';
  const suffix = hour < 12 ? 'am' : 'pm';
  const h = hour % 12 === 0 ? 12 : hour % 12;
  return minute === 0 ? `${h}${suffix}` : `${h}:${String(minute).padStart(2, '0')}${suffix}`;
}

/** "12 March 2025 at 9:30am" for date-times; just the date for date-only values. */
export function formatDateTime(iso: string | null | undefined, timeZone = UK_TIME_ZONE): string {
  if (!iso) return '';
  const p = parse(iso, timeZone);
  if (!p) return iso;
  if (p.hour === undefined || p.minute === undefined) return dateText(p);
  return `${dateText(p)} at ${formatTime(p.hour, p.minute)}`;
}
