// Sharing from a computer (docs/api.md "Publishing from a computer"). The
// record is on this computer; a Ward server the patient has an account on
// keeps each share, sealed here, emails its code and serves the clinician.
// Two halves:
//
// - On the computer (config.sharing.from "computer"): which server to share
//   through, and the publishing key made there (Security settings). The key
//   is sent once and never shown again; the page only learns the server.
// - On the server (accounts): the patient's publishing keys. A key is shown
//   once when made; the list holds names and dates only.
//
// Every change needs a fresh session (403 not_fresh: Security settings asks
// "Confirm it is you" and carries on).

import { call } from './share';

/** GET /api/security/share-server: "" when none is set. */
export interface ShareServer {
  /** "https://ward.example.org". */
  server: string;
  /** The server's organisation, as it says. */
  organisation: string;
}

/** A publishing key, as GET /api/security/publish-keys lists it (never the key itself). */
export interface PublishKey {
  id: string;
  name: string;
  /** ISO date-time. */
  created: string;
  /** ISO date-time, or null when never used. */
  lastUsed: string | null;
}

/** POST /api/security/publish-keys → 201: the key, shown this once. */
export interface NewPublishKey {
  id: string;
  name: string;
  /** "wardpk_…". */
  key: string;
  /** This server's address, to type on the computer. */
  server: string;
}

/**
 * Error codes the pages act on (the message is shown as it is):
 * - no_share_server (409): this computer has no server to share through yet
 * - bad_server (400), publish_key_refused (403), not_ward (502), server_unreachable (502)
 * - too_many_keys (409)
 */
export const NO_SHARE_SERVER = 'no_share_server';

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** GET /api/security/share-server (computer). */
export async function getShareServer(): Promise<ShareServer> {
  const a = await call<Partial<ShareServer>>('GET', '/api/security/share-server');
  return { server: text(a.server), organisation: text(a.organisation) };
}

/** POST /api/security/share-server (computer): checked with the server before it is kept. */
export async function setShareServer(server: string, key: string): Promise<ShareServer> {
  const a = await call<Partial<ShareServer>>('POST', '/api/security/share-server', { server: server.trim(), key: key.trim() });
  return { server: text(a.server), organisation: text(a.organisation) };
}

/** DELETE /api/security/share-server (computer). Shares already made stay on the server until they end. */
export async function forgetShareServer(): Promise<void> {
  await call<object>('DELETE', '/api/security/share-server');
}

/** GET /api/security/publish-keys (server). */
export async function getPublishKeys(): Promise<PublishKey[]> {
  const a = await call<{ keys?: PublishKey[] | null }>('GET', '/api/security/publish-keys');
  return Array.isArray(a.keys) ? a.keys : [];
}

/** POST /api/security/publish-keys (server). */
export async function makePublishKey(name: string): Promise<NewPublishKey> {
  const a = await call<Partial<NewPublishKey>>('POST', '/api/security/publish-keys', { name: name.trim() });
  if (!a.key || !a.id) throw new Error('no key in the answer');
  return { id: a.id, name: text(a.name), key: a.key, server: text(a.server) };
}

/** DELETE /api/security/publish-keys/{id} (server): the computer using it can no longer share. */
export async function removePublishKey(id: string): Promise<void> {
  await call<object>('DELETE', '/api/security/publish-keys/' + encodeURIComponent(id));
}

/** A server address as the patient might type it, checked the way the server checks it ("" when fine). */
export function checkServerAddress(s: string): string {
  const t = s.trim();
  if (!t) return 'Enter the address of your Ward server';
  let u: URL;
  try {
    u = new URL(t.includes('://') ? t : 'https://' + t);
  } catch {
    return 'Enter the address as it appears in your browser, like https://ward.example.org';
  }
  const local = u.hostname === 'localhost' || u.hostname.endsWith('.localhost') || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local)) return 'The address must start with https://';
  if (u.username || u.password || u.search || u.hash || u.pathname.replace(/\/+$/, '') !== '') {
    return 'Enter only the server’s address, like https://ward.example.org, with nothing after it';
  }
  return '';
}

/** A publishing key as pasted, checked for its shape ("" when fine). */
export function checkPublishKey(k: string): string {
  const t = k.trim();
  if (!t) return 'Enter the publishing key from your Ward server';
  if (!/^wardpk_[A-Za-z0-9_-]{43}$/.test(t)) return 'This is not a publishing key. Copy the whole key, starting wardpk_, from Security settings on your Ward server';
  return '';
}
