import { describe, expect, it } from 'vitest';
import {
  b64urlDecode,
  b64urlEncode,
  canDoPasskeysHere,
  createCredential,
  creationOptions,
  credentialJSON,
  getAssertion,
  isCancelled,
  prfOutputsJSON,
  requestOptions,
  type CredentialLike,
  type CredentialsContainerLike,
  type PublicKeyCredentialStatics,
} from './passkey';

const bytes = (...b: number[]) => new Uint8Array(b);
const buf = (...b: number[]) => bytes(...b).buffer;
const text = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;

describe('b64urlEncode and b64urlDecode', () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['nothing', bytes(), ''],
    ['one byte (no padding)', bytes(0x66), 'Zg'],
    ['two bytes', bytes(0x66, 0x6f), 'Zm8'],
    ['three bytes', bytes(0x66, 0x6f, 0x6f), 'Zm9v'],
    ['"hello"', new TextEncoder().encode('hello'), 'aGVsbG8'],
    ['- and _ for + and /', bytes(0xfb, 0xff, 0xbf), '-_-_'],
    ['every value of a byte survives', Uint8Array.from({ length: 256 }, (_, i) => i), ''],
  ];
  it.each(cases)('%s', (_, data, want) => {
    const enc = b64urlEncode(data);
    if (want) expect(enc).toBe(want);
    expect(enc).not.toMatch(/[+/=]/);
    expect(Array.from(b64urlDecode(enc))).toEqual(Array.from(data));
  });

  it('encodes an ArrayBuffer and a view of part of one alike', () => {
    const whole = bytes(1, 2, 3, 4, 5);
    expect(b64urlEncode(whole.buffer)).toBe(b64urlEncode(whole));
    expect(b64urlEncode(new Uint8Array(whole.buffer, 1, 3))).toBe(b64urlEncode(bytes(2, 3, 4)));
  });

  const lenient: Array<[string, string, number[]]> = [
    ['padded base64url', 'Zg==', [0x66]],
    ['plain base64 with + and /', '+/+/', [0xfb, 0xff, 0xbf]],
  ];
  it.each(lenient)('decodes %s', (_, s, want) => {
    expect(Array.from(b64urlDecode(s))).toEqual(want);
  });

  const bad: Array<[string, unknown]> = [
    ['a space', 'ab cd'],
    ['a dot', 'ab.c'],
    ['an impossible length', 'abcde'],
    ['not a string', 42],
  ];
  it.each(bad)('refuses %s', (_, s) => {
    expect(() => b64urlDecode(s as string)).toThrow(TypeError);
  });
});

// What the server sends (docs/api.md): binary fields as base64url.
const creationJSON = {
  rp: { name: 'Ward', id: 'localhost' },
  user: { id: 'AQID', name: 'ward', displayName: 'Your record' },
  challenge: 'BAUG',
  pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  authenticatorSelection: { userVerification: 'required', residentKey: 'preferred' },
  excludeCredentials: [{ type: 'public-key', id: 'CQo', transports: ['internal'] }],
  extensions: { prf: { eval: { first: 'BwgJ' } }, credProps: true },
} as unknown as PublicKeyCredentialCreationOptionsJSON;

const requestJSON = {
  challenge: 'BAUG',
  rpId: 'localhost',
  userVerification: 'required',
  allowCredentials: [{ type: 'public-key', id: 'CQo' }, { type: 'public-key', id: 'Cws' }],
  extensions: { prf: { evalByCredential: { CQo: { first: 'BwgJ' }, Cws: { first: 'AAA', second: 'AQ' } } } },
} as unknown as PublicKeyCredentialRequestOptionsJSON;

const arr = (v: unknown) => Array.from(new Uint8Array(v as ArrayBuffer));

describe('creationOptions', () => {
  it('decodes the binary fields by hand when the browser has no parser', () => {
    const o = creationOptions(creationJSON, null);
    expect(arr(o.challenge)).toEqual([4, 5, 6]);
    expect(arr(o.user.id)).toEqual([1, 2, 3]);
    expect(o.user.name).toBe('ward');
    expect(o.rp).toEqual({ name: 'Ward', id: 'localhost' });
    expect(o.excludeCredentials!.map((d) => [d.type, arr(d.id), d.transports])).toEqual([['public-key', [9, 10], ['internal']]]);
    expect(arr(o.extensions!.prf!.eval!.first)).toEqual([7, 8, 9]);
    expect(o.extensions!.credProps).toBe(true);
    expect(o.authenticatorSelection).toEqual({ userVerification: 'required', residentKey: 'preferred' });
  });

  const cases: Array<[string, PublicKeyCredentialStatics, number[] | null]> = [
    [
      "the browser's parser, which keeps the PRF input",
      { parseCreationOptionsFromJSON: (j) => ({ ...creationOptions(j, null), rp: { name: 'parsed' } }) },
      [7, 8, 9],
    ],
    [
      "the browser's parser, which drops the PRF input: put back",
      {
        parseCreationOptionsFromJSON: (j) => {
          const o = creationOptions(j, null);
          o.extensions = { credProps: true };
          return { ...o, rp: { name: 'parsed' } };
        },
      },
      [7, 8, 9],
    ],
  ];
  it.each(cases)('uses %s', (_, pkc, prf) => {
    const o = creationOptions(creationJSON, pkc);
    expect(o.rp.name).toBe('parsed');
    expect(arr(o.extensions!.prf!.eval!.first)).toEqual(prf);
    expect(o.extensions!.credProps).toBe(true);
  });

  it('leaves out what the server left out', () => {
    const { excludeCredentials: _e, extensions: _x, ...plain } = creationJSON as unknown as Record<string, unknown>;
    const o = creationOptions(plain as unknown as PublicKeyCredentialCreationOptionsJSON, null);
    expect('excludeCredentials' in o).toBe(false);
    expect('extensions' in o).toBe(false);
  });

  it('throws on a broken challenge', () => {
    expect(() => creationOptions({ ...creationJSON, challenge: 'a b' }, null)).toThrow(TypeError);
  });
});

describe('requestOptions', () => {
  const viaParser: PublicKeyCredentialStatics = {
    parseRequestOptionsFromJSON: (j) => {
      const o = requestOptions(j, null);
      delete o.extensions;
      return { ...o, rpId: 'parsed' };
    },
  };
  const cases: Array<[string, PublicKeyCredentialStatics | null, string]> = [
    ['by hand', null, 'localhost'],
    ["with the browser's parser (PRF put back)", viaParser, 'parsed'],
  ];
  it.each(cases)('%s', (_, pkc, rpId) => {
    const o = requestOptions(requestJSON, pkc);
    expect(o.rpId).toBe(rpId);
    expect(arr(o.challenge)).toEqual([4, 5, 6]);
    expect(o.userVerification).toBe('required');
    expect(o.allowCredentials!.map((d) => arr(d.id))).toEqual([[9, 10], [11, 11]]);
    const by = o.extensions!.prf!.evalByCredential!;
    // Keys stay base64url credential ids; values become bytes.
    expect(Object.keys(by)).toEqual(['CQo', 'Cws']);
    expect(arr(by.CQo.first)).toEqual([7, 8, 9]);
    expect(arr(by.Cws.first)).toEqual([0, 0]);
    expect(arr(by.Cws.second)).toEqual([1]);
  });
});

const PRF = buf(...Array.from({ length: 32 }, (_, i) => i));
const PRF_B64 = b64urlEncode(PRF);

function attestation(ext: AuthenticationExtensionsClientOutputs, toJSON?: () => unknown): CredentialLike {
  return {
    id: 'CQo',
    rawId: buf(9, 10),
    type: 'public-key',
    authenticatorAttachment: 'platform',
    response: {
      clientDataJSON: text('{"type":"webauthn.create"}'),
      attestationObject: buf(1, 2),
      getTransports: () => ['internal'],
      getAuthenticatorData: () => buf(3, 4),
      getPublicKey: () => buf(5),
      getPublicKeyAlgorithm: () => -7,
    },
    getClientExtensionResults: () => ext,
    toJSON,
  };
}

function assertion(ext: AuthenticationExtensionsClientOutputs, userHandle: ArrayBuffer | null = buf(1, 2, 3)): CredentialLike {
  return {
    id: 'CQo',
    rawId: buf(9, 10),
    type: 'public-key',
    authenticatorAttachment: null,
    response: {
      clientDataJSON: text('{"type":"webauthn.get"}'),
      authenticatorData: buf(3, 4),
      signature: buf(6, 7),
      userHandle,
    },
    getClientExtensionResults: () => ext,
  };
}

describe('credentialJSON', () => {
  it('writes a new credential by hand, PRF output as base64url', () => {
    const j = credentialJSON(attestation({ prf: { enabled: true, results: { first: PRF } }, credProps: { rk: true } }));
    expect(j).toEqual({
      id: 'CQo',
      rawId: 'CQo',
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64urlEncode(text('{"type":"webauthn.create"}')),
        attestationObject: 'AQI',
        authenticatorData: 'AwQ',
        transports: ['internal'],
        publicKey: 'BQ',
        publicKeyAlgorithm: -7,
      },
      clientExtensionResults: { prf: { enabled: true, results: { first: PRF_B64 } }, credProps: { rk: true } },
    });
  });

  const assertions: Array<[string, CredentialLike, unknown, Record<string, unknown>]> = [
    ['an assertion with PRF output', assertion({ prf: { results: { first: PRF } } }), 'AQID', { prf: { results: { first: PRF_B64 } } }],
    ['an assertion without a user handle or PRF', assertion({}, null), null, {}],
    [
      'both PRF outputs',
      assertion({ prf: { results: { first: PRF, second: buf(1) } } }),
      'AQID',
      { prf: { results: { first: PRF_B64, second: 'AQ' } } },
    ],
  ];
  it.each(assertions)('writes %s by hand', (_, cred, userHandle, ext) => {
    const j = credentialJSON(cred);
    expect(j.rawId).toBe('CQo');
    expect(j.response).toEqual({
      clientDataJSON: b64urlEncode(text('{"type":"webauthn.get"}')),
      authenticatorData: 'AwQ',
      signature: 'Bgc',
      userHandle,
    });
    expect(j.clientExtensionResults).toEqual(ext);
    expect('authenticatorAttachment' in j).toBe(false);
  });

  const native = { id: 'CQo', rawId: 'CQo', type: 'public-key', response: { clientDataJSON: 'e30' } };
  const viaToJSON: Array<[string, unknown, AuthenticationExtensionsClientOutputs, Record<string, unknown>]> = [
    ['toJSON() that leaves the PRF output out', { ...native, clientExtensionResults: {} }, { prf: { results: { first: PRF } } }, { prf: { results: { first: PRF_B64 } } }],
    ['toJSON() with no clientExtensionResults at all', native, { prf: { results: { first: PRF } } }, { prf: { results: { first: PRF_B64 } } }],
    [
      'toJSON() that writes it already (kept as base64url)',
      { ...native, clientExtensionResults: { prf: { results: { first: PRF_B64 } }, credProps: { rk: true } } },
      { prf: { results: { first: PRF } }, credProps: { rk: false } },
      { prf: { results: { first: PRF_B64 } }, credProps: { rk: true } },
    ],
    ['toJSON() of an authenticator without PRF', { ...native, clientExtensionResults: {} }, { prf: { enabled: false } }, { prf: { enabled: false } }],
  ];
  it.each(viaToJSON)('uses %s', (_, json, ext, want) => {
    const j = credentialJSON(attestation(ext, () => json));
    expect(j.response).toEqual({ clientDataJSON: 'e30' });
    expect(j.clientExtensionResults).toEqual(want);
  });
});

describe('prfOutputsJSON', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['nothing', undefined, undefined],
    ['enabled only', { enabled: true }, { enabled: true }],
    ['bytes as a view', { results: { first: bytes(1, 2) } }, { results: { first: 'AQI' } }],
    ['already a string', { results: { first: 'AQI' } }, { results: { first: 'AQI' } }],
    ['results without bytes', { results: {} }, { results: {} }],
  ];
  it.each(cases)('%s', (_, prf, want) => {
    expect(prfOutputsJSON(prf)).toEqual(want);
  });
});

describe('canDoPasskeysHere', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['a browser with WebAuthn', { PublicKeyCredential: function () {}, navigator: { credentials: {} } }, true],
    ['the desktop window (WebKitGTK: no PublicKeyCredential)', { navigator: { credentials: {} } }, false],
    ['PublicKeyCredential that is not a class', { PublicKeyCredential: {}, navigator: { credentials: {} } }, false],
    ['no navigator.credentials', { PublicKeyCredential: function () {}, navigator: {} }, false],
    ['nothing at all', null, false],
  ];
  it.each(cases)('%s', (_, win, want) => {
    expect(canDoPasskeysHere(win)).toBe(want);
  });
  it('is false under Node (no window)', () => {
    expect(canDoPasskeysHere()).toBe(false);
  });
});

describe('isCancelled', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['NotAllowedError (cancelled or timed out)', new DOMException('no', 'NotAllowedError'), true],
    ['AbortError', new DOMException('no', 'AbortError'), true],
    ['InvalidStateError (already registered)', new DOMException('no', 'InvalidStateError'), false],
    ['a TypeError', new TypeError('x'), false],
    ['null', null, false],
  ];
  it.each(cases)('%s', (_, err, want) => {
    expect(isCancelled(err)).toBe(want);
  });
});

describe('getAssertion and createCredential', () => {
  function fake(cred: CredentialLike | null): CredentialsContainerLike & { seen: unknown[] } {
    const seen: unknown[] = [];
    return {
      seen,
      create: async (o) => (seen.push(o), cred as unknown as Credential),
      get: async (o) => (seen.push(o), cred as unknown as Credential),
    };
  }

  it('get: decoded options in, JSON with the PRF output out', async () => {
    const c = fake(assertion({ prf: { results: { first: PRF } } }));
    const j = await getAssertion(requestJSON, c, null);
    const o = (c.seen[0] as CredentialRequestOptions).publicKey!;
    expect(arr(o.challenge)).toEqual([4, 5, 6]);
    expect((j.clientExtensionResults.prf as { results: { first: string } }).results.first).toBe(PRF_B64);
  });

  it('create: decoded options in, JSON out', async () => {
    const c = fake(attestation({ prf: { enabled: true } }));
    const j = await createCredential(creationJSON, c, null);
    const o = (c.seen[0] as CredentialCreationOptions).publicKey!;
    expect(arr(o.user.id)).toEqual([1, 2, 3]);
    expect(j.response.attestationObject).toBe('AQI');
  });

  it('no credential counts as cancelled', async () => {
    await expect(getAssertion(requestJSON, fake(null), null)).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(createCredential(creationJSON, fake(null), null)).rejects.toMatchObject({ name: 'NotAllowedError' });
  });
});
