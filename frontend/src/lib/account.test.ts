import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  SERVICE_PROBLEM,
  getCsrf,
  getJSON,
  getSummary,
  requestHeaders,
  setCsrf,
  setLockedHandler,
  setSignedOutHandler,
} from './api';
import {
  FALLBACK_MESSAGES,
  IdleWarningTimer,
  accountError,
  accountRedirect,
  checkEmailCode,
  accountStatus,
  accountsEnabled,
  activate,
  canUsePasskeys,
  checkCode,
  checkEmail,
  confirmPassword,
  confirmTwoStep,
  emailSignInCode,
  endSession,
  enrolTwoStep,
  forgetSignUp,
  forgotPassword,
  getAccount,
  getSessions,
  idleLimit,
  keepSignUp,
  mustSetUpTwoStep,
  needsConfirm,
  newRecoveryCodes,
  normaliseCode,
  outcomeFailed,
  outcomeText,
  pendingSignUp,
  recoverAccount,
  resetAccount,
  secretGroups,
  setSignInNotice,
  signIn,
  signInNoticeText,
  signInTwoStep,
  signInWithPasskey,
  signOut,
  signUp,
  staySignedIn,
  takeSignInNotice,
  turnOffTwoStep,
  verifyForgot,
  verifySignUp,
  waitText,
  watchIdle,
  type AccountMode,
} from './account';
import { parseHash } from './router';
import { SecurityError } from './security';
import type { CredentialsContainerLike } from './passkey';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const empty = (status: number) => new Response(null, { status });
const fail = (status: number, code: string, message = '', extra: Record<string, unknown> = {}) =>
  json(status, { error: { code, message, ...extra } });

const ACCOUNT = {
  email: 'jo@example.com',
  csrf: 'csrf-account',
  idleSeconds: 900,
  expiresAt: '2026-01-01T21:00:00Z',
  twoStep: { enabled: false, recoveryCodesLeft: 0, required: false },
  passkeys: 0,
};

let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal('fetch', fetchMock);
  vi.stubGlobal('sessionStorage', { getItem: () => null, setItem: () => {}, removeItem: () => {} });
  setCsrf('');
});
afterEach(() => {
  setSignedOutHandler(null);
  setLockedHandler(null);
  setCsrf('');
  forgetSignUp();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const sent = (i = 0) => {
  const [path, init] = fetchMock.mock.calls[i];
  return {
    path: path as string,
    method: init.method as string,
    headers: init.headers as Record<string, string>,
    body: init.body === undefined ? undefined : JSON.parse(init.body as string),
  };
};

describe('requestHeaders and the CSRF token', () => {
  it('sends X-CSRF-Token only once the page has one, and forgets it on sign-out', async () => {
    expect(requestHeaders(null)).toEqual({ Accept: 'application/json' });
    setCsrf('abc');
    expect(requestHeaders(null, { 'Content-Type': 'application/json' })).toEqual({
      Accept: 'application/json',
      'Content-Type': 'application/json',
      'X-CSRF-Token': 'abc',
    });
  });

  it('is attached to every request after sign-in, including api.ts GETs, and cleared by sign-out', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { csrf: 'c-1' }));
    await expect(signIn('jo@example.com', 'pw')).resolves.toEqual({ signedIn: true });
    expect(sent(0).headers['X-CSRF-Token']).toBeUndefined();
    expect(getCsrf()).toBe('c-1');

    fetchMock.mockResolvedValueOnce(json(200, { patient: null }));
    await getJSON('/api/summary');
    expect(sent(1).headers['X-CSRF-Token']).toBe('c-1');

    fetchMock.mockResolvedValueOnce(empty(204));
    await endSession('h-2');
    expect(sent(2).headers['X-CSRF-Token']).toBe('c-1');

    fetchMock.mockResolvedValueOnce(empty(204));
    await expect(signOut()).resolves.toBe(true);
    expect(sent(3)).toMatchObject({ path: '/api/account/sign-out', method: 'POST' });
    expect(sent(3).headers['X-CSRF-Token']).toBe('c-1');
    expect(getCsrf()).toBe('');

    fetchMock.mockResolvedValueOnce(json(200, { patient: null }));
    await getJSON('/api/summary');
    expect(sent(4).headers['X-CSRF-Token']).toBeUndefined();
  });

  it('a newer token replaces the older one (the pre-session token after verify, then the signed-in one)', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { csrf: 'pre', emptyRecordAllowed: true }));
    await verifySignUp('jo@example.com', '123456');
    expect(getCsrf()).toBe('pre');
    fetchMock.mockResolvedValueOnce(json(200, { csrf: 'full', recoveryKey: 'ABCDE-12345' }));
    await activate({ password: 'pw pw pw pw' });
    expect(sent(1).headers['X-CSRF-Token']).toBe('pre');
    expect(getCsrf()).toBe('full');
  });
});

describe('signed_out', () => {
  it('from a record page: forgets the session and calls the signed-out handler, not the locked one', async () => {
    setCsrf('c-1');
    const out = vi.fn();
    const locked = vi.fn();
    setSignedOutHandler(out);
    setLockedHandler(locked);
    fetchMock.mockResolvedValueOnce(fail(401, 'signed_out', 'Sign in to see your record.'));
    await expect(getJSON('/api/results')).rejects.toMatchObject({ status: 401, code: 'signed_out' });
    expect(out).toHaveBeenCalledTimes(1);
    expect(locked).not.toHaveBeenCalled();
    expect(getCsrf()).toBe('');
  });

  it('forgets cached record data', async () => {
    setSignedOutHandler(() => {});
    fetchMock.mockResolvedValueOnce(json(200, { patient: { name: 'A' } }));
    await getSummary();
    fetchMock.mockResolvedValueOnce(fail(401, 'signed_out'));
    await expect(getJSON('/api/health')).rejects.toBeInstanceOf(Error);
    fetchMock.mockResolvedValueOnce(json(200, { patient: null }));
    await expect(getSummary()).resolves.toEqual({ patient: null });
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });

  it('from an accounts call too (two-step settings after the session ended)', async () => {
    const out = vi.fn();
    setSignedOutHandler(out);
    fetchMock.mockResolvedValueOnce(fail(401, 'signed_out'));
    await expect(newRecoveryCodes()).rejects.toMatchObject({ code: 'signed_out', message: FALLBACK_MESSAGES.signed_out });
    expect(out).toHaveBeenCalledTimes(1);
  });

  it('a wrong password is not signed_out', async () => {
    const out = vi.fn();
    setSignedOutHandler(out);
    fetchMock.mockResolvedValueOnce(fail(401, 'wrong_sign_in', 'The email address or password is not right.'));
    await expect(signIn('a@b.co', 'x')).rejects.toMatchObject({ code: 'wrong_sign_in' });
    expect(out).not.toHaveBeenCalled();
  });

  it('accountStatus: the account (keeping its CSRF token), or null when signed out; other failures throw', async () => {
    setSignedOutHandler(() => {});
    fetchMock.mockResolvedValueOnce(json(200, ACCOUNT));
    await expect(accountStatus()).resolves.toEqual(ACCOUNT);
    expect(sent(0)).toMatchObject({ path: '/api/account', method: 'GET', body: undefined });
    expect(getCsrf()).toBe('csrf-account');
    fetchMock.mockResolvedValueOnce(fail(401, 'signed_out'));
    await expect(accountStatus()).resolves.toBeNull();
    expect(getCsrf()).toBe('');
    fetchMock.mockResolvedValueOnce(json(500, { error: { code: 'internal', message: 'db gone' } }));
    await expect(accountStatus()).rejects.toMatchObject({ status: 500, message: SERVICE_PROBLEM });
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(accountStatus()).rejects.toMatchObject({ code: 'network', message: SERVICE_PROBLEM });
  });
});

describe('accountError', () => {
  it('uses the server message, then ours for a known code, never a 5xx message', () => {
    expect(accountError(400, { error: { code: 'weak_password', message: 'Add another word or two.' } }).message).toBe('Add another word or two.');
    expect(accountError(400, { error: { code: 'weak_password' } }).message).toBe(FALLBACK_MESSAGES.weak_password);
    expect(accountError(401, null).code).toBe('http_401');
    expect(accountError(401, null).message).toBe(SERVICE_PROBLEM);
    expect(accountError(503, { error: { code: 'wrong_code', message: 'x' } }).message).toBe(SERVICE_PROBLEM);
  });

  it('429: the wait from the body, else the header, else 60 seconds', () => {
    expect(accountError(429, { error: { code: 'too_many_tries', message: 'Wait.', retryAfterSeconds: 90 } }).retryAfterSeconds).toBe(90);
    expect(accountError(429, { error: { code: 'too_many_tries' } }, '30')).toMatchObject({
      retryAfterSeconds: 30,
      message: FALLBACK_MESSAGES.too_many_tries,
    });
    expect(accountError(429, null).retryAfterSeconds).toBe(60);
  });
});

describe('sign-up', () => {
  it('posts email and password; 202 resolves', async () => {
    fetchMock.mockResolvedValueOnce(json(202, {}));
    await signUp('jo@example.com', 'tub lamp orbit');
    expect(sent()).toMatchObject({ path: '/api/account/sign-up', method: 'POST', body: { email: 'jo@example.com', password: 'tub lamp orbit' } });
    expect(sent().headers['Content-Type']).toBe('application/json');
  });

  it('a shared address is refused until sharedOk is sent', async () => {
    fetchMock.mockResolvedValueOnce(fail(409, 'shared_address'));
    const err = await signUp('info@example.com', 'tub lamp orbit').catch((e) => e);
    expect(err).toBeInstanceOf(SecurityError);
    expect(err).toMatchObject({ status: 409, code: 'shared_address', message: FALLBACK_MESSAGES.shared_address });
    expect(sent(0).body.sharedOk).toBeUndefined();
    fetchMock.mockResolvedValueOnce(empty(202));
    await signUp('info@example.com', 'tub lamp orbit', true);
    expect(sent(1).body).toEqual({ email: 'info@example.com', password: 'tub lamp orbit', sharedOk: true });
  });

  it('weak_password carries the server message', async () => {
    fetchMock.mockResolvedValueOnce(fail(400, 'weak_password', 'This password is too easy to guess.'));
    await expect(signUp('jo@example.com', 'password1')).rejects.toMatchObject({ code: 'weak_password', message: 'This password is too easy to guess.' });
  });

  it('verify: emptyRecordAllowed; wrong_code', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { csrf: 'pre', emptyRecordAllowed: true }));
    await expect(verifySignUp('jo@example.com', '123456')).resolves.toEqual({ emptyRecordAllowed: true });
    expect(sent()).toMatchObject({ path: '/api/account/verify', body: { email: 'jo@example.com', code: '123456' } });
    fetchMock.mockResolvedValueOnce(json(200, { csrf: 'pre' }));
    await expect(verifySignUp('jo@example.com', '123456')).resolves.toEqual({ emptyRecordAllowed: false });
    fetchMock.mockResolvedValueOnce(fail(400, 'wrong_code', 'That code is not right.'));
    await expect(verifySignUp('jo@example.com', '000000')).rejects.toMatchObject({ code: 'wrong_code', message: 'That code is not right.' });
    fetchMock.mockResolvedValueOnce(json(200, {}));
    await expect(verifySignUp('jo@example.com', '123456')).rejects.toMatchObject({ code: 'bad_json' });
  });

  it('activate: sends only what was chosen; gives the recovery key', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { recoveryKey: 'ABCDE-12345', csrf: 'c' }));
    await expect(activate({ password: 'pw', inviteCode: 'INV-1' })).resolves.toEqual({ recoveryKey: 'ABCDE-12345' });
    expect(sent(0)).toMatchObject({ path: '/api/account/activate', method: 'POST', body: { password: 'pw', inviteCode: 'INV-1' } });
    fetchMock.mockResolvedValueOnce(json(200, { recoveryKey: 'K', csrf: 'c' }));
    await activate({ password: 'pw', inviteCode: '', emptyRecord: true });
    expect(sent(1).body).toEqual({ password: 'pw', emptyRecord: true });
  });

  const activateFailures: Array<[string, Response, Record<string, unknown>]> = [
    ['wrong_invite', fail(400, 'wrong_invite', 'That invite code is not right.'), { code: 'wrong_invite', message: 'That invite code is not right.' }],
    ['weak_password', fail(400, 'weak_password', 'Too easy to guess.'), { code: 'weak_password' }],
    ['200 without a key', json(200, { csrf: 'c' }), { code: 'bad_json', message: SERVICE_PROBLEM }],
    ['200 without a CSRF token', json(200, { recoveryKey: 'K' }), { code: 'bad_json' }],
    ['not_allowed (an empty record is not allowed here)', fail(403, 'not_allowed'), { status: 403, code: 'not_allowed', message: FALLBACK_MESSAGES.not_allowed }],
    ['the step has run out', fail(401, 'signed_out'), { code: 'signed_out' }],
  ];
  it.each(activateFailures)('activate: %s', async (_, answer, want) => {
    fetchMock.mockResolvedValueOnce(answer);
    await expect(activate({ password: 'pw' })).rejects.toMatchObject(want);
  });

  it('keeps the sign-up password in memory between pages until forgotten', () => {
    expect(pendingSignUp()).toBeNull();
    keepSignUp({ email: 'jo@example.com', password: 'secret words', emptyRecordAllowed: false });
    expect(pendingSignUp()).toEqual({ email: 'jo@example.com', password: 'secret words', emptyRecordAllowed: false });
    forgetSignUp();
    expect(pendingSignUp()).toBeNull();
  });
});

describe('sign-in', () => {
  it('two-step: the methods the server offers (unknown ones dropped)', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { twoStep: { methods: ['totp', 'sms', 'recovery', 'email'] } }));
    await expect(signIn('jo@example.com', 'pw')).resolves.toEqual({ signedIn: false, methods: ['totp', 'recovery', 'email'] });
    expect(sent()).toMatchObject({ path: '/api/account/sign-in', body: { email: 'jo@example.com', password: 'pw' } });
    expect(getCsrf()).toBe('');
  });

  it('two-step: the step CSRF token the answer carries is sent with the second step', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { csrf: 'step', twoStep: { methods: ['totp'] } })).mockResolvedValueOnce(json(200, { csrf: 'full' }));
    await expect(signIn('jo@example.com', 'pw')).resolves.toEqual({ signedIn: false, methods: ['totp'] });
    await signInTwoStep('totp', '123456');
    expect(sent(1).headers['X-CSRF-Token']).toBe('step');
    expect(getCsrf()).toBe('full');
  });

  it('two-step: after too many wrong codes the server says signed_out (start again)', async () => {
    const out = vi.fn();
    setSignedOutHandler(out);
    fetchMock.mockResolvedValueOnce(fail(401, 'signed_out', 'Start again.'));
    await expect(signInTwoStep('totp', '123456')).rejects.toMatchObject({ code: 'signed_out', message: 'Start again.' });
    expect(out).toHaveBeenCalledTimes(1);
  });

  const failures: Array<[string, Response, Record<string, unknown>]> = [
    ['wrong_sign_in', fail(401, 'wrong_sign_in', 'The email address or password is not right.'), { status: 401, code: 'wrong_sign_in', message: 'The email address or password is not right.' }],
    ['wrong_sign_in without a message', fail(401, 'wrong_sign_in'), { message: 'The email address or password is not right.' }],
    [
      'too_many_tries',
      fail(429, 'too_many_tries', 'Too many tries. Wait 5 minutes.', { retryAfterSeconds: 300 }),
      { status: 429, code: 'too_many_tries', retryAfterSeconds: 300, message: 'Too many tries. Wait 5 minutes.' },
    ],
    ['200 with neither', json(200, {}), { code: 'bad_json', message: SERVICE_PROBLEM }],
    ['not JSON', new Response('<html>', { status: 200 }), { code: 'bad_json' }],
    ['500', fail(500, 'internal', 'panic'), { status: 500, message: SERVICE_PROBLEM }],
  ];
  it.each(failures)('sign-in: %s', async (_, answer, want) => {
    fetchMock.mockResolvedValueOnce(answer);
    await expect(signIn('jo@example.com', 'pw')).rejects.toMatchObject(want);
    expect(getCsrf()).toBe('');
  });

  it('the second step: code, then signed in; wrong_code; too_many_tries', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { csrf: 'c-2' }));
    await signInTwoStep('totp', '123456');
    expect(sent(0)).toMatchObject({ path: '/api/account/sign-in/two-step', method: 'POST', body: { method: 'totp', code: '123456' } });
    expect(getCsrf()).toBe('c-2');
    fetchMock.mockResolvedValueOnce(fail(401, 'wrong_code', 'That code is not right.'));
    await expect(signInTwoStep('recovery', 'abcd-efgh')).rejects.toMatchObject({ code: 'wrong_code' });
    expect(sent(1).body).toEqual({ method: 'recovery', code: 'abcd-efgh' });
    fetchMock.mockResolvedValueOnce(fail(429, 'too_many_tries', '', { retryAfterSeconds: 45 }));
    await expect(signInTwoStep('totp', '111111')).rejects.toMatchObject({ retryAfterSeconds: 45, message: FALLBACK_MESSAGES.too_many_tries });
  });

  it('email me a code: 202', async () => {
    fetchMock.mockResolvedValueOnce(empty(202));
    await emailSignInCode();
    expect(sent()).toMatchObject({ path: '/api/account/sign-in/email-code', method: 'POST', body: {} });
    fetchMock.mockResolvedValueOnce(fail(429, 'too_many_tries', 'Wait.', { retryAfterSeconds: 60 }));
    await expect(emailSignInCode()).rejects.toMatchObject({ code: 'too_many_tries', retryAfterSeconds: 60 });
  });

  describe('with a passkey', () => {
    const buf = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;
    const assertion = {
      id: 'cred-1',
      rawId: buf('cred-1'),
      type: 'public-key',
      response: { clientDataJSON: buf('{}'), authenticatorData: buf('ad'), signature: buf('sig'), userHandle: buf('u') },
      getClientExtensionResults: () => ({ prf: { results: { first: new Uint8Array([1, 2, 3]).buffer } } }),
    };
    const creds = (): CredentialsContainerLike & { get: ReturnType<typeof vi.fn> } => ({
      create: vi.fn(),
      get: vi.fn().mockResolvedValue(assertion),
    });

    it('begin, get (the challenge and PRF input as bytes), finish with the PRF output', async () => {
      fetchMock
        .mockResolvedValueOnce(
          json(200, {
            ceremonyId: 'cer-1',
            publicKey: { challenge: 'AQID', rpId: 'ward.example', extensions: { prf: { eval: { first: 'BAUG' } } } },
          }),
        )
        .mockResolvedValueOnce(json(200, { csrf: 'c-pk' }));
      const c = creds();
      await signInWithPasskey(c, null);
      expect(sent(0)).toMatchObject({ path: '/api/account/sign-in/passkey/begin', method: 'POST', body: {} });
      const opts = c.get.mock.calls[0][0].publicKey as PublicKeyCredentialRequestOptions;
      expect(new Uint8Array(opts.challenge as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
      expect(new Uint8Array((opts.extensions as { prf: { eval: { first: ArrayBuffer } } }).prf.eval.first)).toEqual(new Uint8Array([4, 5, 6]));
      const finish = sent(1);
      expect(finish.path).toBe('/api/account/sign-in/passkey/finish');
      expect(finish.body.ceremonyId).toBe('cer-1');
      expect(finish.body.credential.id).toBe('cred-1');
      expect(finish.body.credential.clientExtensionResults.prf.results.first).toBe('AQID');
      expect(getCsrf()).toBe('c-pk');
    });

    it('a cancelled ceremony does not finish', async () => {
      fetchMock.mockResolvedValueOnce(json(200, { ceremonyId: 'cer-1', publicKey: { challenge: 'AQID' } }));
      const c = creds();
      c.get.mockRejectedValueOnce(new DOMException('cancelled', 'NotAllowedError'));
      await expect(signInWithPasskey(c, null)).rejects.toMatchObject({ name: 'NotAllowedError' });
      expect(fetchMock).toHaveBeenCalledTimes(1);
    });

    it('a refused finish gives the server message', async () => {
      fetchMock
        .mockResolvedValueOnce(json(200, { ceremonyId: 'cer-1', publicKey: { challenge: 'AQID' } }))
        .mockResolvedValueOnce(fail(401, 'wrong_sign_in', 'Ward does not know that passkey.'));
      await expect(signInWithPasskey(creds(), null)).rejects.toMatchObject({ code: 'wrong_sign_in', message: 'Ward does not know that passkey.' });
    });

    it('is offered only where the browser has WebAuthn', () => {
      expect(canUsePasskeys({})).toBe(false);
      expect(canUsePasskeys({ PublicKeyCredential: function PublicKeyCredential() {} })).toBe(true);
      expect(canUsePasskeys(null)).toBe(false);
    });
  });
});

describe('sign-out', () => {
  it('everywhere posts to its own endpoint and forgets the session', async () => {
    setCsrf('c');
    fetchMock.mockResolvedValueOnce(empty(204));
    await expect(signOut(true)).resolves.toBe(true);
    expect(sent()).toMatchObject({ path: '/api/account/sign-out-everywhere', method: 'POST' });
    expect(getCsrf()).toBe('');
  });

  it('forgets the session even when the server cannot be reached', async () => {
    setCsrf('c');
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(signOut()).resolves.toBe(false);
    expect(getCsrf()).toBe('');
  });
});

describe('sessions', () => {
  it('lists sessions and sign-ins (null lists as empty), ends one by its handle', async () => {
    const s = { handle: 'h/1', created: '2026-01-01T09:00:00Z', lastSeen: '2026-01-01T09:05:00Z', browser: 'Firefox on Linux', address: '192.0.2.1', current: true };
    const e = { at: '2026-01-01T09:00:00Z', address: '192.0.2.1', browser: 'Firefox on Linux', outcome: 'ok' };
    fetchMock.mockResolvedValueOnce(json(200, { sessions: [s], signIns: [e] }));
    await expect(getSessions()).resolves.toEqual({ sessions: [s], signIns: [e] });
    expect(sent(0)).toMatchObject({ path: '/api/account/sessions', method: 'GET' });
    fetchMock.mockResolvedValueOnce(json(200, { sessions: null, signIns: null }));
    await expect(getSessions()).resolves.toEqual({ sessions: [], signIns: [] });
    fetchMock.mockResolvedValueOnce(empty(204));
    await endSession('h/1');
    expect(sent(2)).toMatchObject({ path: '/api/account/sessions/h%2F1', method: 'DELETE', body: undefined });
    fetchMock.mockResolvedValueOnce(fail(404, 'not_found', 'That session has already ended.'));
    await expect(endSession('h/2')).rejects.toMatchObject({ status: 404, message: 'That session has already ended.' });
  });

  const outcomes: Array<[string, string, boolean]> = [
    ['ok', 'Signed in', false],
    ['passkey', 'Signed in with face or fingerprint', false],
    ['wrong_password', 'Wrong password', true],
    ['wrong_code', 'Wrong two-step code', true],
    ['throttled', 'Stopped: too many tries', true],
    ['something_new', 'Not signed in', true],
  ];
  it.each(outcomes)('outcome %s', (o, text, failed) => {
    expect(outcomeText(o)).toBe(text);
    expect(outcomeFailed(o)).toBe(failed);
  });
});

describe('two-step settings', () => {
  it('enrol, confirm, new codes, turn off', async () => {
    const enrol = { otpauthUrl: 'otpauth://totp/Ward:jo?secret=JBSWY3DPEHPK3PXP', secret: 'JBSWY3DPEHPK3PXP', qrPng: 'data:image/png;base64,iVBO' };
    const codes = Array.from({ length: 10 }, (_, i) => `code-${i}`);
    fetchMock
      .mockResolvedValueOnce(json(200, enrol))
      .mockResolvedValueOnce(json(200, { recoveryCodes: codes }))
      .mockResolvedValueOnce(json(200, { recoveryCodes: codes.slice().reverse() }))
      .mockResolvedValueOnce(empty(204));
    await expect(enrolTwoStep()).resolves.toEqual(enrol);
    await expect(confirmTwoStep('123456')).resolves.toEqual(codes);
    await expect(newRecoveryCodes()).resolves.toEqual(codes.slice().reverse());
    await turnOffTwoStep();
    expect(fetchMock.mock.calls.map((_, i) => [sent(i).method, sent(i).path, sent(i).body])).toEqual([
      ['POST', '/api/account/two-step/enrol', {}],
      ['POST', '/api/account/two-step/confirm', { code: '123456' }],
      ['POST', '/api/account/two-step/recovery-codes', {}],
      ['DELETE', '/api/account/two-step', undefined],
    ]);
  });

  it('confirm_needed asks for the password, which is posted to /api/security/confirm', async () => {
    fetchMock.mockResolvedValueOnce(fail(403, 'confirm_needed', 'Enter your password to confirm it is you.'));
    const err = await enrolTwoStep().catch((e) => e);
    expect(needsConfirm(err)).toBe(true);
    expect(err.message).toBe('Enter your password to confirm it is you.');
    fetchMock.mockResolvedValueOnce(json(200, { freshUntil: '2026-01-01T09:05:00Z' }));
    await confirmPassword('tub lamp orbit');
    expect(sent(1)).toMatchObject({ path: '/api/security/confirm', method: 'POST', body: { password: 'tub lamp orbit' } });
    fetchMock.mockResolvedValueOnce(fail(401, 'wrong_password', 'That password is not right.'));
    await expect(confirmPassword('nope')).rejects.toMatchObject({ message: 'That password is not right.' });
    // docs/api.md calls it not_fresh, as the single-vault Security page does.
    expect(needsConfirm(new SecurityError('x', 403, 'not_fresh'))).toBe(true);
    expect(needsConfirm(new SecurityError('x', 403, 'two_step_required'))).toBe(false);
    expect(needsConfirm(new Error('x'))).toBe(false);
  });

  it('turning off is refused when the organisation requires it', async () => {
    fetchMock.mockResolvedValueOnce(fail(403, 'two_step_required'));
    await expect(turnOffTwoStep()).rejects.toMatchObject({ code: 'two_step_required', message: FALLBACK_MESSAGES.two_step_required });
  });

  it('wrong_code on confirm; an answer without codes is a service problem', async () => {
    fetchMock.mockResolvedValueOnce(fail(400, 'wrong_code', 'That code is not right.'));
    await expect(confirmTwoStep('000000')).rejects.toMatchObject({ code: 'wrong_code' });
    fetchMock.mockResolvedValueOnce(json(200, { recoveryCodes: [] }));
    await expect(confirmTwoStep('123456')).rejects.toMatchObject({ code: 'bad_json' });
    fetchMock.mockResolvedValueOnce(json(200, { otpauthUrl: 'x' }));
    await expect(enrolTwoStep()).rejects.toMatchObject({ code: 'bad_json' });
  });

  it('secret in groups of 4', () => {
    expect(secretGroups('jbswy3dpehpk3pxp')).toEqual(['JBSW', 'Y3DP', 'EHPK', '3PXP']);
    expect(secretGroups('JBSW Y3DP EH==')).toEqual(['JBSW', 'Y3DP', 'EH']);
    expect(secretGroups('')).toEqual([]);
  });
});

describe('forgotten password', () => {
  it('forgot, verify, recover', async () => {
    fetchMock
      .mockResolvedValueOnce(empty(202))
      .mockResolvedValueOnce(json(200, { csrf: 'f', orgReset: true }))
      .mockResolvedValueOnce(json(200, { recoveryKey: 'NEW-KEY', csrf: 'c' }));
    await forgotPassword('jo@example.com');
    await expect(verifyForgot('jo@example.com', '123456')).resolves.toEqual({ orgReset: true });
    await expect(recoverAccount('OLD-KEY', 'new pass words')).resolves.toEqual({ recoveryKey: 'NEW-KEY' });
    expect([sent(0), sent(1), sent(2)].map((s) => [s.path, s.body])).toEqual([
      ['/api/account/forgot', { email: 'jo@example.com' }],
      ['/api/account/forgot/verify', { email: 'jo@example.com', code: '123456' }],
      ['/api/account/recover', { recoveryKey: 'OLD-KEY', password: 'new pass words' }],
    ]);
    expect(sent(2).headers['X-CSRF-Token']).toBe('f');
    expect(getCsrf()).toBe('c');
  });

  it('orgReset false when left out; wrong_code', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { csrf: 'f' }));
    await expect(verifyForgot('jo@example.com', '123456')).resolves.toEqual({ orgReset: false });
    fetchMock.mockResolvedValueOnce(fail(400, 'wrong_code'));
    await expect(verifyForgot('jo@example.com', '000000')).rejects.toMatchObject({ code: 'wrong_code', message: FALLBACK_MESSAGES.wrong_code });
  });

  it('recover: a wrong key or weak password gives the message', async () => {
    fetchMock.mockResolvedValueOnce(fail(401, 'wrong_password', 'That recovery key is not right.'));
    await expect(recoverAccount('X', 'pw')).rejects.toMatchObject({ message: 'That recovery key is not right.' });
    fetchMock.mockResolvedValueOnce(fail(400, 'weak_password', 'Too easy to guess.'));
    await expect(recoverAccount('X', 'pw')).rejects.toMatchObject({ code: 'weak_password' });
  });

  it('reset is refused where the organisation cannot fill the record again', async () => {
    fetchMock.mockResolvedValueOnce(fail(403, 'no_recovery'));
    await expect(resetAccount('new pass words')).rejects.toMatchObject({ code: 'no_recovery', message: 'Without your recovery key this record cannot be recovered.' });
  });

  it('sign-up: bad_email has its words', async () => {
    fetchMock.mockResolvedValueOnce(fail(400, 'bad_email'));
    await expect(signUp('jo@', 'pw')).rejects.toMatchObject({ code: 'bad_email', message: FALLBACK_MESSAGES.bad_email });
  });

  it('reset sends confirm: "reset" and gives a new key', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { recoveryKey: 'NEW', csrf: 'c' }));
    await expect(resetAccount('new pass words')).resolves.toEqual({ recoveryKey: 'NEW' });
    expect(sent()).toMatchObject({ path: '/api/account/reset', body: { password: 'new pass words', confirm: 'reset' } });
  });
});

describe('checks', () => {
  const emails: Array<[string, string]> = [
    ['', 'Enter your email address'],
    ['   ', 'Enter your email address'],
    ['jo', 'Enter an email address in the correct format, like name@example.com'],
    ['jo@example', 'Enter an email address in the correct format, like name@example.com'],
    ['jo @example.com', 'Enter an email address in the correct format, like name@example.com'],
    [' jo@example.com ', ''],
    ['jo.bloggs+ward@nhs.example.co.uk', ''],
  ];
  it.each(emails)('checkEmail(%j)', (e, want) => expect(checkEmail(e)).toBe(want));

  const codes: Array<[string, string, string]> = [
    ['', '', 'Enter the code'],
    ['123456', '123456', ''],
    [' 123 456 ', '123456', ''],
    ['123-456', '123456', ''],
    ['12345', '12345', 'The code must be 6 numbers'],
    ['12345a', '12345a', 'The code must be 6 numbers'],
    ['1234567', '1234567', 'The code must be 6 numbers'],
  ];
  it.each(codes)('checkCode(%j)', (c, norm, want) => {
    expect(normaliseCode(c)).toBe(norm);
    expect(checkCode(c)).toBe(want);
  });

  const waits: Array<[number, string]> = [
    [0, ''],
    [-5, ''],
    [1, 'You can try again in 1 second.'],
    [0.2, 'You can try again in 1 second.'],
    [59, 'You can try again in 59 seconds.'],
    [60, 'You can try again in 1 minute.'],
    [125, 'You can try again in 2 minutes 5 seconds.'],
  ];
  it.each(waits)('waitText(%j)', (s, want) => expect(waitText(s)).toBe(want));
});

describe('notices for the sign-in page', () => {
  it('are shown once', () => {
    setSignInNotice({ kind: 'idle', minutes: 15 });
    const n = takeSignInNotice();
    expect(n).toEqual({ kind: 'idle', minutes: 15 });
    expect(takeSignInNotice()).toBeNull();
    expect(signInNoticeText(n!)).toBe('You were signed out because Ward was not used for 15 minutes.');
    expect(signInNoticeText({ kind: 'idle', minutes: 1 })).toBe('You were signed out because Ward was not used for 1 minute.');
    expect(signInNoticeText({ kind: 'everywhere' })).toBe('You have signed out on every device.');
  });
});

describe('accountsEnabled and accountRedirect', () => {
  it('accounts mode only when the config says enabled', () => {
    expect(accountsEnabled(null)).toBe(false);
    expect(accountsEnabled({})).toBe(false);
    expect(accountsEnabled({ accounts: null })).toBe(false);
    expect(accountsEnabled({ accounts: { enabled: false, emptyRecordAllowed: true, twoStepRequired: false, idleMinutes: 15 } })).toBe(false);
    expect(accountsEnabled({ accounts: { enabled: true, emptyRecordAllowed: true, twoStepRequired: false, idleMinutes: 15 } })).toBe(true);
  });

  const cases: Array<[string, AccountMode, 'activate' | 'forgot' | null, string | null]> = [
    ['#/results/r-1', 'pending', null, null],
    ['#/results/r-1', 'signed-out', null, '#/sign-in?next=%2Fresults%2Fr-1'],
    ['#/', 'signed-out', null, '#/sign-in'],
    ['#/security', 'signed-out', null, '#/sign-in?next=%2Fsecurity'],
    ['#/unlock?next=%2Fresults', 'signed-out', null, '#/sign-in'],
    ['#/setup', 'signed-out', null, '#/sign-in'],
    ['#/sign-in', 'signed-out', null, null],
    ['#/sign-up', 'signed-out', null, null],
    ['#/activate', 'signed-out', null, null],
    ['#/forgot', 'signed-out', null, null],
    ['#/help', 'signed-out', null, null],
    ['#/nope', 'signed-out', null, null],
    ['#/sign-in?next=%2Fresults', 'signed-in', null, '#/results'],
    ['#/sign-in', 'signed-in', null, '#/'],
    ['#/sign-up', 'signed-in', null, '#/'],
    ['#/activate', 'signed-in', null, '#/'],
    ['#/forgot', 'signed-in', null, '#/'],
    ['#/setup', 'signed-in', null, '#/'],
    ['#/unlock?next=%2Fhealth', 'signed-in', null, '#/health'],
    ['#/results', 'signed-in', null, null],
    // A recovery key is on screen: back to it, whatever link was followed.
    ['#/results', 'signed-out', 'activate', '#/activate'],
    ['#/activate', 'signed-in', 'activate', null],
    ['#/sign-in', 'signed-out', 'forgot', '#/forgot'],
    ['#/forgot', 'signed-out', 'forgot', null],
  ];
  it.each(cases)('%s when %s (holding %s) → %j', (hash, mode, hold, want) => {
    expect(accountRedirect(parseHash(hash), mode, hold)).toBe(want);
  });

  it('two-step required and not set up: Security settings only, until it is', () => {
    const required = { twoStep: { enabled: false, recoveryCodesLeft: 0, required: true } };
    expect(mustSetUpTwoStep(required)).toBe(true);
    expect(mustSetUpTwoStep({ twoStep: { enabled: true, recoveryCodesLeft: 10, required: true } })).toBe(false);
    expect(mustSetUpTwoStep({ twoStep: { enabled: false, recoveryCodesLeft: 0, required: false } })).toBe(false);
    expect(mustSetUpTwoStep(null)).toBe(false);
    const first = mustSetUpTwoStep(required);
    expect(accountRedirect(parseHash('#/results'), 'signed-in', null, first)).toBe('#/security');
    expect(accountRedirect(parseHash('#/sign-in?next=%2Fresults'), 'signed-in', null, first)).toBe('#/security');
    expect(accountRedirect(parseHash('#/security'), 'signed-in', null, first)).toBeNull();
    expect(accountRedirect(parseHash('#/help'), 'signed-in', null, first)).toBeNull();
    // Signed out, it means nothing; a recovery key on screen comes first.
    expect(accountRedirect(parseHash('#/results'), 'signed-out', null, first)).toBe('#/sign-in?next=%2Fresults');
    expect(accountRedirect(parseHash('#/security'), 'signed-in', 'activate', first)).toBe('#/activate');
  });
});

describe('idle', () => {
  it('idleLimit: the account first, then the config, else none', () => {
    expect(idleLimit({ idleSeconds: 600 }, { accounts: { enabled: true, emptyRecordAllowed: false, twoStepRequired: false, idleMinutes: 15 } })).toBe(600_000);
    expect(idleLimit(null, { accounts: { enabled: true, emptyRecordAllowed: false, twoStepRequired: false, idleMinutes: 15 } })).toBe(900_000);
    expect(idleLimit({ idleSeconds: 0 }, null)).toBeNull();
    expect(idleLimit(null, { accounts: { enabled: true, emptyRecordAllowed: false, twoStepRequired: false, idleMinutes: Number.NaN } })).toBeNull();
  });

  const MIN = 60_000;
  const handlers = () => ({ warn: vi.fn(), quiet: vi.fn(), expire: vi.fn() });

  it('warns one minute before the limit and signs out at it', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T09:00:00Z'));
    const on = handlers();
    const t = new IdleWarningTimer(15 * MIN, on);
    t.start();
    vi.advanceTimersByTime(14 * MIN - 1);
    expect(on.warn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(on.warn).toHaveBeenCalledTimes(1);
    expect(t.warning).toBe(true);
    vi.advanceTimersByTime(MIN - 1);
    expect(on.expire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(on.expire).toHaveBeenCalledTimes(1);
    expect(t.running).toBe(false);
    vi.advanceTimersByTime(60 * MIN);
    expect(on.warn).toHaveBeenCalledTimes(1);
    expect(on.expire).toHaveBeenCalledTimes(1);
  });

  it('a request restarts the wait, and hides the warning when it shows', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T09:00:00Z'));
    const on = handlers();
    const t = new IdleWarningTimer(15 * MIN, on);
    t.start();
    vi.advanceTimersByTime(10 * MIN);
    t.request();
    vi.advanceTimersByTime(13 * MIN);
    expect(on.warn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MIN);
    expect(on.warn).toHaveBeenCalledTimes(1);
    t.request(); // Stay signed in
    expect(on.quiet).toHaveBeenCalledTimes(1);
    expect(t.warning).toBe(false);
    vi.advanceTimersByTime(14 * MIN - 1);
    expect(on.warn).toHaveBeenCalledTimes(1);
    expect(on.expire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(on.warn).toHaveBeenCalledTimes(2);
  });

  it('a computer that slept past the limit signs out when it wakes, without warning first', () => {
    const clock = { t: 0, fns: [] as Array<{ at: number; fn: () => void }> };
    const fake = {
      now: () => clock.t,
      setTimeout: (fn: () => void, ms: number) => clock.fns.push({ at: clock.t + ms, fn }),
      clearTimeout: () => {},
    };
    const on = handlers();
    const t = new IdleWarningTimer(15 * MIN, on, fake);
    t.start();
    clock.t = 40 * MIN; // asleep: the timeout runs late
    clock.fns.shift()!.fn();
    expect(on.expire).toHaveBeenCalledTimes(1);
    expect(on.warn).not.toHaveBeenCalled();
  });

  it('a short limit warns halfway', () => {
    expect(new IdleWarningTimer(MIN, handlers()).warnMs).toBe(30_000);
    expect(new IdleWarningTimer(15 * MIN, handlers()).warnMs).toBe(MIN);
  });

  it('watchIdle counts api.ts and accounts requests; Stay signed in is a GET /api/account', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T09:00:00Z'));
    const on = handlers();
    const stop = watchIdle(15 * MIN, on);
    vi.advanceTimersByTime(10 * MIN);
    fetchMock.mockResolvedValueOnce(json(200, { items: [] }));
    await getJSON('/api/timeline');
    vi.advanceTimersByTime(10 * MIN);
    expect(on.warn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(4 * MIN);
    expect(on.warn).toHaveBeenCalledTimes(1);
    fetchMock.mockResolvedValueOnce(json(200, ACCOUNT));
    await expect(staySignedIn()).resolves.toEqual(ACCOUNT);
    expect(sent(1)).toMatchObject({ path: '/api/account', method: 'GET' });
    expect(on.quiet).toHaveBeenCalledTimes(1);
    stop();
    vi.advanceTimersByTime(60 * MIN);
    expect(on.expire).not.toHaveBeenCalled();
    // Stopped: requests no longer reach it.
    fetchMock.mockResolvedValueOnce(json(200, ACCOUNT));
    await getAccount();
    expect(on.quiet).toHaveBeenCalledTimes(1);
  });
});

describe('checkEmailCode', () => {
  it.each([
    ['', 'Enter the code'],
    ['7QX29KPM', ''],
    ['7qx2-9kpm', ''],
    [' 7QX2 9KPM ', ''],
    ['123456', 'The code from the email is 8 letters and numbers, like 7QX2 9KPM'],
    ['7QX29KPO', 'The code from the email is 8 letters and numbers, like 7QX2 9KPM'], // 0 is never used
    ['7QX29KPMX', 'The code from the email is 8 letters and numbers, like 7QX2 9KPM'],
  ])('%j → %j', (code, want) => {
    expect(checkEmailCode(code)).toBe(want);
  });
});
