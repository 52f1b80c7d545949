// First run, against a real (not demo) Ward server started by global setup on
// an empty data folder: no vault until these tests make one from the page.
// The tests run in order: the first ones see the empty folder, the set-up
// test creates the vault, the last ones see it set up.
import type { Page } from '@playwright/test';
import { test, expect, expectConsole, expectNoAxeViolations } from './fixtures';

const PASSWORD = 'four words make a password';
const KEY_FORMAT = /^[0-9A-Z]{5}(-[0-9A-Z]{5}){6}$/;

test.describe.configure({ mode: 'serial' });

// The recovery key shown on the page, shared with the later tests the way a
// person would keep it: written down.
let writtenDownKey = '';

async function openSetup(page: Page, hash = '#/setup') {
  await page.goto('/' + hash);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up Ward');
  await expect(page).toHaveTitle('Set up Ward - Ward');
}

async function choosePassword(page: Page, password: string, confirm: string) {
  await page.getByLabel('Create a password').fill(password);
  await page.getByLabel('Confirm password').fill(confirm);
  await page.getByRole('button', { name: 'Set up Ward' }).click();
}

test.describe('first run: setting Ward up', () => {
  test('GET /api/vault says there is no vault yet', async ({ request }) => {
    const vault = await (await request.get('/api/vault')).json();
    expect(vault).toMatchObject({ state: 'none', demo: false });
    expect(typeof vault.autoLockMinutes).toBe('number');
    // The server checks the length too (8 characters or more).
    const short = await request.post('/api/vault/create', { data: { password: 'short' } });
    expect(short.status()).toBe(400);
    expect((await short.json()).error).toMatchObject({ code: 'short_password' });
    expect((await (await request.get('/api/vault')).json()).state).toBe('none');
  });

  test('visiting the app shows the set-up page', async ({ page }) => {
    await openSetup(page, '#/results');
    await expect(page).toHaveURL(/#\/setup$/);
    await expect(page.locator('main')).toContainText('encrypted');
    await expect(page.locator('main')).toContainText('recovery key');
    const password = page.getByLabel('Create a password');
    await expect(password).toHaveAttribute('type', 'password');
    await expect(password).toHaveAttribute('autocomplete', 'new-password');
    await expect(password).toHaveAccessibleDescription(
      'Use 8 characters or more. A long phrase of several words is easier to remember and harder to guess.',
    );
    const confirm = page.getByLabel('Confirm password');
    await expect(confirm).toHaveAttribute('type', 'password');
    await expect(confirm).toHaveAttribute('autocomplete', 'new-password');
    // Nothing to browse or lock yet.
    await expect(page.getByRole('navigation', { name: 'Menu' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Lock your record', exact: true })).toHaveCount(0);
    await expect(page.getByTestId('urgent-help-link')).toHaveAttribute('href', '#/help?section=urgent');
    await expectNoAxeViolations(page);

    // The command line is there for whoever looks after the server.
    await page.getByText('Set up from the command line instead').click();
    await expect(page.locator('main code').filter({ hasText: 'ward vault init' })).toBeVisible();
    await expectNoAxeViolations(page);

    // The unlock page has nothing to unlock yet; help is still there.
    await page.goto('/#/unlock');
    await expect(page).toHaveURL(/#\/setup$/);
    await page.goto('/#/help');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Help');
  });

  test('empty, short and mismatched passwords show the error summary; nothing is sent', async ({ page }) => {
    await openSetup(page);
    let posted = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/api/vault/create')) posted++;
    });
    const summary = page.getByTestId('error-summary');

    await page.getByRole('button', { name: 'Set up Ward' }).click();
    await expect(summary).toBeFocused();
    await expect(summary).toContainText('There is a problem');
    await expect(summary).toContainText('Enter a password');
    await expect(page.getByTestId('password-error')).toContainText('Enter a password');
    await expect(page).toHaveTitle('Error: Set up Ward - Ward');
    await expectNoAxeViolations(page);

    await choosePassword(page, 'seven77', 'seven77');
    await expect(summary).toBeFocused();
    await expect(summary).toContainText('Your password must be 8 characters or more');
    await expect(page.getByLabel('Create a password')).toHaveAccessibleDescription(/Your password must be 8 characters or more/);
    await expect(page.getByLabel('Create a password')).toHaveValue('');

    await choosePassword(page, PASSWORD, PASSWORD + ' ');
    await expect(summary).toBeFocused();
    await expect(summary).toContainText('The passwords do not match');
    await expect(page.getByTestId('confirm-error')).toContainText('The passwords do not match');
    await expect(page.getByTestId('password-error')).toHaveCount(0);
    const confirm = page.getByLabel('Confirm password');
    await expect(confirm).toHaveAccessibleDescription(/The passwords do not match/);
    // Neither box keeps a password after a failed attempt.
    await expect(confirm).toHaveValue('');
    await expect(page.getByLabel('Create a password')).toHaveValue('');
    await expect(page).toHaveTitle('Error: Set up Ward - Ward');
    await expectNoAxeViolations(page);

    // The error summary link moves focus to the field without changing page.
    await summary.getByRole('link', { name: /The passwords do not match/ }).click();
    await expect(confirm).toBeFocused();
    await expect(page).toHaveURL(/#\/setup$/);
    expect(posted).toBe(0);
  });

  test("the server's short_password message is shown on the password field (mocked answer)", async ({ page, consoleProblems }) => {
    await page.route('**/api/vault/create', (route) =>
      route.fulfill({
        status: 400,
        json: { error: { code: 'short_password', message: 'Your password must be 8 characters or more.' } },
      }),
    );
    await openSetup(page);
    await choosePassword(page, PASSWORD, PASSWORD);
    await expect(page.getByTestId('error-summary')).toBeFocused();
    await expect(page.getByTestId('error-summary')).toContainText('Your password must be 8 characters or more.');
    await expect(page.getByTestId('password-error')).toContainText('Your password must be 8 characters or more.');
    await expect(page.getByLabel('Create a password')).toHaveValue('');
    expect(await page.evaluate(() => sessionStorage.getItem('ward.token'))).toBeNull();
    expectConsole(consoleProblems, /status of 400/);
  });

  test('setting a password shows the recovery key once; Continue needs the box ticked, then the import page', async ({
    page,
    context,
    request,
  }) => {
    const logged: string[] = [];
    page.on('console', (msg) => logged.push(msg.text()));
    // A second tab, still on the set-up page, to try setting up again later.
    const other = await context.newPage();
    await other.goto('/#/setup');
    await expect(other.getByRole('heading', { level: 1 })).toHaveText('Set up Ward');
    await page.bringToFront(); // a background tab gets few animation frames

    await openSetup(page);
    await choosePassword(page, PASSWORD, PASSWORD);

    // The recovery key page.
    const heading = page.getByRole('heading', { level: 1 });
    await expect(heading).toHaveText('Your recovery key');
    await expect(heading).toBeFocused();
    await expect(page).toHaveTitle('Your recovery key - Set up Ward - Ward');
    const shown = page.getByTestId('recovery-key');
    const key = ((await shown.textContent()) ?? '').trim();
    expect(key).toMatch(KEY_FORMAT);
    expect(await shown.evaluate((el) => getComputedStyle(el).fontFamily)).toMatch(/mono/i);
    await expect(shown.locator('.ward-recovery-key__group')).toHaveCount(7);
    await expect(page.getByTestId('recovery-key-warning')).toContainText(
      'Write this down and keep it somewhere safe. It is the only way back into your record if you forget your password. Ward will not show it again.',
    );
    writtenDownKey = key;

    // The token is kept like unlocking does; the key is nowhere but the page.
    const token = await page.evaluate(() => sessionStorage.getItem('ward.token'));
    expect(token).toBeTruthy();
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
    expect(stored).not.toContain(key);
    expect(page.url()).not.toContain(key);
    expect(page.url()).not.toContain(key.replace(/-/g, ''));
    await expectNoAxeViolations(page);

    // Copy, with "Copied" in a live region.
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('button', { name: 'Copy recovery key' }).click();
    const status = page.getByTestId('copy-status');
    await expect(status).toHaveText('Copied');
    await expect(status).toHaveAttribute('role', 'status');
    await expect(status).toHaveClass(/nhsuk-u-visually-hidden/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

    // Following a link does not lose the key.
    await page.getByRole('contentinfo').getByRole('link', { name: 'Help', exact: true }).click();
    await expect(page).toHaveURL(/#\/setup$/);
    await expect(shown).toHaveText(key);
    // The title stays the key page's, whatever the router said on the way.
    await expect(page).toHaveTitle('Your recovery key - Set up Ward - Ward');

    // Continue without ticking the box: an error.
    await page.getByRole('button', { name: 'Continue' }).click();
    const summary = page.getByTestId('error-summary');
    await expect(summary).toBeFocused();
    await expect(summary).toContainText('Confirm that you have written down your recovery key');
    await expect(page.getByTestId('written-down-error')).toContainText('Confirm that you have written down your recovery key');
    const box = page.getByLabel('I have written down my recovery key');
    await expect(box).toHaveAccessibleDescription(/Confirm that you have written down your recovery key/);
    await expect(page).toHaveTitle('Error: Your recovery key - Set up Ward - Ward');
    await expect(shown).toHaveText(key);
    await expectNoAxeViolations(page);
    await summary.getByRole('link').click();
    await expect(box).toBeFocused();

    // Tick it and Continue: the import page, with the record unlocked.
    await box.check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page).toHaveURL(/#\/import$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add records from a file');
    await expect(page.getByTestId('first-run-intro')).toContainText('Add your records');
    await expect(page.getByTestId('recovery-key')).toHaveCount(0);
    await expect(page.getByText(key)).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Lock your record', exact: true })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Menu' })).toBeVisible();
    await expectNoAxeViolations(page);
    const vault = await (await request.get('/api/vault', { headers: { Authorization: `Bearer ${token}` } })).json();
    expect(vault.state).toBe('unlocked');
    expect(await page.evaluate(() => sessionStorage.getItem('ward.token'))).toBe(token);
    // Back does not return to the set-up page.
    await page.goto('/#/setup');
    await expect(page).toHaveURL(/#\/import$/);
    expect(logged.filter((l) => l.includes(key) || l.includes(key.replace(/-/g, '')))).toEqual([]);
    // The home page of an empty record offers the next step to the person who set Ward up.
    await page.goto('/#/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('There is no health record here yet');
    await page.getByTestId('add-records').click();
    await expect(page).toHaveURL(/#\/import$/);

    // The other tab tries to set up too: already done (409), so it goes to unlock.
    await other.bringToFront();
    await other.getByLabel('Create a password').fill('another long password');
    await other.getByLabel('Confirm password').fill('another long password');
    await other.getByRole('button', { name: 'Set up Ward' }).click();
    await expect(other.getByRole('heading', { level: 1 })).toHaveText('Unlock your record');
    await expect(other).toHaveURL(/#\/unlock$/);
    await expect(other.getByTestId('locked-notice')).toContainText('Ward is already set up on this computer');
    await expectNoAxeViolations(other);
    await other.close();
    await page.bringToFront();

    // Lock, then unlock with the recovery key written down earlier.
    await page.getByRole('button', { name: 'Lock your record', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unlock your record');
    await expect(page.getByTestId('locked-notice')).toContainText('Your record is locked');
    expect((await (await request.get('/api/vault', { headers: { Authorization: `Bearer ${token}` } })).json()).state).toBe('locked');
    await page.getByText('Forgotten your password?').click();
    await page.getByLabel('Recovery key').fill(writtenDownKey);
    await page.getByRole('button', { name: 'Unlock with recovery key' }).click();
    await expect(page).toHaveURL(/#\/import$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add records from a file');
    // The welcome was for the first visit only.
    await expect(page.getByTestId('first-run-intro')).toHaveCount(0);
    const again = await page.evaluate(() => sessionStorage.getItem('ward.token'));
    expect(again).toBeTruthy();
    expect(again).not.toBe(token);
    expect((await (await request.get('/api/vault', { headers: { Authorization: `Bearer ${again}` } })).json()).state).toBe('unlocked');
  });

  test('once set up, the set-up page sends a new session to unlock, and the password works', async ({ page }) => {
    expect(writtenDownKey).toMatch(KEY_FORMAT);
    await page.goto('/#/setup');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unlock your record');
    await expect(page).toHaveURL(/#\/unlock$/);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Lock your record', exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Unlock your record');
    await page.getByRole('button', { name: 'Lock your record', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unlock your record');
  });
});
