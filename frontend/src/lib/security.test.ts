import { afterEach, describe, expect, it, vi } from 'vitest';
import { addInPage, api, BROWSER_EXPIRED, inBrowser, isFresh, needsConfirm, securityError, SecurityError, unlockInBrowser } from './security';
import { ApiError, SERVICE_PROBLEM } from './api';

type Answer = { status?: number; body: unknown; headers?: Record<string, string> };

/** A stand-in for fetch answering each request in turn; records what was asked. */
function serve(...answers: Answer[]) {
  const asked: Array<{ method: string; path: string; body: unknown; auth: string | undefined }> = [];
  vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    asked.push({ method: init.method ?? 'GET', path, body: init.body ? JSON.parse(init.body as string) : undefined, auth: headers.Authorization });
    const a = answers.shift();
    if (!a) throw new Error('no answer for ' + path);
    return new Response(JSON.stringify(a.body), { status: a.status ?? 200, headers: a.headers });
  });
  return asked;
}

afterEach(() => vi.unstubAllGlobals());

describe('isFresh', () => {
  const now = Date.parse('2026-12-02T10:00:00Z');
  const cases: Array<[string, string | null | undefined, boolean]> = [
    ['not fresh ("")', '', false],
    ['missing', undefined, false],
    ['a minute to go', '2026-12-02T10:01:00Z', true],
    ['just passed', '2026-12-02T09:59:59Z', false],
    ['exactly now', '2026-12-02T10:00:00Z', false],
    ['not a date', 'soon', false],
  ];
  it.each(cases)('%s', (_, until, want) => {
    expect(isFresh(until, now)).toBe(want);
  });
});

describe('securityError', () => {
  const cases: Array<[string, number, unknown, string | null, { code: string; message: string; wait: number }]> = [
    [
      'wrong_passkey: the server message',
      401,
      { error: { code: 'wrong_passkey', message: 'That face or fingerprint did not unlock your record. Try again, or use your password.' } },
      null,
      { code: 'wrong_passkey', message: 'That face or fingerprint did not unlock your record. Try again, or use your password.', wait: 0 },
    ],
    [
      'too_many_attempts: the wait from the body',
      429,
      { error: { code: 'too_many_attempts', message: 'Wait 1 minute and try again.', retryAfterSeconds: 59.2 } },
      '30',
      { code: 'too_many_attempts', message: 'Wait 1 minute and try again.', wait: 60 },
    ],
    ['too_many_attempts: the wait from Retry-After', 429, { error: { code: 'too_many_attempts', message: 'Wait.' } }, '30', { code: 'too_many_attempts', message: 'Wait.', wait: 30 }],
    ['a 500 never shows its own words', 500, { error: { code: 'x', message: 'panic: nil' } }, null, { code: 'x', message: SERVICE_PROBLEM, wait: 0 }],
    ['not JSON', 502, null, null, { code: 'http_502', message: SERVICE_PROBLEM, wait: 0 }],
  ];
  it.each(cases)('%s', (_, status, body, retry, want) => {
    const e = securityError(status, body as never, retry);
    expect(e).toBeInstanceOf(ApiError);
    expect({ code: e.code, message: e.message, wait: e.retryAfterSeconds }).toEqual(want);
  });
});

describe('needsConfirm', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['403 not_fresh', new SecurityError('Confirm it is you first.', 403, 'not_fresh'), true],
    ['403 something else', new SecurityError('No.', 403, 'demo_read_only'), false],
    ['a TypeError', new TypeError('x'), false],
  ];
  it.each(cases)('%s', (_, err, want) => {
    expect(needsConfirm(err)).toBe(want);
  });
});

describe('the calls', () => {
  const cases: Array<[string, () => Promise<unknown>, string, string, unknown]> = [
    ['unlock begin', () => api.unlockBegin(), 'POST', '/api/vault/passkey/begin', {}],
    ['settings', () => api.settings(), 'GET', '/api/security', undefined],
    ['confirm with the password', () => api.confirmPassword('pw'), 'POST', '/api/security/confirm', { password: 'pw' }],
    ['confirm begin', () => api.confirmBegin(), 'POST', '/api/security/confirm/passkey/begin', {}],
    ['add begin', () => api.addBegin('This laptop'), 'POST', '/api/security/passkeys/begin', { name: 'This laptop' }],
    ['rename (id escaped)', () => api.rename('a/b', 'Phone'), 'POST', '/api/security/passkeys/a%2Fb/rename', { name: 'Phone' }],
    ['remove', () => api.remove('abc'), 'DELETE', '/api/security/passkeys/abc', undefined],
    ['change password', () => api.setPassword('new one'), 'POST', '/api/security/password', { password: 'new one' }],
    ['new recovery key', () => api.newRecoveryKey(), 'POST', '/api/security/recovery-key', undefined],
    ['auto-lock', () => api.setAutoLock(20), 'POST', '/api/security/auto-lock', { minutes: 20 }],
    ['browser start', () => api.browserStart({ purpose: 'register', name: 'X' }), 'POST', '/api/vault/passkey/browser', { purpose: 'register', name: 'X' }],
    ['browser status', () => api.browserStatus('id 1'), 'GET', '/api/vault/passkey/browser/id%201', undefined],
  ];
  it.each(cases)('%s', async (_, fn, method, path, body) => {
    const asked = serve({ body: {} });
    await fn();
    expect(asked).toEqual([{ method, path, body, auth: undefined }]);
  });

  it('throws the server error with its code', async () => {
    serve({ status: 422, body: { error: { code: 'no_prf', message: 'This device can sign you in but cannot protect your record’s key.' } } });
    await expect(api.addFinish('c', {} as never)).rejects.toMatchObject({ status: 422, code: 'no_prf' });
  });
});

describe('inBrowser', () => {
  it('opens the page when Ward did not, polls until done, keeps the token', async () => {
    const asked = serve(
      { body: { id: 'b1', url: 'http://localhost:4000/passkey/s' } },
      { body: { state: 'waiting' } },
      { body: { state: 'waiting' } },
      { body: { state: 'done', token: 't0k', autoLockMinutes: 15 } },
    );
    const opened: string[] = [];
    const store = new Map<string, string>();
    vi.stubGlobal('sessionStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v), removeItem: (k: string) => store.delete(k) });
    expect(await unlockInBrowser({ open: (u) => opened.push(u), every: 1 })).toBe(15);
    expect(opened).toEqual(['http://localhost:4000/passkey/s']);
    expect(asked.map((a) => a.path)).toEqual(['/api/vault/passkey/browser', ...Array(3).fill('/api/vault/passkey/browser/b1')]);
    expect(asked[0].body).toEqual({ purpose: 'unlock' });
    expect(store.get('ward.token')).toBe('t0k');
  });

  const ends: Array<[string, unknown, { code: string; message: string }]> = [
    ['failed', { state: 'failed', code: 'wrong_passkey', message: 'That face or fingerprint did not unlock your record.' }, { code: 'wrong_passkey', message: 'That face or fingerprint did not unlock your record.' }],
    ['expired', { state: 'expired' }, { code: 'expired', message: BROWSER_EXPIRED }],
  ];
  it.each(ends)('%s: thrown with its message; Ward opened the page itself', async (_, end, want) => {
    serve({ body: { id: 'b1', url: 'http://localhost:4000/p', opened: true } }, { body: end });
    const opened: string[] = [];
    await expect(inBrowser({ purpose: 'confirm' }, { open: (u) => opened.push(u), every: 1 })).rejects.toMatchObject(want);
    expect(opened).toEqual([]);
  });

  it('stops when the page is left', async () => {
    serve({ body: { id: 'b1', url: 'u', opened: true } });
    const stop = new AbortController();
    stop.abort();
    await expect(inBrowser({ purpose: 'unlock' }, { signal: stop.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('addInPage', () => {
  const creation = {
    rp: { name: 'Ward', id: 'localhost' },
    user: { id: 'AQID', name: 'ward', displayName: 'Ward' },
    challenge: 'BAUG',
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  };
  const request = { challenge: 'BwgJ', allowCredentials: [{ type: 'public-key', id: 'CQo' }] };
  const cred = {
    id: 'CQo',
    rawId: new Uint8Array([9, 10]).buffer,
    type: 'public-key',
    response: { clientDataJSON: new Uint8Array([1]).buffer, attestationObject: new Uint8Array([2]).buffer, authenticatorData: new Uint8Array([3]).buffer, signature: new Uint8Array([4]).buffer, userHandle: null },
    getClientExtensionResults: () => ({ prf: { results: { first: new Uint8Array([5, 6]).buffer } } }),
  };
  const passkey = { kind: 'passkey', id: 'CQo', name: 'This laptop', added: '2026-12-02T10:00:00Z', lastUsed: '' };

  const cases: Array<[string, Answer[], string[]]> = [
    ['PRF output at registration', [{ body: { ceremony: 'c1', publicKey: creation } }, { body: { passkey } }], ['create']],
    [
      'PRF output only on a second touch: get(), posted to the same endpoint',
      [{ body: { ceremony: 'c1', publicKey: creation } }, { body: { needsAssertion: true, ceremony: 'c2', publicKey: request } }, { body: { passkey } }],
      ['create', 'get'],
    ],
  ];
  it.each(cases)('%s', async (_, answers, ceremonies) => {
    const asked = serve(...answers);
    const ran: string[] = [];
    vi.stubGlobal('navigator', {
      credentials: {
        create: async () => (ran.push('create'), cred),
        get: async () => (ran.push('get'), cred),
      },
    });
    expect(await addInPage('This laptop')).toEqual(passkey);
    expect(ran).toEqual(ceremonies);
    const finishes = asked.filter((a) => a.path === '/api/security/passkeys/finish');
    expect(finishes.map((f) => (f.body as { ceremony: string }).ceremony)).toEqual(ceremonies.map((_, i) => 'c' + (i + 1)));
    expect((finishes[0].body as { credential: { clientExtensionResults: unknown } }).credential.clientExtensionResults).toEqual({ prf: { results: { first: 'BQY' } } });
  });
});
