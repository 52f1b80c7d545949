// A tiny hash router: "#/", "#/results", "#/results/<reportId>",
// "#/tests/<testKey>", "#/health", "#/visits", "#/documents", "#/documents/<id>",
// "#/details", "#/about-your-record", "#/search?q=", "#/timeline", "#/other",
// "#/other/<type>", "#/import", "#/help", "#/help?section=urgent" (the help
// page, with focus on its urgent medical help; the footer links there), "#/security",
// "#/unlock?next=<path>" (the page to return to after unlocking),
// "#/setup" (first run: set up Ward, when there is no vault yet).
// Accounts mode (a server with many patients): "#/sign-in?next=<path>",
// "#/sign-up", "#/activate" (after the emailed code) and "#/forgot".
// Sharing (only when the config says sharing is on): "#/share" (a clinician
// opens a record shared with them; needs nobody signed in), "#/share-record"
// (the patient shares their record) and "#/shares" (the patient's shares).
// Hash routes work the same in the desktop webview and in any browser, and
// need nothing from the server.

export type Route =
  | { name: 'home' }
  /** Test results: by test (the default), or by date ("#/results?view=date"); "&outside=1" filters. */
  | { name: 'results'; view?: 'date'; outside?: boolean }
  | { name: 'report'; id: string }
  | { name: 'test'; key: string }
  | { name: 'health' }
  | { name: 'visits' }
  | { name: 'documents' }
  | { name: 'document'; id: string }
  | { name: 'details' }
  | { name: 'about' }
  | { name: 'search'; q: string }
  | { name: 'timeline' }
  | { name: 'other' }
  | { name: 'other-type'; type: string }
  | { name: 'import' }
  | { name: 'help'; section?: 'urgent' }
  | { name: 'security' }
  | { name: 'unlock'; next: string }
  | { name: 'setup' }
  | { name: 'sign-in'; next: string }
  | { name: 'sign-up' }
  | { name: 'activate' }
  | { name: 'forgot' }
  | { name: 'share' }
  | { name: 'share-record' }
  | { name: 'shares' }
  | { name: 'not-found'; path: string };

/** The accounts-mode pages that come before the record (never a place to return to). */
export const ACCOUNT_ROUTES = ['sign-in', 'sign-up', 'activate', 'forgot'] as const;
export type AccountRouteName = (typeof ACCOUNT_ROUTES)[number];

export function isAccountRoute(route: Route): route is Extract<Route, { name: AccountRouteName }> {
  return (ACCOUNT_ROUTES as readonly string[]).includes(route.name);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const SIMPLE: Record<string, Route['name']> = {
  health: 'health',
  visits: 'visits',
  details: 'details',
  'about-your-record': 'about',
  timeline: 'timeline',
  import: 'import',
  security: 'security',
  setup: 'setup',
  'sign-up': 'sign-up',
  activate: 'activate',
  forgot: 'forgot',
  share: 'share',
  'share-record': 'share-record',
  shares: 'shares',
};

/** Parses location.hash (with or without the leading "#"). */
export function parseHash(hash: string): Route {
  let path = hash.startsWith('#') ? hash.slice(1) : hash;
  let query = '';
  const q = path.indexOf('?');
  if (q >= 0) {
    query = path.slice(q + 1);
    path = path.slice(0, q);
  }
  if (!path.startsWith('/')) path = '/' + path;
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { name: 'home' };
  if (parts[0] === 'results') {
    if (parts.length === 1) {
      const q = new URLSearchParams(query);
      const r: Route = { name: 'results' };
      if (q.get('view') === 'date') r.view = 'date';
      if (q.get('outside') === '1') r.outside = true;
      return r;
    }
    if (parts.length === 2) return { name: 'report', id: safeDecode(parts[1]) };
  }
  if (parts[0] === 'tests' && parts.length === 2) return { name: 'test', key: safeDecode(parts[1]) };
  if (parts[0] === 'documents') {
    if (parts.length === 1) return { name: 'documents' };
    if (parts.length === 2) return { name: 'document', id: safeDecode(parts[1]) };
  }
  if (parts[0] === 'other') {
    if (parts.length === 1) return { name: 'other' };
    if (parts.length === 2) return { name: 'other-type', type: safeDecode(parts[1]) };
  }
  if (parts[0] === 'help' && parts.length === 1) {
    return new URLSearchParams(query).get('section') === 'urgent' ? { name: 'help', section: 'urgent' } : { name: 'help' };
  }
  if (parts[0] === 'search' && parts.length === 1) {
    return { name: 'search', q: new URLSearchParams(query).get('q') ?? '' };
  }
  if (parts.length === 1) {
    const simple = SIMPLE[parts[0]];
    if (simple) return { name: simple } as Route;
  }
  if (parts[0] === 'unlock' && parts.length === 1) {
    return { name: 'unlock', next: safeNext(new URLSearchParams(query).get('next')) };
  }
  if (parts[0] === 'sign-in' && parts.length === 1) {
    return { name: 'sign-in', next: safeNext(new URLSearchParams(query).get('next')) };
  }
  return { name: 'not-found', path };
}

/**
 * The page to return to after unlocking: a path of this app ("/results/r-1"),
 * never the unlock page itself and never anything that is not a plain path.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || /[\\\s]/.test(next)) return '/';
  const route = parseHash(next);
  if (route.name === 'unlock' || route.name === 'setup' || route.name === 'not-found' || route.name === 'share' || isAccountRoute(route)) return '/';
  return href(route).slice(1);
}

/** The sign-in page's href (accounts mode), remembering the route to come back to. */
export function signInHref(from: Route | null = null): string {
  if (!from) return '#/sign-in';
  const next = safeNext(href(from).slice(1));
  return next === '/' ? '#/sign-in' : '#/sign-in?next=' + encodeURIComponent(next);
}

/** The unlock page's href, remembering the route to come back to. */
export function unlockHref(from: Route | null = null): string {
  const next = from ? href(from).slice(1) : '/';
  if (!from || from.name === 'unlock' || from.name === 'setup' || from.name === 'not-found' || next === '/') return '#/unlock';
  return '#/unlock?next=' + encodeURIComponent(next);
}

/** The href for a route, for use in links. */
export function href(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'results': {
      const q = [route.view === 'date' ? 'view=date' : '', route.outside ? 'outside=1' : ''].filter(Boolean).join('&');
      return q ? '#/results?' + q : '#/results';
    }
    case 'report':
      return '#/results/' + encodeURIComponent(route.id);
    case 'test':
      return '#/tests/' + encodeURIComponent(route.key);
    case 'health':
      return '#/health';
    case 'visits':
      return '#/visits';
    case 'documents':
      return '#/documents';
    case 'document':
      return '#/documents/' + encodeURIComponent(route.id);
    case 'details':
      return '#/details';
    case 'about':
      return '#/about-your-record';
    case 'search':
      return route.q ? '#/search?q=' + encodeURIComponent(route.q) : '#/search';
    case 'timeline':
      return '#/timeline';
    case 'other':
      return '#/other';
    case 'other-type':
      return '#/other/' + encodeURIComponent(route.type);
    case 'import':
      return '#/import';
    case 'help':
      return route.section ? '#/help?section=' + route.section : '#/help';
    case 'security':
      return '#/security';
    case 'unlock':
      return route.next && route.next !== '/' ? '#/unlock?next=' + encodeURIComponent(route.next) : '#/unlock';
    case 'setup':
      return '#/setup';
    case 'sign-in':
      return route.next && route.next !== '/' ? '#/sign-in?next=' + encodeURIComponent(route.next) : '#/sign-in';
    case 'sign-up':
      return '#/sign-up';
    case 'activate':
      return '#/activate';
    case 'forgot':
      return '#/forgot';
    case 'share':
      return '#/share';
    case 'share-record':
      return '#/share-record';
    case 'shares':
      return '#/shares';
    case 'not-found':
      return '#' + route.path;
  }
}

export const SERVICE_NAME = 'Ward';

/** document.title for a page: "Test results - Ward". */
export function pageTitle(...parts: Array<string | null | undefined>): string {
  return [...parts.filter((p): p is string => !!p && p.trim() !== ''), SERVICE_NAME].join(' - ');
}

/** Title of the page for a route, before any data has loaded. */
export function routeTitle(route: Route): string {
  switch (route.name) {
    case 'home':
      return pageTitle('Your health record');
    case 'results':
      return pageTitle('Test results');
    case 'report':
      return pageTitle('Test result', 'Test results');
    case 'test':
      return pageTitle('Test history', 'Test results');
    case 'health':
      return pageTitle('Health summary');
    case 'visits':
      return pageTitle('Appointments');
    case 'documents':
      return pageTitle('Letters and documents');
    case 'document':
      return pageTitle('Letter or document', 'Letters and documents');
    case 'details':
      return pageTitle('Your details');
    case 'about':
      return pageTitle('What you can see in Ward');
    case 'search':
      return pageTitle('Search your record');
    case 'timeline':
      return pageTitle('Timeline');
    case 'other':
      return pageTitle('Other records');
    case 'other-type':
      return pageTitle('Other records');
    case 'import':
      return pageTitle('Add records from a file');
    case 'help':
      return pageTitle('Help');
    case 'security':
      return pageTitle('Security settings');
    case 'unlock':
      return pageTitle('Unlock your record');
    case 'setup':
      return pageTitle('Set up Ward');
    case 'sign-in':
      return pageTitle('Sign in');
    case 'sign-up':
      return pageTitle('Create an account');
    case 'activate':
      return pageTitle('Set up your account');
    case 'forgot':
      return pageTitle('Reset your password');
    case 'share':
      return pageTitle('View a shared health record');
    case 'share-record':
      return pageTitle('Share your record');
    case 'shares':
      return pageTitle('Sharing your record');
    case 'not-found':
      return pageTitle('Page not found');
  }
}

/** A page in the header menu (lib/nav.ts): the key of its menu item. */
export type Section = 'home' | 'results' | 'visits' | 'documents' | 'health' | 'timeline' | 'details' | 'about' | 'other' | 'import' | 'security' | 'shares' | 'help';

/** Which header menu item is current for a route (null: none, such as search or the unlock page). */
export function section(route: Route): Section | null {
  switch (route.name) {
    case 'home':
    case 'health':
    case 'visits':
    case 'timeline':
    case 'details':
    case 'about':
    case 'other':
    case 'import':
    case 'security':
    case 'shares':
    case 'help':
      return route.name;
    case 'results':
    case 'report':
    case 'test':
      return 'results';
    case 'documents':
    case 'document':
      return 'documents';
    case 'other-type':
      return 'other';
    case 'share-record':
      return 'shares';
    default:
      return null;
  }
}

/** Calls fn with the current route now and whenever the hash changes. Returns an unsubscribe function. */
export function watchRoute(fn: (route: Route) => void, win: Window = window): () => void {
  const handler = () => fn(parseHash(win.location.hash));
  win.addEventListener('hashchange', handler);
  handler();
  return () => win.removeEventListener('hashchange', handler);
}
