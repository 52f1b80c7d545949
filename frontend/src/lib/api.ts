// Client for the Ward JSON API (docs/api.md). Same-origin, relative URLs only.

export interface Helpdesk {
  phone: string;
  hours: string;
  email: string;
}

export interface Config {
  product: string;
  version: string;
  demo: boolean;
  organisation: { name: string; helpdesk: Helpdesk | null } | null;
  /** Accounts mode (many patients, each signing in); absent on a single-vault Ward. See lib/account.ts. */
  accounts?: import('./account').AccountsConfig | null;
}

export interface Patient {
  name: string;
  givenName: string;
  birthDate: string;
  nhsNumber: string;
}

export interface Source {
  name: string;
  /** When its records last changed on this computer. */
  lastUpdated: string;
  /** The newest date in its records (upcoming appointments aside). */
  dataUpTo?: string;
  /** What its latest file said about itself ("may not contain the entire record"). */
  notices?: string[] | null;
  /** The organisations its items name. */
  organisations?: string[] | null;
  /** Copied more than 90 days ago: newer results are likely to be missing. */
  outOfDate?: boolean;
}

export interface Summary {
  patient: Patient | null;
  sources: Source[] | null;
  /** Every organisation the record's items name, across sources. */
  organisations?: string[] | null;
  counts: Record<string, number> | null;
  /** Critical results to call out at the top of the home page. */
  urgent?: Urgent[] | null;
  /** The soonest upcoming appointment. */
  nextAppointment?: Visit | null;
  /** The three tests with the newest results. */
  latestResults?: Test[] | null;
  /** The newest letter or document (not superseded). */
  latestLetter?: DocumentInfo | null;
  /** When the patient last looked at the home page (RFC 3339); "" when never, or for a clinician. */
  lastViewed?: string;
  /** The last import, when it failed and none has succeeded since. */
  importFailed?: { file: string; code: string; message: string } | null;
}

/** A test's earlier result. */
export interface Earlier {
  value: string;
  unit: string;
  taken: string;
  reportId: string;
}

/** One test in "Test results, by test" (GET /api/tests): its latest result and the one before. */
export interface Test extends Result {
  testKey: string;
  taken: string;
  reportId: string;
  reportName: string;
  organisation: string;
  /** Flagged by the source in any way, or outside the range given. */
  outside: boolean;
  /** How many results of this test the record holds. */
  count: number;
  previous?: Earlier | null;
  /** 'up' | 'down' | 'same', or '' when the two results cannot be compared. */
  change: string;
}

export interface Code {
  system: string;
  code: string;
  display: string;
}

export interface Range {
  low: string;
  high: string;
  text: string;
  /** Whom a sex-specific range is for: "Women", "Men" or "". */
  for?: string;
}

/** A critical result the home page calls out (docs/api.md). */
export interface Urgent {
  reportId: string;
  name: string;
  taken: string;
  organisation: string;
}

/** How to reach the organisation that did a test (from the config). */
export interface Contact {
  organisation: string;
  phone: string;
  hours: string;
}

export interface Result {
  id: string;
  name: string;
  /** Names the test across reports, for /api/history. */
  testKey?: string;
  code: Code | null;
  /** As the source sent it, comparator included ("<2"). */
  value: string;
  comparator?: string;
  unit: string;
  /** A number with no unit at all. */
  unitMissing?: boolean;
  /** Why there is no value (dataAbsentReason), "Sample haemolysed". */
  absent?: string;
  range: Range | null;
  /** Every range that applies (one per sex when the patient's is not known). */
  ranges?: Range[] | null;
  /** 'in' | 'out' | 'none' (no range) | 'unclear' (cannot be placed in it). */
  rangeCheck?: string;
  flag: string;
  flagLabel: string;
  /** The source's words when they are not a flag ("Negative", "Borderline"). */
  interpretation?: string;
  /** What the range says when it disagrees with the source. */
  computed?: string;
  urgent?: boolean;
  status?: string;
  statusLabel?: string;
  comments: string[] | null;
  /**
   * On GET /api/results/{id} only: the same test's newest result taken
   * strictly before this report, in its own unit; null when there is none.
   */
  previous?: Earlier | null;
}

export interface Report {
  id: string;
  name: string;
  category: string;
  taken: string;
  resulted: string;
  /** Who asked for the test (the order's requester); never the performer. */
  orderedBy: string;
  performedBy?: string;
  reviewedBy?: string;
  organisation: string;
  status: string;
  statusLabel?: string;
  /** Entered in error or cancelled: reached only by a direct link. */
  void?: boolean;
  conclusion: string;
  abnormalCount: number;
  urgentCount?: number;
  /** Flagged high or low; the rest of abnormalCount are abnormal another way ("Positive"). */
  outsideCount?: number;
  unrangedCount?: number;
  /** Every result has a range and is inside it: the only time to say so. */
  allInRange?: boolean;
  results: Result[] | null;
  /** Results entered in error or cancelled: struck through, counted nowhere. */
  withdrawn?: Result[] | null;
  /** Text-only reports (imaging): the report as plain text. */
  text?: string;
  codes?: Code[] | null;
  /** On GET /api/results/{id}: the organisation's contact from the config. */
  contact?: Contact | null;
}

export interface ResultsResponse {
  total?: number;
  offset?: number;
  reports: Report[] | null;
}

export const SERVICE_PROBLEM = 'Sorry, there is a problem with the service. Try again later.';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// ---------------------------------------------------------------------------
// Session token (docs/api.md, "The vault: locked and unlocked").
// Kept in sessionStorage, so it goes when the tab or window closes, and sent
// as a bearer token (never a cookie) on every request.

export const TOKEN_KEY = 'ward.token';

type TokenStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function defaultStore(): TokenStore | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null; // storage blocked: work without a token
  }
}

export function getToken(store: TokenStore | null = defaultStore()): string | null {
  try {
    return store?.getItem(TOKEN_KEY) || null;
  } catch {
    return null;
  }
}

export function setToken(token: string, store: TokenStore | null = defaultStore()): void {
  try {
    if (token) store?.setItem(TOKEN_KEY, token);
    else store?.removeItem(TOKEN_KEY);
  } catch {
    // storage full or blocked: the next request will be asked to unlock again
  }
}

export function clearToken(store: TokenStore | null = defaultStore()): void {
  try {
    store?.removeItem(TOKEN_KEY);
  } catch {
    // nothing to clear
  }
}

// Accounts mode: the session is an HttpOnly cookie the page never sees, and
// every request carries the CSRF token the server gave with it (kept in
// memory only: GET /api/account gives it again after a reload).
let csrfToken = '';

/** Keeps (or, with '', forgets) the CSRF token sent as X-CSRF-Token. */
export function setCsrf(token: string): void {
  csrfToken = token || '';
}

export function getCsrf(): string {
  return csrfToken;
}

/**
 * Request headers, with the bearer token when there is one, and the CSRF
 * token once the page has one (on every request, so that lib/security.ts's
 * own fetch sends it too; GET answers ignore it).
 */
export function requestHeaders(token: string | null, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json', ...extra };
  if (token) h.Authorization = 'Bearer ' + token;
  if (csrfToken) h['X-CSRF-Token'] = csrfToken;
  return h;
}

let requestListener: (() => void) | null = null;

/** Called as each request is sent (accounts mode: the idle warning counts from the last one). */
export function setRequestListener(fn: (() => void) | null): void {
  requestListener = fn;
}

/** Endpoints that always answer, locked or not; every other /api/ path is part of the record. */
export function isRecordEndpoint(path: string): boolean {
  const p = path.split(/[?#]/)[0];
  if (!p.startsWith('/api/')) return false;
  return !/^\/api\/(healthz|config|vault)(\/|$)/.test(p);
}

/**
 * Whether an error answer means "this person needs to unlock first": 401
 * with code "locked" from a record endpoint. The server gives that one answer
 * whenever the request has no valid token, whether the record is locked, open
 * to someone else, or this session's token has expired (docs/api.md), so a
 * stranger cannot tell which. A wrong password from /api/vault/unlock is not that.
 * In accounts mode the answer is 401 "signed_out" instead: sign in first.
 */
export function needsUnlock(path: string, status: number, code: string): boolean {
  if (!isRecordEndpoint(path)) return false;
  return status === 401 && (code === 'locked' || code === 'signed_out');
}

let onLocked: (() => void) | null = null;
let onSignedOut: (() => void) | null = null;

/** Accounts mode: what to do when the server says the session has ended (the app goes to sign-in). */
export function setSignedOutHandler(fn: (() => void) | null): void {
  onSignedOut = fn;
}

/** The session has ended (401 signed_out): forget everything and tell the app. */
export function signedOut(): void {
  forgetSession();
  onSignedOut?.();
}

let onShareEnded: (() => void) | null = null;

/** Sharing: what to do when the server says a clinician's share has ended (the app goes to #/share). */
export function setShareEndedHandler(fn: (() => void) | null): void {
  onShareEnded = fn;
}

/**
 * A clinician's share session has ended (401 share_ended: expired, revoked,
 * finished or idle): forget everything fetched with it and tell the app. The
 * share session's CSRF token is kept where the account's is (setCsrf), so
 * requestHeaders sends it as X-CSRF-Token; it goes here too.
 */
export function shareEnded(): void {
  forgetSession();
  onShareEnded?.();
}

/** What to do when a record endpoint says the record is locked (the app goes to the unlock page). */
export function setLockedHandler(fn: (() => void) | null): void {
  onLocked = fn;
}

interface ErrorBody {
  /** triesLeft and nextWaitSeconds: on a wrong unlock secret only (docs/api.md). */
  error?: { code?: string; message?: string; retryAfterSeconds?: number; triesLeft?: number; nextWaitSeconds?: number };
}

interface RequestInit2 {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is (a File for imports), with this content type. */
  raw?: Blob;
  contentType?: string;
  signal?: AbortSignal;
  accept?: string;
}

async function request(path: string, init: RequestInit2 = {}): Promise<Response> {
  const extra: Record<string, string> = {};
  if (init.raw !== undefined) extra['Content-Type'] = init.contentType || 'application/octet-stream';
  else if (init.body !== undefined) extra['Content-Type'] = 'application/json';
  if (init.accept) extra.Accept = init.accept;
  requestListener?.();
  try {
    return await fetch(path, {
      method: init.method ?? 'GET',
      headers: requestHeaders(getToken(), extra),
      body: init.raw !== undefined ? init.raw : init.body !== undefined ? JSON.stringify(init.body) : undefined,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: init.signal,
    });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new ApiError(SERVICE_PROBLEM, 0, 'network');
  }
}

/** True for the error fetch throws when its AbortSignal fires. */
export function isAbort(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: string }).name === 'AbortError';
}

/** Throws the ApiError for a failed answer (and goes to the unlock page when it says locked). */
async function throwIfFailed(path: string, res: Response): Promise<void> {
  if (res.ok) return;
  const err = apiError(res.status, await errorBody(res));
  if (err.status === 401 && err.code === 'share_ended') shareEnded();
  else if (needsUnlock(path, err.status, err.code)) {
    if (err.code === 'signed_out') signedOut();
    else {
      forgetSession();
      onLocked?.();
    }
  }
  throw err;
}

async function errorBody(res: Response): Promise<ErrorBody | null> {
  try {
    return (await res.json()) as ErrorBody;
  } catch {
    return null; // not JSON
  }
}

/** The ApiError for a failed answer: the server's message for 4xx, a generic one otherwise. */
export function apiError(status: number, body: ErrorBody | null): ApiError {
  const code = body?.error?.code || 'http_' + status;
  const message = status < 500 && body?.error?.message ? body.error.message : SERVICE_PROBLEM;
  return new ApiError(message, status, code);
}

/** GET a JSON document from /api/... . Throws ApiError with a message fit to show. */
export async function getJSON<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await request(path, { signal });
  await throwIfFailed(path, res);
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError(SERVICE_PROBLEM, res.status, 'bad_json');
  }
}

// Each document is fetched once per page load and shared between pages;
// a failed request is forgotten so that the next visit tries again.
const cache = new Map<string, Promise<unknown>>();

// While a clinician views a share, every page asks the server again: a
// share the patient revoked must be refused at the clinician's next click,
// not shown on from what this page fetched before.
let alwaysFetch = false;

/** Sharing: fetch every document afresh (true while a share is open). */
export function setAlwaysFetch(on: boolean): void {
  alwaysFetch = on;
  if (on) cache.clear();
}

function cached<T>(path: string): Promise<T> {
  if (alwaysFetch && path !== '/api/config') return getJSON<T>(path);
  let p = cache.get(path) as Promise<T> | undefined;
  if (!p) {
    p = getJSON<T>(path);
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return p;
}

/** Forgets the token (and CSRF token) and everything fetched with it. */
export function forgetSession(): void {
  clearToken();
  csrfToken = '';
  cache.clear();
}

export const getConfig = () => cached<Config>('/api/config');
export const getSummary = () => cached<Summary>('/api/summary');
export const getTests = () => cached<{ tests: Test[] | null }>('/api/tests');

/** The patient has looked at their home page (for "New since you last looked"); a failure changes nothing shown. */
export async function markViewed(): Promise<void> {
  try {
    await request('/api/viewed', { method: 'POST' });
  } catch {
    // no markers next time is all that is lost
  }
}
/** One page of reports, newest first (docs/api.md: paged, default 200, max 1000). */
/** A page of reports, newest first; outside: only those with a result outside the normal range. */
export const getResultsPage = (offset: number, limit: number, outside = false) =>
  cached<ResultsResponse>(`/api/results?offset=${offset}&limit=${limit}${outside ? '&outside=1' : ''}`);
export const getReport = (id: string) => cached<Report>('/api/results/' + encodeURIComponent(id));

/** One result in a test's history, as sent (the table). */
export interface HistoryPoint {
  taken: string;
  value: string;
  number: number | null;
  unit?: string;
  /** A number sent with no unit at all. */
  unitMissing?: boolean;
  /** "<", "<=", ">", ">=" or "": "<2" has number 2. */
  comparator?: string;
  /** This result's own normal range; null when none was given. */
  range?: { low: string; high: string; text: string; for?: string } | null;
  /** "in", "out", "none" (no range given) or "unclear". */
  rangeCheck?: string;
  flag: string;
  flagLabel: string;
  /** Critical: red, and only this is red. */
  urgent?: boolean;
  /** "Not final yet", "Corrected" and so on; "" for final. */
  statusLabel?: string;
  reportId: string;
  organisation: string;
}

/** One result on a chart, its number in the series unit. */
export interface SeriesPoint {
  taken: string;
  number: number;
  comparator: string;
  /** The original value with its unit: "154 lb". */
  value: string;
  converted: boolean;
  /** "in", "out", "none" (no range given) or "unclear". */
  rangeCheck?: string;
  flag: string;
  flagLabel?: string;
  urgent: boolean;
  statusLabel?: string;
  reportId: string;
}

/** The numeric results in one unit family: one chart. */
export interface Series {
  /** The axis unit, as sent (show it with unitText). */
  unit: string;
  /** "Converted from lb: 1 lb = 0.4536 kg". */
  conversions: string[] | null;
  /** The newest range in this unit; null when none was given. */
  range: { low: string; high: string; text: string; for?: string } | null;
  points: SeriesPoint[] | null;
}

export interface History {
  name: string;
  unit: string;
  range: { low: string; high: string; text: string } | null;
  points: HistoryPoint[] | null;
  /** One per unit family, the newest family first. */
  series?: Series[] | null;
}

export const getHistory = (testKey: string) => cached<History>('/api/history?test=' + encodeURIComponent(testKey));

export interface Condition {
  id: string;
  name: string;
  /** The record's clinical status code ("active", "resolved" …), "" when it gives none. */
  status: string;
  /** Where it is listed: "current", "past", or "unknown" when the record does not say. */
  group: string;
  statusLabel: string;
  verification: string;
  /** "Possible — not confirmed" for a differential, provisional or unconfirmed diagnosis. */
  verificationLabel: string;
  onset: string;
  resolved: string;
  /** Set when the dates cannot both be right (an end before the start). */
  dateNote: string;
  organisation: string;
  codes: Code[] | null;
}

export interface Medication {
  id: string;
  name: string;
  /** Where it is listed: "current", "on-hold", "not-started", "unknown", "past" or "not-taken". */
  status: string;
  /** The status in words for anything but current: "On hold", "Cancelled — not taken" … */
  statusLabel: string;
  sourceStatus: string;
  /** How to take it, in plain words (written by the server from the structured dosage). */
  dose: string;
  /** The source's own dosage text, when it differs from dose. */
  doseText: string;
  /** Only for a medicine that was (or is being) taken. */
  started: string;
  stopped: string;
  /** For a cancelled, not-taken or not-yet-started medicine, in place of started. */
  recorded: string;
  /** A person, never an organisation. */
  prescriber: string;
  organisation: string;
  codes: Code[] | null;
}

export interface Allergy {
  id: string;
  substance: string;
  reactions: string[] | null;
  severity: string;
  criticality: string;
  status: string;
  /** "current", or "past" for an inactive or resolved allergy. */
  group: string;
  statusLabel: string;
  verification: string;
  /** "Not confirmed" for an unconfirmed allergy. */
  verificationLabel: string;
  recorded: string;
  organisation: string;
  codes?: Code[] | null;
}

/** A record saying there is no allergy, or nobody asked: "No allergies recorded by X". */
export interface AllergyStatement {
  id: string;
  /** "none" or "unknown". */
  kind: string;
  text: string;
  detail: string;
  recorded: string;
  organisation: string;
  codes?: Code[] | null;
}

export interface Immunisation {
  id: string;
  name: string;
  date: string;
  status: string;
  /** "Not given" for a vaccination that was not done. */
  statusLabel: string;
  /** Why it was not given, when the record says. */
  reason: string;
  organisation: string;
  codes?: Code[] | null;
}

export interface Health {
  conditions: Condition[] | null;
  medications: Medication[] | null;
  allergies: Allergy[] | null;
  immunisations: Immunisation[] | null;
  allergyStatements?: AllergyStatement[] | null;
}

export const getHealth = () => cached<Health>('/api/health');

export interface Visit {
  id: string;
  kind: string;
  title: string;
  start: string;
  end: string;
  place: string;
  clinician: string;
  reason: string;
  status: string;
  organisation: string;
  /** Where the place is, on one line ("1 Example Road, Exampleton, ZZ99 3AA"); "" when not known. */
  address?: string;
  /** The place's phone number, else its organisation's; "" when not known. */
  phone?: string;
  /** How long it lasts (end minus start, else the appointment's minutesDuration); 0 when not known. */
  minutes?: number;
  /**
   * Letters and test results dated on the visit's days (past and current
   * visits only): they share the day, which is all the link claims.
   * link is "#/results/<id>" or "#/documents/<id>".
   */
  related?: Array<{ kind: 'result' | 'document'; title: string; link: string }> | null;
}

/** Current: under way (in progress, or started with no end), newest first; upcoming soonest first; past newest first. */
export interface Visits {
  current: Visit[] | null;
  upcoming: Visit[] | null;
  past: Visit[] | null;
}

export const getVisits = () => cached<Visits>('/api/visits');

export interface Attachment {
  index: number;
  contentType: string;
  title: string;
  size: number;
}

export interface DocumentInfo {
  id: string;
  title: string;
  type: string;
  date: string;
  author: string;
  organisation: string;
  attachments: Attachment[] | null;
  /** Attachments Ward has no copy of; note says so ("A PDF held by X; not copied to Ward"). */
  notCopied?: Array<{ contentType: string; title: string; note: string }> | null;
  /** "superseded", "preliminary" or "" (current and final). */
  status?: string;
  /** The id of the newer version that replaced this one, when Ward holds it. */
  replacedBy?: string;
  /** Only from /api/documents/{id}: sanitised by the backend. */
  html?: string;
}

export const getDocuments = () => cached<{ documents: DocumentInfo[] | null }>('/api/documents');
export const getDocument = (id: string) => cached<DocumentInfo>('/api/documents/' + encodeURIComponent(id));

/**
 * An attachment's bytes, fetched with the session token (a plain link cannot
 * carry it), typed as the server sent them, with the file name it gave.
 */
export async function getAttachment(docId: string, index: number): Promise<{ blob: Blob; disposition: string }> {
  const path = `/api/documents/${encodeURIComponent(docId)}/attachments/${index}`;
  const res = await request(path, { accept: '*/*' });
  await throwIfFailed(path, res);
  try {
    return { blob: await res.blob(), disposition: res.headers.get('Content-Disposition') ?? '' };
  } catch {
    throw new ApiError(SERVICE_PROBLEM, res.status, 'bad_body');
  }
}

export interface Telecom {
  system: string;
  use: string;
  value: string;
}

export interface Details {
  name: string;
  otherNames: string[] | null;
  birthDate: string;
  gender: string;
  nhsNumber: string;
  addresses: Array<{ use: string; lines: string[] | null }> | null;
  telecom: Telecom[] | null;
  contacts: Array<{ relationship: string; name: string; telecom: Telecom[] | null }> | null;
  gp: string;
  organisation: string;
}

export const getDetails = () => cached<Details>('/api/details');

export interface SourceInfo extends Source {
  counts: Record<string, number> | null;
}

export const getSources = () => cached<{ sources: SourceInfo[] | null }>('/api/sources');

export interface SearchMatch {
  kind: string;
  title: string;
  detail: string;
  date: string;
  link: string;
  organisation: string;
  /** A critical result: a red "Urgent" tag, the only red. */
  urgent?: boolean;
}

/** GET /api/search, never cached (results as you type). */
export const searchRecord = (q: string, signal?: AbortSignal) =>
  getJSON<{ query: string; matches: SearchMatch[] | null }>('/api/search?q=' + encodeURIComponent(q), signal);

export interface TimelineItem {
  date: string;
  kind: string;
  title: string;
  detail: string;
  link: string;
  organisation: string;
  /** A critical result: a red "Urgent" tag, the only red. */
  urgent?: boolean;
  /** An appointment still to come and going ahead: shown above "Today". */
  upcoming?: boolean;
}

export const getTimeline = (before: string | null, limit = 100) =>
  cached<{ items: TimelineItem[] | null; next: string | null }>(
    '/api/timeline?' + (before ? 'before=' + encodeURIComponent(before) + '&' : '') + 'limit=' + limit,
  );

export interface OtherType {
  type: string;
  label: string;
  count: number;
}

export const getOther = () => cached<{ types: OtherType[] | null }>('/api/other');
export const getOtherType = (type: string) =>
  cached<{ items: Array<{ id: string; date: string; summary: string; organisation: string }> | null }>(
    '/api/other/' + encodeURIComponent(type),
  );

// ---------------------------------------------------------------------------
// Imports (docs/api.md, "Importing files")

export type ImportState = 'running' | 'done' | 'failed' | 'cancelled';

export interface ImportSummary {
  added: number;
  updated: number;
  unchanged: number;
  keptNewer?: number;
  skipped?: Array<{ entry: number; reason: string }> | null;
  byType: Record<string, number> | null;
  /** Everything in the file was already here: nothing new. */
  nothingNew?: boolean;
  /** The server's own warnings in the file ("may not contain the entire record"). */
  notices?: string[] | null;
  /** Records that appeared more than once in the file: the newest was kept. */
  repeats?: string[] | null;
  /** Records stored but not shown, each with why. */
  unreadable?: string[] | null;
}

export interface ImportStatus {
  id: string;
  file: string;
  source?: string;
  state: ImportState;
  /** Bytes of the file read so far, of bytesTotal (-1 when not known). */
  bytesDone: number;
  bytesTotal: number;
  /** Records saved so far. */
  items: number;
  message: string;
  /** Why it failed, e.g. "other_person" or "confirm_same_person". */
  code?: string;
  /** For a file Ward could not read: the reader's own words, for "Technical details" (message is the plain words). */
  detail?: string;
  summary: ImportSummary | null;
}

/** An import id chosen by the page (8-64 letters, digits or dashes), so it can poll while uploading. */
export function newImportId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The content type to send for a file: its own, or one from its name. */
export function importContentType(file: { name: string; type: string }): string {
  if (file.type) return file.type;
  const name = file.name.toLowerCase();
  if (name.endsWith('.ndjson')) return 'application/x-ndjson';
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.xml')) return 'application/xml';
  return 'application/octet-stream';
}

/**
 * POST /api/imports with the file as the body. The server answers only when
 * the import has ended, with its final state (done, failed or cancelled);
 * poll getImport(id) meanwhile for progress.
 */
export async function runImport(id: string, file: File, source: string, samePerson = false): Promise<ImportStatus> {
  let path = '/api/imports?name=' + encodeURIComponent(file.name) + '&id=' + encodeURIComponent(id);
  if (source.trim()) path += '&source=' + encodeURIComponent(source.trim());
  // The person has said this file is about them after Ward was unsure.
  if (samePerson) path += '&samePerson=yes';
  const res = await request(path, { method: 'POST', raw: file, contentType: importContentType(file) });
  await throwIfFailed(path, res);
  const body = (await res.json().catch(() => null)) as ImportStatus | null;
  if (!body?.state) throw new ApiError(SERVICE_PROBLEM, res.status, 'bad_json');
  return body;
}

/** GET /api/imports/{id}: null while the server has not started it yet (404). */
export async function getImport(id: string): Promise<ImportStatus | null> {
  try {
    return await getJSON<ImportStatus>('/api/imports/' + encodeURIComponent(id));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export async function cancelImport(id: string): Promise<void> {
  const path = '/api/imports/' + encodeURIComponent(id) + '/cancel';
  const res = await request(path, { method: 'POST' });
  await throwIfFailed(path, res);
}

/** Forgets everything fetched, so pages show what an import added. */
export function clearCache(): void {
  cache.clear();
}

export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.message : SERVICE_PROBLEM;
}

// ---------------------------------------------------------------------------
// The vault

export type VaultState = 'none' | 'locked' | 'unlocked';

export interface Vault {
  state: VaultState;
  demo: boolean;
  autoLockMinutes: number;
  canRecover: boolean;
  /** What the checks found when the vault was opened; only while it is open to this session. */
  integrity?: Integrity;
}

/** GET /api/vault's integrity: items that did not open, and whether the vault looked rolled back. */
export interface Integrity {
  failed: number;
  rolledBack: boolean;
}

/** GET /api/vault, never cached: the answer depends on the token. */
export const getVault = () => getJSON<Vault>('/api/vault');

export type UnlockSecret = { password: string } | { recoveryKey: string };

export type UnlockResult =
  | { ok: true; autoLockMinutes: number | null }
  | {
      ok: false;
      field: 'password' | 'recoveryKey';
      message: string;
      /** Seconds to wait before the next try (429), else 0. */
      retryAfterSeconds: number;
      /** Keep what was typed: only a recovery key with a typo, so it can be corrected. Passwords never. */
      keepInput: boolean;
      /** After a wrong secret: how many more may be tried before Ward makes this client wait (undefined when not said). */
      triesLeft?: number;
      /** How long the wrong try that brings the next wait will make it wait, in seconds. */
      nextWaitSeconds?: number;
    };

/**
 * Maps a failed POST /api/vault/unlock to what the unlock page shows: which
 * field the message belongs to, the message, and how long to wait (429).
 */
export function unlockFailure(
  field: 'password' | 'recoveryKey',
  status: number,
  body: ErrorBody | null,
  retryAfterHeader: string | null = null,
): Extract<UnlockResult, { ok: false }> {
  const server = body?.error?.message?.trim() || '';
  let retryAfterSeconds = 0;
  let message: string;
  if (status === 429) {
    const fromBody = Number(body?.error?.retryAfterSeconds);
    const fromHeader = Number(retryAfterHeader);
    retryAfterSeconds = Number.isFinite(fromBody) && fromBody > 0 ? Math.ceil(fromBody) : Number.isFinite(fromHeader) && fromHeader > 0 ? Math.ceil(fromHeader) : 60;
    message = server || 'You have tried too many times. Wait and try again.';
  } else if (status === 401) {
    message = server || (field === 'password' ? 'That password is not right.' : 'That recovery key is not right.');
  } else if (status === 400) {
    message = server || (field === 'password' ? 'Enter your password' : 'Check the recovery key and try again.');
  } else if (status >= 400 && status < 500 && server) {
    message = server;
  } else {
    message = SERVICE_PROBLEM;
  }
  const keepInput = field === 'recoveryKey' && status === 400;
  const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
  const triesLeft = status === 401 ? count(body?.error?.triesLeft) : undefined;
  const nextWaitSeconds = triesLeft !== undefined ? count(body?.error?.nextWaitSeconds) : undefined;
  return { ok: false, field, message, retryAfterSeconds, keepInput, triesLeft, nextWaitSeconds };
}

/** POST /api/vault/unlock. Keeps the token on success; never keeps the secret. */
export async function unlock(secret: UnlockSecret): Promise<UnlockResult> {
  const field = 'password' in secret ? 'password' : 'recoveryKey';
  let res: Response;
  try {
    res = await request('/api/vault/unlock', { method: 'POST', body: secret });
  } catch {
    return { ok: false, field, message: SERVICE_PROBLEM, retryAfterSeconds: 0, keepInput: false };
  }
  if (!res.ok) return unlockFailure(field, res.status, await errorBody(res), res.headers.get('Retry-After'));
  let body: { token?: string; autoLockMinutes?: number } | null = null;
  try {
    body = (await res.json()) as { token?: string; autoLockMinutes?: number };
  } catch {
    body = null;
  }
  if (!body?.token) return { ok: false, field, message: SERVICE_PROBLEM, retryAfterSeconds: 0, keepInput: false };
  cache.clear();
  setToken(body.token);
  return { ok: true, autoLockMinutes: typeof body.autoLockMinutes === 'number' ? body.autoLockMinutes : null };
}

export type CreateResult =
  | { ok: true; recoveryKey: string; autoLockMinutes: number | null }
  | {
      ok: false;
      /**
       * 'short_password' (400: the message belongs on the password field),
       * 'exists' (409: already set up, go to the unlock page), or anything
       * else (a problem with the service, shown without a field).
       */
      code: string;
      message: string;
    };

/**
 * POST /api/vault/create (first run). Keeps the token on success, like unlock.
 * The recovery key is only returned to the caller: it is never stored,
 * logged or put in a URL here.
 */
export async function createVault(password: string): Promise<CreateResult> {
  let res: Response;
  try {
    res = await request('/api/vault/create', { method: 'POST', body: { password } });
  } catch {
    return { ok: false, code: 'network', message: SERVICE_PROBLEM };
  }
  if (!res.ok) {
    const err = apiError(res.status, await errorBody(res));
    if (res.status === 409) return { ok: false, code: 'exists', message: err.message };
    if (res.status === 400 && err.code === 'short_password') return { ok: false, code: err.code, message: err.message };
    return { ok: false, code: err.code, message: res.status >= 500 ? SERVICE_PROBLEM : err.message };
  }
  type Created = { token?: string; recoveryKey?: string; autoLockMinutes?: number };
  let body: Created | null = null;
  try {
    body = (await res.json()) as Created;
  } catch {
    body = null;
  }
  if (!body?.token || !body.recoveryKey) return { ok: false, code: 'bad_json', message: SERVICE_PROBLEM };
  cache.clear();
  setToken(body.token);
  return {
    ok: true,
    recoveryKey: body.recoveryKey,
    autoLockMinutes: typeof body.autoLockMinutes === 'number' ? body.autoLockMinutes : null,
  };
}

/** POST /api/vault/lock, then forget the token whatever the answer. */
export async function lock(): Promise<boolean> {
  let ok = false;
  try {
    const res = await request('/api/vault/lock', { method: 'POST' });
    ok = res.ok;
  } catch {
    ok = false;
  }
  forgetSession();
  return ok;
}

// ---------------------------------------------------------------------------
// Face and fingerprint unlock and the security settings (docs/api.md, "Face
// and fingerprint"). The calls are in lib/security.ts.

export interface Vault {
  /** How many passkeys can unlock the vault; missing from older servers (0). */
  passkeys?: number;
}

/** One way to unlock the record, as GET /api/security lists it. */
export type SecurityMethod =
  | { kind: 'password' }
  | { kind: 'recovery' }
  | { kind: 'organisation' } // the organisation's records key (a kek slot)
  | { kind: 'passkey'; id: string; name: string; added: string; lastUsed: string };

export type PasskeyMethod = Extract<SecurityMethod, { kind: 'passkey' }>;

export interface SecuritySettings {
  methods: SecurityMethod[] | null;
  autoLockMinutes: number;
  /** When this session stops counting as freshly unlocked; "" when it is not. */
  freshUntil: string;
}

/** A WebAuthn ceremony the server began: its id and the options for navigator.credentials. */
export interface Ceremony<T> {
  ceremony: string;
  publicKey: T;
}

/** POST /api/vault/passkey/browser: the system-browser ceremony the window polls. */
export interface BrowserCeremony {
  id: string;
  url: string;
  /** Ward opened the URL itself; otherwise the page opens it. */
  opened?: boolean;
}

export type BrowserCeremonyState =
  | { state: 'waiting' }
  | { state: 'done'; token?: string; autoLockMinutes?: number; passkey?: PasskeyMethod; freshUntil?: string }
  | { state: 'failed'; code: string; message: string }
  | { state: 'expired' };
