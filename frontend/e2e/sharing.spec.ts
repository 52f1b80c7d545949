// Sharing a record with a clinician (project "accounts"): the patient and
// the clinician in two browser contexts, the code through a real mail
// server (Mailpit), the access seen by the patient, and a revoke that
// refuses the clinician's next click.
import { test, expect, expectConsole, expectNoAxeViolations } from './fixtures';
import { mailText, mailTo } from './mailpit';
import type { Page } from '@playwright/test';

const INVITE = () => process.env.WARD_ACCOUNTS_INVITE2!;
const PATIENT = 'Robin Lockwood';
const BORN = { day: '21', month: '6', year: '1975' };
const EMAIL = `robin.share.${Date.now()}@example.org`;
const CLINICIAN_EMAIL = `dr.patel.${Date.now()}@example.org`;
const PASSWORD = 'plum orbit candle meadow 42';

/** Signs up the second invited patient and leaves them on their home page. */
async function signUpPatient(page: Page) {
  await page.goto('/#/sign-up');
  await page.getByLabel('Email address').fill(EMAIL);
  await page.getByLabel('Create a password').fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email');
  const m = await mailTo(EMAIL, /^Your Ward code: /);
  await page.getByLabel('Enter the code from the email').fill(/([2-9A-HJKMNP-Z]{8})$/.exec(m.Subject)![1]);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Invite code').fill(INVITE());
  await page.getByRole('button', { name: 'Set up my account' }).click();
  await page.getByLabel('I have saved my recovery key').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(PATIENT);
}

test('share test results with a clinician: emailed code, date of birth, only what was shared, the access seen, revoked at once', async ({ browser, page, consoleProblems }) => {
  test.setTimeout(120_000);
  await signUpPatient(page);

  // The patient shares their test results only.
  await page.goto('/#/share-record');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Share your record');
  await expectNoAxeViolations(page);
  await page.getByLabel('Their name').fill('Dr Asha Patel');
  await page.getByLabel('Their email address').fill(CLINICIAN_EMAIL);
  await page.getByLabel('Only some parts').check();
  await page.getByLabel('Test results').check();
  await page.getByLabel('Conditions').check();
  await page.getByTestId('share-record-submit').click();
  await expect(page.getByTestId('share-made')).toBeVisible();
  const shown = (await page.getByTestId('share-code').textContent())!.replace(/[\s-]+/g, '');
  expect(shown).toMatch(/^[0-9A-Z]{21}$/); // 100 bits and a check character

  // The clinician gets the code by email, with no health information in it.
  const m = await mailTo(CLINICIAN_EMAIL, /./);
  const text = await mailText(m.ID);
  expect(text.replace(/[\s-]+/g, '')).toContain(shown);
  expect(text).not.toContain('Full blood count');

  // The clinician, in a browser of their own.
  const clinicianContext = await browser.newContext();
  const doc = await clinicianContext.newPage();
  await doc.goto(page.url().replace(/#.*$/, '#/share'));
  await expect(doc.getByRole('heading', { level: 1 })).toHaveText('View a shared health record');
  await expectNoAxeViolations(doc);
  await doc.getByLabel('Code').fill(shown.toLowerCase());
  await doc.getByLabel('Day').fill('1');
  await doc.getByLabel('Month').fill('1');
  await doc.getByLabel('Year').fill('1980');
  await doc.getByLabel('Your name').fill('Dr Asha Patel');
  await doc.getByTestId('share-open-submit').click();
  await expect(doc.getByTestId('share-open-errors')).toContainText('not right');
  await doc.getByLabel('Day').fill(BORN.day);
  await doc.getByLabel('Month').fill(BORN.month);
  await doc.getByLabel('Year').fill(BORN.year);
  await doc.getByTestId('share-open-submit').click();
  await expect(doc.getByTestId('shared-by')).toContainText(PATIENT.split(' ')[0]);
  await doc.goto(doc.url().replace(/#.*$/, '#/results'));
  await expect(doc.getByRole('heading', { level: 1 })).toHaveText('Test results');
  await expect(doc.locator('main')).toContainText('Full blood count');
  await expectNoAxeViolations(doc);
  // Health: the conditions were shared (there are none); medicines and
  // allergies were not, and the page says so rather than showing them empty.
  await doc.goto(doc.url().replace(/#.*$/, '#/health'));
  await expect(doc.getByTestId('not-shared-medicines')).toBeVisible();
  await expect(doc.getByTestId('not-shared-allergies')).toBeVisible();
  await expect(doc.getByTestId('not-shared-conditions')).toHaveCount(0);
  await expect(doc.locator('main')).toContainText('No conditions have been shared');
  await expectNoAxeViolations(doc);
  // Documents were not shared: not reachable, in the page or the API.
  await expect(doc.getByRole('link', { name: 'Documents' })).toHaveCount(0);
  expect((await doc.request.get('/api/documents')).status()).toBe(404);

  // The patient sees who looked, and revokes.
  await page.goto('/#/shares');
  await page.getByRole('button', { name: /See who looked/ }).first().click();
  await expect(page.locator('table').filter({ hasText: 'Dr Asha Patel' })).toBeVisible();
  await page.getByRole('button', { name: /Revoke now/ }).first().click();
  await page.getByRole('button', { name: 'Yes, revoke now' }).click();
  await expect(page.getByTestId('shares-done')).toBeVisible();

  // The clinician's next click is refused.
  await doc.getByRole('link', { name: 'Home' }).first().click();
  await expect(doc).toHaveURL(/#\/share/);
  await expect(doc.getByTestId('share-notice')).toContainText('ended');
  expectConsole(consoleProblems, /status of 401/); // signed out when the patient's page first loaded
  await clinicianContext.close();
});
