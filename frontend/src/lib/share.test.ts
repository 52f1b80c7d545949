import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getCsrf, getJSON, getSummary, setCsrf, setShareEndedHandler, setSignedOutHandler, type Config } from './api';
import {
  NOTE_MAX,
  SHARE_CHECKS,
  SHARE_FALLBACK,
  checkNote,
  checkShareCode,
  chosenSections,
  codeGroups,
  createShare,
  durationChoices,
  durationText,
  emailStateText,
  finishShare,
  getShare,
  getShareAccess,
  getShares,
  msUntil,
  openShare,
  parseBirthDate,
  revokeShare,
  sectionsText,
  sendShareNote,
  setShareNotice,
  shareCodeForServer,
  shareNav,
  shareNoticeText,
  shareRouteAllowed,
  shareStateText,
  shareStatus,
  sharedByText,
  sharingEnabled,
  sharingLimits,
  takeShareNotice,
  untilText,
} from './share';
import { parseHash } from './router';
import { SecurityError } from './security';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const empty = (status: number) => new Response(null, { status });
const fail = (status: number, code: string, message = '', extra: Record<string, unknown> = {}) =>
  json(status, { error: { code, message, ...extra } });

const SHARE = {
  id: 's-1',
  recipient: { name: 'Dr Ada Khan', email: 'ada@example.org', organisation: 'Riverside Surgery' },
  sections: ['all'],
  created: '2026-03-12T09:00:00Z',
  expires: '2026-03-12T10:00:00Z',
  state: 'active',
  firstUsed: null,
  email: { state: 'sent', class: '' },
};
const SESSION = { label: 'Dr Ada Khan', patientName: 'Jo Bloggs', sections: ['results', 'medicines'], expires: '2026-03-12T15:30:00Z' };

let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal('fetch', fetchMock);
  vi.stubGlobal('sessionStorage', { getItem: () => null, setItem: () => {}, removeItem: () => {} });
  setCsrf('');
});
afterEach(() => {
  setSignedOutHandler(null);
  setShareEndedHandler(null);
  setCsrf('');
  vi.unstubAllGlobals();
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

async function rejection(p: Promise<unknown>): Promise<SecurityError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SecurityError);
    return e as SecurityError;
  }
  throw new Error('expected a rejection');
}

describe('sharingEnabled and sharingLimits', () => {
  it('is off unless the config says sharing.enabled is true', () => {
    expect(sharingEnabled(null)).toBe(false);
    expect(sharingEnabled({ product: 'Ward', version: '', demo: false, organisation: null })).toBe(false);
    expect(sharingEnabled({ sharing: { enabled: false } } as unknown as Config)).toBe(false);
    expect(sharingEnabled({ sharing: { enabled: 'yes' } } as unknown as Config)).toBe(false);
    expect(sharingEnabled({ sharing: { enabled: true, minMinutes: 15, maxMinutes: 10080, defaultMinutes: 60 } } as unknown as Config)).toBe(true);
  });

  it('reads the limits, with the contract defaults for anything missing', () => {
    expect(sharingLimits(null)).toEqual({ minMinutes: 15, maxMinutes: 10080, defaultMinutes: 60 });
    expect(sharingLimits({ sharing: { enabled: true, minMinutes: 30, maxMinutes: 120, defaultMinutes: 500 } } as unknown as Config)).toEqual({
      minMinutes: 30,
      maxMinutes: 120,
      defaultMinutes: 120,
    });
  });
});

describe('patient calls', () => {
  it('createShare posts the recipient, sections and minutes with the CSRF token', async () => {
    setCsrf('c-acct');
    const answer = { share: SHARE, code: 'ABCD-EFGH-JKMN-PQRS-TVWX-Y', qrPng: 'data:image/png;base64,AAA', url: 'https://ward.example.org/#/share', link: 'shlink:/x' };
    fetchMock.mockResolvedValueOnce(json(201, answer));
    await expect(
      createShare({ recipient: { name: ' Dr Ada Khan ', email: ' ada@example.org ', organisation: '  ' }, sections: ['results', 'medicines'], minutes: 60 }),
    ).resolves.toEqual(answer);
    expect(sent()).toMatchObject({
      path: '/api/shares',
      method: 'POST',
      body: { recipient: { name: 'Dr Ada Khan', email: 'ada@example.org' }, sections: ['results', 'medicines'], minutes: 60 },
    });
    expect(sent().headers['X-CSRF-Token']).toBe('c-acct');
    expect(sent().headers['Content-Type']).toBe('application/json');
  });

  it('createShare sends the organisation when given, and "all"', async () => {
    fetchMock.mockResolvedValueOnce(json(201, { share: SHARE, code: 'ABCD', qrPng: '', url: '', link: '' }));
    await createShare({ recipient: { name: 'A', email: 'a@b.cd', organisation: 'Riverside' }, sections: 'all', minutes: 15 });
    expect(sent().body).toEqual({ recipient: { name: 'A', email: 'a@b.cd', organisation: 'Riverside' }, sections: 'all', minutes: 15, notify: true });
  });

  it('createShare asks for no first-opened email only when told', async () => {
    fetchMock.mockResolvedValueOnce(json(201, { share: SHARE, code: 'ABCD', qrPng: '', url: '', link: '' }));
    await createShare({ recipient: { name: 'A', email: 'a@b.cd' }, sections: 'all', minutes: 15, notify: false });
    expect(sent().body.notify).toBe(false);
  });

  it.each(['bad_recipient', 'bad_sections', 'bad_duration'])('createShare shows the message for 400 %s', async (code) => {
    fetchMock.mockResolvedValueOnce(fail(400, code, 'Server words for ' + code));
    const err = await rejection(createShare({ recipient: { name: 'A', email: 'a@b.cd' }, sections: 'all', minutes: 60 }));
    expect(err).toMatchObject({ status: 400, code, message: 'Server words for ' + code });
  });

  it.each(['bad_recipient', 'bad_sections', 'bad_duration'] as const)('createShare has words for %s without a message', async (code) => {
    fetchMock.mockResolvedValueOnce(fail(400, code));
    const err = await rejection(createShare({ recipient: { name: 'A', email: 'a@b.cd' }, sections: 'all', minutes: 60 }));
    expect(err.message).toBe(SHARE_FALLBACK[code]);
  });

  it('createShare refuses an answer without a code', async () => {
    fetchMock.mockResolvedValueOnce(json(201, { share: SHARE }));
    expect((await rejection(createShare({ recipient: { name: 'A', email: 'a@b.cd' }, sections: 'all', minutes: 60 }))).code).toBe('bad_json');
  });

  it('a 500 or no answer is the service problem', async () => {
    fetchMock.mockResolvedValueOnce(fail(500, 'internal', 'stack trace'));
    expect((await rejection(getShares())).message).toMatch(/problem with the service/);
    fetchMock.mockRejectedValueOnce(new TypeError('offline'));
    expect((await rejection(getShares())).code).toBe('network');
  });

  it('getShares lists the shares ([] for null)', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { shares: [SHARE] }));
    await expect(getShares()).resolves.toEqual([SHARE]);
    expect(sent()).toMatchObject({ path: '/api/shares', method: 'GET' });
    fetchMock.mockResolvedValueOnce(json(200, { shares: null }));
    await expect(getShares()).resolves.toEqual([]);
  });

  it('getShares on 401 signed_out tells the app the patient is signed out', async () => {
    const handler = vi.fn();
    setSignedOutHandler(handler);
    setCsrf('c');
    fetchMock.mockResolvedValueOnce(fail(401, 'signed_out', 'Signed out'));
    expect((await rejection(getShares())).code).toBe('signed_out');
    expect(handler).toHaveBeenCalledOnce();
    expect(getCsrf()).toBe('');
  });

  it('revokeShare posts to the share and takes 204', async () => {
    setCsrf('c-acct');
    fetchMock.mockResolvedValueOnce(empty(204));
    await expect(revokeShare('s/1')).resolves.toBeUndefined();
    expect(sent()).toMatchObject({ path: '/api/shares/s%2F1/revoke', method: 'POST' });
    expect(sent().headers['X-CSRF-Token']).toBe('c-acct');
  });

  it('revokeShare shows the message on failure', async () => {
    fetchMock.mockResolvedValueOnce(fail(404, 'not_found', 'That share is not there.'));
    expect((await rejection(revokeShare('s-1'))).message).toBe('That share is not there.');
  });

  it('getShareAccess gives the access log', async () => {
    const row = { at: '2026-03-12T09:10:00Z', address: '192.0.2.1', browser: 'Firefox on Windows', page: 'Test results', clinician: 'Dr Ada Khan' };
    fetchMock.mockResolvedValueOnce(json(200, { access: [row] }));
    await expect(getShareAccess('s-1')).resolves.toEqual([row]);
    expect(sent()).toMatchObject({ path: '/api/shares/s-1/access', method: 'GET' });
    fetchMock.mockResolvedValueOnce(json(200, {}));
    await expect(getShareAccess('s-1')).resolves.toEqual([]);
  });
});

describe('clinician calls', () => {
  it('openShare posts the code, date of birth and name, and keeps the CSRF token', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { ...SESSION, csrf: 'c-share' }));
    await expect(openShare({ code: 'ABCD-EFGH', birthDate: '1980-03-15', name: 'Dr Ada Khan' })).resolves.toEqual(SESSION);
    expect(sent()).toMatchObject({ path: '/api/share/open', method: 'POST', body: { code: 'ABCD-EFGH', birthDate: '1980-03-15', name: 'Dr Ada Khan' } });
    expect(sent().headers['X-CSRF-Token']).toBeUndefined();
    expect(getCsrf()).toBe('c-share');

    // Every request after it carries it: the record pages' GETs, the note and Finish.
    fetchMock.mockResolvedValueOnce(json(200, { patient: null }));
    await getJSON('/api/summary');
    expect(sent(1).headers['X-CSRF-Token']).toBe('c-share');
    fetchMock.mockResolvedValueOnce(empty(202));
    await sendShareNote('  Seen today.  ');
    expect(sent(2)).toMatchObject({ path: '/api/share/note', method: 'POST', body: { text: 'Seen today.' } });
    expect(sent(2).headers['X-CSRF-Token']).toBe('c-share');
    fetchMock.mockResolvedValueOnce(empty(204));
    await expect(finishShare()).resolves.toBe(true);
    expect(sent(3)).toMatchObject({ path: '/api/share/finish', method: 'POST' });
    expect(sent(3).headers['X-CSRF-Token']).toBe('c-share');
  });

  it('openShare: 401 not_right is the same message for every refusal, and does not end anything', async () => {
    const ended = vi.fn();
    setShareEndedHandler(ended);
    fetchMock.mockResolvedValueOnce(fail(401, 'not_right', 'The code or date of birth is not right, or the share has ended.'));
    const err = await rejection(openShare({ code: 'X', birthDate: '1980-03-15', name: 'A' }));
    expect(err).toMatchObject({ status: 401, code: 'not_right', message: 'The code or date of birth is not right, or the share has ended.' });
    fetchMock.mockResolvedValueOnce(fail(401, 'not_right'));
    expect((await rejection(openShare({ code: 'X', birthDate: '1980-03-15', name: 'A' }))).message).toBe(SHARE_FALLBACK.not_right);
    expect(ended).not.toHaveBeenCalled();
    expect(getCsrf()).toBe('');
  });

  it('openShare: 429 too_many_tries carries the wait', async () => {
    fetchMock.mockResolvedValueOnce(fail(429, 'too_many_tries', 'Too many tries.', { retryAfterSeconds: 90 }));
    const err = await rejection(openShare({ code: 'X', birthDate: '1980-03-15', name: 'A' }));
    expect(err).toMatchObject({ status: 429, code: 'too_many_tries', message: 'Too many tries.', retryAfterSeconds: 90 });
    fetchMock.mockResolvedValueOnce(new Response(JSON.stringify({ error: { code: 'too_many_tries' } }), { status: 429, headers: { 'Retry-After': '30' } }));
    expect((await rejection(openShare({ code: 'X', birthDate: '1980-03-15', name: 'A' }))).retryAfterSeconds).toBe(30);
  });

  it('openShare refuses an answer without a CSRF token', async () => {
    fetchMock.mockResolvedValueOnce(json(200, SESSION));
    expect((await rejection(openShare({ code: 'X', birthDate: '1980-03-15', name: 'A' }))).code).toBe('bad_json');
  });

  it('shareStatus: the session, or null for 401 without telling the app', async () => {
    const ended = vi.fn();
    setShareEndedHandler(ended);
    fetchMock.mockResolvedValueOnce(json(200, SESSION));
    await expect(shareStatus()).resolves.toEqual(SESSION);
    expect(sent()).toMatchObject({ path: '/api/share', method: 'GET' });
    fetchMock.mockResolvedValueOnce(fail(401, 'share_ended'));
    await expect(shareStatus()).resolves.toBeNull();
    expect(ended).not.toHaveBeenCalled();
    fetchMock.mockResolvedValueOnce(fail(500, 'x'));
    await expect(shareStatus()).rejects.toBeInstanceOf(SecurityError);
  });

  it('shareStatus keeps a CSRF token the answer carries (after a reload)', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { ...SESSION, csrf: 'c-again' }));
    await shareStatus();
    expect(getCsrf()).toBe('c-again');
  });

  it('getShare gives the session, keeps a CSRF token, and counts as a request', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { ...SESSION, csrf: 'c-2' }));
    await expect(getShare()).resolves.toEqual(SESSION);
    expect(sent()).toMatchObject({ path: '/api/share', method: 'GET' });
    expect(getCsrf()).toBe('c-2');
  });

  it('getShare: 401 share_ended forgets the session and tells the app', async () => {
    const ended = vi.fn();
    setShareEndedHandler(ended);
    setCsrf('c-share');
    fetchMock.mockResolvedValueOnce(fail(401, 'share_ended', 'This share has ended.'));
    await expect(getShare()).rejects.toMatchObject({ status: 401, code: 'share_ended' });
    expect(ended).toHaveBeenCalledOnce();
    expect(getCsrf()).toBe('');
  });

  it('a record page answering 401 share_ended (api.ts) goes the same way, not to sign-in', async () => {
    const ended = vi.fn();
    const signedOut = vi.fn();
    setShareEndedHandler(ended);
    setSignedOutHandler(signedOut);
    setCsrf('c-share');
    fetchMock.mockResolvedValueOnce(fail(401, 'share_ended', 'This share has ended.'));
    await expect(getSummary()).rejects.toMatchObject({ code: 'share_ended', message: 'This share has ended.' });
    expect(ended).toHaveBeenCalledOnce();
    expect(signedOut).not.toHaveBeenCalled();
    expect(getCsrf()).toBe('');
  });

  it('finishShare is false when the server did not say so, and never throws', async () => {
    fetchMock.mockResolvedValueOnce(fail(401, 'share_ended'));
    await expect(finishShare()).resolves.toBe(false);
    fetchMock.mockRejectedValueOnce(new TypeError('offline'));
    await expect(finishShare()).resolves.toBe(false);
  });

  it('sendShareNote shows the message on failure, and share_ended ends the view', async () => {
    const ended = vi.fn();
    setShareEndedHandler(ended);
    fetchMock.mockResolvedValueOnce(fail(400, 'bad_note', 'Your note is too long.'));
    expect((await rejection(sendShareNote('x'))).message).toBe('Your note is too long.');
    fetchMock.mockResolvedValueOnce(fail(401, 'share_ended'));
    expect((await rejection(sendShareNote('x'))).message).toBe(SHARE_FALLBACK.share_ended);
    expect(ended).toHaveBeenCalledOnce();
  });

  it('the start page notice is shown once', () => {
    setShareNotice('finished');
    expect(takeShareNotice()).toBe('finished');
    expect(takeShareNotice()).toBeNull();
    expect(shareNoticeText('finished')).toBe('You have finished viewing the record.');
    expect(shareNoticeText('ended')).toBe('This share has ended. Ask the patient for a new code if you still need it.');
  });
});

describe('sections and navigation', () => {
  const keys = (s: string[]) => [...shareNav(s)].sort();

  it('the whole record: every record page, never the patient-only ones', () => {
    expect(keys(['all'])).toEqual(['details', 'documents', 'health', 'home', 'other', 'results', 'search', 'timeline', 'visits']);
  });

  it.each([
    [['results'], ['home', 'results']],
    [['conditions'], ['health', 'home']],
    [['medicines', 'allergies'], ['health', 'home']],
    [['immunisations'], ['health', 'home']],
    [['visits'], ['home', 'visits']],
    [['documents'], ['documents', 'home']],
    [['results', 'documents', 'visits'], ['documents', 'home', 'results', 'visits']],
    [[], ['home']],
  ])('%j → %j', (sections, want) => expect(keys(sections)).toEqual(want));

  it.each([
    ['#/', ['results'], true],
    ['#/results', ['results'], true],
    ['#/results/r-1', ['results'], true],
    ['#/tests/k', ['results'], true],
    ['#/results', ['medicines'], false],
    ['#/health', ['medicines'], true],
    ['#/health', ['results'], false],
    ['#/visits', ['visits'], true],
    ['#/documents/d-1', ['documents'], true],
    ['#/documents', ['visits'], false],
    ['#/timeline', ['results', 'visits'], false],
    ['#/timeline', ['all'], true],
    ['#/search?q=x', ['all'], true],
    ['#/search?q=x', ['results'], false],
    ['#/details', ['all'], true],
    ['#/other/Claim', ['all'], true],
    ['#/import', ['all'], false],
    ['#/security', ['all'], false],
    ['#/help', ['all'], false],
    ['#/about-your-record', ['all'], false],
    ['#/shares', ['all'], false],
    ['#/share-record', ['all'], false],
  ] as const)('%s with %j: %s', (hash, sections, want) => expect(shareRouteAllowed(parseHash(hash), sections)).toBe(want));

  it('sectionsText', () => {
    expect(sectionsText(['all'])).toBe('All of the record');
    expect(sectionsText(['medicines', 'results'])).toBe('Test results and medicines');
    expect(sectionsText(['results', 'allergies', 'documents'])).toBe('Test results, allergies and letters and documents');
    expect(sectionsText(['immunisations'])).toBe('Vaccinations');
    expect(sectionsText([])).toBe('Nothing');
  });

  it('chosenSections', () => {
    expect(chosenSections(true, ['results'])).toBe('all');
    expect(chosenSections(false, ['documents', 'results', 'nonsense'])).toEqual(['results', 'documents']);
  });
});

describe('the banner time wording', () => {
  const now = new Date('2026-03-12T10:00:00Z');
  it.each([
    ['2026-03-12T15:30:00Z', '3:30pm today'],
    ['2026-03-12T12:00:00Z', 'midday today'],
    ['2026-03-12T23:59:00Z', '11:59pm today'],
    ['2026-03-13T00:00:00Z', 'midnight on 13 March 2026'],
    ['2026-03-13T09:00:00Z', '9am on 13 March 2026'],
    ['2026-03-19T10:05:00Z', '10:05am on 19 March 2026'],
  ])('%s: until %s', (expires, want) => expect(untilText(expires, now)).toBe(want));

  it('is in UK time (summer time) and by the UK calendar day', () => {
    const summer = new Date('2026-07-01T12:00:00Z');
    expect(untilText('2026-07-01T14:30:00Z', summer)).toBe('3:30pm today');
    // 23:30 UTC is half past midnight the next day in London.
    expect(untilText('2026-07-01T23:30:00Z', summer)).toBe('12:30am on 2 July 2026');
  });

  it('sharedByText', () => {
    expect(sharedByText({ patientName: 'Jo Bloggs', expires: '2026-03-12T15:30:00Z' }, now)).toBe('Shared by Jo Bloggs until 3:30pm today');
    expect(sharedByText({ patientName: 'Jo Bloggs', expires: '2026-03-14T09:00:00Z' }, now)).toBe('Shared by Jo Bloggs until 9am on 14 March 2026');
    expect(sharedByText({ patientName: 'Jo Bloggs', expires: 'soon' }, now)).toBe('Shared by Jo Bloggs');
  });

  it('msUntil', () => {
    expect(msUntil('2026-03-12T10:01:00Z', now.getTime())).toBe(60_000);
    expect(msUntil('2026-03-12T09:00:00Z', now.getTime())).toBe(0);
    expect(msUntil('nope', now.getTime())).toBeNull();
  });
});

describe('date of birth', () => {
  const today = new Date(2026, 2, 12); // 12 March 2026, local

  it.each([
    ['15', '3', '1980', '1980-03-15'],
    ['05', '11', '1947', '1947-11-05'],
    [' 1 ', ' 1 ', ' 2000 ', '2000-01-01'],
    ['29', '2', '2024', '2024-02-29'],
    ['12', '3', '2026', '2026-03-12'],
    ['7', 'Mar', '1990', '1990-03-07'],
    ['7', 'march', '1990', '1990-03-07'],
    ['7', 'Sept', '1990', '1990-09-07'],
  ])('%s/%s/%s is %s', (d, m, y, iso) => expect(parseBirthDate(d, m, y, today)).toEqual({ ok: true, iso }));

  it.each([
    ['', '', '', 'Enter their date of birth', ['day', 'month', 'year']],
    ['', '3', '1980', 'Date of birth must include a day', ['day']],
    ['15', '', '1980', 'Date of birth must include a month', ['month']],
    ['15', '3', '', 'Date of birth must include a year', ['year']],
    ['', '', '1980', 'Date of birth must include a day and a month', ['day', 'month']],
    ['15', '3', '80', 'Year must include 4 numbers', ['year']],
    ['15', '3', 'nine', 'Date of birth must be a real date', ['year']],
    ['32', '3', '1980', 'Date of birth must be a real date', ['day']],
    ['0', '3', '1980', 'Date of birth must be a real date', ['day']],
    ['15', '13', '1980', 'Date of birth must be a real date', ['month']],
    ['15', 'Ma', '1980', 'Date of birth must be a real date', ['month']],
    ['x', 'y', '1980', 'Date of birth must be a real date', ['day', 'month']],
    ['31', '4', '1980', 'Date of birth must be a real date', ['day']],
    ['29', '2', '2023', 'Date of birth must be a real date', ['day']],
    ['30', '2', '2024', 'Date of birth must be a real date', ['day']],
    ['13', '3', '2026', 'Date of birth must be today or in the past', ['day', 'month', 'year']],
    ['1', '1', '2030', 'Date of birth must be today or in the past', ['day', 'month', 'year']],
    ['31', '12', '1889', 'Date of birth must be after 1 January 1890', ['year']],
  ])('%j/%j/%j: %s', (d, m, y, message, fields) => expect(parseBirthDate(d, m, y, today)).toEqual({ ok: false, message, fields }));
});

describe('checks and words', () => {
  it('checkShareCode', () => {
    expect(checkShareCode('')).toBe(SHARE_CHECKS.codeEmpty);
    expect(checkShareCode(' - ')).toBe(SHARE_CHECKS.codeEmpty);
    expect(checkShareCode('abcd-efgh-jkmn-pqrs-tvwx-y')).toBe('');
    expect(checkShareCode('ABCD EFGH JKMN PQRS TVWX Y')).toBe('');
    expect(checkShareCode('ABC!')).toBe(SHARE_CHECKS.codeFormat);
    expect(checkShareCode('ABC')).toBe(SHARE_CHECKS.codeFormat);
  });

  it('codeGroups and shareCodeForServer', () => {
    expect(codeGroups('ABCD-EFGH-JKMN-PQRS-TVWX-Y')).toEqual(['ABCD', 'EFGH', 'JKMN', 'PQRS', 'TVWX', 'Y']);
    expect(shareCodeForServer('abcd efgh jkmn pqrs tvwx y')).toBe('ABCD-EFGH-JKMN-PQRS-TVWX-Y');
    expect(shareCodeForServer('ABCDEFGHJKMNPQRSTVWXY')).toBe('ABCD-EFGH-JKMN-PQRS-TVWX-Y');
  });

  it('checkNote', () => {
    expect(checkNote('  ')).toBe(SHARE_CHECKS.noteEmpty);
    expect(checkNote('Seen in clinic.')).toBe('');
    expect(checkNote('x'.repeat(NOTE_MAX))).toBe('');
    expect(checkNote('x'.repeat(NOTE_MAX + 1))).toBe(SHARE_CHECKS.noteLong);
  });

  it('durationText and durationChoices', () => {
    expect(durationText(15)).toBe('15 minutes');
    expect(durationText(60)).toBe('1 hour');
    expect(durationText(90)).toBe('1 hour 30 minutes');
    expect(durationText(240)).toBe('4 hours');
    expect(durationText(1440)).toBe('1 day');
    expect(durationText(10080)).toBe('7 days');
    expect(durationChoices({ minMinutes: 15, maxMinutes: 10080, defaultMinutes: 60 })).toEqual([15, 30, 60, 240, 1440, 4320, 10080]);
    expect(durationChoices({ minMinutes: 20, maxMinutes: 300, defaultMinutes: 45 })).toEqual([20, 30, 45, 60, 240, 300]);
  });

  it('shareStateText and emailStateText', () => {
    expect(shareStateText('active')).toBe('Active');
    expect(shareStateText('expired')).toBe('Ended');
    expect(shareStateText('revoked')).toBe('Revoked');
    expect(emailStateText({ state: 'sent', class: '' }, 'ada@example.org')).toBe('We have emailed the code to ada@example.org.');
    expect(emailStateText({ state: 'queued', class: '' }, 'a@b.cd')).toBe('We are emailing the code to a@b.cd.');
    expect(emailStateText({ state: 'failed', class: 'bounced' }, 'a@b.cd')).toMatch(/^We could not email the code to a@b.cd\. Give them the code yourself/);
    expect(emailStateText(null, 'a@b.cd')).toBe('We will email the code to a@b.cd.');
  });
});
