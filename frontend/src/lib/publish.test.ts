import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setCsrf, type Config } from './api';
import {
  NO_SHARE_SERVER,
  checkPublishKey,
  checkServerAddress,
  forgetShareServer,
  getPublishKeys,
  getShareServer,
  makePublishKey,
  removePublishKey,
  setShareServer,
} from './publish';
import { sharingFrom } from './share';
import { SecurityError } from './security';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal('fetch', fetchMock);
  vi.stubGlobal('sessionStorage', { getItem: () => null, setItem: () => {}, removeItem: () => {} });
  setCsrf('');
});
afterEach(() => vi.unstubAllGlobals());

const sent = (i = 0) => {
  const [path, init] = fetchMock.mock.calls[i];
  return { path: path as string, method: init.method as string, body: init.body === undefined ? undefined : JSON.parse(init.body as string) };
};

describe('sharingFrom', () => {
  it('says where shares are kept, and null without sharing', () => {
    expect(sharingFrom(null)).toBe(null);
    expect(sharingFrom({ sharing: { enabled: false, from: 'computer' } } as unknown as Config)).toBe(null);
    expect(sharingFrom({ sharing: { enabled: true, from: 'computer' } } as unknown as Config)).toBe('computer');
    expect(sharingFrom({ sharing: { enabled: true, from: 'server' } } as unknown as Config)).toBe('server');
    // Servers from before publishing say nothing: they keep their own shares.
    expect(sharingFrom({ sharing: { enabled: true } } as unknown as Config)).toBe('server');
  });
});

describe('checkServerAddress', () => {
  it.each([
    ['https://ward.example.org', ''],
    ['ward.example.org', ''],
    ['https://ward.example.org/', ''],
    ['http://localhost:8080', ''],
    ['http://127.0.0.1:8080', ''],
    ['', 'Enter the address of your Ward server'],
    ['http://ward.example.org', 'The address must start with https://'],
    ['ftp://ward.example.org', 'The address must start with https://'],
    ['https://ward.example.org/share', 'Enter only the server’s address, like https://ward.example.org, with nothing after it'],
    ['https://ward.example.org/?a=1', 'Enter only the server’s address, like https://ward.example.org, with nothing after it'],
    ['https://a:b@ward.example.org', 'Enter only the server’s address, like https://ward.example.org, with nothing after it'],
    ['https://exa mple', 'Enter the address as it appears in your browser, like https://ward.example.org'],
  ])('%s', (input, want) => expect(checkServerAddress(input)).toBe(want));
});

describe('checkPublishKey', () => {
  const key = 'wardpk_' + 'A'.repeat(43);
  it('takes a whole key, with spaces around it', () => {
    expect(checkPublishKey(key)).toBe('');
    expect(checkPublishKey('  ' + key + '\n')).toBe('');
  });
  it('says what is wrong otherwise', () => {
    expect(checkPublishKey('')).toBe('Enter the publishing key from your Ward server');
    expect(checkPublishKey(key.slice(0, -1))).toMatch(/^This is not a publishing key/);
    expect(checkPublishKey('ABCD-EFGH-JKMN-PQRS-TVWX-Y')).toMatch(/^This is not a publishing key/);
  });
});

describe('the calls', () => {
  it('sets, reads and forgets the server, sending the key once and trimmed', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { server: 'https://ward.example.org', organisation: 'Testshire Health' }));
    expect(await setShareServer(' https://ward.example.org ', ' wardpk_k ')).toEqual({ server: 'https://ward.example.org', organisation: 'Testshire Health' });
    expect(sent(0)).toEqual({ path: '/api/security/share-server', method: 'POST', body: { server: 'https://ward.example.org', key: 'wardpk_k' } });

    fetchMock.mockResolvedValueOnce(json(200, { server: '', organisation: '' }));
    expect(await getShareServer()).toEqual({ server: '', organisation: '' });

    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await forgetShareServer();
    expect(sent(2).method).toBe('DELETE');
  });

  it('gives the server’s words for a refusal', async () => {
    fetchMock.mockResolvedValueOnce(json(409, { error: { code: NO_SHARE_SERVER, message: 'To share from this computer, first link it.' } }));
    const e = await getShareServer().then(
      () => null,
      (err) => err,
    );
    expect(e).toBeInstanceOf(SecurityError);
    expect(e.code).toBe(NO_SHARE_SERVER);
    expect(e.message).toBe('To share from this computer, first link it.');
  });

  it('makes, lists and removes publishing keys', async () => {
    fetchMock.mockResolvedValueOnce(json(201, { id: 'k1', name: 'Home laptop', key: 'wardpk_x', server: 'https://ward.example.org' }));
    expect((await makePublishKey(' Home laptop ')).key).toBe('wardpk_x');
    expect(sent(0).body).toEqual({ name: 'Home laptop' });

    fetchMock.mockResolvedValueOnce(json(200, { keys: [{ id: 'k1', name: 'Home laptop', created: '2026-12-01T10:00:00Z' }] }));
    expect(await getPublishKeys()).toHaveLength(1);
    fetchMock.mockResolvedValueOnce(json(200, { keys: null }));
    expect(await getPublishKeys()).toEqual([]);

    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await removePublishKey('k/1');
    expect(sent(3)).toMatchObject({ path: '/api/security/publish-keys/k%2F1', method: 'DELETE' });
  });

  it('refuses an answer with no key in it', async () => {
    fetchMock.mockResolvedValueOnce(json(201, { id: 'k1', name: 'x' }));
    await expect(makePublishKey('x')).rejects.toThrow();
  });
});
