// Sharing a record with a clinician (project "accounts"): the patient and
// the clinician in two browser contexts, the code through a real mail
// server (Mailpit), the access seen by the patient, and a revoke that
// refuses the clinician's next click.
import { test, expect, expectConsole, expectNoAxeViolations } from './fixtures';
import { mailText, mailTo } from './mailpit';
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { compactDecrypt } from 'jose';

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

/** Signs in the patient signed up by the first test. */
async function signInPatient(page: Page) {
  await page.goto('/#/sign-in');
  await page.getByLabel('Email address').fill(EMAIL);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
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
  await doc.getByLabel('Code', { exact: true }).fill(shown.toLowerCase());
  await doc.getByLabel('Day').fill('1');
  await doc.getByLabel('Month').fill('1');
  await doc.getByLabel('Year').fill('1980');
  await doc.getByLabel('Your name', { exact: true }).fill('Dr Asha Patel');
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
  await expect(doc.getByRole('link', { name: 'Letters' })).toHaveCount(0);
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

test('share from a computer: the record stays there, a sealed copy goes to the server, which emails the code; listed and revoked from the computer', async ({ browser, page, consoleProblems }) => {
  test.setTimeout(120_000);
  // On the server: the patient (signed up by the test above) makes a publishing key.
  await signInPatient(page);
  await page.goto('/#/security');
  await expect(page.getByRole('heading', { name: 'Sharing from your own computer' })).toBeVisible();
  await page.getByLabel('Name for the computer').fill('Home laptop');
  await page.getByRole('button', { name: 'Make a publishing key' }).click();
  const confirm = page.getByTestId('confirm-form');
  if (await confirm.isVisible().catch(() => false)) {
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: /^Confirm/ }).click();
  }
  const key = (await page.locator('#new-publish-key').textContent())!.trim();
  expect(key).toMatch(/^wardpk_[A-Za-z0-9_-]{43}$/);
  await expectNoAxeViolations(page);
  await page.getByRole('button', { name: 'I have entered it' }).click();
  await expect(page.getByTestId('publish-keys')).toContainText('Home laptop');
  await expect(page.locator('main')).not.toContainText(key);
  const server = new URL(page.url()).origin;

  // On the computer: no server yet, so the Share pages say where to set one up.
  const computerContext = await browser.newContext({ baseURL: process.env.WARD_PUBLISH_URL });
  const pc = await computerContext.newPage();
  await pc.goto('/#/shares');
  await pc.getByLabel('Password', { exact: true }).fill(process.env.WARD_PUBLISH_PASSWORD!);
  await pc.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(pc.getByTestId('share-server-needed')).toBeVisible();
  await expect(pc.getByTestId('share-new')).toHaveCount(0);
  await expectNoAxeViolations(pc);
  await pc.getByRole('link', { name: 'Security settings on this computer' }).click();
  await expect(pc.getByRole('heading', { name: 'Share through a Ward server' })).toBeVisible();
  await pc.getByLabel('Server address').fill(server);
  await pc.getByLabel('Publishing key').fill(key.slice(0, -2) + 'xx');
  await pc.getByRole('button', { name: 'Check and save' }).click();
  await expect(pc.getByTestId('error-summary')).toContainText('did not accept');
  await pc.getByLabel('Publishing key').fill(key);
  await pc.getByRole('button', { name: 'Check and save' }).click();
  await expect(pc.getByTestId('done')).toContainText('now shares through');
  await expect(pc.getByTestId('share-server')).toContainText(server);
  await expectNoAxeViolations(pc);

  // Share the test results from the computer.
  await pc.goto('/#/share-record');
  await expect(pc.getByTestId('share-through')).toContainText(server);
  await pc.getByLabel('Their name').fill('Dr Kofi Mensah');
  const to = `dr.mensah.${Date.now()}@example.org`;
  await pc.getByLabel('Their email address').fill(to);
  await pc.getByLabel('Only some parts').check();
  await pc.getByLabel('Test results').check();
  await pc.getByTestId('share-record-submit').click();
  await expect(pc.getByTestId('share-made')).toBeVisible();
  const shown = (await pc.getByTestId('share-code').textContent())!.replace(/[\s-]+/g, '');
  expect(shown).toMatch(/^[0-9A-Z]{21}$/);
  await expect(pc.locator('main')).toContainText(server + '/#/share');
  await expectNoAxeViolations(pc);

  // The server emailed the code; the clinician opens it there.
  const text = await mailText((await mailTo(to, /./)).ID);
  expect(text.replace(/[\s-]+/g, '')).toContain(shown);
  const clinicianContext = await browser.newContext();
  const doc = await clinicianContext.newPage();
  await doc.goto(server + '/#/share');
  await doc.getByLabel('Code', { exact: true }).fill(shown);
  await doc.getByLabel('Day').fill(BORN.day);
  await doc.getByLabel('Month').fill(BORN.month);
  await doc.getByLabel('Year').fill(BORN.year);
  await doc.getByLabel('Your name', { exact: true }).fill('Dr Kofi Mensah');
  await doc.getByTestId('share-open-submit').click();
  await expect(doc.getByTestId('shared-by')).toContainText(PATIENT.split(' ')[0]);
  await doc.goto(server + '/#/results');
  await expect(doc.locator('main')).toContainText('Full blood count');
  expect((await doc.request.get(server + '/api/documents')).status()).toBe(404);

  // The computer sees who looked, and revokes; the clinician's next click is refused.
  await pc.goto('/#/shares');
  await pc.getByRole('button', { name: /See who looked/ }).first().click();
  await expect(pc.locator('table').filter({ hasText: 'Dr Kofi Mensah' })).toBeVisible();
  await pc.getByRole('button', { name: /Revoke now/ }).first().click();
  await pc.getByRole('button', { name: 'Yes, revoke now' }).click();
  await expect(pc.getByTestId('shares-done')).toBeVisible();
  await doc.getByRole('link', { name: 'Home' }).first().click();
  await expect(doc.getByTestId('share-notice')).toContainText('ended');

  // The key removed on the server: the computer says so in plain words.
  await page.goto('/#/security');
  await page.getByRole('button', { name: 'Remove the key for Home laptop' }).click();
  await page.getByRole('button', { name: 'Yes, remove it' }).click();
  await expect(page.getByTestId('done')).toContainText('can no longer share');
  await pc.reload();
  await expect(pc.locator('main')).toContainText('did not accept');
  expectConsole(consoleProblems, /status of 401/); // signed out when the server's page first loaded
  await clinicianContext.close();
  await computerContext.close();
});

test('a SMART Health Link: an independent receiver (jose) and Ward’s own opener read only what was shared; a wrong passcode says how many tries are left', async ({ browser, page, consoleProblems }) => {
  test.setTimeout(120_000);
  await signInPatient(page);
  await page.goto('/#/share-record');
  await page.getByLabel('Their name').fill('Riverside Clinic EHR');
  await page.getByLabel('Their email address').fill(`ehr.${Date.now()}@example.org`);
  await page.getByLabel('Only some parts').check();
  await page.getByLabel('Test results').check();
  const made = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/shares' && r.request().method() === 'POST');
  await page.getByTestId('share-record-submit').click();
  const answer = await (await made).json();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const code: string = answer.code;
  const link: string = answer.link;
  expect(link).toMatch(/^shlink:\/[A-Za-z0-9_-]+$/);

  // The receiver, from the spec: decode the payload, POST the manifest
  // with a recipient and the passcode, fetch the file, decrypt it with jose.
  const p = JSON.parse(Buffer.from(link.slice('shlink:/'.length), 'base64url').toString());
  expect(p.flag).toBe('P');
  expect(p.label).toBe('Record shared by Robin');
  expect(Buffer.from(p.key, 'base64url')).toHaveLength(32);
  expect(Buffer.from(new URL(p.url).pathname.split('/').pop()!, 'base64url').length).toBeGreaterThanOrEqual(32); // ≥ 256 bits
  const post = (passcode?: string) =>
    fetch(p.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ recipient: 'Riverside Clinic EHR', passcode }) });
  let r = await post();
  expect(r.status).toBe(401);
  expect((await r.json()).remainingAttempts).toBe(10);
  r = await post('ABCD-EFGH-JKMN-PQRS-TVWX-Y');
  expect(r.status).toBe(401);
  expect((await r.json()).remainingAttempts).toBe(9);
  r = await post(code);
  expect(r.status).toBe(200);
  const manifest = await r.json();
  expect(manifest.files).toHaveLength(1);
  expect(manifest.files[0].contentType).toBe('application/fhir+json');
  const jwe = manifest.files[0].embedded ?? (await (await fetch(manifest.files[0].location)).text());
  expect(jwe.split('.')).toHaveLength(5);
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, Buffer.from(p.key, 'base64url'));
  expect(protectedHeader).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
  const bundle = JSON.parse(new TextDecoder().decode(plaintext));
  const types = new Set(bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType));
  expect(types.has('Observation')).toBe(true);
  expect(types.has('DocumentReference')).toBe(false);
  expect(types.has('MedicationStatement')).toBe(false);
  // Each fetch encrypts afresh: a new IV every time.
  const again = await (await post(code)).json();
  const jwe2 = again.files[0].embedded ?? (await (await fetch(again.files[0].location)).text());
  expect(jwe2.split('.')[2]).not.toBe(jwe.split('.')[2]);

  // Ward's own opener, in the clinician's browser: the key stays in the page.
  const clinicianContext = await browser.newContext();
  const doc = await clinicianContext.newPage();
  const sent: string[] = [];
  doc.on('request', (req) => sent.push(req.url() + ' ' + (req.postData() ?? '')));
  await doc.goto(page.url().replace(/#.*$/, '#/share'));
  await doc.getByText('Open a SMART Health Link instead').click();
  await doc.getByLabel('SMART Health Link').fill(link);
  await doc.getByLabel('Your name, for the patient to see').fill('Dr Kofi Mensah');
  await doc.getByLabel('Passcode').fill('WXYZ-0000-0000-0000-0000-0');
  await doc.getByTestId('shl-submit').click();
  await expect(doc.getByTestId('shl-passcode-error')).toContainText('You can try 8 more times');
  await doc.getByLabel('Passcode').fill(code.toLowerCase());
  await doc.getByTestId('shl-submit').click();
  await expect(doc.getByTestId('shl-opened')).toHaveText('Record shared by Robin');
  await expect(doc.getByTestId('shl-counts')).toContainText('test results and measurements');
  await expect(doc.getByTestId('shl-counts')).not.toContainText('documents');
  await expectNoAxeViolations(doc);
  const download = doc.waitForEvent('download');
  await doc.getByTestId('shl-save').click();
  const saved = JSON.parse(readFileSync((await (await download).path())!, 'utf8'));
  expect(saved.resourceType).toBe('Bundle');
  for (const s of sent) expect(s).not.toContain(p.key);

  // The patient sees the link's use in the access log; revoked, the link is gone.
  await page.goto('/#/shares');
  await page.getByRole('button', { name: /See who looked/ }).first().click();
  await expect(page.locator('table').first()).toContainText('SMART Health Link');
  await page.getByRole('button', { name: /Revoke now/ }).first().click();
  await page.getByRole('button', { name: 'Yes, revoke now' }).click();
  await expect(page.getByTestId('shares-done')).toBeVisible();
  expect((await post(code)).status).toBe(404);
  expectConsole(consoleProblems, /status of 401/);
  await clinicianContext.close();
});
