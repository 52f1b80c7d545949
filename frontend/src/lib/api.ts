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
}

export interface Patient {
  name: string;
  givenName: string;
  birthDate: string;
  nhsNumber: string;
}

export interface Source {
  name: string;
  lastUpdated: string;
}

export interface Summary {
  patient: Patient | null;
  sources: Source[] | null;
  counts: Record<string, number> | null;
}

export interface Code {
  system: string;
  code: string;
  display: string;
}

export interface Result {
  id: string;
  name: string;
  code: Code | null;
  value: string;
  unit: string;
  range: { low: string; high: string; text: string } | null;
  flag: string;
  flagLabel: string;
  comments: string[] | null;
}

export interface Report {
  id: string;
  name: string;
  category: string;
  taken: string;
  resulted: string;
  orderedBy: string;
  organisation: string;
  status: string;
  conclusion: string;
  abnormalCount: number;
  results: Result[] | null;
}

export interface ResultsResponse {
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

/** Request headers, with the bearer token when there is one. */
export function requestHeaders(token: string | null, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json', ...extra };
  if (token) h.Authorization = 'Bearer ' + token;
  return h;
}

/** Endpoints that always answer, locked or not; every other /api/ path is part of the record. */
export function isRecordEndpoint(path: string): boolean {
  const p = path.split(/[?#]/)[0];
  if (!p.startsWith('/api/')) return false;
  return !/^\/api\/(healthz|config|vault)(\/|$)/.test(p);
}

/**
 * Whether an error answer means "this person needs to unlock first":
 * 423 locked, or 401 unauthorised (someone else's session unlocked it), from
 * a record endpoint. A wrong password from /api/vault/unlock is not that.
 */
export function needsUnlock(path: string, status: number, code: string): boolean {
  if (!isRecordEndpoint(path)) return false;
  return (status === 423 && code === 'locked') || (status === 401 && code === 'unauthorised');
}

let onLocked: (() => void) | null = null;

/** What to do when a record endpoint says the record is locked (the app goes to the unlock page). */
export function setLockedHandler(fn: (() => void) | null): void {
  onLocked = fn;
}

interface ErrorBody {
  error?: { code?: string; message?: string; retryAfterSeconds?: number };
}

async function request(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  const extra: Record<string, string> = init.body !== undefined ? { 'Content-Type': 'application/json' } : {};
  try {
    return await fetch(path, {
      method: init.method ?? 'GET',
      headers: requestHeaders(getToken(), extra),
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(SERVICE_PROBLEM, 0, 'network');
  }
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
export async function getJSON<T>(path: string): Promise<T> {
  const res = await request(path);
  if (!res.ok) {
    const err = apiError(res.status, await errorBody(res));
    if (needsUnlock(path, err.status, err.code)) {
      forgetSession();
      onLocked?.();
    }
    throw err;
  }
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError(SERVICE_PROBLEM, res.status, 'bad_json');
  }
}

// Each document is fetched once per page load and shared between pages;
// a failed request is forgotten so that the next visit tries again.
const cache = new Map<string, Promise<unknown>>();

function cached<T>(path: string): Promise<T> {
  let p = cache.get(path) as Promise<T> | undefined;
  if (!p) {
    p = getJSON<T>(path);
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return p;
}

/** Forgets the token and everything fetched with it. */
export function forgetSession(): void {
  clearToken();
  cache.clear();
}

export const getConfig = () => cached<Config>('/api/config');
export const getSummary = () => cached<Summary>('/api/summary');
export const getResults = () => cached<ResultsResponse>('/api/results');

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
  return { ok: false, field, message, retryAfterSeconds, keepInput };
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
