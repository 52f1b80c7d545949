// The header menu: which pages are always in it, which are under "More", and
// which one is current. Pure functions, so the decisions are unit tested;
// components/Header.svelte only draws the answer.

import { isAccountRoute, section, type Route, type Section } from './router';
import type { LockMode } from './vault';

export interface NavItem {
  key: Section;
  href: string;
  /** The words of the page's own heading, so the link and the page match. */
  text: string;
}

/**
 * The pages always in the header, in this order: five at most, so that they
 * fit on one line from tablet width; the first PHONE_ITEMS also on phones.
 */
export const PERSISTENT: readonly NavItem[] = [
  { key: 'home', href: '#/', text: 'Home' },
  { key: 'results', href: '#/results', text: 'Test results' },
  { key: 'visits', href: '#/visits', text: 'Appointments' },
  { key: 'documents', href: '#/documents', text: 'Letters' },
  { key: 'health', href: '#/health', text: 'Health summary' },
];

/** On a 390 px phone: Home, Test results and Appointments, then More. */
export const PHONE_ITEMS = 3;

/** Everything else, under "More". */
export const MORE: readonly NavItem[] = [
  { key: 'timeline', href: '#/timeline', text: 'Timeline' },
  { key: 'details', href: '#/details', text: 'Your details' },
  { key: 'about', href: '#/about-your-record', text: 'What you can see' },
  { key: 'other', href: '#/other', text: 'Other records' },
  { key: 'import', href: '#/import', text: 'Add records from a file' },
  { key: 'security', href: '#/security', text: 'Security settings' },
  { key: 'shares', href: '#/shares', text: 'Sharing your record' },
  { key: 'help', href: '#/help', text: 'Help' },
];

export interface NavContext {
  route: Route;
  mode: LockMode;
  /** A recovery key is on screen (set-up, or an account's activation or reset). */
  keyShowing: boolean;
  /** A clinician viewing a share: only the shared sections' keys (lib/share.ts shareNav). Null for the patient. */
  shareKeys: ReadonlySet<string> | null;
  /** The patient's "Sharing your record" page exists (sharing on, and signed in on an accounts server). */
  sharesPage: boolean;
}

export interface NavLink extends NavItem {
  current: boolean;
}

export interface Nav {
  /** The header's own links; those after PHONE_ITEMS are also under More on phones (`phoneHidden`). */
  items: Array<NavLink & { phoneHidden: boolean }>;
  /** The pages only ever under More. */
  more: NavLink[];
  /**
   * Where the current page is, for marking the More button: 'always' (a More
   * page), 'phone' (a header link that phones show only under More), or null.
   */
  moreCurrent: 'always' | 'phone' | null;
}

/**
 * Whether there is a menu at all. Nothing to browse until the record is open:
 * not while asking (pending), setting up, locked, on the unlock or sign-in
 * pages, while a recovery key is showing, or on a clinician's start page.
 */
export function showNav(ctx: NavContext): boolean {
  if (ctx.mode !== 'off' && ctx.mode !== 'unlocked') return false;
  if (ctx.keyShowing) return false;
  const r = ctx.route;
  if (r.name === 'unlock' || r.name === 'setup' || isAccountRoute(r)) return false;
  if (r.name === 'share' && !ctx.shareKeys) return false;
  return true;
}

/** The menu for this page, or null for none. */
export function navModel(ctx: NavContext): Nav | null {
  if (!showNav(ctx)) return null;
  const keys = ctx.shareKeys;
  const allowed = (i: NavItem) => (keys ? keys.has(i.key) : i.key !== 'shares' || ctx.sharesPage);
  const current = section(ctx.route);
  const items = PERSISTENT.filter(allowed).map((i, n) => ({ ...i, current: i.key === current, phoneHidden: n >= PHONE_ITEMS }));
  const more = MORE.filter(allowed).map((i) => ({ ...i, current: i.key === current }));
  const moreCurrent = more.some((i) => i.current) ? 'always' : items.some((i) => i.current && i.phoneHidden) ? 'phone' : null;
  return { items, more, moreCurrent };
}

/** Whether the header needs a More button (something is under it, at least on phones). */
export function hasMore(nav: Nav): boolean {
  return nav.more.length > 0 || nav.items.some((i) => i.phoneHidden);
}
