// A server for many patients (project "accounts"): the whole journey of one
// patient, with a real mail server (Mailpit, read through its HTTP API) and
// codes computed here as an authenticator app computes them.
import { createHmac } from 'node:crypto';
import { test, expect, expectConsole, expectNoAxeViolations } from './fixtures';
import { mailTo } from './mailpit';
import type { CDPSession, Page } from '@playwright/test';

const INVITE = () => process.env.WARD_ACCOUNTS_INVITE!;
const PATIENT = 'Robin Lockwood';
const EMAIL = `robin.${Date.now()}@example.org`;
const PASSWORD = 'plum orbit candle meadow 42';

/** The emailed code: the subject ends with it ("Your Ward code: 7QX29KPM"). */
async function emailedCode(to: string, subject: RegExp): Promise<string> {
  const m = await mailTo(to, subject);
  const code = /([2-9A-HJKMNP-Z]{8})$/.exec(m.Subject)?.[1];
  expect(code, `a code in "${m.Subject}"`).toBeTruthy();
  return code!;
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret, for the step at `at`. */
function totp(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/\s+/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const step = Buffer.alloc(8);
  step.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac('sha1', key).update(step).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/**
 * A code Ward has not seen: Ward refuses a code of a step it already took
 * (or an earlier one), and takes one step either side of now. So: this
 * step's or the next one's, whichever is new, waiting for the clock if both
 * were used.
 */
let usedStep = 0;
async function freshTotp(page: Page, secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    for (const step of [now, now + 1]) {
      if (step > usedStep) {
        usedStep = step;
        return totp(secret, step * 30_000);
      }
    }
    await page.waitForTimeout(1_000);
  }
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/#/sign-in');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  // Wait for Ward's answer: the page shows the same words for two wrong
  // tries in a row, so the words alone do not say this one has been heard.
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/account/sign-in');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await answered;
}

/** Chromium's virtual platform authenticator: resident keys, user verification, PRF. */
async function addAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, hasPrf: true, automaticPresenceSimulation: true },
  });
  return { cdp, id: authenticatorId };
}

test.describe.configure({ mode: 'serial' });

test.describe('accounts: one server, many patients', () => {
  let secret = '';

  test('sign up with a personal email, verify it from the email, activate with the invite: the records imported for the patient are there', async ({ page, consoleProblems }) => {
    test.setTimeout(90_000);
    await page.goto('/');
    await expect(page).toHaveURL(/#\/sign-in/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
    await expectNoAxeViolations(page);

    await page.goto('/#/sign-up');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create an account');
    // A shared address is warned about, not refused.
    await page.getByLabel('Email address').fill('reception@example.org');
    await page.getByLabel('Create a password').fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByTestId('use-anyway')).toBeVisible();
    await expect(page.locator('main')).toContainText('shared');
    await expectNoAxeViolations(page);

    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email');
    const code = await emailedCode(EMAIL, /^Your Ward code: /);
    await page.getByLabel('Enter the code from the email').fill(code.toLowerCase().slice(0, 4) + ' ' + code.slice(4));
    await page.getByRole('button', { name: 'Continue' }).click();

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up your account');
    await expectNoAxeViolations(page);
    await page.getByLabel('Invite code').fill(INVITE());
    await page.getByRole('button', { name: 'Set up my account' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your recovery key');
    await expect(page.getByTestId('recovery-key')).toHaveText(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){6}$/);
    await page.getByLabel('I have saved my recovery key').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    // The bundle imported with `ward admin import` before the account existed.
    await expect(page.getByRole('heading', { level: 1 })).toContainText(PATIENT);
    await expectNoAxeViolations(page);
    // The browser logs the answers it was meant to get: signed out at first,
    // and the shared address.
    expectConsole(consoleProblems, /status of 401/);
    expectConsole(consoleProblems, /status of 409/);
  });

  test('sign out, a wrong password and an unknown address read the same, then sign in', async ({ page, consoleProblems }) => {
    await signIn(page, 'nobody-here@example.org', PASSWORD);
    await expect(page.getByTestId('error-summary')).toContainText('The email address or password is not right.');
    await signIn(page, EMAIL, 'not the password at all');
    await expect(page.getByTestId('error-summary')).toContainText('The email address or password is not right.');
    expectConsole(consoleProblems, /401/);
    await signIn(page, EMAIL, PASSWORD);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(PATIENT);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect(page).toHaveURL(/#\/sign-in/);
    // The record is gone with the session.
    const res = await page.request.get('/api/summary');
    expect(res.status()).toBe(401);
    expect((await res.json()).error.code).toBe('signed_out');
  });

  test('two-step sign-in: set up with an authenticator app, then needed at every sign-in', async ({ page, consoleProblems }) => {
    test.setTimeout(90_000);
    await signIn(page, EMAIL, PASSWORD);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(PATIENT);
    await page.goto('/#/security');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Security settings');
    await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    const shown = page.getByTestId('secret');
    await expect(shown).toHaveText(/^[A-Z2-7 ]{20,}$/);
    secret = (await shown.textContent())!;
    await expect(page.getByTestId('enrol').locator('img')).toHaveAttribute('src', /^data:image\/png;base64,/);
    await expectNoAxeViolations(page);
    await page.getByLabel('Code from your authenticator app').fill(await freshTotp(page, secret));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    if (await page.getByTestId('confirm').isVisible()) {
      await page.getByTestId('confirm').getByLabel('Password').fill(PASSWORD);
      await page.getByTestId('confirm').getByRole('button', { name: 'Confirm' }).click();
    }
    const codes = page.getByTestId('recovery-codes');
    await expect(codes).toBeVisible();
    await expect(codes.locator('li')).toHaveCount(10);
    await page.getByLabel('I have saved my recovery codes').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByTestId('two-step-status')).toContainText(/on/i);

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signIn(page, EMAIL, PASSWORD);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Two-step sign-in');
    await expectNoAxeViolations(page);
    await page.getByLabel(/code from your authenticator app/i).fill('000000' === totp(secret) ? '111111' : '000000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByTestId('error-summary')).toBeVisible();
    expectConsole(consoleProblems, /401/);
    // Not the code just used to turn it on: that one is spent.
    await page.getByLabel(/code from your authenticator app/i).fill(await freshTotp(page, secret));
    await page.getByRole('button', { name: 'Continue' }).click();
    // Signed in: back where the patient was (Security settings) or home.
    await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Two-step sign-in');
    await page.goto('/#/');
    await expect(page.getByRole('heading', { level: 1 })).toContainText(PATIENT);

    // Sessions: this browser is listed; sign-ins are listed with their outcome.
    await page.goto('/#/security');
    await expect(page.getByTestId('sessions')).toContainText(/this (browser|device)/i);
    await expect(page.getByTestId('sign-ins')).toBeVisible();
    await page.getByTestId('sign-out-everywhere').click();
    await expect(page).toHaveURL(/#\/sign-in/);
  });

  test('the emailed code works as the second step when the app is not to hand', async ({ page, consoleProblems }) => {
    await signIn(page, EMAIL, PASSWORD);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Two-step sign-in');
    await page.getByRole('button', { name: /email me a code/i }).click();
    const code = await emailedCode(EMAIL, /^Your Ward sign-in code: /);
    await page.getByLabel(/code from the email/i).fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(PATIENT);
    expectConsole(consoleProblems, /status of 401/); // signed out when the page first loaded
  });

  test('face or fingerprint: added in Security settings, then signs in alone (no password, no second step)', async ({ page, consoleProblems }) => {
    test.setTimeout(90_000);
    const { cdp, id } = await addAuthenticator(page);
    await signIn(page, EMAIL, PASSWORD);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Two-step sign-in');
    await page.getByLabel(/code from your authenticator app/i).fill(await freshTotp(page, secret));
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(PATIENT);

    await page.goto('/#/security');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Security settings');
    await page.getByLabel('Name for this device').fill('Robin’s laptop');
    await page.getByRole('button', { name: 'Add face or fingerprint unlock' }).click();
    await expect(page.getByTestId('passkey-row').filter({ hasText: 'Robin’s laptop' })).toBeVisible();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id });
    expect(credentials).toHaveLength(1);
    expect(credentials[0].isResidentCredential).toBe(true);

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect(page).toHaveURL(/#\/sign-in/);
    const started = Date.now();
    await page.getByRole('button', { name: 'Sign in with face or fingerprint' }).click();
    // Back where the patient was when they signed out.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Security settings');
    console.log(`passkey sign-in: click → signed in, page shown in ${Date.now() - started} ms`);
    await page.goto('/#/');
    await expect(page.getByRole('heading', { level: 1 })).toContainText(PATIENT);
    const signIns = await (await page.request.get('/api/account/sessions')).json();
    expect(signIns.signIns[0].outcome).toBe('passkey');
    expectConsole(consoleProblems, /status of 401/); // signed out when the page first loaded
  });
});
