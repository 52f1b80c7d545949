import { describe, expect, it } from 'vitest';
import type { Vault } from './api';
import type { Route } from './router';
import { unlockFailure } from './api';
import {
  autoLockText,
  countdownAnnouncement,
  countdownText,
  idleLockText,
  modeFromVault,
  needsRecord,
  redirectFor,
  showLockButton,
  triesWarning,
  waitText,
  type LockMode,
} from './vault';

const vault = (v: Partial<Vault>): Vault => ({ state: 'locked', demo: false, autoLockMinutes: 15, canRecover: true, ...v });

describe('modeFromVault', () => {
  const cases: Array<[string, Vault | null, LockMode]> = [
    ['no answer (older backend, 404)', null, 'off'],
    ['demo, locked', vault({ demo: true, state: 'locked' }), 'off'],
    ['demo, unlocked', vault({ demo: true, state: 'unlocked' }), 'off'],
    ['demo, none', vault({ demo: true, state: 'none' }), 'off'],
    ['locked', vault({ state: 'locked' }), 'locked'],
    ['unlocked', vault({ state: 'unlocked' }), 'unlocked'],
    ['no vault yet', vault({ state: 'none' }), 'none'],
    ['an unknown state is treated as locked', vault({ state: 'sealed' as Vault['state'] }), 'locked'],
  ];
  it.each(cases)('%s', (_, v, want) => {
    expect(modeFromVault(v)).toBe(want);
  });
});

describe('redirectFor', () => {
  const home: Route = { name: 'home' };
  const results: Route = { name: 'results' };
  const report: Route = { name: 'report', id: 'r 1' };
  const help: Route = { name: 'help' };
  const notFound: Route = { name: 'not-found', path: '/x' };
  const unlock: Route = { name: 'unlock', next: '/results/r-1' };
  const unlockHome: Route = { name: 'unlock', next: '/' };
  const setup: Route = { name: 'setup' };

  const cases: Array<[LockMode, Route, string | null]> = [
    // still asking: show nothing from the record, redirect nowhere yet
    ['pending', home, null],
    ['pending', unlock, null],
    ['pending', setup, null],
    // no lock UI: pages as before; the unlock page is not there
    ['off', home, null],
    ['off', report, null],
    ['off', unlock, '#/results/r-1'],
    ['off', unlockHome, '#/'],
    ['off', setup, '#/'],
    // unlocked: the record; the unlock page sends you on
    ['unlocked', home, null],
    ['unlocked', results, null],
    ['unlocked', help, null],
    ['unlocked', unlock, '#/results/r-1'],
    ['unlocked', unlockHome, '#/'],
    // set up and unlocked (Continue on the recovery key page, or a reload): add records next
    ['unlocked', setup, '#/import'],
    // locked: record pages go to unlock, remembering where they were
    ['locked', home, '#/unlock'],
    ['locked', results, '#/unlock?next=%2Fresults'],
    ['locked', report, '#/unlock?next=%2Fresults%2Fr%25201'],
    ['locked', help, null],
    ['locked', notFound, null],
    ['locked', unlock, null],
    // already set up: the set-up page is no use, unlock instead
    ['locked', setup, '#/unlock'],
    // no vault yet: record pages and the unlock page go to the set-up page
    ['none', home, '#/setup'],
    ['none', results, '#/setup'],
    ['none', report, '#/setup'],
    ['none', unlock, '#/setup'],
    ['none', unlockHome, '#/setup'],
    ['none', setup, null],
    ['none', help, null],
    ['none', notFound, null],
  ];
  it.each(cases)('%s %j -> %j', (mode, route, want) => {
    expect(redirectFor(route, mode)).toBe(want);
  });

  it('needsRecord', () => {
    expect([home, results, report, help, notFound, unlock, setup].map(needsRecord)).toEqual([true, true, true, false, false, false, false]);
    const record: Route[] = [
      { name: 'test', key: 'k' },
      { name: 'health' },
      { name: 'visits' },
      { name: 'documents' },
      { name: 'document', id: 'd' },
      { name: 'details' },
      { name: 'about' },
      { name: 'search', q: 'x' },
      { name: 'timeline' },
      { name: 'other' },
      { name: 'other-type', type: 'Claim' },
      { name: 'import' },
    ];
    for (const r of record) {
      expect(needsRecord(r), r.name).toBe(true);
      expect(redirectFor(r, 'locked'), r.name).toMatch(/^#\/unlock\?next=/);
    }
  });
});

describe('showLockButton', () => {
  const cases: Array<[LockMode, boolean]> = [
    ['pending', false],
    ['off', false],
    ['none', false],
    ['locked', false],
    ['unlocked', true],
  ];
  it.each(cases)('%s', (mode, want) => expect(showLockButton(mode)).toBe(want));
});

describe('autoLockText', () => {
  const cases: Array<[number | null | undefined, string]> = [
    [15, 'Ward locks your record after 15 minutes without use.'],
    [1, 'Ward locks your record after 1 minute without use.'],
    [0, ''],
    [-5, ''],
    [Number.NaN, ''],
    [null, ''],
    [undefined, ''],
  ];
  it.each(cases)('%j', (n, want) => expect(autoLockText(n)).toBe(want));
});

describe('idleLockText', () => {
  const cases: Array<[number, string]> = [
    [15, 'Ward locked your record because it was not used for 15 minutes'],
    [1, 'Ward locked your record because it was not used for 1 minute'],
    [0.4, 'Ward locked your record because it was not used for 1 minute'],
  ];
  it.each(cases)('%j', (n, want) => expect(idleLockText(n)).toBe(want));
});

describe('waitText', () => {
  it.each([
    [0, '0 seconds'],
    [1, '1 second'],
    [0.2, '1 second'],
    [30, '30 seconds'],
    [60, '1 minute'],
    [61, '1 minute 1 second'],
    [252, '4 minutes 12 seconds'],
    [900, '15 minutes'],
    [3600, '1 hour'],
    [3900, '1 hour 5 minutes'],
    [-5, '0 seconds'],
  ])('%s seconds: %s', (s, want) => expect(waitText(s)).toBe(want));
});

describe('countdownText', () => {
  it.each([
    [252, 'Try again in 4 minutes 12 seconds'],
    [1, 'Try again in 1 second'],
    [0, 'You can try again now'],
  ])('%s', (s, want) => expect(countdownText(s)).toBe(want));
});

describe('countdownAnnouncement', () => {
  it.each([
    [3600, 'You can try again in about 60 minutes.'],
    [301, 'You can try again in about 6 minutes.'],
    [300, 'You can try again in about 5 minutes.'],
    [61, 'You can try again in about 2 minutes.'],
    [60, 'You can try again in less than a minute.'],
    [5, 'You can try again in less than a minute.'],
    [0, 'You can try again now.'],
  ])('%s seconds: %s', (s, want) => expect(countdownAnnouncement(s)).toBe(want));

  it('changes once a minute, not every second', () => {
    const said = new Set<string>();
    for (let s = 300; s >= 0; s--) said.add(countdownAnnouncement(s));
    // about 5, 4, 3, 2 minutes, less than a minute, now
    expect(said.size).toBe(6);
  });
});

describe('triesWarning', () => {
  it.each([
    [1, 30, 'You have 1 more try before Ward makes you wait 30 seconds.'],
    [2, 30, 'You have 2 more tries before Ward makes you wait 30 seconds.'],
    [1, 900, 'You have 1 more try before Ward makes you wait 15 minutes.'],
    [0, 60, 'If the next one is wrong too, Ward will make you wait 1 minute before you can try again.'],
    [1, undefined, 'You have 1 more try before Ward makes you wait.'],
    [3, 30, ''],
    [undefined, 30, ''],
  ])('%s tries left, then %s seconds', (left, wait, want) => expect(triesWarning(left, wait)).toBe(want));
});

describe('unlockFailure: tries left', () => {
  it('reads triesLeft and nextWaitSeconds from a wrong password', () => {
    const f = unlockFailure('password', 401, { error: { code: 'wrong_password', message: 'That password is not right.', triesLeft: 1, nextWaitSeconds: 30 } });
    expect([f.triesLeft, f.nextWaitSeconds]).toEqual([1, 30]);
  });
  it.each([
    ['an older server says nothing', { error: { code: 'wrong_password', message: 'x' } }],
    ['not a count', { error: { code: 'wrong_password', message: 'x', triesLeft: -1, nextWaitSeconds: 30 } }],
    ['not a whole number', { error: { code: 'wrong_password', message: 'x', triesLeft: 1.5 } }],
  ])('none when %s', (_name, body) => {
    expect(unlockFailure('password', 401, body).triesLeft).toBeUndefined();
  });
  it('none on a wait (429), which says how long instead', () => {
    const f = unlockFailure('password', 429, { error: { code: 'too_many_attempts', message: 'Wait.', retryAfterSeconds: 30, triesLeft: 0 } });
    expect(f.triesLeft).toBeUndefined();
    expect(f.retryAfterSeconds).toBe(30);
  });
});
