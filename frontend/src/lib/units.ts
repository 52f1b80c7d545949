// Numbers and units as people read them. Pure functions.
//
// Numbers (displayNumber), hazard HAZ-041 in docs/clinical-safety/hazard-log.md:
// - a number written with more than 3 decimal places is machine noise: it is
//   shown to 3 significant figures, keeping every whole-number digit and at
//   least one decimal (97.34851203958 → 97.3, 1234.5678 → 1234.6,
//   0.000123456 → 0.000123);
// - a number with up to 3 decimals is shown exactly as the source wrote it
//   (5.0 stays 5.0, 0.125 stays 0.125);
// - a number in exponent notation (1e-7) is written out to 3 significant
//   figures (0.0000001);
// - anything that is not a plain number ("7,5", "positive") is shown as sent.
// The exact value stays on the report page ("Exact value as sent").
//
// Units (unitText): the same rules as backend/units Text, tested on the same
// table (backend/units/testdata/text.json).

const COMPARATOR = /^(<=|>=|<|>|≤|≥)\s*/;
const PLAIN = /^([+-]?)(\d*)(?:\.(\d+))?$/;
const EXPONENT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+$/;

/** Rounds machine noise away; see the rules at the top of this file. */
export function displayNumber(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? String(value) : value.trim();
  const comp = COMPARATOR.exec(s);
  const rest = comp ? s.slice(comp[0].length) : s;
  const shown = numberText(rest);
  if (shown === null) return typeof value === 'number' ? s : value;
  return (comp ? comp[1] : '') + shown;
}

/** The number as shown, or null when the text is not a plain number. */
function numberText(s: string): string | null {
  if (EXPONENT.test(s)) {
    const n = Number(s);
    if (!Number.isFinite(n)) return null;
    return Number(n.toPrecision(3)).toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
  }
  const m = PLAIN.exec(s);
  if (!m || (m[2] === '' && m[3] === undefined)) return null;
  const decimals = m[3] ?? '';
  if (decimals.length <= 3) return s;
  const whole = m[2].replace(/^0+/, '');
  let places: number;
  if (whole.length > 0) {
    places = Math.max(1, 3 - whole.length);
  } else {
    const zeros = /^0*/.exec(decimals)![0].length;
    if (zeros === decimals.length) return s; // 0.0000: nothing to round
    places = zeros + 3;
  }
  return Number(s).toFixed(places);
}

const ALIASES: Record<string, string> = {
  Cel: '°C',
  '[degF]': '°F',
  '[degC]': '°C',
  lbs: 'lb',
  '[stone_av]': 'st',
  '[iU]': 'IU',
};

const POWER_OF_TEN = /^(?:x|×|\*)?10[*^](-?\d+)$/;
const BRACKETED = /\[([^\]_]*)(?:_[^\]]*)?\]/g;
const RAISED = /([A-Za-zµ])(-?\d+)$/;
const MICRO = /^u(g|L|l|m|mol|s|IU|Eq|eq|kat|U|Pa)\b/;
const ANNOTATION = /\{([^}]*)\}/;
const SUPERSCRIPTS: Record<string, string> = {
  '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻',
};

function superscript(digits: string): string {
  return [...digits].map((c) => SUPERSCRIPTS[c] ?? c).join('');
}

/** "m2" is "m²"; "1.73" and "cmH2O" stay as they are. */
function raise(t: string): string {
  const m = RAISED.exec(t);
  if (!m || /\d/.test(t.slice(0, m.index))) return t;
  return t.slice(0, m.index + 1) + superscript(m[2]);
}

/** "Breaths" is "breaths", "1.73_m2" is "1.73 m²"; "RBC" stays. */
function annotationWords(a: string): string {
  return a
    .replace(/_/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => raise(w.length > 1 && /^[A-Z][^A-Z]*$/.test(w) && w.slice(1) === w.slice(1).toLowerCase() ? w.toLowerCase() : w))
    .join(' ');
}

/** Cuts a unit into terms at "/" and "." outside braces, brackets and parentheses. */
function split(code: string): { terms: string[]; seps: string[] } {
  const terms: string[] = [];
  const seps: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') depth--;
    else if ((c === '/' || c === '.') && depth === 0) {
      terms.push(code.slice(start, i));
      seps.push(c === '.' ? '·' : '/');
      start = i + 1;
    }
  }
  terms.push(code.slice(start));
  return { terms, seps };
}

function termText(term: string): string {
  const p = POWER_OF_TEN.exec(term);
  if (p) return '×10' + superscript(p[1]);
  if (ALIASES[term] !== undefined) return ALIASES[term];
  let t = term;
  let words = '';
  const a = ANNOTATION.exec(t);
  if (a) {
    words = annotationWords(a[1]);
    t = t.slice(0, a.index) + t.slice(a.index + a[0].length);
    if (t === '') return words;
    if (POWER_OF_TEN.test(t)) return termText(t) + ' ' + words;
  }
  t = raise(t.replace(BRACKETED, '$1').replace(MICRO, 'µ$1'));
  return words ? t + ' ' + words : t;
}

/**
 * A unit as people write it: "10*3/uL" is "×10³/µL", "mm[Hg]" is "mmHg",
 * "{Breaths}/min" is "breaths/min", "Cel" is "°C"; "1" and "{score}" are "".
 */
export function unitText(unit: string | null | undefined): string {
  const code = (unit ?? '').trim();
  if (code === '1') return '';
  if (ALIASES[code] !== undefined) return ALIASES[code];
  const { terms, seps } = split(code);
  if (terms.length === 1 && /^\{[^}]*\}$/.test(terms[0])) return '';
  return terms.map((t, i) => (i > 0 ? seps[i - 1] : '') + termText(t)).join('');
}

/** The words for a comparator: "below", "above", "or below", "or above"; "" for none. */
export function comparatorWords(comparator: string | null | undefined): string {
  switch (comparator) {
    case '<':
      return 'below';
    case '>':
      return 'above';
    case '<=':
    case '≤':
      return 'or below';
    case '>=':
    case '≥':
      return 'or above';
  }
  return '';
}

/**
 * A value with its unit, as shown: "97.3 mg/dL", "6.2 ×10⁹/L", "45%"; a
 * comparator in words: "<2" is "below 2", ">=500" is "500 or above".
 */
export function valueWithUnit(value: string | number | null | undefined, unit?: string | null): string {
  return valueWithShownUnit(value, unitText(unit));
}

/** As valueWithUnit, for a unit already shown as people write it ("×10⁹/L"). */
export function valueWithShownUnit(value: string | number | null | undefined, shownUnit: string): string {
  const v = typeof value === 'number' ? String(value) : (value ?? '').trim();
  if (!v) return '';
  const u = shownUnit.trim();
  const comp = COMPARATOR.exec(v);
  const number = comp ? v.slice(comp[0].length) : v;
  const words = comp && numberText(number) !== null ? comparatorWords(comp[1]) : '';
  const n = words ? displayNumber(number) : displayNumber(v);
  const withUnit = !u ? n : u === '%' ? n + u : `${n} ${u}`;
  if (!words) return withUnit;
  return words.startsWith('or ') ? `${withUnit} ${words}` : `${words} ${withUnit}`;
}
