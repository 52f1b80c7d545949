import { describe, expect, it, vi } from 'vitest';
import { CompactEncrypt } from 'jose';
import { LinkError, countRecords, decryptFile, needsPasscode, openLink, parseLink, type LinkPayload } from './shlink';

const b64url = (b: Uint8Array | string) =>
  Buffer.from(typeof b === 'string' ? new TextEncoder().encode(b) : b)
    .toString('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const KEY = new Uint8Array(32).map((_, i) => i + 1);
const ORIGIN = 'https://ward.example.org';
const payload = (extra: Partial<LinkPayload> = {}): LinkPayload => ({
  url: ORIGIN + '/shl/m/' + 'A'.repeat(43),
  key: b64url(KEY),
  exp: 2_000_000_000,
  flag: 'P',
  label: 'Record shared by Alma',
  v: 1,
  ...extra,
});
const link = (p: object) => 'shlink:/' + b64url(JSON.stringify(p));

async function jwe(text: string, key = KEY): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(text)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'application/fhir+json' }).encrypt(key);
}

const BUNDLE = JSON.stringify({
  resourceType: 'Bundle',
  type: 'collection',
  entry: [{ resource: { resourceType: 'Patient' } }, { resource: { resourceType: 'Observation' } }, { resource: { resourceType: 'Observation' } }, { resource: { resourceType: 'Goal' } }],
});

describe('parseLink', () => {
  it('reads a bare link and one inside a viewer address', () => {
    expect(parseLink(link(payload()))).toMatchObject({ url: payload().url, flag: 'P', label: 'Record shared by Alma' });
    expect(parseLink('https://viewer.example.org/#' + link(payload())).key).toBe(b64url(KEY));
    expect(needsPasscode(parseLink(link(payload())))).toBe(true);
    expect(needsPasscode(parseLink(link(payload({ flag: '' }))))).toBe(false);
  });
  it.each([
    ['', 'This is not a SMART Health Link. It starts with shlink:/'],
    ['https://example.org', 'This is not a SMART Health Link. It starts with shlink:/'],
    ['shlink:/!!!', 'This link is damaged: copy the whole of it again.'],
    ['shlink:/' + b64url('not json'), 'This link is damaged: copy the whole of it again.'],
    [link({ url: ORIGIN + '/x' }), 'This link is damaged: copy the whole of it again.'],
    [link({ ...payload(), key: 'short' }), 'This link is damaged: copy the whole of it again.'],
    [link({ ...payload(), url: 'http://ward.example.org/shl/m/x' }), 'This link does not use a secure address, so Ward will not open it.'],
    [link({ ...payload(), url: 'javascript:alert(1)' }), 'This link does not use a secure address, so Ward will not open it.'],
  ])('refuses %s', (input, words) => {
    expect(() => parseLink(input)).toThrow(new LinkError(words));
  });
});

describe('decryptFile', () => {
  it('opens a dir/A256GCM file with the key, and nothing else', async () => {
    expect(await decryptFile(await jwe(BUNDLE), KEY)).toBe(BUNDLE);
    await expect(decryptFile(await jwe(BUNDLE, new Uint8Array(32)), KEY)).rejects.toThrow(LinkError);
    const parts = (await jwe(BUNDLE)).split('.');
    parts[3] = parts[3].slice(0, -2) + (parts[3].endsWith('AA') ? 'BB' : 'AA');
    await expect(decryptFile(parts.join('.'), KEY)).rejects.toThrow(LinkError);
  });
});

describe('openLink', () => {
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

  it('posts the recipient and passcode, fetches the file and decrypts it here', async () => {
    const fetchFn = vi.fn().mockResolvedValueOnce(json(200, { files: [{ contentType: 'application/fhir+json', location: ORIGIN + '/shl/file/t' }] }));
    fetchFn.mockResolvedValueOnce(new Response(await jwe(BUNDLE), { status: 200 }));
    const o = await openLink(payload(), 'Dr Kofi Mensah', 'ABCD', { now: 0, origin: ORIGIN, fetchFn });
    expect(o.files).toEqual([BUNDLE]);
    expect(o.expires?.toISOString()).toBe('2033-05-18T03:33:20.000Z');
    const [url, init] = fetchFn.mock.calls[0];
    expect(url).toBe(payload().url);
    expect(JSON.parse(init.body)).toEqual({ recipient: 'Dr Kofi Mensah', passcode: 'ABCD' });
    // The key never leaves the page.
    for (const [u, i] of fetchFn.mock.calls) expect(String(u) + String(i?.body ?? '')).not.toContain(b64url(KEY));
  });

  it('takes embedded files too', async () => {
    const fetchFn = vi.fn().mockResolvedValueOnce(json(200, { files: [{ contentType: 'application/fhir+json', embedded: await jwe(BUNDLE) }] }));
    expect((await openLink(payload(), 'x', 'y', { now: 0, origin: ORIGIN, fetchFn })).files).toEqual([BUNDLE]);
  });

  it.each([
    [401, { remainingAttempts: 3 }, 'The passcode is not right. You can try 3 more times.'],
    [401, { remainingAttempts: 1 }, 'The passcode is not right. You can try 1 more time.'],
    [401, { remainingAttempts: 0 }, 'The passcode is not right, and this link can no longer be opened.'],
    [404, {}, 'This link no longer works: it has ended, the patient stopped it, or the passcode was wrong too many times.'],
    [429, {}, 'Too many tries. Wait a minute and try again.'],
    [500, {}, 'The server that holds this share could not open it. Try again later.'],
  ])('a %d says so in words', async (status, body, words) => {
    const fetchFn = vi.fn().mockResolvedValueOnce(json(status, body));
    await expect(openLink(payload(), 'x', 'y', { now: 0, origin: ORIGIN, fetchFn })).rejects.toThrow(new LinkError(words));
  });

  it('refuses an ended link, another server’s link and an unreachable server without guessing', async () => {
    const fetchFn = vi.fn();
    await expect(openLink(payload({ exp: 10 }), 'x', 'y', { now: 20_000, origin: ORIGIN, fetchFn })).rejects.toThrow(/has ended/);
    await expect(openLink(payload(), 'x', 'y', { now: 0, origin: 'https://other.example.org', fetchFn })).rejects.toThrow(/made by another server \(ward\.example\.org\)/);
    expect(fetchFn).not.toHaveBeenCalled();
    fetchFn.mockRejectedValueOnce(new TypeError('offline'));
    await expect(openLink(payload(), 'x', 'y', { now: 0, origin: ORIGIN, fetchFn })).rejects.toThrow(/could not reach/);
  });
});

describe('countRecords', () => {
  it('counts each kind in plain words, largest first', () => {
    expect(countRecords([BUNDLE, 'not json']).map((c) => c.text)).toEqual(['2 test results and measurements', '1 Goal record', '1 person']);
  });
});
