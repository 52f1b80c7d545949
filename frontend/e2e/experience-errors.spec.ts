// Errors and empty states with a next step, and the broken items of issue 14:
// a long search on a phone, lay words in search, component hits linking to
// the test's history, the prescriber on a row of its own, Try again and the
// helpdesk on a service error, the unlock countdown and the warning before
// the last try, the recovery key explained, import errors in plain words
// with Technical details. At 1280 and 390 px, on the demo record (the
// locked and import cases mock what the demo cannot be).
import type { Page } from '@playwright/test';
import { test, expect, openPage, expectConsole, expectNoAxeViolations } from './fixtures';

/** Whether anything makes the page wider than the window (a phone would scroll sideways). */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, `page ${scroll} px wide in a ${width} px window`).toBeLessThanOrEqual(width);
}

async function helpdesk(page: Page): Promise<{ phone: string; hours: string }> {
  const config = await (await page.request.get('/api/config')).json();
  expect(config.organisation?.helpdesk?.phone, 'the demo names a helpdesk').toBeTruthy();
  return config.organisation.helpdesk;
}

function checks(width: number) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: 844 } });

    test('a 300-character search does not make the page wider than the screen', async ({ page }) => {
      const long = 'glucose'.repeat(43).slice(0, 300);
      await openPage(page, '#/search?q=' + long);
      await expect(page.getByTestId('no-results')).toContainText(long);
      await expectNoSidewaysScroll(page);
      await expectNoAxeViolations(page);
    });

    test('"sugar" finds HbA1c; a test inside a report links to its history', async ({ page }) => {
      await openPage(page, '#/search');
      await page.getByLabel('Search for a test, condition, medicine, appointment or letter').fill('sugar');
      const results = page.getByTestId('search-result');
      await expect(page.getByTestId('search-count')).toBeVisible();
      await expect(results.filter({ hasText: 'HbA1c' }).first()).toBeVisible();
      // The HbA1c result inside the diabetes report: its history, not the report.
      const component = results.getByRole('link', { name: 'HbA1c', exact: true });
      await expect(component).toHaveAttribute('href', /^#\/tests\/.+/);
      await expect(results.locator('a[href^="#/results/"]').first()).toBeVisible(); // the report itself
      await expectNoSidewaysScroll(page);
      await expectNoAxeViolations(page);
      await component.click();
      await expect(page).toHaveURL(/#\/tests\//);
      await expect(page.getByRole('heading', { level: 1 })).toContainText('HbA1c');
    });

    test('the lay word kidney finds eGFR and creatinine', async ({ page }) => {
      await openPage(page, '#/search?q=kidney');
      const titles = page.getByTestId('search-result').getByRole('link');
      await expect(titles.filter({ hasText: /^Creatinine$/ })).toHaveCount(1);
      await expect(titles.filter({ hasText: /^eGFR$/ })).toHaveCount(1);
    });

    test('Prescribed by names only the prescriber; the organisation has its own row', async ({ page }) => {
      await openPage(page, '#/health');
      const med = page.getByTestId('medication').first();
      await expect(med.getByTestId('prescriber')).toHaveText('Dr Tom Ellis');
      await expect(med.getByTestId('medicine-organisation')).toHaveText('Demo Hospital NHS Foundation Trust');
      await expect(med.locator('.nhsuk-summary-list__key', { hasText: 'Organisation' })).toBeVisible();
      await expectNoSidewaysScroll(page);
      await expectNoAxeViolations(page);
    });

    test('a service error offers Try again and the helpdesk; Try again asks again', async ({ page, consoleProblems }) => {
      const desk = await helpdesk(page);
      let fail = true;
      await page.route('**/api/health', (route) => (fail ? route.fulfill({ status: 500, body: 'no' }) : route.fallback()));
      await openPage(page, '#/health');
      const problem = page.getByTestId('problem');
      await expect(problem).toContainText('Sorry, there is a problem with the service.');
      await expect(page.getByTestId('problem-helpdesk')).toHaveText(`If it keeps happening, call the helpdesk on ${desk.phone}, ${desk.hours.replace(/\.$/, '')}.`);
      await expect(page.getByTestId('problem-helpdesk').getByRole('link', { name: desk.phone })).toHaveAttribute('href', /^tel:\d+$/);
      await expectNoSidewaysScroll(page);
      await expectNoAxeViolations(page);
      fail = false;
      await page.getByRole('button', { name: 'Try again' }).click();
      await expect(problem).toHaveCount(0);
      await expect(page.getByTestId('medication').first()).toBeVisible();
      expectConsole(consoleProblems, /status of 500/);
    });

    test('a failed import: plain words first, the technical words behind Technical details (mocked)', async ({ page }) => {
      await page.route('**/api/vault', (route) => route.fulfill({ json: { state: 'unlocked', demo: false, autoLockMinutes: 15, canRecover: true } }));
      const detail = "entry 0: this is not valid JSON: invalid character '/' looking for beginning of object key string (line 3)";
      await page.route(/\/api\/imports\?/, (route) =>
        route.fulfill({
          json: {
            id: 'x', file: 'comment.json', state: 'failed', bytesDone: 10, bytesTotal: 10, items: 0, summary: null, code: 'bad_file', detail,
            message: 'comment.json is not valid FHIR JSON: line 3 has a comment, which JSON files cannot have. Nothing from it was saved; everything else is as it was.',
          },
        }),
      );
      await openPage(page, '#/import');
      await page.getByLabel('Upload files').setInputFiles({ name: 'comment.json', mimeType: 'application/json', buffer: Buffer.from('{\n\n// x\n}') });
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      const failure = page.getByTestId('import-failure');
      await expect(failure).toContainText('comment.json is not valid FHIR JSON: line 3 has a comment');
      const technical = failure.getByTestId('import-technical');
      await expect(technical.getByText(detail)).toBeHidden();
      await technical.getByText('Technical details').click();
      await expect(technical.getByText(detail)).toBeVisible();
      await expect(technical).toContainText('Error code: bad_file');
      await expectNoSidewaysScroll(page);
      await expectNoAxeViolations(page);
    });
  });
}

checks(1280);
checks(390);

// The unlock page, as for a real record (the demo has no lock): the server's
// answers are mocked, the page's behaviour is real.
test.describe('unlock: the warning before the last try, and a wait that counts down (mocked)', () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test.beforeEach(async ({ page }) => {
    await page.route('**/api/vault', (route) => route.fulfill({ json: { state: 'locked', demo: false, autoLockMinutes: 15, canRecover: true } }));
  });

  test('warns before the try that brings a wait, then counts the wait down', async ({ page, consoleProblems }) => {
    let answer = 401;
    await page.route('**/api/vault/unlock', (route) =>
      answer === 401
        ? route.fulfill({ status: 401, json: { error: { code: 'wrong_password', message: 'That password is not right.', triesLeft: 1, nextWaitSeconds: 65 } } })
        : route.fulfill({
            status: 429,
            headers: { 'Retry-After': '65' },
            json: { error: { code: 'too_many_attempts', message: 'You have entered the wrong password too many times. Wait 2 minutes and try again.', retryAfterSeconds: 65 } },
          }),
    );
    await openPage(page, '#/');
    const password = page.getByLabel('Password', { exact: true });
    const unlock = page.getByRole('button', { name: 'Unlock', exact: true });
    await password.fill('guess one');
    await unlock.click();
    await expect(page.getByTestId('password-error')).toContainText('That password is not right. You have 1 more try before Ward makes you wait 1 minute 5 seconds.');
    await expectNoAxeViolations(page);

    answer = 429;
    await password.fill('guess two');
    await unlock.click();
    const countdown = page.getByTestId('unlock-countdown');
    await expect(countdown).toContainText(/Try again in 1 minute [0-5] seconds?/);
    const first = await countdown.innerText();
    await expect(countdown).not.toHaveText(first, { timeout: 3_000 }); // it counts
    // Screen readers hear it once a minute, politely, not every second.
    const status = page.getByTestId('unlock-countdown-status');
    await expect(status).toHaveAttribute('aria-live', 'polite');
    await expect(status).toHaveText('You can try again in about 2 minutes.');
    await expect(unlock).toBeDisabled();
    await expectNoSidewaysScroll(page);
    await expectNoAxeViolations(page);
    expectConsole(consoleProblems, /status of (401|429)/);
  });

  test('"Forgotten your password?" says what the recovery key is and where it may be', async ({ page }) => {
    await openPage(page, '#/');
    await page.getByText('Forgotten your password?').click();
    const help = page.getByTestId('recovery-key-help');
    await expect(help).toContainText('7 groups of 5 capital letters and numbers');
    await expect(help).toContainText('saved it in a password manager');
    await expect(page.getByTestId('recovery-key-lost')).toContainText('Without your password and your recovery key, nobody can open your record');
    await expectNoSidewaysScroll(page);
    await expectNoAxeViolations(page);
  });
});
