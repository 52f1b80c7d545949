import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, setLockedHandler } from './api';
import { filenameFrom, imageURL, isAttachmentPath, isShownImage, mediaType, openAttachment, saveFile } from './attachments';

describe('attachments', () => {
  it('shows only PNG, JPEG and GIF as images, however the type is spelt', () => {
    expect(isShownImage('image/png')).toBe(true);
    expect(isShownImage(' Image/JPEG; x=1')).toBe(true);
    expect(isShownImage('image/gif')).toBe(true);
    for (const t of ['image/svg+xml', 'Image/SVG+XML', 'text/html', 'application/xhtml+xml', 'text/javascript', 'application/pdf', '', null]) {
      expect(isShownImage(t), String(t)).toBe(false);
    }
    expect(mediaType(' Text/HTML ; charset=utf-8')).toBe('text/html');
  });

  it('takes a safe file name from Content-Disposition', () => {
    expect(filenameFrom('attachment; filename="Clinic letter.pdf"')).toBe('Clinic letter.pdf');
    expect(filenameFrom('inline; filename=scan.png')).toBe('scan.png');
    expect(filenameFrom('attachment; filename="../../x/y.sh"')).toBe('_.._x_y.sh');
    expect(filenameFrom('attachment; filename="..."')).toBe('attachment');
    expect(filenameFrom('attachment')).toBe('attachment');
    expect(filenameFrom(null)).toBe('attachment');
  });

  it('makes a data: URL only for an image the server sent as an image', async () => {
    const png = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' });
    expect(await imageURL(png)).toBe('data:image/png;base64,iVBORw==');
    expect(await imageURL(new Blob(['<svg onload="x()"/>'], { type: 'image/svg+xml' }))).toBeNull();
    expect(await imageURL(new Blob(['<svg/>'], { type: 'application/octet-stream' }))).toBeNull();
  });

  it('saves a file as application/octet-stream with download, never opening it', () => {
    const clicked: { href: string; download: string; target: string }[] = [];
    const fakeDoc = {
      createElement: () => {
        const a = { href: '', download: '', rel: '', target: '', click: () => clicked.push(a) };
        return a;
      },
    } as unknown as Document;
    let made: Blob | undefined;
    const create = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      made = b as Blob;
      return 'blob:x';
    });
    saveFile(new Blob(['<svg/>'], { type: 'image/svg+xml' }), 'scan.bin', fakeDoc);
    expect(made?.type).toBe('application/octet-stream');
    expect(clicked).toEqual([expect.objectContaining({ href: 'blob:x', download: 'scan.bin', target: '' })]);
    create.mockRestore();
  });
});

describe('opening an attachment from the window', () => {
  const storage = new Map<string, string>([['ward.token', 'tok-1']]);
  const fetchMock = vi.fn();
  beforeEach(() => {
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
    vi.stubGlobal('sessionStorage', { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v), removeItem: (k: string) => storage.delete(k) });
  });
  afterEach(() => vi.unstubAllGlobals());
  const answer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

  it.each([
    ['/api/documents/d1/attachments/0', true],
    ['/api/documents/d%2F1/attachments/12', true],
    ['/api/documents/d1/attachments/x', false],
    ['/api/documents/d1/attachments/0/open', false],
    ['/api/documents//attachments/0', false],
    ['/api/results/r1', false],
    ['https://evil.example/api/documents/d1/attachments/0', false],
  ])('%s is an attachment path: %s', (path, want) => {
    expect(isAttachmentPath(path)).toBe(want);
  });

  it('asks the server to open it, with the session token', async () => {
    fetchMock.mockResolvedValueOnce(answer(200, { opened: true }));
    await openAttachment('/api/documents/d1/attachments/2');
    const [path, init] = fetchMock.mock.calls[0];
    expect(path).toBe('/api/documents/d1/attachments/2/open');
    expect(init.method).toBe('POST');
    expect(init.headers.Authorization).toBe('Bearer tok-1');
  });

  it('refuses any other path without asking', async () => {
    await expect(openAttachment('/api/vault/lock')).rejects.toBeInstanceOf(ApiError);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('says what failed, and a locked vault goes to the unlock page', async () => {
    fetchMock.mockResolvedValueOnce(answer(404, { error: { code: 'not_found', message: 'We could not find that attachment.' } }));
    await expect(openAttachment('/api/documents/d1/attachments/9')).rejects.toMatchObject({ status: 404, message: 'We could not find that attachment.' });
    expect(fetchMock).toHaveBeenCalledTimes(1);

    const locked = vi.fn();
    setLockedHandler(locked);
    const lockedAnswer = () => answer(401, { error: { code: 'locked', message: 'Unlock your record' } });
    fetchMock.mockResolvedValueOnce(lockedAnswer()).mockResolvedValueOnce(lockedAnswer());
    await expect(openAttachment('/api/documents/d1/attachments/0')).rejects.toMatchObject({ status: 401, code: 'locked' });
    await vi.waitFor(() => expect(locked).toHaveBeenCalledTimes(1));
    setLockedHandler(null);

    fetchMock.mockRejectedValueOnce(new TypeError('offline'));
    await expect(openAttachment('/api/documents/d1/attachments/0')).rejects.toMatchObject({ code: 'network' });
  });
});
