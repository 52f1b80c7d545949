// Sharing a record with a clinician (accounts mode, only when GET /api/config
// says sharing.enabled). Two sides:
//
// - The patient (signed in): creates a share for one named recipient, for a
//   time, of all or some of the record; sees their shares, who looked, and
//   can revoke one at once.
// - The clinician (no account): opens the share with the code, the patient's
//   date of birth and their own name. The server then sets a short-lived
//   HttpOnly share cookie, and the ordinary record pages work read-only with
//   it (sections not shared answer 404). The share session's CSRF token is
//   kept as the account's is (api.ts setCsrf), so every request sends it.
//
// Errors are {"error":{"code","message"}}; `message` is plain English, fit to
// show. The types (the contract) come first, then one function per endpoint,
// then what the pages decide and check.

import { SERVICE_PROBLEM, getJSON, getToken, requestHeaders, setCsrf, shareEnded, signedOut, type Config } from './api';
import { SecurityError, securityError } from './security';
import { UK_TIME_ZONE, formatDate, formatTime } from './dates';
import { plural } from './text';
import type { Route } from './router';

// ---------------------------------------------------------------------------
// Types (the contract)

/** GET /api/config → sharing. Absent (today's servers) or enabled false: no sharing anywhere. */
export interface SharingConfig {
  enabled: boolean;
  /**
   * "server": shares are kept on this server (accounts). "computer": the
   * record is on this computer, which seals each share and publishes it to
   * the Ward server set in Security settings (lib/publish.ts).
   */
  from: 'server' | 'computer';
  /** The shortest share, in minutes (15). */
  minMinutes: number;
  /** The longest share, in minutes (10080: 7 days). */
  maxMinutes: number;
  /** The duration chosen to begin with (60). */
  defaultMinutes: number;
}

/** The parts of a record that can be shared one by one. */
export const SHARE_SECTIONS = ['results', 'conditions', 'medicines', 'allergies', 'immunisations', 'visits', 'documents'] as const;
export type ShareSection = (typeof SHARE_SECTIONS)[number];

/** What a share covers: the whole record, or some sections. In answers, the whole record is ["all"]. */
export type ShareSections = 'all' | ShareSection[];

/** Who the share is for. */
export interface ShareRecipient {
  name: string;
  email: string;
  /** '' when not given. */
  organisation: string;
}

/** How the email with the code to the recipient is getting on. */
export interface ShareEmail {
  state: 'queued' | 'sent' | 'failed';
  /** Why it failed, in the mail system's words ('' otherwise). */
  class: string;
}

export type ShareState = 'active' | 'expired' | 'revoked';

/** One share, as GET /api/shares lists it. */
export interface Share {
  id: string;
  recipient: ShareRecipient;
  /** ["all"] for the whole record. */
  sections: string[];
  /** ISO date-time. */
  created: string;
  /** ISO date-time: when it stops working. */
  expires: string;
  state: ShareState;
  /** When the code was first used (ISO), or null. */
  firstUsed: string | null;
  /** Whether the patient is emailed when the share is first opened. */
  notify?: boolean;
  email: ShareEmail;
}

/** POST /api/shares. */
export interface CreateShareRequest {
  recipient: { name: string; email: string; organisation?: string };
  sections: ShareSections;
  minutes: number;
  /** Email the patient when the share is first opened (absent: yes). */
  notify?: boolean;
}

/** POST /api/shares → 201. The code is shown once and never kept. */
export interface CreateShareResponse {
  share: Share;
  /** "ABCD-EFGH-JKMN-PQRS-TVWX-Y". */
  code: string;
  /** data:image/png;base64,… (a QR code of the link). */
  qrPng: string;
  /** Where the recipient goes to enter the code: "https://ward.example.org/#/share". */
  url: string;
  /** "shlink:/…" (a SMART Health Link). */
  link: string;
}

/** One look at a shared record (GET /api/shares/{id}/access). */
export interface ShareAccess {
  at: string;
  address: string;
  browser: string;
  /** Which page was looked at. */
  page: string;
  /** The name the clinician gave. */
  clinician: string;
}

/** POST /api/share/open: what the clinician types. */
export interface OpenShareRequest {
  code: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  /** The clinician's own name: the patient sees it in the access log. */
  name: string;
}

/** GET /api/share (and POST /api/share/open): the clinician's share session. */
export interface ShareSession {
  /** A label for the share (the recipient, as the patient named them). */
  label: string;
  patientName: string;
  /** ["all"] or the shared sections. */
  sections: string[];
  /** ISO date-time: when the share ends. */
  expires: string;
}

/** POST /api/share/open → 200: the session, with the CSRF token to send with every non-GET request. */
export interface OpenShareResponse extends ShareSession {
  csrf: string;
}

/**
 * The error codes the pages act on. Others are shown by their message.
 * - bad_recipient, bad_sections, bad_duration (400): POST /api/shares
 * - not_right (401): the code or date of birth is not right, or the share has ended (the same for every refusal)
 * - too_many_tries (429): with retryAfterSeconds
 * - share_ended (401): the clinician's share session has ended (the app goes to #/share)
 * - signed_out (401): the patient is not signed in (the app goes to sign-in)
 */
export type ShareErrorCode = 'bad_recipient' | 'bad_sections' | 'bad_duration' | 'not_right' | 'too_many_tries' | 'share_ended' | 'signed_out';

/** Words for an error whose answer had no message of its own. */
export const SHARE_FALLBACK: Record<ShareErrorCode, string> = {
  bad_recipient: 'Enter the name and email address of the person you are sharing with',
  bad_sections: 'Select what you want to share',
  bad_duration: 'Choose how long to share your record for',
  not_right: 'The code or date of birth is not right, or the share has ended.',
  too_many_tries: 'You have tried too many times. Wait and try again.',
  share_ended: 'This share has ended. Ask the patient for a new code if you still need it.',
  signed_out: 'You have been signed out. Sign in again to carry on.',
};

// ---------------------------------------------------------------------------
// Calls

/** The error for a failed answer: the server's message, else one of ours for a known code. */
export function shareError(status: number, body: unknown, retryAfter: string | null = null): SecurityError {
  const b = (body && typeof body === 'object' ? body : null) as { error?: { code?: string; message?: string; retryAfterSeconds?: number } } | null;
  const err = securityError(status, b, retryAfter);
  const fallback = SHARE_FALLBACK[err.code as ShareErrorCode];
  if (status < 500 && !b?.error?.message?.trim() && fallback) {
    return new SecurityError(fallback, err.status, err.code, err.retryAfterSeconds);
  }
  return err;
}

interface CallOptions {
  /** Do not tell the app when the answer is 401 (asking "is there a share session?"). */
  quiet?: boolean;
}

/** One call to a sharing route (also lib/publish.ts's): the answer, or a SecurityError with the server's words. */
export async function call<T>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: requestHeaders(getToken(), body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new SecurityError(SERVICE_PROBLEM, 0, 'network');
  }
  let json: unknown = null;
  if (res.status !== 204) {
    try {
      json = await res.json();
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const err = shareError(res.status, json, res.headers.get('Retry-After'));
    if (!opts.quiet && err.status === 401) {
      if (err.code === 'share_ended') shareEnded();
      else if (err.code === 'signed_out') signedOut();
    }
    throw err;
  }
  if (res.status === 202 || res.status === 204) return {} as T;
  if (json === null || typeof json !== 'object') throw new SecurityError(SERVICE_PROBLEM, res.status, 'bad_json');
  return json as T;
}

/** Whether sharing is on for this server's config (never on today's servers, which do not send it). */
export function sharingEnabled(config: Config | null | undefined): boolean {
  return (config as { sharing?: SharingConfig | null } | null | undefined)?.sharing?.enabled === true;
}

/** Where shares are kept: "server" (accounts), "computer" (this computer publishes them), or null without sharing. */
export function sharingFrom(config: Config | null | undefined): 'server' | 'computer' | null {
  if (!sharingEnabled(config)) return null;
  return (config as { sharing?: Partial<SharingConfig> }).sharing?.from === 'computer' ? 'computer' : 'server';
}

/** The config's sharing limits, with the contract's defaults for anything missing or odd. */
export function sharingLimits(config: Config | null | undefined): { minMinutes: number; maxMinutes: number; defaultMinutes: number } {
  const s = (config as { sharing?: Partial<SharingConfig> | null } | null | undefined)?.sharing;
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : d);
  const minMinutes = num(s?.minMinutes, 15);
  const maxMinutes = Math.max(minMinutes, num(s?.maxMinutes, 10080));
  const defaultMinutes = Math.min(maxMinutes, Math.max(minMinutes, num(s?.defaultMinutes, 60)));
  return { minMinutes, maxMinutes, defaultMinutes };
}

function needShare(s: unknown): Share {
  const share = s as Share | null;
  if (!share || typeof share !== 'object' || typeof share.id !== 'string' || !share.id) throw new SecurityError(SERVICE_PROBLEM, 200, 'bad_json');
  return share;
}

/** POST /api/shares (patient): the share, and the code to show once. */
export async function createShare(req: CreateShareRequest): Promise<CreateShareResponse> {
  const recipient: CreateShareRequest['recipient'] = { name: req.recipient.name.trim(), email: req.recipient.email.trim() };
  const org = req.recipient.organisation?.trim();
  if (org) recipient.organisation = org;
  const answer = await call<CreateShareResponse>('POST', '/api/shares', { recipient, sections: req.sections, minutes: req.minutes, notify: req.notify !== false } satisfies CreateShareRequest);
  needShare(answer.share);
  if (typeof answer.code !== 'string' || !answer.code) throw new SecurityError(SERVICE_PROBLEM, 201, 'bad_json');
  return answer;
}

/** GET /api/shares (patient): every share, as the server orders them. */
export async function getShares(): Promise<Share[]> {
  const answer = await call<{ shares?: Share[] | null }>('GET', '/api/shares');
  return Array.isArray(answer.shares) ? answer.shares : [];
}

/** POST /api/shares/{id}/revoke (patient): the recipient loses access at once. */
export async function revokeShare(id: string): Promise<void> {
  await call<object>('POST', '/api/shares/' + encodeURIComponent(id) + '/revoke', {});
}

/** GET /api/shares/{id}/access (patient): every look at the shared record. */
export async function getShareAccess(id: string): Promise<ShareAccess[]> {
  const answer = await call<{ access?: ShareAccess[] | null }>('GET', '/api/shares/' + encodeURIComponent(id) + '/access');
  return Array.isArray(answer.access) ? answer.access : [];
}

function needSession(s: Partial<ShareSession> | null): ShareSession {
  if (!s || typeof s !== 'object' || typeof s.expires !== 'string') throw new SecurityError(SERVICE_PROBLEM, 200, 'bad_json');
  return {
    label: typeof s.label === 'string' ? s.label : '',
    patientName: typeof s.patientName === 'string' && s.patientName.trim() ? s.patientName.trim() : 'the patient',
    sections: Array.isArray(s.sections) ? s.sections.filter((x): x is string => typeof x === 'string') : [],
    expires: s.expires,
  };
}

/** POST /api/share/open (clinician): starts the share session and keeps its CSRF token. Never keeps the code. */
export async function openShare(req: OpenShareRequest): Promise<ShareSession> {
  const answer = await call<Partial<OpenShareResponse>>('POST', '/api/share/open', req, { quiet: true });
  if (typeof answer.csrf !== 'string' || !answer.csrf) throw new SecurityError(SERVICE_PROBLEM, 200, 'bad_json');
  const session = needSession(answer);
  setCsrf(answer.csrf);
  return session;
}

/**
 * GET /api/share as "is there a share session?": the session, or null for any
 * 401 (no share cookie, or it has ended). Other failures throw. A CSRF token
 * in the answer (after a reload the page has none) is kept.
 */
export async function shareStatus(): Promise<ShareSession | null> {
  try {
    const answer = await call<Partial<OpenShareResponse>>('GET', '/api/share', undefined, { quiet: true });
    if (typeof answer.csrf === 'string' && answer.csrf) setCsrf(answer.csrf);
    return needSession(answer);
  } catch (e) {
    if (e instanceof SecurityError && (e.status === 401 || e.status === 404)) return null;
    throw e;
  }
}

/**
 * GET /api/share while the session lives. Through api.ts, so that it counts
 * as a request for the idle watch (like the record pages' own); 401
 * share_ended tells the app (api.ts).
 */
export async function getShare(): Promise<ShareSession> {
  const answer = await getJSON<Partial<OpenShareResponse>>('/api/share');
  if (typeof answer.csrf === 'string' && answer.csrf) setCsrf(answer.csrf);
  return needSession(answer);
}

/** POST /api/share/finish (clinician): ends the share session. True when the server said so; the page forgets it whatever the answer. */
export async function finishShare(): Promise<boolean> {
  try {
    await call<object>('POST', '/api/share/finish', {}, { quiet: true });
    return true;
  } catch {
    return false;
  }
}

/** The longest note a clinician can leave. */
export const NOTE_MAX = 2000;

/** POST /api/share/note (clinician): a note that appears in the patient's record as a letter (202). */
export async function sendShareNote(text: string): Promise<void> {
  await call<object>('POST', '/api/share/note', { text: text.trim() });
}

// ---------------------------------------------------------------------------
// Banners the share start page shows once (in memory only)

export type ShareNotice = 'finished' | 'ended';

let notice: ShareNotice | null = null;

export function setShareNotice(n: ShareNotice | null): void {
  notice = n;
}

/** The banner for #/share (once: it is forgotten). */
export function takeShareNotice(): ShareNotice | null {
  const n = notice;
  notice = null;
  return n;
}

export function shareNoticeText(n: ShareNotice): string {
  return n === 'finished' ? 'You have finished viewing the record.' : SHARE_FALLBACK.share_ended;
}

// ---------------------------------------------------------------------------
// What the clinician's view shows

/** The navigation items the app has (header and More menu). */
export type NavKey = 'home' | 'results' | 'health' | 'visits' | 'documents' | 'timeline' | 'help' | 'details' | 'about' | 'other' | 'import' | 'security' | 'search' | 'shares';

const HEALTH_SECTIONS: readonly string[] = ['conditions', 'medicines', 'allergies', 'immunisations'];

/** Whether the share is of the whole record. */
export function sharesAll(sections: readonly string[]): boolean {
  return sections.includes('all');
}

/**
 * The navigation a clinician sees for the shared sections: Home always;
 * Test results, Health (any of conditions, medicines, allergies and
 * immunisations), Visits and Documents for their sections; Timeline, Search,
 * the patient's details and other records only for the whole record. Never
 * Help, What you can see, Import, Security settings or Sharing (the
 * patient's own pages).
 */
export function shareNav(sections: readonly string[]): Set<NavKey> {
  const keys = new Set<NavKey>(['home']);
  const all = sharesAll(sections);
  if (all || sections.includes('results')) keys.add('results');
  if (all || sections.some((s) => HEALTH_SECTIONS.includes(s))) keys.add('health');
  if (all || sections.includes('visits')) keys.add('visits');
  if (all || sections.includes('documents')) keys.add('documents');
  if (all) {
    keys.add('timeline');
    keys.add('search');
    keys.add('details');
    keys.add('other');
  }
  return keys;
}

/** The navigation item a route belongs to, for shareNav (null: never for a clinician). */
function routeNav(route: Route): NavKey | null {
  switch (route.name) {
    case 'home':
      return 'home';
    case 'results':
    case 'report':
    case 'test':
      return 'results';
    case 'health':
      return 'health';
    case 'visits':
      return 'visits';
    case 'documents':
    case 'document':
      return 'documents';
    case 'timeline':
      return 'timeline';
    case 'search':
      return 'search';
    case 'details':
      return 'details';
    case 'other':
    case 'other-type':
      return 'other';
    default:
      return null;
  }
}

/** Whether a clinician may see a route for these sections (else the app says it was not shared). */
export function shareRouteAllowed(route: Route, sections: readonly string[]): boolean {
  const key = routeNav(route);
  return key !== null && shareNav(sections).has(key);
}

/** What the sections are, in words: "All of the record" or "Test results, medicines and allergies". */
export function sectionsText(sections: readonly string[]): string {
  if (sharesAll(sections)) return 'All of the record';
  const names = SHARE_SECTIONS.filter((s) => sections.includes(s)).map((s) => SECTION_LABELS[s].toLowerCase());
  if (names.length === 0) return 'Nothing';
  const text = names.length === 1 ? names[0] : names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1];
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The label for each section's checkbox. */
export const SECTION_LABELS: Record<ShareSection, string> = {
  results: 'Test results',
  conditions: 'Conditions',
  medicines: 'Medicines',
  allergies: 'Allergies',
  immunisations: 'Vaccinations',
  visits: 'Appointments and visits',
  documents: 'Letters and documents',
};

function londonDay(d: Date, timeZone: string): { key: string; hour: number; minute: number } {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  });
  const parts = fmt.formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { key: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')), minute: Number(get('minute')) };
}

/** "3:30pm today" or "9am on 12 March 2026" (UK time), for when a share ends. '' for no date. */
export function untilText(expires: string, now: Date = new Date(), timeZone = UK_TIME_ZONE): string {
  const d = new Date(expires);
  if (!expires || Number.isNaN(d.getTime())) return '';
  const end = londonDay(d, timeZone);
  const today = londonDay(now, timeZone);
  const time = formatTime(end.hour, end.minute);
  return end.key === today.key ? `${time} today` : `${time} on ${formatDate(end.key)}`;
}

/** The banner's line: "Shared by Jo Bloggs until 3:30pm today". */
export function sharedByText(session: Pick<ShareSession, 'patientName' | 'expires'>, now: Date = new Date(), timeZone = UK_TIME_ZONE): string {
  const until = untilText(session.expires, now, timeZone);
  return until ? `Shared by ${session.patientName} until ${until}` : `Shared by ${session.patientName}`;
}

/** Milliseconds until the share ends (0 when it has), or null when the date is not readable. */
export function msUntil(expires: string, now: number = Date.now()): number | null {
  const t = new Date(expires).getTime();
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - now);
}

/** The server ends a share session after this long without a request. */
export const SHARE_IDLE_MS = 15 * 60_000;

// ---------------------------------------------------------------------------
// The patient's side: durations, states and checks

/** "15 minutes", "1 hour", "1 hour 30 minutes", "1 day", "7 days". */
export function durationText(minutes: number): string {
  const m = Math.round(minutes);
  if (m >= 1440 && m % 1440 === 0) return plural(m / 1440, 'day');
  if (m >= 60) {
    const h = Math.floor(m / 60);
    const rest = m % 60;
    if (h >= 24 && rest === 0) return plural(h, 'hour');
    return rest ? `${plural(h, 'hour')} ${plural(rest, 'minute')}` : plural(h, 'hour');
  }
  return plural(m, 'minute');
}

const DURATION_CHOICES = [15, 30, 60, 240, 1440, 4320, 10080];

/** The durations to offer: the usual ones within the server's limits, with its default and its longest. */
export function durationChoices(limits: { minMinutes: number; maxMinutes: number; defaultMinutes: number }): number[] {
  const set = new Set(DURATION_CHOICES.filter((m) => m >= limits.minMinutes && m <= limits.maxMinutes));
  set.add(limits.defaultMinutes);
  set.add(limits.minMinutes);
  set.add(limits.maxMinutes);
  return [...set].sort((a, b) => a - b);
}

/** A share's state in words. */
export function shareStateText(state: string): string {
  switch (state) {
    case 'active':
      return 'Active';
    case 'expired':
      return 'Ended';
    case 'revoked':
      return 'Revoked';
    default:
      return 'Not known';
  }
}

/** What happened to the email with the code, for the patient. */
export function emailStateText(email: ShareEmail | null | undefined, to: string): string {
  switch (email?.state) {
    case 'sent':
      return `We have emailed the code to ${to}.`;
    case 'queued':
      return `We are emailing the code to ${to}.`;
    case 'failed':
      return `We could not email the code to ${to}. Give them the code yourself, or revoke this share and try again.`;
    default:
      return `We will email the code to ${to}.`;
  }
}

/** The code in groups of 4, as the server gives it or typed: "ABCD EFGH …". */
export function codeGroups(code: string): string[] {
  return normaliseShareCode(code).match(/.{1,4}/g) ?? [];
}

/** A share code as sent: capitals, no spaces or dashes, in dashed groups of 4 as the server gives it. */
export function normaliseShareCode(code: string): string {
  return code.replace(/[\s\-–—]+/g, '').toUpperCase();
}

/** The code as it is sent: "ABCD-EFGH-JKMN-PQRS-TVWX-Y". */
export function shareCodeForServer(code: string): string {
  return codeGroups(code).join('-');
}

export const SHARE_CHECKS = {
  codeEmpty: 'Enter the code',
  codeFormat: 'The code is made of letters and numbers, like ABCD-EFGH-JKMN-PQRS-TVWX-Y',
  nameEmpty: 'Enter your name',
  recipientNameEmpty: 'Enter the name of the person you are sharing with',
  sectionsEmpty: 'Select what you want to share',
  noteEmpty: 'Enter a note',
  noteLong: 'Your note must be 2,000 characters or fewer',
} as const;

/** The problem with a typed share code, or ''. (The server decides whether it is right.) */
export function checkShareCode(code: string): string {
  const c = normaliseShareCode(code);
  if (c === '') return SHARE_CHECKS.codeEmpty;
  if (!/^[0-9A-Z]{8,64}$/.test(c)) return SHARE_CHECKS.codeFormat;
  return '';
}

/** The problem with a note, or ''. */
export function checkNote(text: string): string {
  if (text.trim() === '') return SHARE_CHECKS.noteEmpty;
  if (text.length > NOTE_MAX) return SHARE_CHECKS.noteLong;
  return '';
}

/** The sections to send: 'all', or those ticked (in the contract's order). */
export function chosenSections(all: boolean, ticked: readonly string[]): ShareSections {
  if (all) return 'all';
  return SHARE_SECTIONS.filter((s) => ticked.includes(s));
}

// ---------------------------------------------------------------------------
// Date of birth, typed as day, month and year (the NHS date input pattern)

export type DateField = 'day' | 'month' | 'year';

export type BirthDateResult =
  | { ok: true; iso: string }
  | {
      ok: false;
      message: string;
      /** The fields to mark as wrong (the first gets focus from the error summary). */
      fields: DateField[];
    };

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** A month as typed: a number ("3", "03") or a name ("Mar", "March"); NaN otherwise. */
function monthNumber(s: string): number {
  if (/^\d{1,2}$/.test(s)) return Number(s);
  const t = s.toLowerCase().replace(/\.$/, '');
  if (t.length < 3) return NaN;
  const i = MONTH_NAMES.findIndex((name) => name.startsWith(t));
  return i >= 0 ? i + 1 : NaN;
}

/**
 * Checks a date of birth typed as three fields, as the NHS date input
 * pattern asks: what is missing, whether it is a real date, not in the
 * future, and not before 1890. `today` is the local calendar date.
 */
export function parseBirthDate(day: string, month: string, year: string, today: Date = new Date()): BirthDateResult {
  const d = day.trim();
  const m = month.trim();
  const y = year.trim();
  const missing: DateField[] = [];
  if (!d) missing.push('day');
  if (!m) missing.push('month');
  if (!y) missing.push('year');
  if (missing.length === 3) return { ok: false, message: 'Enter their date of birth', fields: ['day', 'month', 'year'] };
  if (missing.length > 0) {
    const words = missing.map((f) => (f === 'day' ? 'a day' : f === 'month' ? 'a month' : 'a year'));
    return { ok: false, message: `Date of birth must include ${words.join(' and ')}`, fields: missing };
  }
  if (!/^\d{4}$/.test(y)) {
    return /^\d+$/.test(y)
      ? { ok: false, message: 'Year must include 4 numbers', fields: ['year'] }
      : { ok: false, message: 'Date of birth must be a real date', fields: ['year'] };
  }
  const dn = /^\d{1,2}$/.test(d) ? Number(d) : NaN;
  const mn = monthNumber(m);
  const yn = Number(y);
  const bad: DateField[] = [];
  if (!(dn >= 1 && dn <= 31)) bad.push('day');
  if (!(mn >= 1 && mn <= 12)) bad.push('month');
  if (bad.length > 0) return { ok: false, message: 'Date of birth must be a real date', fields: bad };
  const date = new Date(Date.UTC(yn, mn - 1, dn));
  if (date.getUTCFullYear() !== yn || date.getUTCMonth() !== mn - 1 || date.getUTCDate() !== dn) {
    return { ok: false, message: 'Date of birth must be a real date', fields: ['day'] };
  }
  const todayUTC = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  if (date.getTime() > todayUTC) return { ok: false, message: 'Date of birth must be today or in the past', fields: ['day', 'month', 'year'] };
  if (yn < 1890) return { ok: false, message: 'Date of birth must be after 1 January 1890', fields: ['year'] };
  const iso = `${String(yn).padStart(4, '0')}-${String(mn).padStart(2, '0')}-${String(dn).padStart(2, '0')}`;
  return { ok: true, iso };
}
