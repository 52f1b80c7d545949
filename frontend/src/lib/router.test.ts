import { describe, expect, it } from 'vitest';
import { href, pageTitle, parseHash, routeTitle, section, watchRoute, type Route } from './router';

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
    ['#/results/r-123', { name: 'report', id: 'r-123' }],
    ['#/results/r-123/', { name: 'report', id: 'r-123' }],
    ['#/results/a%2Fb%20c', { name: 'report', id: 'a/b c' }],
    ['#/results/%E0%A4%A', { name: 'report', id: '%E0%A4%A' }],
    ['#/help', { name: 'help' }],
    ['#/help/', { name: 'help' }],
    ['#/nope', { name: 'not-found', path: '/nope' }],
    ['#/help/more', { name: 'not-found', path: '/help/more' }],
    ['#/results/a/b', { name: 'not-found', path: '/results/a/b' }],
    ['#maincontent', { name: 'not-found', path: '/maincontent' }],
  ];
  it.each(cases)('parseHash(%j)', (hash, want) => {
    expect(parseHash(hash)).toEqual(want);
  });
});

describe('href', () => {
  const cases: Array<[Route, string]> = [
    [{ name: 'home' }, '#/'],
    [{ name: 'results' }, '#/results'],
    [{ name: 'report', id: 'r-1' }, '#/results/r-1'],
    [{ name: 'report', id: 'a/b c' }, '#/results/a%2Fb%20c'],
    [{ name: 'help' }, '#/help'],
  ];
  it.each(cases)('href(%j) = %j and round-trips', (route, want) => {
    expect(href(route)).toBe(want);
    expect(parseHash(href(route))).toEqual(route);
  });
});

describe('titles and sections', () => {
  const cases: Array<[Route, string, string | null]> = [
    [{ name: 'home' }, 'Your health record - Ward', 'home'],
    [{ name: 'results' }, 'Test results - Ward', 'results'],
    [{ name: 'report', id: 'x' }, 'Test result - Test results - Ward', 'results'],
    [{ name: 'help' }, 'Help - Ward', 'help'],
    [{ name: 'not-found', path: '/x' }, 'Page not found - Ward', null],
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
