// What the desktop window (Wails, WebKitGTK on Linux) needs that a browser
// does for itself: keyboard shortcuts for printing and text size, and links
// to other sites opened in the system browser. A browser gets none of this
// (it has its own Ctrl+P, zoom and tabs), except rel="noopener noreferrer"
// on links that open a new tab.
//
// In the window, WebKitGTK opens nothing for target=_blank (Wails does not
// handle new windows) and loads any other site inside Ward's own window, so
// every click on a link is decided here (linkAction) before it happens.

import { printPage } from './print';

/** What Wails puts on window in its own page (/wails/runtime.js). */
interface WailsWindow {
  runtime?: { BrowserOpenURL?: (url: string) => void };
}

/** The system browser opener when the page runs inside the Ward window, else null. */
export function systemOpener(w: unknown = globalThis): ((url: string) => void) | null {
  const open = (w as WailsWindow | undefined)?.runtime?.BrowserOpenURL;
  return typeof open === 'function' ? open : null;
}

/** True when the page runs inside the desktop window. */
export function inWindow(w: unknown = globalThis): boolean {
  return systemOpener(w) !== null;
}

/**
 * What a click on a link does:
 * - 'default': let the page follow it (Ward's own pages, a file the page
 *   made for download; everything in a browser);
 * - 'here': follow it in this page although it asks for a new tab (in the
 *   window there are no tabs, and Ward's own pages cannot open elsewhere);
 * - 'system': open it with the system's opener (the window: another site,
 *   or a phone number, which WebKitGTK would try to load as a page);
 * - 'block': nothing (the window: addresses such as file:, javascript:,
 *   data: or mailto:, which the system opener must never be given).
 */
export type LinkAction = 'default' | 'here' | 'system' | 'block';

/** The schemes the window hands to the system opener (xdg-open). */
const SYSTEM_SCHEMES = new Set(['http:', 'https:', 'tel:']);

/**
 * linkAction decides a click on a link to href (as written in the page)
 * with this target, on the page at pageURL; isDownload is whether the link
 * has a download attribute, and window whether the page is the desktop window.
 */
export function linkAction(href: string, target: string, isDownload: boolean, pageURL: string, window: boolean): LinkAction {
  if (!window) return 'default';
  let url: URL;
  try {
    url = new URL(href, pageURL);
  } catch {
    return 'block';
  }
  const page = new URL(pageURL);
  // Compared by scheme and host, not URL.origin: the window's wails:// page
  // has an opaque origin ("null").
  if (url.protocol === page.protocol && url.host === page.host) {
    return target !== '' && target !== '_self' ? 'here' : 'default';
  }
  // A file the page made itself (a calendar file, say): WebKitGTK saves it,
  // without asking, to the Downloads folder (or the home folder).
  if (url.protocol === 'blob:' && isDownload) return 'default';
  return SYSTEM_SCHEMES.has(url.protocol) ? 'system' : 'block';
}

/**
 * Text sizes, in percent of the usual size, that Ctrl+plus and Ctrl+minus
 * step through: up to 200%, which WCAG 1.4.4 asks text to resize to. Only
 * text grows (every nhsuk size is in rem); the layout's breakpoints, in px
 * and em of the browser's own size, stay where the window's width puts them.
 */
export const TEXT_SIZES = [80, 90, 100, 110, 125, 150, 175, 200] as const;
export const TEXT_SIZE_KEY = 'ward.textSize';

/**
 * The text size step from size: +1 larger, -1 smaller, 0 back to 100.
 * A size between steps goes to the next step that way; the ends hold.
 */
export function stepTextSize(size: number, step: -1 | 0 | 1): number {
  if (step === 0) return 100;
  if (step > 0) return TEXT_SIZES.find((s) => s > size) ?? TEXT_SIZES[TEXT_SIZES.length - 1];
  return [...TEXT_SIZES].reverse().find((s) => s < size) ?? TEXT_SIZES[0];
}

/** A stored text size, or 100 when there is none or it is not one of TEXT_SIZES. */
export function storedTextSize(value: string | null): number {
  const n = Number(value);
  return (TEXT_SIZES as readonly number[]).includes(n) ? n : 100;
}

/** What a key press in the window does; null leaves it to the page. */
export type Shortcut = 'print' | 'larger' | 'smaller' | 'usual';

/**
 * The shortcut for a key press: Ctrl (or Cmd on a Mac) with P, plus, minus
 * or 0, as in browsers; never with Alt, and Ctrl+Shift+P is not printing.
 */
export function shortcut(e: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): Shortcut | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  if (e.code === 'NumpadAdd') return 'larger';
  if (e.code === 'NumpadSubtract') return 'smaller';
  switch (e.key) {
    case 'p':
    case 'P':
      return e.shiftKey ? null : 'print';
    case '+':
    case '=':
      return 'larger';
    case '-':
    case '_':
      return 'smaller';
    case '0':
      return 'usual';
  }
  return null;
}

/** The parts of a page install uses, so tests can give their own. */
export interface Page {
  document: Pick<Document, 'addEventListener' | 'documentElement'>;
  location: Pick<Location, 'href'>;
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  open: ((url: string) => void) | null;
  print: () => void;
}

function defaultPage(): Page {
  let storage: Storage | null = null;
  try {
    storage = localStorage;
  } catch {
    // storage blocked: the text size lasts until the window closes
  }
  return {
    document,
    location,
    storage,
    open: systemOpener(),
    print: printPage,
  };
}

/** Sets the page's text size (a percentage of the root font size, which every nhsuk size is in rem of). */
function applyTextSize(page: Page, size: number): void {
  page.document.documentElement.style.fontSize = size === 100 ? '' : `${size}%`;
}

/** The link a click landed on, if any. */
function linkOf(e: Event): HTMLAnchorElement | null {
  const t = e.target as Element | null;
  const a = t && typeof t.closest === 'function' ? t.closest('a[href]') : null;
  return (a as HTMLAnchorElement | null) ?? null;
}

/**
 * Installs the window's behaviour on the page (nothing but the rel fix on
 * new-tab links in a browser). Call once, before the app mounts, so a
 * remembered text size applies before the first paint.
 */
export function install(page: Page = defaultPage()): void {
  const window = page.open !== null;
  const onLink = (e: MouseEvent) => {
    const a = linkOf(e);
    if (!a || e.defaultPrevented) return;
    const href = a.getAttribute('href') ?? '';
    const target = a.getAttribute('target') ?? '';
    if (target && target !== '_self') {
      // The new page must not reach back into Ward (window.opener) or
      // learn which page of the record linked to it (Referer).
      const rel = new Set((a.getAttribute('rel') ?? '').split(/\s+/).filter(Boolean));
      rel.add('noopener').add('noreferrer');
      a.setAttribute('rel', [...rel].join(' '));
    }
    const action = linkAction(href, target, a.hasAttribute('download'), page.location.href, window);
    if (action === 'default') return;
    // Capture phase, so the page's own handler (a download) does not run too.
    e.preventDefault();
    e.stopPropagation();
    const url = new URL(href, page.location.href);
    if (action === 'system') page.open?.(url.href);
    else if (action === 'here') page.location.href = url.href;
  };
  page.document.addEventListener('click', onLink, true);
  if (!window) return;
  // A middle click would ask WebKitGTK for a new window, which opens nothing.
  page.document.addEventListener('auxclick', (e) => e.button === 1 && onLink(e), true);

  let size = storedTextSize(page.storage?.getItem(TEXT_SIZE_KEY) ?? null);
  applyTextSize(page, size);
  page.document.addEventListener('keydown', (e) => {
    const s = shortcut(e);
    if (!s) return;
    e.preventDefault();
    if (s === 'print') {
      page.print();
      return;
    }
    size = stepTextSize(size, s === 'larger' ? 1 : s === 'smaller' ? -1 : 0);
    applyTextSize(page, size);
    try {
      page.storage?.setItem(TEXT_SIZE_KEY, String(size));
    } catch {
      // storage full or blocked: the size still applies now
    }
  }, true);
}
