import { describe, expect, it } from 'vitest';
import { hasMore, navModel, showNav, MORE, PERSISTENT, type NavContext } from './nav';
import { parseHash } from './router';
import type { LockMode } from './vault';

function ctx(hash: string, over: Partial<NavContext> = {}): NavContext {
  return { route: parseHash(hash), mode: 'unlocked', keyShowing: false, shareKeys: null, sharesPage: false, ...over };
}

describe('showNav', () => {
  const cases: Array<[string, string, Partial<NavContext>, boolean]> = [
    ['open record', '#/', {}, true],
    ['demo (no lock)', '#/results', { mode: 'off' }, true],
    ['asking the server', '#/', { mode: 'pending' }, false],
    ['setting up', '#/setup', { mode: 'none' }, false],
    ['no vault yet, help page', '#/help', { mode: 'none' }, false],
    ['locked', '#/unlock', { mode: 'locked' }, false],
    ['locked, help page', '#/help', { mode: 'locked' }, false],
    ['unlock page while open (about to redirect)', '#/unlock?next=%2Fresults', {}, false],
    ['recovery key showing on set-up', '#/setup', { keyShowing: true }, false],
    ['recovery key showing, another link followed', '#/results', { keyShowing: true }, false],
    ['sign-in page', '#/sign-in', { mode: 'off' }, false],
    ['sign-up page', '#/sign-up', { mode: 'off' }, false],
    ['account set-up page', '#/activate', { mode: 'off' }, false],
    ['forgotten password page', '#/forgot', { mode: 'off' }, false],
    ["clinician's start page", '#/share', { mode: 'off' }, false],
    ['clinician viewing a share', '#/results', { mode: 'off', shareKeys: new Set(['home', 'results']) }, true],
    ['page not found, open record', '#/nope', {}, true],
  ];
  it.each(cases)('%s', (_, hash, over, want) => {
    expect(showNav(ctx(hash, over))).toBe(want);
    expect(navModel(ctx(hash, over)) !== null).toBe(want);
  });

  it('hides the menu in every mode but off and unlocked', () => {
    const modes: LockMode[] = ['pending', 'off', 'none', 'locked', 'unlocked'];
    expect(modes.filter((mode) => showNav(ctx('#/', { mode })))).toEqual(['off', 'unlocked']);
  });
});

describe('navModel', () => {
  it('has exactly five persistent items, in the page headings’ words', () => {
    const nav = navModel(ctx('#/'))!;
    expect(nav.items.map((i) => i.text)).toEqual(['Home', 'Test results', 'Appointments', 'Letters', 'Health summary']);
    expect(nav.items.map((i) => i.href)).toEqual(['#/', '#/results', '#/visits', '#/documents', '#/health']);
    // Phones: Appointments still in the header; Letters and Health summary under More.
    expect(nav.items.filter((i) => !i.phoneHidden).map((i) => i.text)).toEqual(['Home', 'Test results', 'Appointments']);
    expect(PERSISTENT.length).toBeLessThanOrEqual(5);
  });

  it('puts everything else under More, Sharing only when its page exists', () => {
    expect(navModel(ctx('#/'))!.more.map((i) => i.text)).toEqual([
      'Timeline',
      'Your details',
      'What you can see',
      'Other records',
      'Add records from a file',
      'Security settings',
      'Help',
    ]);
    expect(navModel(ctx('#/', { sharesPage: true }))!.more.map((i) => i.key)).toContain('shares');
    // No page is in both places.
    const keys = [...PERSISTENT, ...MORE].map((i) => i.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  const current: Array<[string, string | null, 'always' | 'phone' | null]> = [
    ['#/', 'home', null],
    ['#/results', 'results', null],
    ['#/results/r-1', 'results', null],
    ['#/tests/loinc%7C1', 'results', null],
    ['#/visits', 'visits', null],
    ['#/documents', 'documents', 'phone'],
    ['#/documents/d-1', 'documents', 'phone'],
    ['#/health', 'health', 'phone'],
    ['#/timeline', 'timeline', 'always'],
    ['#/security', 'security', 'always'],
    ['#/other/Claim', 'other', 'always'],
    ['#/help?section=urgent', 'help', 'always'],
    ['#/share-record', 'shares', 'always'],
    ['#/search?q=x', null, null],
    ['#/nope', null, null],
  ];
  it.each(current)('%s: current %s, More marked %s', (hash, key, moreCurrent) => {
    const nav = navModel(ctx(hash, { sharesPage: true }))!;
    const marked = [...nav.items, ...nav.more].filter((i) => i.current).map((i) => i.key);
    expect(marked).toEqual(key ? [key] : []);
    expect(nav.moreCurrent).toBe(moreCurrent);
  });

  it('shows a clinician only the shared sections’ links', () => {
    const nav = navModel(ctx('#/results', { mode: 'off', shareKeys: new Set(['home', 'results', 'health']), sharesPage: true }))!;
    expect(nav.items.map((i) => i.key)).toEqual(['home', 'results', 'health']);
    expect(nav.items.map((i) => i.phoneHidden)).toEqual([false, false, false]);
    expect(nav.more).toEqual([]);
    expect(hasMore(nav)).toBe(false);
  });

  it('gives a clinician the More pages the whole record shares', () => {
    const keys = new Set(['home', 'results', 'health', 'visits', 'documents', 'timeline', 'search', 'details', 'other']);
    const nav = navModel(ctx('#/details', { mode: 'off', shareKeys: keys }))!;
    expect(nav.more.map((i) => i.key)).toEqual(['timeline', 'details', 'other']);
    expect(nav.moreCurrent).toBe('always');
    expect(hasMore(nav)).toBe(true);
  });

  it('has a More button whenever something is only under it', () => {
    expect(hasMore(navModel(ctx('#/'))!)).toBe(true);
    // Only the phone-hidden items: still a More button, for phones.
    const nav = navModel(ctx('#/', { mode: 'off', shareKeys: new Set(['home', 'results', 'visits', 'documents']) }))!;
    expect(nav.more).toEqual([]);
    expect(hasMore(nav)).toBe(true);
  });
});
