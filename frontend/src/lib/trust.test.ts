import { describe, expect, it } from 'vitest';
import { brandText, keptSafeText, nhsRelationText, type Protection } from './trust';

describe('brandText', () => {
  const cases: Array<[string, Parameters<typeof brandText>[0], string]> = [
    ['the organisation', { organisation: { name: 'Demo Hospital NHS Foundation Trust', helpdesk: null } }, 'Demo Hospital NHS Foundation Trust — your hospital record'],
    ['trimmed', { organisation: { name: '  Example Health Trust ', helpdesk: null } }, 'Example Health Trust — your hospital record'],
    ['blank name', { organisation: { name: '   ', helpdesk: null } }, 'Ward'],
    ['no organisation', { organisation: null }, 'Ward'],
    ['no config yet', null, 'Ward'],
  ];
  it.each(cases)('%s', (_, config, want) => {
    expect(brandText(config)).toBe(want);
  });

  it('never names the NHS as its own brand without an organisation', () => {
    expect(brandText(null)).not.toMatch(/NHS/);
  });
});

describe('keptSafeText', () => {
  const cases: Array<[Protection, RegExp[]]> = [
    [{ kind: 'vault', minutes: 15 }, [/encrypted on this computer/, /^Ward locks your record after 15 minutes without use\.$/, /select Lock at the top/]],
    [{ kind: 'vault', minutes: 1 }, [/encrypted on this computer/, /after 1 minute without use/, /Lock/]],
    [{ kind: 'vault', minutes: null }, [/encrypted on this computer/, /not been used for a while/, /Lock/]],
    [{ kind: 'accounts', minutes: 30 }, [/encrypted on this server/, /signs you out after 30 minutes without use/, /select Sign out/]],
    [{ kind: 'accounts', minutes: 0 }, [/encrypted on this server/, /not used it for a while/, /Sign out/]],
    [{ kind: 'demo' }, [/demonstration with a made-up record/, /encrypted/]],
  ];
  it.each(cases)('%j', (p, want) => {
    const lines = keptSafeText(p);
    expect(lines).toHaveLength(want.length);
    lines.forEach((line, i) => expect(line).toMatch(want[i]));
  });

  it('says nothing it does not know', () => {
    expect(keptSafeText({ kind: 'unknown' })).toEqual([]);
  });

  it('never promises a lock in the demo or on an accounts server', () => {
    expect(keptSafeText({ kind: 'demo' }).join(' ')).toMatch(/does not lock/);
    expect(keptSafeText({ kind: 'accounts', minutes: 15 }).join(' ')).not.toMatch(/Lock at the top/);
  });
});

describe('nhsRelationText', () => {
  const cases: Array<[string | null, boolean, string]> = [
    [
      'Demo Hospital NHS Foundation Trust',
      false,
      'Ward is open-source software. It is not an NHS service. Demo Hospital NHS Foundation Trust chose to offer it; the records come from them.',
    ],
    [null, false, 'Ward is open-source software. It is not an NHS service. The records in it come from the organisations that share them with you.'],
    [' ', false, 'Ward is open-source software. It is not an NHS service. The records in it come from the organisations that share them with you.'],
    ['Demo Hospital NHS Foundation Trust', true, 'Ward is open-source software. It is not an NHS service. In this demonstration the organisation and the records are made up.'],
  ];
  it.each(cases)('%j demo=%j', (org, demo, want) => {
    expect(nhsRelationText(org, demo)).toBe(want);
  });
});
