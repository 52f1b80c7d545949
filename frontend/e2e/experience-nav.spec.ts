// The app shell (issue 14): the header menu at 1280 and 390 px, whose
// service it is, how the record is kept safe, urgent help, and print.
import type { Page } from '@playwright/test';
import { test, expect, openPage, expectConsole, expectNoAxeViolations } from './fixtures';

const PERSISTENT = ['Home', 'Test results', 'Appointments', 'Letters', 'Health summary'];

function menu(page: Page) {
  return page.getByRole('navigation', { name: 'Menu' });
}

/** The header's own links that can be seen now (not those inside the closed More list). */
async function visibleHeaderLinks(page: Page): Promise<string[]> {
  const links = menu(page).locator('.nhsuk-header__navigation-list > li > a');
  const out: string[] = [];
  for (const link of await links.all()) if (await link.isVisible()) out.push((await link.innerText()).trim());
  return out;
}

/** Pages in a PDF: its page objects ("/Type /Page", never the "/Type /Pages" tree). */
function pdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
}

async function expectPrinted(page: Page, request: import('@playwright/test').APIRequestContext): Promise<string> {
  const { patient } = await (await request.get('/api/summary')).json();
  expect(patient?.name, 'demo data has a patient').toBeTruthy();
  await page.emulateMedia({ media: 'print' });
  const text = await page.locator('body').innerText();
  // No link addresses after the links' words.
  expect(text).not.toContain('(Link:');
  expect(text).not.toContain('(#/');
  // Whose record, on the print-only header.
  const header = page.getByTestId('print-header');
  await expect(header).toBeVisible();
  await expect(page.getByTestId('print-name')).toHaveText(patient.name);
  await expect(page.getByTestId('print-nhs-number')).toHaveText(patient.nhsNumber);
  await expect(header).toContainText(/Printed \d{1,2} [A-Z][a-z]+ \d{4}/);
  await expect(header).toHaveCSS('position', 'fixed');
  // None of the screen's controls.
  await expect(menu(page)).toBeHidden();
  await expect(page.locator('#search-field')).toBeHidden();
  await expect(page.locator('footer')).toBeHidden();
  for (const b of await page.locator('main button').all()) await expect(b).toBeHidden();
  // Full width: the page's column is as wide as its row.
  const col = page.locator('main .nhsuk-grid-row > [class*="nhsuk-grid-column-"]').first();
  const row = page.locator('main .nhsuk-grid-row').first();
  const [cw, rw] = [(await col.boundingBox())!.width, (await row.boundingBox())!.width];
  expect(Math.abs(cw - rw)).toBeLessThanOrEqual(32);
  return text;
}

test.describe('at 1280 px', () => {
  test('the menu holds five pages in the headings’ words, then More', async ({ page }) => {
    await openPage(page, '#/');
    expect(await visibleHeaderLinks(page)).toEqual(PERSISTENT);
    const more = menu(page).getByRole('button', { name: 'Browse More' });
    await expect(more).toBeVisible();
    await expect(menu(page).getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');
    await more.click();
    const list = page.locator('#more-menu');
    await expect(list.getByRole('link')).toHaveText(['Timeline', 'Your details', 'What you can see', 'Other records', 'Add records from a file', 'Security settings', 'Help']);
    const box = (await list.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(1280);
    await expectNoAxeViolations(page);
  });

  test('the current page is marked under More, and on the More button', async ({ page, consoleProblems }) => {
    // Only the menu is under test: the demo server's own /api/security fails
    // in demo mode (no session token), so answer for it here.
    await page.route('**/api/security', (route) => route.fulfill({ status: 404, json: { error: 'not_found', message: 'Not found' } }));
    await openPage(page, '#/security');
    expectConsole(consoleProblems, /status of 404/);
    const more = menu(page).getByRole('button', { name: 'Browse More' });
    expect(await more.evaluate((el) => getComputedStyle(el, '::before').borderBottomWidth)).toBe('4px');
    await more.click();
    const link = page.locator('#more-menu').getByRole('link', { name: 'Security settings' });
    await expect(link).toHaveAttribute('aria-current', 'page');
    expect(await link.evaluate((el) => getComputedStyle(el, '::before').borderLeftWidth)).toBe('4px');
    await expect(page.locator('#more-menu [aria-current]')).toHaveCount(1);
    // A header page: the More button is not marked.
    await menu(page).getByRole('link', { name: 'Letters' }).click();
    await expect(menu(page).getByRole('link', { name: 'Letters' })).toHaveAttribute('aria-current', 'page');
    expect(await more.evaluate((el) => getComputedStyle(el, '::before').borderBottomWidth)).toBe('0px');
  });

  test('the More button has the NHS.UK focus style', async ({ page }) => {
    await openPage(page, '#/');
    const more = menu(page).getByRole('button', { name: 'Browse More' });
    await more.focus();
    await expect(more).toHaveCSS('background-color', 'rgb(255, 235, 59)');
    await expect(more).toHaveCSS('color', 'rgb(33, 43, 50)');
    await expect(more).toHaveCSS('box-shadow', /rgb\(33, 43, 50\) 0px -4px 0px 0px inset/);
    // The same as a header link's.
    const link = menu(page).getByRole('link', { name: 'Test results' });
    await link.focus();
    await expect(link).toHaveCSS('background-color', 'rgb(255, 235, 59)');
  });

  test('fits on one line at tablet width', async ({ page }) => {
    await page.setViewportSize({ width: 800, height: 900 });
    await openPage(page, '#/');
    expect(await visibleHeaderLinks(page)).toEqual(PERSISTENT);
    const tops = await menu(page).locator('.nhsuk-header__navigation-list > li:visible').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
  });

  test('at the window’s largest text size the menu wraps and More stays on screen', async ({ page }) => {
    // The window's text size (lib/desktop.ts) sets the root font size, which moves no breakpoint.
    await page.setViewportSize({ width: 1100, height: 820 });
    await openPage(page, '#/');
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    const more = menu(page).getByRole('button', { name: 'Browse More' });
    await expect(more).toBeInViewport({ ratio: 1 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1100);
  });

  test('the header names the organisation, not the NHS or Ward', async ({ page, request }) => {
    const config = await (await request.get('/api/config')).json();
    expect(config.organisation?.name, 'the demo names an organisation').toBeTruthy();
    await openPage(page, '#/');
    await expect(page.getByTestId('brand')).toHaveText(`${config.organisation.name} — your hospital record`);
    await expect(page.locator('header svg.nhsuk-header__logo, header .nhsuk-logo')).toHaveCount(0);
  });

  test('What you can see says how the record is kept safe and how Ward relates to the NHS', async ({ page }) => {
    await openPage(page, '#/about-your-record');
    await expect(page.getByRole('heading', { level: 2, name: 'How your record is kept safe' })).toBeVisible();
    // The demo: one made-up record for everyone, never locked, and it says so.
    await expect(page.getByTestId('kept-safe')).toContainText('demonstration with a made-up record');
    await expect(page.getByTestId('kept-safe')).toContainText('does not lock');
    await expect(page.getByTestId('nhs-relation')).toHaveText(
      'Ward is open-source software. It is not an NHS service. In this demonstration the organisation and the records are made up.',
    );
    await expectNoAxeViolations(page);
  });

  test('urgent help: a card on results and health pages, a footer link elsewhere to the help page’s', async ({ page }) => {
    for (const hash of ['#/results', '#/health']) {
      await openPage(page, hash);
      await expect(page.getByTestId('urgent-help')).toBeVisible();
      await expect(page.getByTestId('urgent-help-link')).toHaveCount(0);
    }
    for (const hash of ['#/', '#/visits', '#/about-your-record']) {
      await openPage(page, hash);
      await expect(page.getByTestId('urgent-help')).toHaveCount(0);
    }
    await page.getByTestId('urgent-help-link').click();
    await expect(page).toHaveURL(/#\/help\?section=urgent$/);
    await expect(page).toHaveTitle('Help - Ward');
    await expect(page.locator('#urgent-help')).toBeVisible();
    await expect(page.locator('#urgent-help-heading')).toBeFocused();
    await expect(page.locator('#urgent-help')).toContainText('999');
    await expect(page.locator('#urgent-help')).toBeInViewport();
  });

  test('Home, About and Help have no axe violations', async ({ page }) => {
    for (const hash of ['#/', '#/about-your-record', '#/help']) {
      await openPage(page, hash);
      await expectNoAxeViolations(page);
    }
  });

  test('a letter prints on one page, with whose record it is and no link addresses', async ({ page, request }) => {
    const { documents } = await (await request.get('/api/documents')).json();
    expect(documents.length, 'demo data has a letter').toBeGreaterThan(0);
    await openPage(page, '#/documents/' + encodeURIComponent(documents[0].id));
    await expect(page.getByTestId('print-button')).toBeVisible();
    const text = await expectPrinted(page, request);
    expect(text).toContain(documents[0].title);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfPages(pdf)).toBe(1);
  });

  test('the results list prints with whose record it is and no link addresses', async ({ page, request }) => {
    await openPage(page, '#/results');
    await expectPrinted(page, request);
    const pdf = await page.pdf({ format: 'A4' });
    const pages = pdfPages(pdf);
    expect(pages).toBeGreaterThanOrEqual(1);
    // Taller pages, fewer of them: the count comes from the content, not a fixed number.
    expect(pdfPages(await page.pdf({ format: 'A3' }))).toBeLessThanOrEqual(pages);
  });
});

test.describe('at 390 px', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('Home, Test results and Appointments in the header; the rest under More, on screen', async ({ page }) => {
    await openPage(page, '#/');
    expect(await visibleHeaderLinks(page)).toEqual(['Home', 'Test results', 'Appointments']);
    const more = menu(page).getByRole('button', { name: 'Browse More' });
    await expect(more).toBeInViewport({ ratio: 1 });
    await more.click();
    const list = page.locator('#more-menu');
    await expect(list.getByRole('link')).toHaveText([
      'Letters',
      'Health summary',
      'Timeline',
      'Your details',
      'What you can see',
      'Other records',
      'Add records from a file',
      'Security settings',
      'Help',
    ]);
    const box = (await list.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(page);
  });

  test('at 320 px (400% zoom) the menu wraps rather than running off the side', async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 700 });
    await openPage(page, '#/');
    expect(await visibleHeaderLinks(page)).toEqual(['Home', 'Test results', 'Appointments']);
    await expect(menu(page).getByRole('button', { name: 'Browse More' })).toBeInViewport({ ratio: 1 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  });

  test('a header page that phones keep under More is marked there', async ({ page }) => {
    await openPage(page, '#/health');
    const more = menu(page).getByRole('button', { name: 'Browse More' });
    expect(await more.evaluate((el) => getComputedStyle(el, '::before').borderBottomWidth)).toBe('4px');
    await more.click();
    await expect(page.locator('#more-menu').getByRole('link', { name: 'Health summary' })).toHaveAttribute('aria-current', 'page');
    await expect(page.locator('#more-menu [aria-current]:visible')).toHaveCount(1);
  });

  test('the organisation in the header fits', async ({ page, request }) => {
    const config = await (await request.get('/api/config')).json();
    await openPage(page, '#/');
    const brand = page.getByTestId('brand');
    await expect(brand).toHaveText(`${config.organisation.name} — your hospital record`);
    const box = (await brand.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  });

  test('Home, About and Help have no axe violations', async ({ page }) => {
    for (const hash of ['#/', '#/about-your-record', '#/help']) {
      await openPage(page, hash);
      await expectNoAxeViolations(page);
    }
  });

  test('a letter prints at full width from a phone too', async ({ page, request }) => {
    const { documents } = await (await request.get('/api/documents')).json();
    await openPage(page, '#/documents/' + encodeURIComponent(documents[0].id));
    await expectPrinted(page, request);
    expect(pdfPages(await page.pdf({ format: 'A4' }))).toBe(1);
  });
});
