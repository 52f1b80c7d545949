import { describe, expect, it } from 'vitest';
import { href, isAccountRoute, pageTitle, parseHash, routeTitle, safeNext, section, signInHref, unlockHref, watchRoute, type Route } from './router';

describe('parseHash', () => {
  const cases: Array<[string, Route]> = [
    ['', { name: 'home' }],
    ['#', { name: 'home' }],
    ['#/', { name: 'home' }],
    ['/', { name: 'home' }],
    ['#/results', { name: 'results' }],
    ['#/results/', { name: 'results' }],
    ['#results', { name: 'results' }],
    ['#/results?sort=new', { name: 'results' }],
    ['#/results?view=date', { name: 'results', view: 'date' }],
    ['#/results?view=date&outside=1', { name: 'results', view: 'date', outside: true }],
    ['#/results?outside=1', { name: 'results', outside: true }],
    ['#/results?view=sideways&outside=yes', { name: 'results' }],
    ['#/results/r-123', { name: 'report', id: 'r-123' }],
    ['#/results/r-123/', { name: 'report', id: 'r-123' }],
    ['#/results/a%2Fb%20c', { name: 'report', id: 'a/b c' }],
    ['#/results/%E0%A4%A', { name: 'report', id: '%E0%A4%A' }],
    ['#/help', { name: 'help' }],
    ['#/help/', { name: 'help' }],
    ['#/help?section=urgent', { name: 'help', section: 'urgent' }],
    ['#/help?section=other', { name: 'help' }],
    ['#/nope', { name: 'not-found', path: '/nope' }],
    ['#/help/more', { name: 'not-found', path: '/help/more' }],
    ['#/share', { name: 'share' }],
    ['#/share/', { name: 'share' }],
    ['#/share-record', { name: 'share-record' }],
    ['#/shares', { name: 'shares' }],
    ['#/shares/x', { name: 'not-found', path: '/shares/x' }],
    ['#/results/a/b', { name: 'not-found', path: '/results/a/b' }],
    ['#maincontent', { name: 'not-found', path: '/maincontent' }],
    ['#/unlock', { name: 'unlock', next: '/' }],
    ['#/unlock/', { name: 'unlock', next: '/' }],
    ['#/unlock?next=%2Fresults', { name: 'unlock', next: '/results' }],
    ['#/unlock?next=%2Fresults%2Fr-1', { name: 'unlock', next: '/results/r-1' }],
    ['#/unlock?next=%2Fresults%2Fa%252Fb', { name: 'unlock', next: '/results/a%2Fb' }],
    ['#/unlock?next=%2Funlock', { name: 'unlock', next: '/' }],
    ['#/unlock?next=https%3A%2F%2Fevil.example', { name: 'unlock', next: '/' }],
    ['#/unlock/more', { name: 'not-found', path: '/unlock/more' }],
    ['#/setup', { name: 'setup' }],
    ['#/setup/more', { name: 'not-found', path: '/setup/more' }],
    ['#/tests/loinc%7C4548-4', { name: 'test', key: 'loinc|4548-4' }],
    ['#/tests', { name: 'not-found', path: '/tests' }],
    ['#/health', { name: 'health' }],
    ['#/visits', { name: 'visits' }],
    ['#/documents', { name: 'documents' }],
    ['#/documents/doc-1', { name: 'document', id: 'doc-1' }],
    ['#/details', { name: 'details' }],
    ['#/about-your-record', { name: 'about' }],
    ['#/search', { name: 'search', q: '' }],
    ['#/search?q=hba1c', { name: 'search', q: 'hba1c' }],
    ['#/search?q=a%26b%20c', { name: 'search', q: 'a&b c' }],
    ['#/timeline', { name: 'timeline' }],
    ['#/other', { name: 'other' }],
    ['#/other/Claim', { name: 'other-type', type: 'Claim' }],
    ['#/import', { name: 'import' }],
    ['#/import/x', { name: 'not-found', path: '/import/x' }],
    ['#/sign-in', { name: 'sign-in', next: '/' }],
    ['#/sign-in?next=%2Fresults%2Fr-1', { name: 'sign-in', next: '/results/r-1' }],
    ['#/sign-in?next=%2Fsign-up', { name: 'sign-in', next: '/' }],
    ['#/sign-in?next=%2Fsign-in%3Fnext%3D%252Fresults', { name: 'sign-in', next: '/' }],
    ['#/sign-in?next=https%3A%2F%2Fevil.example', { name: 'sign-in', next: '/' }],
    ['#/sign-in/x', { name: 'not-found', path: '/sign-in/x' }],
    ['#/sign-up', { name: 'sign-up' }],
    ['#/activate', { name: 'activate' }],
    ['#/forgot', { name: 'forgot' }],
    ['#/forgot/x', { name: 'not-found', path: '/forgot/x' }],
  ];
  it.each(cases)('parseHash(%j)', (hash, want) => {
    expect(parseHash(hash)).toEqual(want);
  });
});

describe('href', () => {
  const cases: Array<[Route, string]> = [
    [{ name: 'home' }, '#/'],
    [{ name: 'results' }, '#/results'],
    [{ name: 'results', view: 'date' }, '#/results?view=date'],
    [{ name: 'results', view: 'date', outside: true }, '#/results?view=date&outside=1'],
    [{ name: 'results', outside: true }, '#/results?outside=1'],
    [{ name: 'report', id: 'r-1' }, '#/results/r-1'],
    [{ name: 'report', id: 'a/b c' }, '#/results/a%2Fb%20c'],
    [{ name: 'help' }, '#/help'],
    [{ name: 'unlock', next: '/' }, '#/unlock'],
    [{ name: 'unlock', next: '/results/r-1' }, '#/unlock?next=%2Fresults%2Fr-1'],
    [{ name: 'setup' }, '#/setup'],
    [{ name: 'test', key: 'loinc|4548-4' }, '#/tests/loinc%7C4548-4'],
    [{ name: 'test', key: 'a/b' }, '#/tests/a%2Fb'],
    [{ name: 'health' }, '#/health'],
    [{ name: 'visits' }, '#/visits'],
    [{ name: 'documents' }, '#/documents'],
    [{ name: 'document', id: 'd 1' }, '#/documents/d%201'],
    [{ name: 'details' }, '#/details'],
    [{ name: 'about' }, '#/about-your-record'],
    [{ name: 'search', q: '' }, '#/search'],
    [{ name: 'search', q: 'a&b' }, '#/search?q=a%26b'],
    [{ name: 'timeline' }, '#/timeline'],
    [{ name: 'other' }, '#/other'],
    [{ name: 'other-type', type: 'Claim' }, '#/other/Claim'],
    [{ name: 'import' }, '#/import'],
    [{ name: 'help' }, '#/help'],
    [{ name: 'help', section: 'urgent' }, '#/help?section=urgent'],
    [{ name: 'sign-in', next: '/' }, '#/sign-in'],
    [{ name: 'sign-in', next: '/results/r-1' }, '#/sign-in?next=%2Fresults%2Fr-1'],
    [{ name: 'sign-up' }, '#/sign-up'],
    [{ name: 'activate' }, '#/activate'],
    [{ name: 'forgot' }, '#/forgot'],
    [{ name: 'share' }, '#/share'],
    [{ name: 'share-record' }, '#/share-record'],
    [{ name: 'shares' }, '#/shares'],
  ];
  it.each(cases)('href(%j) = %j and round-trips', (route, want) => {
    expect(href(route)).toBe(want);
    expect(parseHash(href(route))).toEqual(route);
  });
});

describe('safeNext', () => {
  const cases: Array<[string | null | undefined, string]> = [
    [null, '/'],
    [undefined, '/'],
    ['', '/'],
    ['/', '/'],
    ['/results', '/results'],
    ['/results/', '/results'],
    ['/results/r-1', '/results/r-1'],
    ['/help', '/help'],
    ['/unlock', '/'],
    ['/unlock?next=/results', '/'],
    ['/setup', '/'],
    ['/nope', '/'],
    ['results', '/'],
    ['//evil.example/x', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['/results\\x', '/'],
    ['/results x', '/'],
    ['/tests/loinc%7C4548-4', '/tests/loinc%7C4548-4'],
    ['/search?q=hba1c', '/search?q=hba1c'],
    ['/documents/d-1', '/documents/d-1'],
    ['/sign-in', '/'],
    ['/sign-up', '/'],
    ['/activate', '/'],
    ['/forgot', '/'],
    ['/share', '/'],
    ['/shares', '/shares'],
    ['/share-record', '/share-record'],
  ];
  it.each(cases)('safeNext(%j) = %j', (next, want) => expect(safeNext(next)).toBe(want));
});

describe('unlockHref', () => {
  const cases: Array<[Route | null, string]> = [
    [null, '#/unlock'],
    [{ name: 'home' }, '#/unlock'],
    [{ name: 'results' }, '#/unlock?next=%2Fresults'],
    [{ name: 'report', id: 'a/b' }, '#/unlock?next=%2Fresults%2Fa%252Fb'],
    [{ name: 'help' }, '#/unlock?next=%2Fhelp'],
    [{ name: 'unlock', next: '/results' }, '#/unlock'],
    [{ name: 'not-found', path: '/x' }, '#/unlock'],
    [{ name: 'setup' }, '#/unlock'],
  ];
  it.each(cases)('unlockHref(%j) = %j and comes back to the same page', (from, want) => {
    const got = unlockHref(from);
    expect(got).toBe(want);
    const back = parseHash(got);
    expect(back.name).toBe('unlock');
    if (from && from.name !== 'unlock' && from.name !== 'setup' && from.name !== 'not-found' && back.name === 'unlock') {
      expect(parseHash(back.next)).toEqual(from);
    }
  });
});

describe('signInHref', () => {
  const cases: Array<[Route | null, string]> = [
    [null, '#/sign-in'],
    [{ name: 'home' }, '#/sign-in'],
    [{ name: 'results' }, '#/sign-in?next=%2Fresults'],
    [{ name: 'report', id: 'a/b' }, '#/sign-in?next=%2Fresults%2Fa%252Fb'],
    [{ name: 'sign-in', next: '/results' }, '#/sign-in'],
    [{ name: 'sign-up' }, '#/sign-in'],
    [{ name: 'forgot' }, '#/sign-in'],
    [{ name: 'unlock', next: '/' }, '#/sign-in'],
    [{ name: 'not-found', path: '/x' }, '#/sign-in'],
  ];
  it.each(cases)('signInHref(%j) = %j and comes back to the same page', (from, want) => {
    const got = signInHref(from);
    expect(got).toBe(want);
    const back = parseHash(got);
    expect(back.name).toBe('sign-in');
    if (back.name === 'sign-in' && back.next !== '/') expect(parseHash(back.next)).toEqual(from);
  });

  it('isAccountRoute', () => {
    expect(['#/sign-in', '#/sign-up', '#/activate', '#/forgot'].map((h) => isAccountRoute(parseHash(h)))).toEqual([true, true, true, true]);
    expect(['#/', '#/unlock', '#/setup', '#/security'].map((h) => isAccountRoute(parseHash(h)))).toEqual([false, false, false, false]);
  });
});

describe('titles and sections', () => {
  const cases: Array<[Route, string, string | null]> = [
    [{ name: 'home' }, 'Your health record - Ward', 'home'],
    [{ name: 'results' }, 'Test results - Ward', 'results'],
    [{ name: 'report', id: 'x' }, 'Test result - Test results - Ward', 'results'],
    [{ name: 'help' }, 'Help - Ward', 'help'],
    [{ name: 'help', section: 'urgent' }, 'Help - Ward', 'help'],
    [{ name: 'unlock', next: '/' }, 'Unlock your record - Ward', null],
    [{ name: 'setup' }, 'Set up Ward - Ward', null],
    [{ name: 'not-found', path: '/x' }, 'Page not found - Ward', null],
    [{ name: 'test', key: 'k' }, 'Test history - Test results - Ward', 'results'],
    [{ name: 'health' }, 'Health summary - Ward', 'health'],
    [{ name: 'visits' }, 'Appointments - Ward', 'visits'],
    [{ name: 'documents' }, 'Letters and documents - Ward', 'documents'],
    [{ name: 'document', id: 'd' }, 'Letter or document - Letters and documents - Ward', 'documents'],
    [{ name: 'timeline' }, 'Timeline - Ward', 'timeline'],
    [{ name: 'security' }, 'Security settings - Ward', 'security'],
    [{ name: 'details' }, 'Your details - Ward', 'details'],
    [{ name: 'about' }, 'What you can see in Ward - Ward', 'about'],
    [{ name: 'other' }, 'Other records - Ward', 'other'],
    [{ name: 'other-type', type: 'Claim' }, 'Other records - Ward', 'other'],
    [{ name: 'import' }, 'Add records from a file - Ward', 'import'],
    [{ name: 'search', q: 'x' }, 'Search your record - Ward', null],
    [{ name: 'sign-in', next: '/' }, 'Sign in - Ward', null],
    [{ name: 'sign-up' }, 'Create an account - Ward', null],
    [{ name: 'activate' }, 'Set up your account - Ward', null],
    [{ name: 'forgot' }, 'Reset your password - Ward', null],
    [{ name: 'share' }, 'View a shared health record - Ward', null],
    [{ name: 'share-record' }, 'Share your record - Ward', 'shares'],
    [{ name: 'shares' }, 'Sharing your record - Ward', 'shares'],
  ];
  it.each(cases)('%j', (route, title, sec) => {
    expect(routeTitle(route)).toBe(title);
    expect(section(route)).toBe(sec);
  });

  it('pageTitle skips empty parts', () => {
    expect(pageTitle('Full blood count', '', null, 'Test results')).toBe('Full blood count - Test results - Ward');
    expect(pageTitle()).toBe('Ward');
  });
});

describe('watchRoute', () => {
  it('reports the current route and hash changes until unsubscribed', () => {
    const listeners = new Set<() => void>();
    const fake = {
      location: { hash: '#/help' },
      addEventListener: (_: string, fn: () => void) => listeners.add(fn),
      removeEventListener: (_: string, fn: () => void) => listeners.delete(fn),
    };
    const seen: Route[] = [];
    const stop = watchRoute((r) => seen.push(r), fake as unknown as Window);
    fake.location.hash = '#/results/r-9';
    listeners.forEach((fn) => fn());
    stop();
    expect(listeners.size).toBe(0);
    expect(seen).toEqual([{ name: 'help' }, { name: 'report', id: 'r-9' }]);
  });
});
