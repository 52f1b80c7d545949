// Accounts mode: a Ward server with many patients, each signing in to their
// own record. The session is an HttpOnly cookie (the page never sees it);
// every request also carries the CSRF token the server gave (api.ts sends it
// once setCsrf has it). Errors are {"error":{"code","message"}} and `message`
// is already plain English, fit to show.
//
// The request and response types are all here, in one place (the Go side
// will later generate them). Then: one function per endpoint, what the pages
// keep between steps (in memory only), the checks on what was typed, what
// the app decides (where to send the patient), and the idle warning.

import { SERVICE_PROBLEM, forgetSession, getToken, requestHeaders, setCsrf, setRequestListener, signedOut, type Config } from './api';
import { getAssertion, type CredentialJSON, type CredentialsContainerLike, type PublicKeyCredentialStatics } from './passkey';
import { safeNext, signInHref, type Route } from './router';
import { SecurityError, securityError } from './security';
import { plural } from './text';
import type { IdleClock } from './idle';

// ---------------------------------------------------------------------------
// Types (the contract)

/** GET /api/config → accounts. Absent, or enabled false, on a single-vault Ward. */
export interface AccountsConfig {
  /** This server has accounts: sign in, not unlock. */
  enabled: boolean;
  /** A patient may start with an empty record instead of an invite code from the organisation. */
  emptyRecordAllowed: boolean;
  /** The organisation requires two-step sign-in: it cannot be turned off. */
  twoStepRequired: boolean;
  /** Minutes without a request before the server signs the patient out. */
  idleMinutes: number;
}

/** Two-step sign-in, as GET /api/account reports it. */
export interface TwoStepStatus {
  enabled: boolean;
  /** Unused recovery codes (of 10). */
  recoveryCodesLeft: number;
  /** The organisation requires it. */
  required: boolean;
}

/** GET /api/account → 200 when signed in (401 {code:"signed_out"} when not). */
export interface Account {
  email: string;
  /** Send as X-CSRF-Token on every non-GET request. */
  csrf: string;
  /** Seconds without a request before the server signs the patient out. */
  idleSeconds: number;
  /** When the session ends whatever happens (ISO; 12 hours after signing in). */
  expiresAt: string;
  twoStep: TwoStepStatus;
  /** How many passkeys (face or fingerprint) can sign in. */
  passkeys: number;
}

/** POST /api/account/sign-up → 202 {} (the same answer whether or not the address had an account). */
export interface SignUpRequest {
  email: string;
  password: string;
  /** The patient has been warned that the address looks shared (409 shared_address) and wants it anyway. */
  sharedOk?: boolean;
}

/** POST /api/account/verify: the code from the sign-up email (valid 15 minutes). */
export interface VerifyRequest {
  email: string;
  code: string;
}

/** POST /api/account/verify → 200 (and a short pre-session cookie). */
export interface VerifyResponse {
  csrf: string;
  emptyRecordAllowed: boolean;
}

/** POST /api/account/activate (after verify). */
export interface ActivateRequest {
  password: string;
  /** The code the organisation gave the patient, to fill the record from its own records. */
  inviteCode?: string;
  /** Start with an empty record (only when emptyRecordAllowed). */
  emptyRecord?: boolean;
}

/** POST /api/account/activate, /recover and /reset → 200: signed in, with a recovery key to show once. */
export interface RecoveryKeyResponse {
  recoveryKey: string;
  csrf: string;
}

/** POST /api/account/sign-in. */
export interface SignInRequest {
  email: string;
  password: string;
}

export type TwoStepMethod = 'totp' | 'recovery' | 'email';

/** POST /api/account/sign-in → 200: signed in (csrf), or a second step is needed (twoStep). */
export type SignInResponse = CsrfResponse | { twoStep: { methods: TwoStepMethod[] } };

/** POST /api/account/sign-in/two-step. */
export interface TwoStepSignInRequest {
  method: TwoStepMethod;
  code: string;
}

/** Signed in: sign-in, two-step, passkey finish. */
export interface CsrfResponse {
  csrf: string;
}

/** POST /api/account/sign-in/passkey/begin → the options for navigator.credentials.get. */
export interface PasskeyBeginResponse {
  ceremonyId: string;
  publicKey: PublicKeyCredentialRequestOptionsJSON;
}

/** POST /api/account/sign-in/passkey/finish. */
export interface PasskeyFinishRequest {
  ceremonyId: string;
  credential: CredentialJSON;
}

/** One signed-in browser (GET /api/account/sessions). */
export interface AccountSession {
  /** For DELETE /api/account/sessions/{handle}; not the session's secret. */
  handle: string;
  created: string;
  lastSeen: string;
  browser: string;
  address: string;
  /** This browser. */
  current: boolean;
}

export type SignInOutcome = 'ok' | 'wrong_password' | 'wrong_code' | 'passkey' | 'throttled';

/** One recent try at signing in. */
export interface SignInEvent {
  at: string;
  address: string;
  browser: string;
  outcome: SignInOutcome;
}

/** GET /api/account/sessions. */
export interface SessionsResponse {
  sessions: AccountSession[] | null;
  signIns: SignInEvent[] | null;
}

/** POST /api/account/two-step/enrol → what the authenticator app needs. */
export interface EnrolResponse {
  otpauthUrl: string;
  /** Base32, for typing in when the QR code cannot be scanned. */
  secret: string;
  /** data:image/png;base64,… */
  qrPng: string;
}

/** POST /api/account/two-step/confirm {code} and /two-step/recovery-codes → 10 codes, shown once. */
export interface RecoveryCodesResponse {
  recoveryCodes: string[];
}

/** POST /api/account/forgot {email} → 202; then /forgot/verify {email, code}. */
export interface ForgotVerifyResponse {
  csrf: string;
  /** The organisation can empty the record and fill it again from its own records (POST /api/account/reset). */
  orgReset: boolean;
}

/** POST /api/account/recover: the recovery key and a new password. */
export interface RecoverRequest {
  recoveryKey: string;
  password: string;
}

/** POST /api/account/reset (only when orgReset). */
export interface ResetRequest {
  password: string;
  confirm: 'reset';
}

/** Every error answer. */
export interface ErrorResponse {
  error: { code: string; message: string; retryAfterSeconds?: number };
}

/**
 * The error codes the pages act on. Others are shown by their message.
 * - signed_out (401): not signed in (the app goes to sign-in)
 * - shared_address (409): the email looks shared or role-based; resend with sharedOk
 * - weak_password (400), wrong_code (400/401), wrong_invite (400)
 * - wrong_sign_in (401): email or password not right (the same for unknown addresses)
 * - too_many_tries (429): with retryAfterSeconds
 * - confirm_needed or not_fresh (403): confirm the password (POST /api/security/confirm), then retry
 * - two_step_required (403): the organisation requires two-step sign-in (to turn it off; and, until it
 *   is set up, for every route but /api/account…, /api/security/confirm… and /api/config)
 * - bad_email (400), not_allowed (403: an empty record is not allowed), no_recovery (403: no reset here)
 * - cross_origin, csrf (403): the request lacked Origin or X-CSRF-Token
 */
export type AccountErrorCode =
  | 'signed_out'
  | 'shared_address'
  | 'weak_password'
  | 'wrong_code'
  | 'wrong_invite'
  | 'wrong_sign_in'
  | 'too_many_tries'
  | 'confirm_needed'
  | 'not_fresh'
  | 'two_step_required'
  | 'bad_email'
  | 'not_allowed'
  | 'no_recovery';

// ---------------------------------------------------------------------------
// Calls

/** Words for an error whose answer had no message of its own. */
export const FALLBACK_MESSAGES: Record<AccountErrorCode, string> = {
  signed_out: 'You have been signed out. Sign in again to carry on.',
  shared_address:
    'This looks like a shared email address. Other people who read it could reset your account. Use an address only you read.',
  weak_password: 'Choose a password that is harder to guess.',
  wrong_code: 'That code is not right. Check it and try again.',
  wrong_invite: 'That invite code is not right. Check it and try again.',
  wrong_sign_in: 'The email address or password is not right.',
  too_many_tries: 'You have tried too many times. Wait and try again.',
  confirm_needed: 'Confirm it is you first.',
  not_fresh: 'Confirm it is you first.',
  bad_email: 'Enter an email address in the correct format, like name@example.com',
  not_allowed: 'You need an invite code to set up your account.',
  no_recovery: 'Without your recovery key this record cannot be recovered.',
  two_step_required: 'Your organisation needs you to use two-step sign-in, so it cannot be turned off.',
};

/** The error for a failed answer: the server's message, else one of ours for a known code. */
export function accountError(status: number, body: unknown, retryAfter: string | null = null): SecurityError {
  const b = (body && typeof body === 'object' ? body : null) as Partial<ErrorResponse> | null;
  const err = securityError(status, b, retryAfter);
  const fallback = FALLBACK_MESSAGES[err.code as AccountErrorCode];
  if (status < 500 && !b?.error?.message?.trim() && fallback) {
    return new SecurityError(fallback, err.status, err.code, err.retryAfterSeconds);
  }
  return err;
}

/** Called as each accounts request is sent (the idle watch counts from it). */
let touched: (() => void) | null = null;

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  touched?.();
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
    const err = accountError(res.status, json, res.headers.get('Retry-After'));
    if (err.status === 401 && err.code === 'signed_out') signedOut();
    throw err;
  }
  if (res.status === 202 || res.status === 204) return {} as T;
  if (json === null || typeof json !== 'object') throw new SecurityError(SERVICE_PROBLEM, res.status, 'bad_json');
  // Every answer that carries a CSRF token replaces the one the page had.
  const csrf = (json as { csrf?: unknown }).csrf;
  if (typeof csrf === 'string' && csrf) setCsrf(csrf);
  return json as T;
}

/** For the answers that sign the patient in: they must carry a CSRF token. */
function needCsrf<T extends { csrf?: string }>(answer: T): T {
  if (!answer.csrf) throw new SecurityError(SERVICE_PROBLEM, 200, 'bad_json');
  return answer;
}

function needKey(answer: RecoveryKeyResponse): { recoveryKey: string } {
  needCsrf(answer);
  if (!answer.recoveryKey) throw new SecurityError(SERVICE_PROBLEM, 200, 'bad_json');
  return { recoveryKey: answer.recoveryKey };
}

/** Whether accounts mode is on for this server's config. */
export function accountsEnabled(config: Pick<Config, 'accounts'> | null | undefined): boolean {
  return config?.accounts?.enabled === true;
}

/** GET /api/account. Keeps its CSRF token. Throws on 401 signed_out (and the app goes to sign-in). */
export const getAccount = () => call<Account>('GET', '/api/account');

/** GET /api/account as "is anyone signed in?": the account, or null for 401 signed_out. Other failures throw. */
export async function accountStatus(): Promise<Account | null> {
  try {
    return await getAccount();
  } catch (e) {
    if (e instanceof SecurityError && e.status === 401 && e.code === 'signed_out') return null;
    throw e;
  }
}

/** POST /api/account/sign-up. Resolves when the code has been emailed (202). */
export async function signUp(email: string, password: string, sharedOk = false): Promise<void> {
  const body: SignUpRequest = { email, password };
  if (sharedOk) body.sharedOk = true;
  await call<object>('POST', '/api/account/sign-up', body);
}

/** POST /api/account/verify: the emailed code. Starts the short pre-session that activate needs. */
export async function verifySignUp(email: string, code: string): Promise<{ emptyRecordAllowed: boolean }> {
  const answer = needCsrf(await call<VerifyResponse>('POST', '/api/account/verify', { email, code } satisfies VerifyRequest));
  return { emptyRecordAllowed: answer.emptyRecordAllowed === true };
}

/** POST /api/account/activate: signed in, with the recovery key to show once (never stored here). */
export async function activate(req: ActivateRequest): Promise<{ recoveryKey: string }> {
  const body: ActivateRequest = { password: req.password };
  if (req.inviteCode) body.inviteCode = req.inviteCode;
  if (req.emptyRecord) body.emptyRecord = true;
  return needKey(await call<RecoveryKeyResponse>('POST', '/api/account/activate', body));
}

export type SignInResult = { signedIn: true } | { signedIn: false; methods: TwoStepMethod[] };

/** POST /api/account/sign-in: signed in, or the second step with the ways it can be done. */
export async function signIn(email: string, password: string): Promise<SignInResult> {
  const answer = await call<Partial<CsrfResponse> & { twoStep?: { methods?: TwoStepMethod[] } }>(
    'POST',
    '/api/account/sign-in',
    { email, password } satisfies SignInRequest,
  );
  if (answer.twoStep) {
    const methods = (answer.twoStep.methods ?? []).filter((m) => m === 'totp' || m === 'recovery' || m === 'email');
    return { signedIn: false, methods: methods.length > 0 ? methods : ['totp', 'recovery'] };
  }
  needCsrf(answer);
  return { signedIn: true };
}

/** POST /api/account/sign-in/email-code: email a code for the second step (202). */
export async function emailSignInCode(): Promise<void> {
  await call<object>('POST', '/api/account/sign-in/email-code', {});
}

/** POST /api/account/sign-in/two-step: the code from the app, a recovery code, or the emailed code. */
export async function signInTwoStep(method: TwoStepMethod, code: string): Promise<void> {
  needCsrf(await call<CsrfResponse>('POST', '/api/account/sign-in/two-step', { method, code } satisfies TwoStepSignInRequest));
}

/**
 * Signs in with a passkey: begin, navigator.credentials.get (PRF output
 * included), finish. A cancelled ceremony throws the browser's
 * NotAllowedError (see passkey.isCancelled).
 */
export async function signInWithPasskey(creds?: CredentialsContainerLike, pkc?: PublicKeyCredentialStatics | null): Promise<void> {
  const begun = await call<PasskeyBeginResponse>('POST', '/api/account/sign-in/passkey/begin', {});
  if (!begun.ceremonyId || !begun.publicKey) throw new SecurityError(SERVICE_PROBLEM, 200, 'bad_json');
  const credential = await (creds === undefined ? getAssertion(begun.publicKey) : getAssertion(begun.publicKey, creds, pkc));
  needCsrf(
    await call<CsrfResponse>('POST', '/api/account/sign-in/passkey/finish', {
      ceremonyId: begun.ceremonyId,
      credential,
    } satisfies PasskeyFinishRequest),
  );
}

/** Whether to offer passkey sign-in: the browser has WebAuthn. */
export function canUsePasskeys(win: unknown = globalThis): boolean {
  return typeof (win as { PublicKeyCredential?: unknown } | null)?.PublicKeyCredential !== 'undefined';
}

/**
 * POST /api/account/sign-out (or sign-out-everywhere), then forget the CSRF
 * token and everything fetched, whatever the answer. True when the server
 * said it was done.
 */
export async function signOut(everywhere = false): Promise<boolean> {
  let ok = false;
  try {
    await call<object>('POST', everywhere ? '/api/account/sign-out-everywhere' : '/api/account/sign-out', {});
    ok = true;
  } catch {
    ok = false;
  }
  forgetSession();
  return ok;
}

/** GET /api/account/sessions: where the patient is signed in, and the recent tries. */
export async function getSessions(): Promise<{ sessions: AccountSession[]; signIns: SignInEvent[] }> {
  const answer = await call<SessionsResponse>('GET', '/api/account/sessions');
  return { sessions: answer.sessions ?? [], signIns: answer.signIns ?? [] };
}

/** DELETE /api/account/sessions/{handle}: signs that browser out. */
export async function endSession(handle: string): Promise<void> {
  await call<object>('DELETE', '/api/account/sessions/' + encodeURIComponent(handle));
}

/** POST /api/account/two-step/enrol: the secret for the authenticator app. */
export async function enrolTwoStep(): Promise<EnrolResponse> {
  const answer = await call<EnrolResponse>('POST', '/api/account/two-step/enrol', {});
  if (!answer.secret) throw new SecurityError(SERVICE_PROBLEM, 200, 'bad_json');
  return answer;
}

function needCodes(answer: RecoveryCodesResponse): string[] {
  if (!Array.isArray(answer.recoveryCodes) || answer.recoveryCodes.length === 0) {
    throw new SecurityError(SERVICE_PROBLEM, 200, 'bad_json');
  }
  return answer.recoveryCodes;
}

/** POST /api/account/two-step/confirm: the first code from the app turns two-step on; the recovery codes, shown once. */
export async function confirmTwoStep(code: string): Promise<string[]> {
  return needCodes(await call<RecoveryCodesResponse>('POST', '/api/account/two-step/confirm', { code }));
}

/** POST /api/account/two-step/recovery-codes: 10 new codes; the old ones stop working. */
export async function newRecoveryCodes(): Promise<string[]> {
  return needCodes(await call<RecoveryCodesResponse>('POST', '/api/account/two-step/recovery-codes', {}));
}

/** DELETE /api/account/two-step (403 two_step_required when the organisation requires it). */
export async function turnOffTwoStep(): Promise<void> {
  await call<object>('DELETE', '/api/account/two-step');
}

/** POST /api/security/confirm: "confirm it is you", before a change that answered 403 confirm_needed. */
export async function confirmPassword(password: string): Promise<void> {
  await call<object>('POST', '/api/security/confirm', { password });
}

/** Whether an error means "confirm your password, then try again". */
export function needsConfirm(err: unknown): boolean {
  // not_fresh is what the single-vault Security page gets for the same thing.
  return err instanceof SecurityError && err.status === 403 && (err.code === 'confirm_needed' || err.code === 'not_fresh');
}

/** POST /api/account/forgot: emails a code (202; the same answer for an address with no account). */
export async function forgotPassword(email: string): Promise<void> {
  await call<object>('POST', '/api/account/forgot', { email });
}

/** POST /api/account/forgot/verify: the emailed code. */
export async function verifyForgot(email: string, code: string): Promise<{ orgReset: boolean }> {
  const answer = needCsrf(await call<ForgotVerifyResponse>('POST', '/api/account/forgot/verify', { email, code } satisfies VerifyRequest));
  return { orgReset: answer.orgReset === true };
}

/** POST /api/account/recover: the recovery key opens the record; a new password; a NEW recovery key to show once. */
export async function recoverAccount(recoveryKey: string, password: string): Promise<{ recoveryKey: string }> {
  return needKey(await call<RecoveryKeyResponse>('POST', '/api/account/recover', { recoveryKey, password } satisfies RecoverRequest));
}

/** POST /api/account/reset: empties the record, to be filled again from the organisation's records (only when orgReset). */
export async function resetAccount(password: string): Promise<{ recoveryKey: string }> {
  return needKey(await call<RecoveryKeyResponse>('POST', '/api/account/reset', { password, confirm: 'reset' } satisfies ResetRequest));
}

// ---------------------------------------------------------------------------
// What the pages keep between steps. In memory only (never storage, the URL
// or the console): a reload forgets it, and the activate page then asks for
// the password again.

interface PendingSignUp {
  email: string;
  password: string;
  emptyRecordAllowed: boolean | null;
}

let pending: PendingSignUp | null = null;

/** After the code is verified: what the activate page needs. */
export function keepSignUp(p: PendingSignUp): void {
  pending = { ...p };
}

export function pendingSignUp(): Readonly<PendingSignUp> | null {
  return pending;
}

export function forgetSignUp(): void {
  pending = null;
}

/** Why the sign-in page is showing, for its banner. */
export type SignInNotice =
  | { kind: 'idle'; minutes: number }
  | { kind: 'signed-out' }
  | { kind: 'everywhere' }
  | { kind: 'expired' };

let notice: SignInNotice | null = null;

/** Leaves a banner for the sign-in page to show once. */
export function setSignInNotice(n: SignInNotice | null): void {
  notice = n;
}

/** The banner for the sign-in page (once: it is forgotten). */
export function takeSignInNotice(): SignInNotice | null {
  const n = notice;
  notice = null;
  return n;
}

/** The banner's words. */
export function signInNoticeText(n: SignInNotice): string {
  switch (n.kind) {
    case 'idle':
      return `You were signed out because Ward was not used for ${plural(Math.max(1, Math.round(n.minutes)), 'minute')}.`;
    case 'signed-out':
      return 'You have signed out.';
    case 'everywhere':
      return 'You have signed out on every device.';
    case 'expired':
      return 'You have been signed out. Sign in again to carry on.';
  }
}

// ---------------------------------------------------------------------------
// Checking what was typed (before anything is sent)

export const CHECK_MESSAGES = {
  emailEmpty: 'Enter your email address',
  emailFormat: 'Enter an email address in the correct format, like name@example.com',
  passwordEmpty: 'Enter your password',
  codeEmpty: 'Enter the code',
  codeFormat: 'The code must be 6 numbers',
  emailCodeFormat: 'The code from the email is 8 letters and numbers, like 7QX2 9KPM',
  recoveryCodeEmpty: 'Enter a recovery code',
  recoveryKeyEmpty: 'Enter your recovery key',
  inviteEmpty: 'Enter your invite code',
} as const;

/** The email address as sent: trimmed (the server decides everything else). */
export function normaliseEmail(email: string): string {
  return email.trim();
}

/** The problem with an email address, or ''. */
export function checkEmail(email: string): string {
  const e = normaliseEmail(email);
  if (e === '') return CHECK_MESSAGES.emailEmpty;
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) return CHECK_MESSAGES.emailFormat;
  return '';
}

/** A 6-digit code as sent: spaces and dashes people type or paste ("123 456") taken out. */
export function normaliseCode(code: string): string {
  return code.replace(/[\s-]+/g, '');
}

/** The problem with a 6-digit code, or ''. */
export function checkCode(code: string): string {
  const c = normaliseCode(code);
  if (c === '') return CHECK_MESSAGES.codeEmpty;
  if (!/^\d{6}$/.test(c)) return CHECK_MESSAGES.codeFormat;
  return '';
}

/**
 * The problem with a code from an email (8 letters and digits from
 * 23456789ABCDEFGHJKMNPQRSTUVWXYZ, as the server makes them), or ''. Case,
 * spaces and dashes are forgiven, as the server forgives them.
 */
export function checkEmailCode(code: string): string {
  const c = normaliseCode(code).toUpperCase();
  if (c === '') return CHECK_MESSAGES.codeEmpty;
  if (!/^[2-9A-HJKMNP-Z]{8}$/.test(c)) return CHECK_MESSAGES.emailCodeFormat;
  return '';
}

/** "You can try again in 1 minute 5 seconds." for a 429's wait ('' when it is over). */
export function waitText(seconds: number): string {
  const s = Math.ceil(seconds);
  if (!Number.isFinite(s) || s <= 0) return '';
  const m = Math.floor(s / 60);
  const rest = s % 60;
  const parts = [m > 0 ? plural(m, 'minute') : '', rest > 0 ? plural(rest, 'second') : ''].filter(Boolean);
  return `You can try again in ${parts.join(' ')}.`;
}

/** A secret for typing into an authenticator app, in groups of 4: "JBSW Y3DP EHPK 3PXP". */
export function secretGroups(secret: string): string[] {
  return secret.replace(/[\s=]+/g, '').toUpperCase().match(/.{1,4}/g) ?? [];
}

/** What happened at a sign-in try, in words. */
export function outcomeText(outcome: string): string {
  switch (outcome) {
    case 'ok':
      return 'Signed in';
    case 'passkey':
      return 'Signed in with face or fingerprint';
    case 'wrong_password':
      return 'Wrong password';
    case 'wrong_code':
      return 'Wrong two-step code';
    case 'throttled':
      return 'Stopped: too many tries';
    default:
      return 'Not signed in';
  }
}

/** Whether an outcome is one the patient should look at (someone else trying). */
export function outcomeFailed(outcome: string): boolean {
  return outcome !== 'ok' && outcome !== 'passkey';
}

// ---------------------------------------------------------------------------
// What the app decides

/**
 * Accounts mode's state:
 * - 'pending': asking GET /api/account
 * - 'signed-out': the sign-in pages only
 * - 'signed-in': the record
 */
export type AccountMode = 'pending' | 'signed-out' | 'signed-in';

/** The accounts pages: never redirected while signed out. */
const OPEN_ROUTES = new Set<Route['name']>(['sign-in', 'sign-up', 'activate', 'forgot', 'help', 'not-found']);

/**
 * Whether the organisation requires two-step sign-in and this patient has
 * not set it up: until they do, the server answers 403 two_step_required
 * for the record, so the app keeps them on Security settings.
 */
export function mustSetUpTwoStep(account: Pick<Account, 'twoStep'> | null | undefined): boolean {
  return account?.twoStep?.required === true && account.twoStep.enabled !== true;
}

/**
 * Where to send the patient instead of `route` in accounts mode, or null to
 * show it. `hold` is an account page that must stay on screen (a recovery
 * key is showing) whatever link is followed. `twoStepFirst`: see
 * mustSetUpTwoStep.
 */
export function accountRedirect(
  route: Route,
  mode: AccountMode,
  hold: 'activate' | 'forgot' | null = null,
  twoStepFirst = false,
): string | null {
  if (hold) return route.name === hold ? null : '#/' + hold;
  switch (mode) {
    case 'pending':
      return null;
    case 'signed-in':
      if (twoStepFirst) return route.name === 'security' || route.name === 'help' ? null : '#/security';
      // The single-vault pages and the sign-in pages are done with.
      if (route.name === 'sign-in') return '#' + safeNext(route.next);
      if (route.name === 'sign-up' || route.name === 'activate' || route.name === 'forgot' || route.name === 'setup') return '#/';
      if (route.name === 'unlock') return '#' + safeNext(route.next);
      return null;
    case 'signed-out':
      if (route.name === 'unlock' || route.name === 'setup') return '#/sign-in';
      return OPEN_ROUTES.has(route.name) ? null : signInHref(route);
  }
}

/** The idle limit in milliseconds: the account's idleSeconds, else the config's idleMinutes; null for none. */
export function idleLimit(account: Pick<Account, 'idleSeconds'> | null | undefined, config: Pick<Config, 'accounts'> | null | undefined): number | null {
  const s = account?.idleSeconds;
  if (typeof s === 'number' && Number.isFinite(s) && s > 0) return Math.round(s * 1000);
  const m = config?.accounts?.idleMinutes;
  if (typeof m === 'number' && Number.isFinite(m) && m > 0) return Math.round(m * 60_000);
  return null;
}

/** How long before the idle sign-out the warning shows. */
export const WARN_BEFORE_MS = 60_000;

const realClock: IdleClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface IdleWarningHandlers {
  /** One minute left: show the warning. */
  warn: () => void;
  /** A request was made while it showed (Stay signed in, or the page itself): hide it. */
  quiet: () => void;
  /** The limit has passed since the last request: the server has signed the patient out. */
  expire: () => void;
}

/**
 * Counts from the last request to the server, as the server does (the
 * page's own keys and scrolling do not count: the server never sees them).
 * Measured by the wall clock, so a computer that slept past the limit signs
 * out as soon as it wakes, as IdleTimer does for the single-vault lock.
 */
export class IdleWarningTimer {
  private last = 0;
  private handle: unknown = null;
  private active = false;
  private warned = false;

  constructor(
    readonly limitMs: number,
    private readonly on: IdleWarningHandlers,
    private readonly clock: IdleClock = realClock,
    readonly warnMs = Math.min(WARN_BEFORE_MS, limitMs / 2),
  ) {}

  get running(): boolean {
    return this.active;
  }

  get warning(): boolean {
    return this.warned;
  }

  start(): void {
    this.stop();
    this.active = true;
    this.last = this.clock.now();
    this.schedule(this.limitMs - this.warnMs);
  }

  /** A request was sent: the server's wait starts again. */
  request(): void {
    if (!this.active) return;
    this.last = this.clock.now();
    if (this.warned) {
      this.warned = false;
      this.on.quiet();
      this.reschedule(this.limitMs - this.warnMs);
    }
  }

  stop(): void {
    this.active = false;
    this.warned = false;
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
  }

  private reschedule(ms: number): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.schedule(ms);
  }

  private schedule(ms: number): void {
    this.handle = this.clock.setTimeout(() => this.check(), Math.max(0, ms));
  }

  private check(): void {
    this.handle = null;
    if (!this.active) return;
    const idle = this.clock.now() - this.last;
    if (idle >= this.limitMs) {
      this.stop();
      this.on.expire();
      return;
    }
    if (idle >= this.limitMs - this.warnMs) {
      if (!this.warned) {
        this.warned = true;
        this.on.warn();
      }
      this.schedule(this.limitMs - idle);
      return;
    }
    this.schedule(this.limitMs - this.warnMs - idle);
  }
}

/**
 * Starts the idle warning for a signed-in patient: every request (api.ts's
 * and this file's) restarts the wait. Returns a function that stops it.
 */
export function watchIdle(limitMs: number, on: IdleWarningHandlers, clock: IdleClock = realClock): () => void {
  const timer = new IdleWarningTimer(limitMs, on, clock);
  const onRequest = () => timer.request();
  setRequestListener(onRequest);
  touched = onRequest;
  timer.start();
  return () => {
    timer.stop();
    setRequestListener(null);
    if (touched === onRequest) touched = null;
  };
}

/** "Stay signed in": one request (GET /api/account) restarts the server's wait. */
export async function staySignedIn(): Promise<Account> {
  return getAccount();
}
