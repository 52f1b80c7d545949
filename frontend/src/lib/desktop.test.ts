import { describe, expect, it, vi } from 'vitest';
import { TEXT_SIZES, TEXT_SIZE_KEY, inWindow, install, linkAction, shortcut, stepTextSize, storedTextSize, type LinkAction, type Page } from './desktop';

const WINDOW = 'wails://wails/#/documents/d1';
const BROWSER = 'http://127.0.0.1:8080/#/documents/d1';

describe('linkAction', () => {
  const table: Array<[string, string, boolean, string, boolean, LinkAction]> = [
    // href, target, download, page, in the window, action
    ['#/results', '', false, WINDOW, true, 'default'],
    ['#/help', '_blank', false, WINDOW, true, 'here'],
    ['#/help', '_self', false, WINDOW, true, 'default'],
    ['https://111.nhs.uk', '_blank', false, WINDOW, true, 'system'],
    ['https://www.nhs.uk/conditions/', '', false, WINDOW, true, 'system'],
    ['http://example.org/x', 'other', false, WINDOW, true, 'system'],
    ['tel:+441234567890', '', false, WINDOW, true, 'system'],
    ['file:///etc/passwd', '', false, WINDOW, true, 'block'],
    ['file:///etc/passwd', '_blank', false, WINDOW, true, 'block'],
    ['javascript:alert(1)', '', false, WINDOW, true, 'block'],
    ['data:text/html,<b>x</b>', '_blank', false, WINDOW, true, 'block'],
    ['mailto:a@example.org?attach=/etc/passwd', '', false, WINDOW, true, 'block'],
    ['smb://host/share', '', false, WINDOW, true, 'block'],
    ['blob:wails://wails/1a8d2049', '', true, WINDOW, true, 'default'],
    ['blob:wails://wails/1a8d2049', '_blank', false, WINDOW, true, 'block'],
    ['http://[bad', '', false, WINDOW, true, 'block'],
    // The page's own attachment link: the letter page opens it (Document.svelte).
    ['/api/documents/d1/attachments/0', '', true, WINDOW, true, 'default'],
    ['/api/documents/d%2F1/attachments/12', '', false, WINDOW, true, 'default'],
    ['/api/documents/d1/attachments/0/../../x', '', true, WINDOW, true, 'default'],
    // Another host with Ward's path is another site.
    ['https://evil.example/api/documents/d1/attachments/0', '', true, WINDOW, true, 'system'],
    // A browser does all of this itself.
    ['https://111.nhs.uk', '_blank', false, BROWSER, false, 'default'],
    ['file:///etc/passwd', '', false, BROWSER, false, 'default'],
    ['/api/documents/d1/attachments/0', '', true, BROWSER, false, 'default'],
    ['#/help', '_blank', false, BROWSER, false, 'default'],
  ];
  it.each(table)('%s (target %j, download %s) on %s, window %s: %s', (href, target, download, page, window, want) => {
    expect(linkAction(href, target, download, page, window)).toBe(want);
  });
});

describe('text size', () => {
  it('steps through the sizes and holds at the ends', () => {
    expect(stepTextSize(100, 1)).toBe(110);
    expect(stepTextSize(100, -1)).toBe(90);
    expect(stepTextSize(200, 1)).toBe(200);
    expect(stepTextSize(80, -1)).toBe(80);
    expect(stepTextSize(175, 0)).toBe(100);
    // Between steps: the next one that way.
    expect(stepTextSize(130, 1)).toBe(150);
    expect(stepTextSize(130, -1)).toBe(125);
    let s = 100;
    for (let i = 0; i < 20; i++) s = stepTextSize(s, 1);
    expect(s).toBe(TEXT_SIZES[TEXT_SIZES.length - 1]);
    for (let i = 0; i < 20; i++) s = stepTextSize(s, -1);
    expect(s).toBe(TEXT_SIZES[0]);
  });

  it('reads only a size it could have stored', () => {
    expect(storedTextSize('125')).toBe(125);
    expect(storedTextSize(null)).toBe(100);
    for (const bad of ['', '0', '1000', '126', 'big', '-90', '125px']) expect(storedTextSize(bad), bad).toBe(100);
  });
});

describe('shortcut', () => {
  const key = (key: string, more: Partial<KeyboardEvent> = {}) => ({ key, code: '', ctrlKey: true, metaKey: false, altKey: false, shiftKey: false, ...more });
  it.each([
    [key('p'), 'print'],
    [key('P'), 'print'],
    [key('P', { shiftKey: true }), null],
    [key('p', { ctrlKey: false, metaKey: true }), 'print'],
    [key('p', { altKey: true }), null],
    [key('p', { ctrlKey: false }), null],
    [key('+', { shiftKey: true }), 'larger'],
    [key('='), 'larger'],
    [key('+', { code: 'NumpadAdd' }), 'larger'],
    [key('-'), 'smaller'],
    [key('_', { shiftKey: true }), 'smaller'],
    [key('-', { code: 'NumpadSubtract' }), 'smaller'],
    [key('0'), 'usual'],
    [key('0', { ctrlKey: false }), null],
    [key('a'), null],
    [key('c'), null],
  ] as const)('%j: %s', (e, want) => {
    expect(shortcut(e)).toBe(want);
  });
});

describe('inWindow', () => {
  it('is the Wails runtime with BrowserOpenURL', () => {
    expect(inWindow({ runtime: { BrowserOpenURL: () => {} } })).toBe(true);
    expect(inWindow({ runtime: {} })).toBe(false);
    expect(inWindow({ wails: {} })).toBe(false);
    expect(inWindow({})).toBe(false);
  });
});

type Handler = (e: unknown) => void;

/** A page with fake parts, and ways to click links and press keys on it. */
function fakePage(href: string, window: boolean, stored: string | null = null) {
  const handlers: Record<string, Handler[]> = {};
  const store = new Map<string, string>(stored === null ? [] : [[TEXT_SIZE_KEY, stored]]);
  const root = { style: { fontSize: '' } };
  const page: Page = {
    document: {
      addEventListener: (type: string, fn: Handler, capture?: boolean) => {
        expect(capture).toBe(true);
        (handlers[type] ??= []).push(fn);
      },
      documentElement: root,
    } as unknown as Page['document'],
    location: { href },
    storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) },
    open: window ? vi.fn() : null,
    print: vi.fn(),
  };
  install(page);
  const fire = (type: string, e: Record<string, unknown>) => {
    const ev = { defaultPrevented: false, stopped: false, ...e };
    Object.assign(ev, { preventDefault: () => (ev.defaultPrevented = true), stopPropagation: () => (ev.stopped = true) });
    for (const fn of handlers[type] ?? []) fn(ev);
    return ev;
  };
  const click = (attrs: Record<string, string>, type = 'click', button = 0) => {
    const a = {
      getAttribute: (n: string) => attrs[n] ?? null,
      setAttribute: (n: string, v: string) => void (attrs[n] = v),
      hasAttribute: (n: string) => n in attrs,
    };
    const inner = { closest: (sel: string) => (sel === 'a[href]' && 'href' in attrs ? a : null) };
    return { ev: fire(type, { target: inner, button }), attrs };
  };
  const press = (k: string, more: Record<string, unknown> = {}) => fire('keydown', { key: k, code: '', ctrlKey: true, metaKey: false, altKey: false, shiftKey: false, ...more });
  return { page, root, store, click, press, handlers };
}

describe('install in the window', () => {
  it('opens other sites with the system opener, and never file: links', () => {
    const f = fakePage(WINDOW, true);
    const { ev, attrs } = f.click({ href: 'https://111.nhs.uk', target: '_blank', rel: 'external noopener' });
    expect(f.page.open).toHaveBeenCalledWith('https://111.nhs.uk/');
    expect(ev.defaultPrevented && ev.stopped).toBe(true);
    expect(attrs.rel).toBe('external noopener noreferrer');
    f.click({ href: 'file:///etc/passwd' });
    f.click({ href: 'javascript:alert(1)', target: '_blank' });
    expect(f.page.open).toHaveBeenCalledTimes(1);
    // A middle click on another site's link opens it too; other buttons do nothing.
    f.click({ href: 'https://www.nhs.uk/' }, 'auxclick', 1);
    f.click({ href: 'https://www.nhs.uk/' }, 'auxclick', 2);
    expect(f.page.open).toHaveBeenCalledTimes(2);
  });

  it('leaves Ward links to the page and follows new-tab ones here', () => {
    const f = fakePage(WINDOW, true);
    const { ev } = f.click({ href: '#/results' });
    expect(ev.defaultPrevented).toBe(false);
    f.click({ href: '#/help', target: '_blank' });
    expect(f.page.location.href).toBe('wails://wails/#/help');
    expect(f.page.open).not.toHaveBeenCalled();
    // Not a link at all.
    expect(f.click({}).ev.defaultPrevented).toBe(false);
  });

  it('prints with Ctrl+P and changes the text size, remembered', () => {
    const f = fakePage(WINDOW, true, '125');
    expect(f.root.style.fontSize).toBe('125%');
    expect(f.press('p').defaultPrevented).toBe(true);
    expect(f.page.print).toHaveBeenCalledTimes(1);
    f.press('+', { shiftKey: true });
    expect(f.root.style.fontSize).toBe('150%');
    expect(f.store.get(TEXT_SIZE_KEY)).toBe('150');
    f.press('-');
    f.press('-');
    expect(f.root.style.fontSize).toBe('110%');
    f.press('0');
    expect(f.root.style.fontSize).toBe('');
    expect(f.store.get(TEXT_SIZE_KEY)).toBe('100');
    expect(f.press('c').defaultPrevented).toBe(false);
    expect(f.page.print).toHaveBeenCalledTimes(1);
  });
});

describe('install in a browser', () => {
  it('adds noopener noreferrer to new-tab links and changes nothing else', () => {
    const f = fakePage(BROWSER, false, '200');
    expect(f.root.style.fontSize).toBe('');
    const { ev, attrs } = f.click({ href: 'https://111.nhs.uk', target: '_blank' });
    expect(attrs.rel).toBe('noopener noreferrer');
    expect(ev.defaultPrevented).toBe(false);
    expect(f.click({ href: '/api/documents/d1/attachments/0', download: '' }).ev.defaultPrevented).toBe(false);
    // No keyboard shortcuts or middle clicks: the browser has its own.
    expect(f.handlers.keydown).toBeUndefined();
    expect(f.handlers.auxclick).toBeUndefined();
  });
});
