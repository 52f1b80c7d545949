// The calls for face and fingerprint unlock and the security settings
// (docs/api.md, "Face and fingerprint"), and the ceremonies built from them:
// in this page when it has WebAuthn, else in the system browser (the desktop
// window), polled until it ends.

import type { Snippet } from 'svelte';
import {
  ApiError,
  SERVICE_PROBLEM,
  apiError,
  clearCache,
  forgetSession,
  getJSON,
  getToken,
  needsUnlock,
  requestHeaders,
  setToken,
  type BrowserCeremony,
  type BrowserCeremonyState,
  type Ceremony,
  type PasskeyMethod,
  type SecuritySettings,
} from './api';
import { canDoPasskeysHere, createCredential, getAssertion, type CredentialJSON } from './passkey';

/** An error answer, with the wait a 429 asks for (else 0). */
/**
 * What Security settings gives a section it holds (components/ShareThrough,
 * components/PublishKeys): its one way to make a change (asking "Confirm it
 * is you" first), its confirm box, and its errors and success banner.
 */
export interface SettingsSectionProps {
  change: (field: string, run: () => Promise<void>) => void;
  confirmBox: Snippet;
  fieldError: Snippet<[string]>;
  errorFor: (field: string) => string | null;
  showError: (field: string, message: string) => void;
  showDone: (message: string) => Promise<void>;
  busy: boolean;
}

export class SecurityError extends ApiError {
  constructor(
    message: string,
    status: number,
    code: string,
    readonly retryAfterSeconds = 0,
  ) {
    super(message, status, code);
    this.name = 'SecurityError';
  }
}

type ErrorJSON = { error?: { code?: string; message?: string; retryAfterSeconds?: number } };

/** The SecurityError for a failed answer: apiError's message, and a 429's wait from the body or Retry-After. */
export function securityError(status: number, body: ErrorJSON | null, retryAfter: string | null = null): SecurityError {
  const err = apiError(status, body);
  let wait = 0;
  if (status === 429) {
    const fromBody = Number(body?.error?.retryAfterSeconds);
    const fromHeader = Number(retryAfter);
    wait = fromBody > 0 ? Math.ceil(fromBody) : fromHeader > 0 ? Math.ceil(fromHeader) : 60;
  }
  return new SecurityError(err.message, err.status, err.code, wait);
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
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
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = securityError(res.status, json as ErrorJSON | null, res.headers.get('Retry-After'));
    if (needsUnlock(path, err.status, err.code)) sessionEnded();
    throw err;
  }
  if (json === null || typeof json !== 'object') throw new SecurityError(SERVICE_PROBLEM, res.status, 'bad_json');
  return json as T;
}

/**
 * The session ended under a settings page: forget it, and let the app show
 * the unlock page (getJSON tells it, on the 401 a request without a token gets).
 */
function sessionEnded(): void {
  forgetSession();
  getJSON('/api/security').catch(() => {});
}

/** The success path of every unlock: keep the token as the password unlock does. */
function unlocked(body: { token?: string; autoLockMinutes?: number }): number | null {
  if (!body.token) throw new SecurityError(SERVICE_PROBLEM, 200, 'bad_json');
  clearCache();
  setToken(body.token);
  return typeof body.autoLockMinutes === 'number' ? body.autoLockMinutes : null;
}

type RequestJSON = PublicKeyCredentialRequestOptionsJSON;
type CreationJSON = PublicKeyCredentialCreationOptionsJSON;
type Unlocked = { token?: string; autoLockMinutes?: number };
type Fresh = { freshUntil: string };

// --- The endpoints, one function each -------------------------------------

export const api = {
  unlockBegin: () => call<Ceremony<RequestJSON>>('POST', '/api/vault/passkey/begin', {}),
  unlockFinish: (ceremony: string, credential: CredentialJSON) =>
    call<Unlocked>('POST', '/api/vault/passkey/finish', { ceremony, credential }),
  settings: () => call<SecuritySettings>('GET', '/api/security'),
  confirmPassword: (password: string) => call<Fresh>('POST', '/api/security/confirm', { password }),
  confirmBegin: () => call<Ceremony<RequestJSON>>('POST', '/api/security/confirm/passkey/begin', {}),
  confirmFinish: (ceremony: string, credential: CredentialJSON) =>
    call<Fresh>('POST', '/api/security/confirm/passkey/finish', { ceremony, credential }),
  addBegin: (name: string) => call<Ceremony<CreationJSON>>('POST', '/api/security/passkeys/begin', { name }),
  addFinish: (ceremony: string, credential: CredentialJSON) =>
    call<AddAnswer>('POST', '/api/security/passkeys/finish', { ceremony, credential }),
  rename: (id: string, name: string) =>
    call<{ passkey: PasskeyMethod }>('POST', '/api/security/passkeys/' + encodeURIComponent(id) + '/rename', { name }),
  remove: (id: string) => call<object>('DELETE', '/api/security/passkeys/' + encodeURIComponent(id)),
  setPassword: (password: string) => call<object>('POST', '/api/security/password', { password }),
  removePassword: () => call<object>('DELETE', '/api/security/password'),
  newRecoveryKey: () => call<{ recoveryKey: string }>('POST', '/api/security/recovery-key'),
  setAutoLock: (minutes: number) => call<{ autoLockMinutes: number }>('POST', '/api/security/auto-lock', { minutes }),
  browserStart: (body: { purpose: 'unlock' | 'confirm' } | { purpose: 'register'; name: string }) =>
    call<BrowserCeremony>('POST', '/api/vault/passkey/browser', body),
  browserStatus: (id: string) => call<BrowserCeremonyState>('GET', '/api/vault/passkey/browser/' + encodeURIComponent(id)),
};

/** POST /api/security/passkeys/finish: the new passkey, or a request for one more touch. */
export type AddAnswer = { passkey: PasskeyMethod } | ({ needsAssertion: true } & Ceremony<RequestJSON>);

// --- Ceremonies in this page ----------------------------------------------

/** Unlocks with a passkey in this page; the auto-lock minutes, as the password unlock gives them. */
export async function unlockInPage(): Promise<number | null> {
  const { ceremony, publicKey } = await api.unlockBegin();
  const credential = await getAssertion(publicKey);
  return unlocked(await api.unlockFinish(ceremony, credential));
}

/** Confirms it is you with a passkey in this page; when the session stops being fresh. */
export async function confirmInPage(): Promise<string> {
  const { ceremony, publicKey } = await api.confirmBegin();
  const credential = await getAssertion(publicKey);
  return (await api.confirmFinish(ceremony, credential)).freshUntil;
}

/**
 * Adds a passkey in this page: create, then (when the authenticator gave
 * its PRF output only on a second touch) get, posted to the same endpoint.
 */
export async function addInPage(name: string): Promise<PasskeyMethod> {
  const begun = await api.addBegin(name);
  let answer = await api.addFinish(begun.ceremony, await createCredential(begun.publicKey));
  for (let i = 0; i < 2 && 'needsAssertion' in answer; i++) {
    answer = await api.addFinish(answer.ceremony, await getAssertion(answer.publicKey));
  }
  if (!('passkey' in answer)) throw new SecurityError(SERVICE_PROBLEM, 200, 'bad_json');
  return answer.passkey;
}

// --- Ceremonies in the system browser -------------------------------------

/** What the system browser ceremony's end means to the page. */
export const BROWSER_EXPIRED = 'The time to finish in your web browser ran out. Try again.';

export interface BrowserOptions {
  /** Opens the URL when Ward did not (window.open by default). */
  open?: (url: string) => void;
  /** Stops polling (the page was left). */
  signal?: AbortSignal;
  /** Milliseconds between polls. */
  every?: number;
  /** Called once the browser has been asked to open the page. */
  started?: (c: BrowserCeremony) => void;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DOMException('Stopped', 'AbortError'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new DOMException('Stopped', 'AbortError'));
      },
      { once: true },
    );
  });
}

/**
 * Runs a ceremony in the system browser: asks Ward to start it, opens the
 * one-time page if Ward did not, and polls every second until it is done
 * (the answer), failed (thrown with its code and message) or expired.
 */
export async function inBrowser(
  body: Parameters<typeof api.browserStart>[0],
  opts: BrowserOptions = {},
): Promise<Extract<BrowserCeremonyState, { state: 'done' }>> {
  const started = await api.browserStart(body);
  if (!started.opened) (opts.open ?? ((url: string) => window.open(url, '_blank', 'noopener')))(started.url);
  opts.started?.(started);
  for (;;) {
    await pause(opts.every ?? 1000, opts.signal);
    const s = await api.browserStatus(started.id);
    if (s.state === 'done') return s;
    if (s.state === 'failed') throw new SecurityError(s.message || SERVICE_PROBLEM, 200, s.code || 'failed');
    if (s.state === 'expired') throw new SecurityError(BROWSER_EXPIRED, 200, 'expired');
  }
}

/** Unlocks in the system browser; the auto-lock minutes. */
export async function unlockInBrowser(opts: BrowserOptions = {}): Promise<number | null> {
  return unlocked(await inBrowser({ purpose: 'unlock' }, opts));
}

/** Confirms in the system browser; when the session stops being fresh. */
export async function confirmInBrowser(opts: BrowserOptions = {}): Promise<string> {
  return (await inBrowser({ purpose: 'confirm' }, opts)).freshUntil ?? '';
}

/** Adds a passkey in the system browser. */
export async function addInBrowser(name: string, opts: BrowserOptions = {}): Promise<PasskeyMethod> {
  const done = await inBrowser({ purpose: 'register', name }, opts);
  if (!done.passkey) throw new SecurityError(SERVICE_PROBLEM, 200, 'bad_json');
  return done.passkey;
}

/** Whether the ceremony runs in this page (else in the system browser). */
export const inPage = (): boolean => canDoPasskeysHere();

// --- Freshness ------------------------------------------------------------

/** Whether a change can be made now without confirming first. */
export function isFresh(freshUntil: string | null | undefined, now = Date.now()): boolean {
  if (!freshUntil) return false;
  const t = Date.parse(freshUntil);
  return Number.isFinite(t) && t > now;
}

/** Whether an error means "confirm it is you first". */
export function needsConfirm(err: unknown): boolean {
  return err instanceof ApiError && err.status === 403 && err.code === 'not_fresh';
}
