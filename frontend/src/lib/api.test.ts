import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  setAlwaysFetch,
  clearCache,
  SERVICE_PROBLEM,
  cancelImport,
  getAttachment,
  getImport,
  getResultsPage,
  runImport,
  searchRecord,
  TOKEN_KEY,
  apiError,
  clearToken,
  createVault,
  getJSON,
  getSummary,
  getToken,
  isRecordEndpoint,
  lock,
  needsUnlock,
  requestHeaders,
  setLockedHandler,
  setToken,
  unlock,
  unlockFailure,
} from './api';

class MemoryStorage {
  items = new Map<string, string>();
  getItem(k: string) {
    return this.items.has(k) ? this.items.get(k)! : null;
  }
  setItem(k: string, v: string) {
    this.items.set(k, String(v));
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
}

const throwing = {
  getItem: () => {
    throw new Error('blocked');
  },
  setItem: () => {
    throw new Error('blocked');
  },
  removeItem: () => {
    throw new Error('blocked');
  },
};

describe('token storage', () => {
  it('keeps, reads and clears the token under ward.token', () => {
    const s = new MemoryStorage();
    expect(TOKEN_KEY).toBe('ward.token');
    expect(getToken(s)).toBeNull();
    setToken('abc', s);
    expect(s.items.get('ward.token')).toBe('abc');
    expect(getToken(s)).toBe('abc');
    setToken('', s);
    expect(getToken(s)).toBeNull();
    setToken('def', s);
    clearToken(s);
    expect(s.items.size).toBe(0);
  });

  const blocked: Array<[string, Parameters<typeof getToken>[0]]> = [
    ['no storage', null],
    ['storage that throws', throwing],
  ];
  it.each(blocked)('works without a token when there is %s', (_, store) => {
    expect(() => setToken('abc', store)).not.toThrow();
    expect(getToken(store)).toBeNull();
    expect(() => clearToken(store)).not.toThrow();
  });
});

describe('requestHeaders', () => {
  const cases: Array<[string | null, Record<string, string>, Record<string, string>]> = [
    [null, {}, { Accept: 'application/json' }],
    ['', {}, { Accept: 'application/json' }],
    ['t0k', {}, { Accept: 'application/json', Authorization: 'Bearer t0k' }],
    [
      't0k',
      { 'Content-Type': 'application/json' },
      { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: 'Bearer t0k' },
    ],
  ];
  it.each(cases)('token %j', (token, extra, want) => {
    expect(requestHeaders(token, extra)).toEqual(want);
  });
});

describe('isRecordEndpoint and needsUnlock', () => {
  const cases: Array<[string, number, string, boolean, boolean]> = [
    // path, status, code, is a record endpoint, needs unlock
    ['/api/summary', 401, 'locked', true, true],
    ['/api/results', 401, 'locked', true, true],
    ['/api/results/r-1', 401, 'locked', true, true],
    ['/api/results?x=1', 401, 'locked', true, true],
    ['/api/conditions', 401, 'locked', true, true],
    ['/api/imports/abc', 401, 'locked', true, true],
    ['/api/summary', 401, 'wrong_password', true, false],
    ['/api/summary', 404, 'not_found', true, false],
    ['/api/summary', 500, 'internal', true, false],
    ['/api/summary', 401, 'something_else', true, false],
    // Answers the server no longer gives.
    ['/api/summary', 423, 'locked', true, false],
    ['/api/results', 401, 'unauthorised', true, false],
    ['/api/vault/unlock', 401, 'wrong_password', false, false],
    ['/api/vault/unlock', 401, 'locked', false, false],
    ['/api/vault', 401, 'locked', false, false],
    ['/api/vault/lock', 401, 'locked', false, false],
    ['/api/config', 401, 'locked', false, false],
    ['/api/healthz', 401, 'locked', false, false],
    ['/api/vaults', 401, 'locked', true, true],
    ['/index.html', 401, 'locked', false, false],
  ];
  it.each(cases)('%s %i %s', (path, status, code, record, unlock) => {
    expect(isRecordEndpoint(path)).toBe(record);
    expect(needsUnlock(path, status, code)).toBe(unlock);
  });
});

describe('apiError', () => {
  const cases: Array<[number, unknown, string, string]> = [
    [404, { error: { code: 'not_found', message: 'There is nothing at this address.' } }, 'not_found', 'There is nothing at this address.'],
    [401, { error: { code: 'locked', message: 'Your record is locked. Unlock it to carry on.' } }, 'locked', 'Your record is locked. Unlock it to carry on.'],
    [500, { error: { code: 'internal', message: 'database exploded' } }, 'internal', SERVICE_PROBLEM],
    [502, null, 'http_502', SERVICE_PROBLEM],
    [400, {}, 'http_400', SERVICE_PROBLEM],
  ];
  it.each(cases)('%i %j', (status, body, code, message) => {
    const err = apiError(status, body as Parameters<typeof apiError>[1]);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
  });
});

describe('unlockFailure', () => {
  type F = ReturnType<typeof unlockFailure>;
  const cases: Array<[string, 'password' | 'recoveryKey', number, unknown, string | null, Omit<F, 'ok' | 'field'>]> = [
    [
      'wrong password',
      'password',
      401,
      { error: { code: 'wrong_password', message: 'That password is not right.' } },
      null,
      { message: 'That password is not right.', retryAfterSeconds: 0, keepInput: false },
    ],
    ['wrong password, no body', 'password', 401, null, null, { message: 'That password is not right.', retryAfterSeconds: 0, keepInput: false }],
    [
      'recovery key typo keeps the key to correct it',
      'recoveryKey',
      400,
      { error: { code: 'recovery_key_typo', message: 'That recovery key has a typo: check each group.' } },
      null,
      { message: 'That recovery key has a typo: check each group.', retryAfterSeconds: 0, keepInput: true },
    ],
    [
      'wrong recovery key',
      'recoveryKey',
      401,
      { error: { code: 'wrong_password', message: 'That recovery key is not right.' } },
      null,
      { message: 'That recovery key is not right.', retryAfterSeconds: 0, keepInput: false },
    ],
    [
      'too many attempts, from the body',
      'password',
      429,
      {
        error: {
          code: 'too_many_attempts',
          message: 'You have entered the wrong password too many times. Wait 1 minute and try again.',
          retryAfterSeconds: 60,
        },
      },
      '60',
      {
        message: 'You have entered the wrong password too many times. Wait 1 minute and try again.',
        retryAfterSeconds: 60,
        keepInput: false,
      },
    ],
    [
      'too many attempts, from the header',
      'recoveryKey',
      429,
      { error: { code: 'too_many_attempts', message: 'Wait.' } },
      '30',
      { message: 'Wait.', retryAfterSeconds: 30, keepInput: false },
    ],
    [
      'too many attempts, no time given',
      'password',
      429,
      null,
      null,
      { message: 'You have tried too many times. Wait and try again.', retryAfterSeconds: 60, keepInput: false },
    ],
    [
      'a server error never shows its own words',
      'password',
      500,
      { error: { code: 'internal', message: 'key derivation failed' } },
      null,
      { message: SERVICE_PROBLEM, retryAfterSeconds: 0, keepInput: false },
    ],
  ];
  it.each(cases)('%s', (_, field, status, body, header, want) => {
    expect(unlockFailure(field, status, body as Parameters<typeof unlockFailure>[2], header)).toEqual({
      ok: false,
      field,
      ...want,
    });
  });
});

describe('requests with the session token', () => {
  let storage: MemoryStorage;
  let fetchMock: ReturnType<typeof vi.fn>;

  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(body === null ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });

  beforeEach(() => {
    storage = new MemoryStorage();
    fetchMock = vi.fn();
    vi.stubGlobal('sessionStorage', storage);
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    setLockedHandler(null);
    vi.unstubAllGlobals();
  });

  const sentHeaders = (call = 0) => fetchMock.mock.calls[call][1].headers as Record<string, string>;

  it('sends the bearer token when there is one, and none otherwise', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { ok: 1 })).mockResolvedValueOnce(json(200, { ok: 2 }));
    await getJSON('/api/config');
    expect(sentHeaders(0).Authorization).toBeUndefined();
    storage.setItem('ward.token', 'tok-1');
    await getJSON('/api/config');
    expect(sentHeaders(1).Authorization).toBe('Bearer tok-1');
  });

  const lockedCases: Array<[string, number, string, boolean]> = [
    ['/api/summary', 401, 'locked', true],
    ['/api/results', 401, 'locked', true],
    ['/api/results/r-1', 404, 'not_found', false],
    ['/api/vault', 401, 'locked', false],
    ['/api/vault/lock', 401, 'locked', false],
  ];
  it.each(lockedCases)('%s answering %i %s: forget the token and go to unlock = %s', async (path, status, code, locked) => {
    storage.setItem('ward.token', 'tok-1');
    const handler = vi.fn();
    setLockedHandler(handler);
    fetchMock.mockResolvedValueOnce(json(status, { error: { code, message: 'x' } }));
    await expect(getJSON(path)).rejects.toMatchObject({ status, code });
    expect(handler).toHaveBeenCalledTimes(locked ? 1 : 0);
    expect(storage.getItem('ward.token')).toBe(locked ? null : 'tok-1');
  });

  it('forgets cached record data when the record is found locked', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { patient: { name: 'A' } }));
    await getSummary();
    await getSummary();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    fetchMock.mockResolvedValueOnce(json(401, { error: { code: 'locked', message: 'Locked' } }));
    // a different path that is locked clears the cache for all of them
    await expect(getJSON('/api/results')).rejects.toBeInstanceOf(ApiError);
    fetchMock.mockResolvedValueOnce(json(200, { patient: null }));
    await expect(getSummary()).resolves.toEqual({ patient: null });
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });

  it('unlock posts the password once, keeps the token and not the password', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { token: 'new-token', autoLockMinutes: 15 }));
    await expect(unlock({ password: 'pa55word' })).resolves.toEqual({ ok: true, autoLockMinutes: 15 });
    const [path, init] = fetchMock.mock.calls[0];
    expect(path).toBe('/api/vault/unlock');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body)).toEqual({ password: 'pa55word' });
    expect(init.headers['Content-Type']).toBe('application/json');
    expect([...storage.items.entries()]).toEqual([['ward.token', 'new-token']]);
  });

  it('unlock with a recovery key sends recoveryKey', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { token: 't', autoLockMinutes: 5 }));
    await unlock({ recoveryKey: 'ABCDE-12345-ABCDE-12345-ABCDE-12345-ABCDE' });
    expect(JSON.parse(fetchMock.mock.calls[0][1].body)).toEqual({ recoveryKey: 'ABCDE-12345-ABCDE-12345-ABCDE-12345-ABCDE' });
  });

  it('a wrong password is not a "locked" redirect and keeps no token', async () => {
    const handler = vi.fn();
    setLockedHandler(handler);
    fetchMock.mockResolvedValueOnce(json(401, { error: { code: 'wrong_password', message: 'That password is not right.' } }));
    await expect(unlock({ password: 'nope' })).resolves.toMatchObject({
      ok: false,
      field: 'password',
      message: 'That password is not right.',
    });
    expect(handler).not.toHaveBeenCalled();
    expect(storage.items.size).toBe(0);
  });

  it('429 uses retryAfterSeconds', async () => {
    fetchMock.mockResolvedValueOnce(
      json(429, { error: { code: 'too_many_attempts', message: 'Wait 1 minute.', retryAfterSeconds: 60 } }, { 'Retry-After': '60' }),
    );
    await expect(unlock({ password: 'nope' })).resolves.toMatchObject({ ok: false, retryAfterSeconds: 60 });
  });

  const badAnswers: Array<[string, () => Promise<Response>]> = [
    ['network failure', () => Promise.reject(new TypeError('Failed to fetch'))],
    ['200 without a token', () => Promise.resolve(json(200, {}))],
    ['200 that is not JSON', () => Promise.resolve(new Response('<html>', { status: 200 }))],
  ];
  it.each(badAnswers)('unlock: %s is a service problem', async (_, answer) => {
    fetchMock.mockImplementationOnce(answer);
    await expect(unlock({ password: 'x' })).resolves.toEqual({
      ok: false,
      field: 'password',
      message: SERVICE_PROBLEM,
      retryAfterSeconds: 0,
      keepInput: false,
    });
    expect(storage.items.size).toBe(0);
  });

  it('createVault posts the password once, keeps the token, returns the recovery key without storing it', async () => {
    const key = 'ABCDE-FGHJK-MNPQR-STVWX-YZ012-34567-89ABC';
    fetchMock.mockResolvedValueOnce(json(200, { token: 'first-token', recoveryKey: key, autoLockMinutes: 15 }));
    await expect(createVault('a long pass phrase')).resolves.toEqual({ ok: true, recoveryKey: key, autoLockMinutes: 15 });
    const [path, init] = fetchMock.mock.calls[0];
    expect(path).toBe('/api/vault/create');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body)).toEqual({ password: 'a long pass phrase' });
    expect(init.headers['Content-Type']).toBe('application/json');
    expect([...storage.items.entries()]).toEqual([['ward.token', 'first-token']]);
  });

  const createFailures: Array<[string, () => Promise<Response>, { code: string; message: string }]> = [
    [
      '400 short_password',
      () => Promise.resolve(json(400, { error: { code: 'short_password', message: 'Your password must be 8 characters or more.' } })),
      { code: 'short_password', message: 'Your password must be 8 characters or more.' },
    ],
    [
      '409 exists',
      () => Promise.resolve(json(409, { error: { code: 'exists', message: 'Ward is already set up on this computer.' } })),
      { code: 'exists', message: 'Ward is already set up on this computer.' },
    ],
    ['409 without a body', () => Promise.resolve(new Response(null, { status: 409 })), { code: 'exists', message: SERVICE_PROBLEM }],
    [
      '400 bad_request',
      () => Promise.resolve(json(400, { error: { code: 'bad_request', message: 'Sorry, Ward could not read that request.' } })),
      { code: 'bad_request', message: 'Sorry, Ward could not read that request.' },
    ],
    ['500', () => Promise.resolve(json(500, { error: { code: 'internal', message: 'disk full' } })), { code: 'internal', message: SERVICE_PROBLEM }],
    ['network failure', () => Promise.reject(new TypeError('Failed to fetch')), { code: 'network', message: SERVICE_PROBLEM }],
    ['200 without a recovery key', () => Promise.resolve(json(200, { token: 't' })), { code: 'bad_json', message: SERVICE_PROBLEM }],
    ['200 that is not JSON', () => Promise.resolve(new Response('<html>', { status: 200 })), { code: 'bad_json', message: SERVICE_PROBLEM }],
  ];
  it.each(createFailures)('createVault: %s', async (_, answer, want) => {
    const handler = vi.fn();
    setLockedHandler(handler);
    fetchMock.mockImplementationOnce(answer);
    await expect(createVault('a long pass phrase')).resolves.toEqual({ ok: false, ...want });
    expect(storage.items.size).toBe(0);
    expect(handler).not.toHaveBeenCalled();
  });

  const lockAnswers: Array<[string, () => Promise<Response>, boolean]> = [
    ['204', () => Promise.resolve(new Response(null, { status: 204 })), true],
    ['500', () => Promise.resolve(json(500, { error: { code: 'internal', message: 'x' } })), false],
    ['network failure', () => Promise.reject(new TypeError('Failed to fetch')), false],
  ];
  it.each(lockAnswers)('lock answering %s forgets the token anyway', async (_, answer, ok) => {
    storage.setItem('ward.token', 'tok-1');
    fetchMock.mockImplementationOnce(answer);
    await expect(lock()).resolves.toBe(ok);
    expect(fetchMock.mock.calls[0][0]).toBe('/api/vault/lock');
    expect(fetchMock.mock.calls[0][1].method).toBe('POST');
    expect(sentHeaders(0).Authorization).toBe('Bearer tok-1');
    expect(storage.items.size).toBe(0);
  });

  it('asks for a page of results', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { total: 5000, offset: 400, reports: [] }));
    await expect(getResultsPage(400, 200)).resolves.toEqual({ total: 5000, offset: 400, reports: [] });
    expect(fetchMock.mock.calls[0][0]).toBe('/api/results?offset=400&limit=200');
  });

  it('search passes its AbortSignal and encodes the query; an abort is not a service problem', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { query: 'a&b', matches: [] }));
    const c = new AbortController();
    await searchRecord('a&b', c.signal);
    expect(fetchMock.mock.calls[0][0]).toBe('/api/search?q=a%26b');
    expect(fetchMock.mock.calls[0][1].signal).toBe(c.signal);
    fetchMock.mockRejectedValueOnce(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    await expect(searchRecord('x', c.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('fetches an attachment with the token, as bytes', async () => {
    storage.setItem('ward.token', 'tok-1');
    fetchMock.mockResolvedValueOnce(
      new Response('Dear Dr Ellis', { status: 200, headers: { 'Content-Type': 'text/plain', 'Content-Disposition': 'inline; filename="Letter.txt"' } }),
    );
    const { blob, disposition } = await getAttachment('doc 1', 0);
    expect(await blob.text()).toBe('Dear Dr Ellis');
    expect(blob.type).toBe('text/plain');
    expect(disposition).toBe('inline; filename="Letter.txt"');
    expect(fetchMock.mock.calls[0][0]).toBe('/api/documents/doc%201/attachments/0');
    expect(sentHeaders(0).Authorization).toBe('Bearer tok-1');
    expect(sentHeaders(0).Accept).toBe('*/*');
  });

  it('uploads a file for import with its id, name, source and content type', async () => {
    storage.setItem('ward.token', 'tok-1');
    const final = { id: 'imp-12345678', file: 'b.json', state: 'done', bytesDone: 2, bytesTotal: 2, items: 1, message: '', summary: { added: 1, updated: 0, unchanged: 0, byType: { Patient: 1 } } };
    fetchMock.mockResolvedValueOnce(json(200, final));
    const file = new File(['{}'], 'my bundle.json', { type: '' });
    await expect(runImport('imp-12345678', file, ' GP Surgery ')).resolves.toEqual(final);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/imports?name=my%20bundle.json&id=imp-12345678&source=GP%20Surgery');
    expect(init.method).toBe('POST');
    expect(init.body).toBe(file);
    expect(sentHeaders(0)['Content-Type']).toBe('application/json');
    expect(sentHeaders(0).Authorization).toBe('Bearer tok-1');
  });

  it('an import refused by the server gives its message', async () => {
    fetchMock.mockResolvedValueOnce(json(409, { error: { code: 'busy', message: 'Another file is being added. Wait for it to finish.' } }));
    await expect(runImport('imp-12345678', new File(['{}'], 'a.json'), '')).rejects.toMatchObject({
      status: 409,
      code: 'busy',
      message: 'Another file is being added. Wait for it to finish.',
    });
  });

  it('polling an import that has not started yet gives null; cancel posts', async () => {
    fetchMock.mockResolvedValueOnce(json(404, { error: { code: 'not_found', message: 'We could not find that import.' } }));
    await expect(getImport('imp-1')).resolves.toBeNull();
    fetchMock.mockResolvedValueOnce(json(200, { id: 'imp-1', state: 'running', bytesDone: 1, bytesTotal: 2, items: 0 }));
    await expect(getImport('imp-1')).resolves.toMatchObject({ state: 'running' });
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await cancelImport('imp-1');
    expect(fetchMock.mock.calls[2][0]).toBe('/api/imports/imp-1/cancel');
    expect(fetchMock.mock.calls[2][1].method).toBe('POST');
  });
});

describe('setAlwaysFetch (a clinician viewing a share)', () => {
  it('asks the server on every visit, so a revoked share is refused at the next click', async () => {
    const calls: string[] = [];
    const fetchMock = vi.fn(async (path: string) => {
      calls.push(path);
      return new Response(JSON.stringify({ patient: { name: 'x' }, sources: [] }), { status: 200, headers: { 'Content-Type': 'application/json' } });
    });
    vi.stubGlobal('fetch', fetchMock);
    try {
      clearCache();
      await getSummary();
      await getSummary();
      expect(calls.filter((p) => p === '/api/summary')).toHaveLength(1); // cached as before
      setAlwaysFetch(true);
      await getSummary();
      await getSummary();
      expect(calls.filter((p) => p === '/api/summary')).toHaveLength(3);
      setAlwaysFetch(false);
      await getSummary();
      expect(calls.filter((p) => p === '/api/summary')).toHaveLength(4); // the cache starts again
      await getSummary();
      expect(calls.filter((p) => p === '/api/summary')).toHaveLength(4);
    } finally {
      setAlwaysFetch(false);
      vi.unstubAllGlobals();
    }
  });
});
