import { describe, expect, it, vi } from 'vitest';
import { filenameFrom, imageURL, isShownImage, mediaType, saveFile } from './attachments';

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
