// Opening a SMART Health Link in the browser (HL7 SMART Health Cards and
// Links IG, STU1, "Receiving"): the clinician pastes a shlink:/ link (or a
// viewer address holding one after #) and the passcode. The page asks the
// link's manifest for the files, and decrypts them here with the link's
// key (JOSE compact JWE, dir + A256GCM, through the jose library over
// WebCrypto, loaded only then): the key is in the link, and never sent to any server.
//
// The page's Content-Security-Policy lets it call only this Ward server,
// so links made elsewhere are refused with words saying so.
//
// What it shows is deliberately thin: the label, until when, and how many
// records of each kind, with a button to save the FHIR file for the
// clinician's own system. Ward reads records only through its one FHIR
// read model on the server; there is no second one here.


/** The link's payload (the JSON after shlink:/). */
export interface LinkPayload {
  url: string;
  /** 43 characters of base64url: 32 bytes. */
  key: string;
  /** Seconds since 1970, or undefined for no expiry. */
  exp?: number;
  /** "P": a passcode is needed; "U": the url is the one file itself. */
  flag?: string;
  label?: string;
  v?: number;
}

/** A refusal, in words for the page. */
export class LinkError extends Error {}

const B64URL = /^[A-Za-z0-9_-]*$/;

function b64urlBytes(s: string): Uint8Array {
  if (!B64URL.test(s)) throw new LinkError('This link is damaged: copy the whole of it again.');
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

/** Reads a pasted link: shlink:/…, or an address with #shlink:/… or #…shlink:/… in it. */
export function parseLink(text: string): LinkPayload {
  const t = text.trim().replace(/\s+/g, '');
  const at = t.indexOf('shlink:/');
  if (at < 0 || t.length > 8192) throw new LinkError('This is not a SMART Health Link. It starts with shlink:/');
  let p: Partial<LinkPayload>;
  try {
    p = JSON.parse(new TextDecoder().decode(b64urlBytes(t.slice(at + 'shlink:/'.length))));
  } catch (e) {
    if (e instanceof LinkError) throw e;
    throw new LinkError('This link is damaged: copy the whole of it again.');
  }
  if (!p || typeof p !== 'object' || typeof p.url !== 'string' || typeof p.key !== 'string' || p.key.length !== 43 || !B64URL.test(p.key)) {
    throw new LinkError('This link is damaged: copy the whole of it again.');
  }
  let u: URL;
  try {
    u = new URL(p.url);
  } catch {
    throw new LinkError('This link is damaged: copy the whole of it again.');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1'))) {
    throw new LinkError('This link does not use a secure address, so Ward will not open it.');
  }
  return {
    url: p.url,
    key: p.key,
    exp: typeof p.exp === 'number' ? p.exp : undefined,
    flag: typeof p.flag === 'string' ? p.flag : '',
    label: typeof p.label === 'string' ? p.label.slice(0, 80) : '',
    v: typeof p.v === 'number' ? p.v : 1,
  };
}

export function needsPasscode(p: LinkPayload): boolean {
  return (p.flag ?? '').includes('P');
}

/** What opening a link gives: the FHIR files, decrypted. */
export interface Opened {
  label: string;
  /** When the link stops working, or null. */
  expires: Date | null;
  /** Each file's JSON text. */
  files: string[];
}

interface Manifest {
  files?: { contentType?: string; embedded?: string; location?: string }[];
}

/** The longest answer read (a share is at most a few megabytes). */
const MAX_FILE = 32 << 20;

async function readText(res: Response): Promise<string> {
  const t = await res.text();
  if (t.length > MAX_FILE) throw new LinkError('The shared record is larger than Ward can open here.');
  return t;
}

/** Decrypts one compact JWE with the link's key (dir + A256GCM only). */
export async function decryptFile(jwe: string, key: Uint8Array): Promise<string> {
  try {
    // Loaded only when a link is opened: most visitors never need it.
    const { compactDecrypt } = await import('jose');
    const { plaintext } = await compactDecrypt(jwe.trim(), key, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return new TextDecoder().decode(plaintext);
  } catch {
    throw new LinkError('A file in this share did not open with the link’s key. Ask for a new link.');
  }
}

/** Where openLink runs: the clock, this page's origin and fetch (tests set their own). */
export interface OpenOptions {
  now?: number;
  origin?: string;
  fetchFn?: typeof fetch;
}

/**
 * Opens the link: the manifest (with the recipient's name and the
 * passcode), then each file, decrypted here.
 */
export async function openLink(p: LinkPayload, recipient: string, passcode: string, opts: OpenOptions = {}): Promise<Opened> {
  const { now = Date.now(), origin = globalThis.location?.origin, fetchFn = fetch } = opts;
  const expires = p.exp ? new Date(p.exp * 1000) : null;
  if (expires && expires.getTime() <= now) throw new LinkError('This link has ended. Ask the patient for a new one if you still need it.');
  if (new URL(p.url).origin !== origin) {
    throw new LinkError(`This link was made by another server (${new URL(p.url).host}). Open it in that server’s own viewer, or in your own system.`);
  }
  const key = b64urlBytes(p.key);
  let bodies: string[] = [];
  const call = async (input: string, init?: RequestInit) => {
    try {
      return await fetchFn(input, { credentials: 'omit', cache: 'no-store', ...init });
    } catch {
      throw new LinkError('Ward could not reach the server that holds this share. Check your connection and try again.');
    }
  };
  if ((p.flag ?? '').includes('U')) {
    const res = await call(p.url + (p.url.includes('?') ? '&' : '?') + 'recipient=' + encodeURIComponent(recipient));
    if (!res.ok) throw refusal(res.status, null);
    bodies = [await readText(res)];
  } else {
    const body: Record<string, unknown> = { recipient };
    if (needsPasscode(p)) body.passcode = passcode;
    const res = await call(p.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw refusal(res.status, await res.json().catch(() => null));
    const m = (await res.json().catch(() => null)) as Manifest | null;
    if (!m || !Array.isArray(m.files)) throw new LinkError('The server did not answer as a SMART Health Link server does.');
    for (const f of m.files) {
      if (typeof f.embedded === 'string') bodies.push(f.embedded);
      else if (typeof f.location === 'string') {
        const r = await call(f.location);
        if (!r.ok) throw refusal(r.status, null);
        bodies.push(await readText(r));
      }
    }
  }
  const files: string[] = [];
  for (const b of bodies) files.push(await decryptFile(b, key));
  return { label: p.label ?? '', expires, files };
}

function refusal(status: number, body: unknown): LinkError {
  const left = (body as { remainingAttempts?: unknown } | null)?.remainingAttempts;
  if (status === 401 && typeof left === 'number') {
    return new LinkError(
      left > 0 ? `The passcode is not right. You can try ${left} more ${left === 1 ? 'time' : 'times'}.` : 'The passcode is not right, and this link can no longer be opened.',
    );
  }
  if (status === 404) return new LinkError('This link no longer works: it has ended, the patient stopped it, or the passcode was wrong too many times.');
  if (status === 429) return new LinkError('Too many tries. Wait a minute and try again.');
  return new LinkError('The server that holds this share could not open it. Try again later.');
}

/** Plain words for the kinds of record the app shows; others by their FHIR name. */
const KINDS: Record<string, [string, string]> = {
  Patient: ['person', 'people'],
  Observation: ['test result or measurement', 'test results and measurements'],
  DiagnosticReport: ['test report', 'test reports'],
  Condition: ['condition', 'conditions'],
  MedicationStatement: ['medicine', 'medicines'],
  MedicationRequest: ['prescription', 'prescriptions'],
  AllergyIntolerance: ['allergy', 'allergies'],
  Immunization: ['vaccination', 'vaccinations'],
  Encounter: ['visit', 'visits'],
  DocumentReference: ['document', 'documents'],
};

/** How many records of each kind the files hold ("12 test results and measurements"), largest first. */
export function countRecords(files: readonly string[]): { kind: string; count: number; text: string }[] {
  const counts = new Map<string, number>();
  for (const f of files) {
    let b: { resourceType?: string; entry?: { resource?: { resourceType?: unknown } }[] };
    try {
      b = JSON.parse(f);
    } catch {
      continue;
    }
    const entries = b?.resourceType === 'Bundle' && Array.isArray(b.entry) ? b.entry : [];
    for (const e of entries) {
      const t = e?.resource?.resourceType;
      if (typeof t === 'string' && t) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, count]) => {
      const words = KINDS[kind];
      const noun = words ? (count === 1 ? words[0] : words[1]) : `${kind} ${count === 1 ? 'record' : 'records'}`;
      return { kind, count, text: `${count} ${noun}` };
    });
}
