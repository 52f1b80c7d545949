import {
  test,
  expect,
  openPage,
  expectNoAxeViolations,
  expectUrgentHelp,
  expectConsole,
  type ApiReport,
} from './fixtures';

const DATE = /\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b/;

async function firstFlaggedReport(request: import('@playwright/test').APIRequestContext) {
  const res = await request.get('/api/results');
  expect(res.ok()).toBeTruthy();
  const body = (await res.json()) as { reports: ApiReport[] };
  expect(body.reports.length, 'demo data has test results').toBeGreaterThan(0);
  const report = body.reports.find((r) => (r.results ?? []).some((x) => x.flag));
  expect(report, 'demo data has a flagged result').toBeTruthy();
  const result = report!.results!.find((x) => x.flag)!;
  return { reports: body.reports, report: report!, result };
}

test.describe('home page', () => {
  test('shows the patient and the not-full-record notice', async ({ page, request }) => {
    const summary = await (await request.get('/api/summary')).json();
    expect(summary.patient, 'demo data has a patient').toBeTruthy();

    await openPage(page, '#/');
    await expect(page).toHaveTitle('Your health record - Ward');
    await expect(page.locator('h1')).toContainText(summary.patient.name);
    const details = page.getByTestId('patient-details');
    await expect(details).toContainText(summary.patient.nhsNumber);
    await expect(details.locator('dd').nth(1)).toHaveText(DATE);

    const notice = page.getByTestId('not-full-record');
    await expect(notice).toContainText('This is not your full health record');
    await expect(notice).toContainText('GP, dentist');
    for (const source of summary.sources ?? []) {
      await expect(notice).toContainText(source.name);
    }
    await expect(page.getByRole('link', { name: 'Test results' }).first()).toBeVisible();
    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);
  });

  test('is served with a strict Content-Security-Policy', async ({ request }) => {
    const res = await request.get('/');
    expect(res.ok()).toBeTruthy();
    const csp = res.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style|\sstyle=/i);
  });

  test('shows the version in the footer', async ({ page, request }) => {
    const config = await (await request.get('/api/config')).json();
    await openPage(page, '#/');
    await expect(page.getByTestId('version')).toContainText(config.version);
  });
});

test.describe('test results', () => {
  test('lists reports with flagged results shown as text', async ({ page, request }) => {
    const { reports, report, result } = await firstFlaggedReport(request);

    await openPage(page, '#/results');
    await expect(page).toHaveTitle('Test results - Ward');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Test results');
    await expect(page.getByTestId('report')).toHaveCount(reports.length);

    // Newest first: the first report on the page is the first from the API.
    await expect(page.getByTestId('report').first().locator('h2')).toHaveText(reports[0].name);

    const card = page.getByTestId('report').filter({ has: page.getByRole('heading', { name: report.name, exact: true }) }).first();
    const row = card.locator('tbody tr').filter({ hasText: result.name }).first();
    await expect(row.locator('.nhsuk-tag')).toHaveText(result.flagLabel);
    await expect(card.getByTestId('abnormal-count')).toContainText('outside the normal range');
    await expect(card).toContainText(DATE);

    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);
  });

  test('opens a report page with full detail', async ({ page, request }) => {
    const { report, result } = await firstFlaggedReport(request);

    await openPage(page, '#/results');
    await page.getByRole('link', { name: report.name, exact: true }).first().click();
    await expect(page).toHaveURL(new RegExp('#/results/' + encodeURIComponent(report.id).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$'));
    await expect(page.getByRole('heading', { level: 1 })).toContainText(report.name);
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    await expect(page).toHaveTitle(`${report.name} - Test results - Ward`);

    const details = page.getByTestId('report-details');
    await expect(details).toContainText('Taken');
    await expect(details).toContainText(DATE);

    const card = page.getByTestId('result').filter({ hasText: result.name }).first();
    await expect(card.locator('.nhsuk-tag')).toHaveText(result.flagLabel);
    await expect(page.getByRole('link', { name: 'Back to test results' })).toBeVisible();

    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: 'Back to test results' }).click();
    await expect(page).toHaveTitle('Test results - Ward');
  });

  test('an unknown report says it was not found', async ({ page }) => {
    await openPage(page, '#/results/does-not-exist');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Test result not found');
    await expectUrgentHelp(page);
  });
});

test.describe('help page', () => {
  test('shows the helpdesk from the config', async ({ page, request }) => {
    const config = await (await request.get('/api/config')).json();
    await openPage(page, '#/help');
    await expect(page).toHaveTitle('Help - Ward');
    const helpdesk = config.organisation?.helpdesk ?? {};
    if (helpdesk.phone) {
      await expect(page.getByTestId('helpdesk-phone')).toHaveText(helpdesk.phone);
    } else {
      await expect(page.getByTestId('helpdesk-fallback')).toContainText('Contact');
    }
    if (helpdesk.hours) await expect(page.getByTestId('helpdesk-hours')).toHaveText(helpdesk.hours);
    if (helpdesk.email) await expect(page.getByTestId('helpdesk-email')).toHaveText(helpdesk.email);
    await expect(page.getByTestId('not-nhs')).toContainText('not an NHS service');
    await expect(page.getByTestId('not-nhs')).toContainText('not for emergencies');
    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);
  });
});

test.describe('navigation and keyboard', () => {
  test('the skip link moves focus to the main content without changing the page', async ({ page }) => {
    await openPage(page, '#/results');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await expect(page.locator('#maincontent')).toBeFocused();
    await expect(page).toHaveURL(/#\/results$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Test results');
  });

  test('the header menu changes page, title and focus', async ({ page }) => {
    await openPage(page, '#/');
    const menu = page.getByRole('navigation', { name: 'Menu' });
    await expect(menu.getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');

    await menu.getByRole('link', { name: 'Help' }).click();
    await expect(page).toHaveTitle('Help - Ward');
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    await expect(menu.getByRole('link', { name: 'Help' })).toHaveAttribute('aria-current', 'page');

    await menu.getByRole('link', { name: 'Test results' }).click();
    await expect(page).toHaveTitle('Test results - Ward');
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  });

  test('an unknown page says page not found', async ({ page }) => {
    await openPage(page, '#/no-such-page');
    await expect(page).toHaveTitle('Page not found - Ward');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);
  });
});

test.describe('empty and error states', () => {
  test('with no record loaded the home page says so', async ({ page }) => {
    await page.route('**/api/summary', (route) =>
      route.fulfill({ json: { patient: null, sources: [], counts: {} } }),
    );
    await openPage(page, '#/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('There is no health record here yet');
    await expect(page).toHaveTitle('No health record yet - Ward');
    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);
  });

  test('a server error shows a plain message', async ({ page, consoleProblems }) => {
    await page.route('**/api/results', (route) =>
      route.fulfill({
        status: 500,
        json: { error: { code: 'internal', message: 'database exploded' } },
      }),
    );
    await openPage(page, '#/results');
    await expect(page.getByTestId('problem')).toContainText(
      'Sorry, there is a problem with the service. Try again later.',
    );
    await expect(page.getByTestId('problem')).not.toContainText('database');
    // The browser logs the failed request itself; nothing else may be logged.
    const expected = consoleProblems.filter((p) => /status of 500/.test(p));
    expect(expected.length).toBeGreaterThan(0);
    consoleProblems.splice(0, consoleProblems.length, ...consoleProblems.filter((p) => !expected.includes(p)));
  });

  test('the help page falls back when no helpdesk is configured', async ({ page, request }) => {
    const config = await (await request.get('/api/config')).json();
    await page.route('**/api/config', (route) =>
      route.fulfill({
        json: { ...config, organisation: { ...config.organisation, helpdesk: { phone: '', hours: '', email: '' } } },
      }),
    );
    await openPage(page, '#/help');
    await expect(page.getByTestId('helpdesk-fallback')).toContainText(`Contact ${config.organisation.name}`);
    await expect(page.getByTestId('helpdesk')).toHaveCount(0);
  });
});

test.describe('the vault lock in demo mode', () => {
  test('the demo has no lock: no Lock button and no unlock page', async ({ page, request }) => {
    const vault = await (await request.get('/api/vault')).json();
    expect(vault.demo).toBe(true);

    await openPage(page, '#/');
    await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Unlock your record');
    await expect(page.getByTestId('patient-details')).toBeVisible();
    await expect(page.getByRole('button', { name: /\block\b/i })).toHaveCount(0);
    await expect(page.locator('input[type="password"]')).toHaveCount(0);

    // The unlock page does not exist in demo mode: it goes where it was heading.
    await page.goto('/#/unlock?next=%2Fresults');
    await expect(page).toHaveURL(/#\/results$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Test results');
    await expect(page.getByRole('button', { name: /\block\b/i })).toHaveCount(0);
    expect(await page.evaluate(() => sessionStorage.getItem('ward.token'))).toBeNull();
  });

  test('an older backend without /api/vault works as before', async ({ page, consoleProblems }) => {
    await page.route('**/api/vault', (route) =>
      route.fulfill({ status: 404, json: { error: { code: 'not_found', message: 'There is nothing at this address.' } } }),
    );
    await openPage(page, '#/');
    await expect(page.getByTestId('patient-details')).toBeVisible();
    await expect(page.getByRole('button', { name: /\block\b/i })).toHaveCount(0);
    expectConsole(consoleProblems, /status of 404/);
  });

  test('with no vault yet the page says how to create one', async ({ page }) => {
    await page.route('**/api/vault', (route) =>
      route.fulfill({ json: { state: 'none', demo: false, autoLockMinutes: 15, canRecover: false } }),
    );
    await openPage(page, '#/results');
    await expect(page).toHaveURL(/#\/unlock\?next=%2Fresults$/);
    await expect(page).toHaveTitle('No health record yet - Ward');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('There is no health record here yet');
    await expect(page.locator('main code').filter({ hasText: 'ward vault init' })).toBeVisible();
    await expect(page.locator('main code').filter({ hasText: 'ward vault import FILE' })).toBeVisible();
    await expect(page.locator('input[type="password"]')).toHaveCount(0);
    await expect(page.getByRole('button', { name: /\block\b/i })).toHaveCount(0);
    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);
  });

  test('a record endpoint answering 423 sends you to unlock, and back after', async ({ page, consoleProblems }) => {
    // Pretend this is a real (not demo) vault, unlocked, that locks itself
    // between loading the page and opening the results.
    let locked = false;
    await page.route('**/api/vault', (route) =>
      route.fulfill({ json: { state: locked ? 'locked' : 'unlocked', demo: false, autoLockMinutes: 15, canRecover: true } }),
    );
    await page.route('**/api/results', (route) =>
      locked
        ? route.fulfill({ status: 423, json: { error: { code: 'locked', message: 'Your record is locked. Unlock it to continue.' } } })
        : route.fallback(),
    );
    await page.route('**/api/vault/unlock', (route) => {
      expect(route.request().postDataJSON()).toEqual({ password: 'any password' });
      locked = false;
      return route.fulfill({ json: { token: 'mock-token', autoLockMinutes: 15 } });
    });
    await openPage(page, '#/');
    await page.evaluate(() => sessionStorage.setItem('ward.token', 'old-token'));
    await expect(page.getByRole('button', { name: 'Lock your record', exact: true })).toBeVisible();

    locked = true;
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Test results' }).click();
    await expect(page).toHaveURL(/#\/unlock\?next=%2Fresults$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unlock your record');
    expect(await page.evaluate(() => sessionStorage.getItem('ward.token'))).toBeNull();
    await expect(page.getByRole('button', { name: 'Lock your record', exact: true })).toHaveCount(0);
    expectConsole(consoleProblems, /status of 423/);

    await page.getByLabel('Password', { exact: true }).fill('any password');
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await expect(page).toHaveURL(/#\/results$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Test results');
    expect(await page.evaluate(() => sessionStorage.getItem('ward.token'))).toBe('mock-token');
  });

  test('too many attempts: the server message, and Unlock waits', async ({ page, consoleProblems }) => {
    await page.route('**/api/vault', (route) =>
      route.fulfill({ json: { state: 'locked', demo: false, autoLockMinutes: 5, canRecover: true } }),
    );
    await page.route('**/api/vault/unlock', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'Retry-After': '2' },
        json: {
          error: {
            code: 'too_many_attempts',
            message: 'You have entered the wrong password too many times. Wait 2 seconds and try again.',
            retryAfterSeconds: 2,
          },
        },
      }),
    );
    await openPage(page, '#/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unlock your record');
    await expect(page.getByTestId('auto-lock-hint')).toHaveText('Ward locks your record after 5 minutes without use.');
    await page.getByLabel('Password', { exact: true }).fill('guess');
    const button = page.getByRole('button', { name: 'Unlock', exact: true });
    await button.click();
    await expect(page.getByTestId('error-summary')).toBeFocused();
    await expect(page.getByTestId('error-summary')).toContainText('too many times');
    await expect(page.getByTestId('password-error')).toContainText('too many times');
    await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    await expect(button).toBeDisabled();
    await expect(page.getByTestId('recovery-form').locator('button')).toBeDisabled();
    await expectNoAxeViolations(page);
    await expect(button).toBeEnabled({ timeout: 5_000 });
    expectConsole(consoleProblems, /status of 429/);
  });
});
