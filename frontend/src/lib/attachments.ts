// How the page handles a document's attachments (docs/security.md, "In the
// browser and the window"). An attachment is the sender's file, not Ward's,
// so nothing from it ever runs in Ward's origin:
// - PNG, JPEG and GIF images are shown in the page with <img> from a data:
//   URL (an <img> never runs script, whatever the bytes are);
// - everything, images included, can be saved with a download link: the
//   bytes are fetched with the session token and saved from a blob: URL
//   typed application/octet-stream with `download`, so the browser stores
//   the file and never renders it. PDFs are saved too: Chromium will not
//   show a PDF in a sandboxed frame, and an unsandboxed same-origin blob:
//   tab is exactly what must not be opened;
// - text and HTML attachments are already part of the document's text,
//   which the backend sanitises.
// Nothing here opens a new tab or a blob: page.

import { ApiError, SERVICE_PROBLEM, apiError, getJSON, getToken, needsUnlock, requestHeaders } from './api';

/** The media types shown as images in the page. */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif']);

/** "image/png" for " Image/PNG; x=y"; "" when there is none. */
export function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Whether an attachment of this type is shown in the page as an image. */
export function isShownImage(contentType: string | null | undefined): boolean {
  return IMAGE_TYPES.has(mediaType(contentType));
}

/**
 * The file name from a Content-Disposition header, reduced to characters
 * safe in any file system (the backend already sends only those);
 * "attachment" when there is none.
 */
export function filenameFrom(disposition: string | null | undefined): string {
  const m = /;\s*filename\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(disposition ?? '');
  const raw = m ? (m[1] ?? m[2] ?? '') : '';
  const name = raw.replace(/[^A-Za-z0-9 ._-]+/g, '_').replace(/^[ .]+|[ .]+$/g, '');
  return name || 'attachment';
}

/**
 * A data: URL for an image attachment, or null when the server did not send
 * it as one of the image types (then the page offers the download only).
 */
export async function imageURL(blob: Blob): Promise<string | null> {
  const type = mediaType(blob.type);
  if (!IMAGE_TYPES.has(type)) return null;
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `data:${type};base64,${btoa(bin)}`;
}

/**
 * Saves bytes as a file: a blob: URL typed application/octet-stream and a
 * link with `download`, so the browser keeps the file and shows nothing.
 */
export function saveFile(blob: Blob, filename: string, doc: Document = document): void {
  const url = URL.createObjectURL(new Blob([blob], { type: 'application/octet-stream' }));
  const link = doc.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  link.click();
  // The download has its own copy once it starts.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// In the desktop window there is no PDF viewer and no downloads folder, so
// an attachment link is opened in the system browser instead
// (lib/desktop.ts): POST .../open makes the server hand the browser a
// one-time loopback URL for the file (backend/handoff), with the same
// headers as the download, so no copy is written to disk by Ward.

/** Whether path is a document's attachment, /api/documents/{id}/attachments/{index}. */
export function isAttachmentPath(path: string): boolean {
  return /^\/api\/documents\/[^/]+\/attachments\/\d+$/.test(path);
}

/**
 * Asks the server to open the attachment at path in the system browser.
 * A locked vault sends the page to the unlock page, as every record request does.
 */
export async function openAttachment(path: string): Promise<void> {
  if (!isAttachmentPath(path)) throw new ApiError(SERVICE_PROBLEM, 0, 'bad_path');
  const open = path + '/open';
  let res: Response;
  try {
    res = await fetch(open, { method: 'POST', headers: requestHeaders(getToken()), credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(SERVICE_PROBLEM, 0, 'network');
  }
  if (res.ok) return;
  let body = null;
  try {
    body = await res.json();
  } catch {
    // the status says enough
  }
  const err = apiError(res.status, body);
  if (needsUnlock(open, err.status, err.code)) getJSON('/api/summary').catch(() => {});
  throw err;
}
