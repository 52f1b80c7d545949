// WebAuthn in the page, for face and fingerprint unlock (docs/api.md, "Face and
// fingerprint"). The server sends the ceremony options as JSON (binary fields
// base64url without padding, as PublicKeyCredential.toJSON() writes them);
// this turns them into what navigator.credentials.create/get take, and the
// credential that comes back into JSON for the server, the PRF output
// (clientExtensionResults.prf.results.first) included.
//
// The browser's own PublicKeyCredential.parse*OptionsFromJSON and toJSON()
// are used when they exist; everything is also done by hand for browsers
// without them. Pure functions apart from canDoPasskeysHere and the
// ceremonies, which take what they need as arguments so they can be tested.

/** Binary data as base64url without padding. */
export function b64urlEncode(data: ArrayBuffer | ArrayBufferView): string {
  const bytes =
    data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * base64url (or plain base64, padded or not) to bytes. Throws a TypeError
 * for anything else, so a broken answer fails before the ceremony starts.
 */
export function b64urlDecode(text: string): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string') throw new TypeError('not base64url: ' + typeof text);
  const s = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) throw new TypeError('not base64url');
  const bin = atob(s + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// ---------------------------------------------------------------------------
// Options: server JSON to what navigator.credentials takes.

type Json = Record<string, unknown>;

export interface PRFValuesJSON {
  first: string;
  second?: string;
}

export interface PRFInputsJSON {
  eval?: PRFValuesJSON;
  evalByCredential?: Record<string, PRFValuesJSON>;
}

/** The parts of PublicKeyCredential (the class) this file uses. */
export interface PublicKeyCredentialStatics {
  parseCreationOptionsFromJSON?: (json: PublicKeyCredentialCreationOptionsJSON) => PublicKeyCredentialCreationOptions;
  parseRequestOptionsFromJSON?: (json: PublicKeyCredentialRequestOptionsJSON) => PublicKeyCredentialRequestOptions;
}

function prfValues(v: PRFValuesJSON): AuthenticationExtensionsPRFValues {
  const out: AuthenticationExtensionsPRFValues = { first: b64urlDecode(v.first) };
  if (v.second !== undefined) out.second = b64urlDecode(v.second);
  return out;
}

/** extensions.prf with its eval.first (and evalByCredential values) as bytes. */
export function prfInputs(prf: PRFInputsJSON): AuthenticationExtensionsPRFInputs {
  const out: AuthenticationExtensionsPRFInputs = {};
  if (prf.eval) out.eval = prfValues(prf.eval);
  if (prf.evalByCredential) {
    const by: Record<string, AuthenticationExtensionsPRFValues> = {};
    // The keys stay base64url credential ids, as WebAuthn wants them.
    for (const [id, v] of Object.entries(prf.evalByCredential)) by[id] = prfValues(v);
    out.evalByCredential = by;
  }
  return out;
}

function extensionsFromJSON(ext: unknown): AuthenticationExtensionsClientInputs | undefined {
  if (!ext || typeof ext !== 'object') return undefined;
  const out: Json = { ...(ext as Json) };
  const prf = (ext as Json).prf;
  if (prf && typeof prf === 'object') out.prf = prfInputs(prf as PRFInputsJSON);
  return out as AuthenticationExtensionsClientInputs;
}

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((d: { id: string; type?: string; transports?: string[] }) => {
    const out: PublicKeyCredentialDescriptor = { type: (d.type ?? 'public-key') as PublicKeyCredentialType, id: b64urlDecode(d.id) };
    if (d.transports) out.transports = d.transports as AuthenticatorTransport[];
    return out;
  });
}

/**
 * The browser's parser may drop an extension it does not know how to read;
 * the PRF input is the point of the ceremony, so put it back by hand.
 */
function keepPRF<T extends { extensions?: AuthenticationExtensionsClientInputs }>(parsed: T, json: { extensions?: unknown }): T {
  const prf = (json.extensions as Json | undefined)?.prf;
  if (prf && typeof prf === 'object') {
    const have = parsed.extensions?.prf as AuthenticationExtensionsPRFInputs | undefined;
    const want = prf as PRFInputsJSON;
    if (!have || (want.eval && !have.eval) || (want.evalByCredential && !have.evalByCredential)) {
      parsed.extensions = { ...(parsed.extensions ?? {}), prf: prfInputs(want) };
    }
  }
  return parsed;
}

/** PublicKeyCredentialCreationOptionsJSON (POST /api/security/passkeys/begin) for navigator.credentials.create. */
export function creationOptions(
  json: PublicKeyCredentialCreationOptionsJSON,
  pkc: PublicKeyCredentialStatics | null = statics(),
): PublicKeyCredentialCreationOptions {
  if (pkc?.parseCreationOptionsFromJSON) return keepPRF(pkc.parseCreationOptionsFromJSON(json), json);
  const j = json as unknown as Json & { user: Json; challenge: string };
  const out: Json = { ...j, challenge: b64urlDecode(j.challenge), user: { ...j.user, id: b64urlDecode(j.user.id as string) } };
  put(out, 'excludeCredentials', descriptors(j.excludeCredentials));
  put(out, 'extensions', extensionsFromJSON(j.extensions));
  return out as unknown as PublicKeyCredentialCreationOptions;
}

/** PublicKeyCredentialRequestOptionsJSON (…/passkey/begin) for navigator.credentials.get. */
export function requestOptions(
  json: PublicKeyCredentialRequestOptionsJSON,
  pkc: PublicKeyCredentialStatics | null = statics(),
): PublicKeyCredentialRequestOptions {
  if (pkc?.parseRequestOptionsFromJSON) return keepPRF(pkc.parseRequestOptionsFromJSON(json), json);
  const j = json as unknown as Json & { challenge: string };
  const out: Json = { ...j, challenge: b64urlDecode(j.challenge) };
  put(out, 'allowCredentials', descriptors(j.allowCredentials));
  put(out, 'extensions', extensionsFromJSON(j.extensions));
  return out as unknown as PublicKeyCredentialRequestOptions;
}

/** Sets out[key] to the decoded value, or leaves the key out when there is none. */
function put(out: Json, key: string, value: unknown): void {
  if (value === undefined) delete out[key];
  else out[key] = value;
}

// ---------------------------------------------------------------------------
// The credential: what navigator.credentials gave to JSON for the server.

/** What this file reads of a PublicKeyCredential (so tests can pass a plain object). */
export interface CredentialLike {
  id: string;
  rawId: ArrayBuffer;
  type: string;
  authenticatorAttachment?: string | null;
  response: {
    clientDataJSON: ArrayBuffer;
    attestationObject?: ArrayBuffer;
    authenticatorData?: ArrayBuffer;
    signature?: ArrayBuffer;
    userHandle?: ArrayBuffer | null;
    getTransports?: () => string[];
    getAuthenticatorData?: () => ArrayBuffer;
    getPublicKey?: () => ArrayBuffer | null;
    getPublicKeyAlgorithm?: () => number;
  };
  getClientExtensionResults: () => AuthenticationExtensionsClientOutputs;
  toJSON?: () => unknown;
}

export interface CredentialJSON {
  id: string;
  rawId: string;
  type: string;
  authenticatorAttachment?: string;
  response: Record<string, unknown>;
  clientExtensionResults: Record<string, unknown>;
}

function bytesOrString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return b64urlEncode(v as ArrayBuffer | ArrayBufferView);
  return undefined;
}

/** clientExtensionResults.prf with results.first (and second) as base64url. */
export function prfOutputsJSON(prf: unknown): Record<string, unknown> | undefined {
  if (!prf || typeof prf !== 'object') return undefined;
  const p = prf as { enabled?: boolean; results?: { first?: unknown; second?: unknown } };
  const out: Record<string, unknown> = {};
  if (typeof p.enabled === 'boolean') out.enabled = p.enabled;
  if (p.results) {
    const results: Record<string, string> = {};
    const first = bytesOrString(p.results.first);
    const second = bytesOrString(p.results.second);
    if (first !== undefined) results.first = first;
    if (second !== undefined) results.second = second;
    out.results = results;
  }
  return out;
}

function extensionResultsJSON(results: AuthenticationExtensionsClientOutputs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(results ?? {})) {
    out[k] = k === 'prf' ? prfOutputsJSON(v) : v;
  }
  return out;
}

function responseJSON(r: CredentialLike['response']): Record<string, unknown> {
  const out: Record<string, unknown> = { clientDataJSON: b64urlEncode(r.clientDataJSON) };
  if (r.attestationObject) {
    out.attestationObject = b64urlEncode(r.attestationObject);
    const authData = r.getAuthenticatorData?.();
    if (authData) out.authenticatorData = b64urlEncode(authData);
    out.transports = r.getTransports?.() ?? [];
    const pub = r.getPublicKey?.();
    if (pub) out.publicKey = b64urlEncode(pub);
    const alg = r.getPublicKeyAlgorithm?.();
    if (typeof alg === 'number') out.publicKeyAlgorithm = alg;
  } else {
    if (r.authenticatorData) out.authenticatorData = b64urlEncode(r.authenticatorData);
    if (r.signature) out.signature = b64urlEncode(r.signature);
    out.userHandle = r.userHandle ? b64urlEncode(r.userHandle) : null;
  }
  return out;
}

/**
 * The credential as JSON for the server: toJSON() when the browser has it,
 * else by hand. Either way the PRF output is taken from
 * getClientExtensionResults() and written as base64url, since a browser's
 * toJSON() may leave it out or keep it as bytes.
 */
export function credentialJSON(cred: CredentialLike): CredentialJSON {
  let out: CredentialJSON;
  if (typeof cred.toJSON === 'function') {
    out = { ...(cred.toJSON() as CredentialJSON) };
    out.clientExtensionResults = { ...(out.clientExtensionResults ?? {}) };
  } else {
    out = {
      id: cred.id,
      rawId: b64urlEncode(cred.rawId),
      type: cred.type,
      response: responseJSON(cred.response),
      clientExtensionResults: {},
    };
    if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
  }
  const results = extensionResultsJSON(cred.getClientExtensionResults());
  for (const [k, v] of Object.entries(results)) {
    if (k === 'prf' || !(k in out.clientExtensionResults)) out.clientExtensionResults[k] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Running a ceremony in this page.

function statics(): PublicKeyCredentialStatics | null {
  const g = globalThis as { PublicKeyCredential?: PublicKeyCredentialStatics };
  return g.PublicKeyCredential ?? null;
}

/**
 * Whether this page can run a WebAuthn ceremony itself. The desktop window
 * (WebKitGTK) cannot: it asks Ward to run it in the system browser. Whether
 * the authenticator gives PRF output is only known after a ceremony (the
 * server answers no_prf).
 */
export function canDoPasskeysHere(win: unknown = globalThis): boolean {
  const w = win as { PublicKeyCredential?: unknown; navigator?: { credentials?: unknown } } | null;
  return !!w && typeof w.PublicKeyCredential === 'function' && !!w.navigator?.credentials;
}

/**
 * Whether a ceremony error means the person stopped it (or it timed out):
 * WebAuthn gives NotAllowedError for both, and AbortError when the page aborts.
 */
export function isCancelled(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'NotAllowedError' || name === 'AbortError';
}

/** What the page passes for navigator.credentials (a stand-in in tests). */
export interface CredentialsContainerLike {
  create(options: CredentialCreationOptions): Promise<Credential | null>;
  get(options: CredentialRequestOptions): Promise<Credential | null>;
}

function container(): CredentialsContainerLike {
  return navigator.credentials;
}

/** navigator.credentials.get with the server's request options; the assertion as JSON. */
export async function getAssertion(
  publicKey: PublicKeyCredentialRequestOptionsJSON,
  creds: CredentialsContainerLike = container(),
  pkc: PublicKeyCredentialStatics | null = statics(),
): Promise<CredentialJSON> {
  const cred = await creds.get({ publicKey: requestOptions(publicKey, pkc) });
  if (!cred) throw new DOMException('No passkey was chosen.', 'NotAllowedError');
  return credentialJSON(cred as unknown as CredentialLike);
}

/** navigator.credentials.create with the server's creation options; the new credential as JSON. */
export async function createCredential(
  publicKey: PublicKeyCredentialCreationOptionsJSON,
  creds: CredentialsContainerLike = container(),
  pkc: PublicKeyCredentialStatics | null = statics(),
): Promise<CredentialJSON> {
  const cred = await creds.create({ publicKey: creationOptions(publicKey, pkc) });
  if (!cred) throw new DOMException('No passkey was made.', 'NotAllowedError');
  return credentialJSON(cred as unknown as CredentialLike);
}

/** The message for a ceremony the person cancelled on the unlock page. */
export const UNLOCK_CANCELLED = 'Face or fingerprint unlock was cancelled. Try again, or use your password.';
