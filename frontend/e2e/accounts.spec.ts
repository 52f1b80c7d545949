// A server for many patients (project "accounts"): the whole journey of one
// patient, with a real mail server (Mailpit, read through its HTTP API) and
// codes computed here as an authenticator app computes them.
import { createHmac } from 'node:crypto';
import { test, expect, expectConsole, expectNoAxeViolations } from './fixtures';
import type { Page } from '@playwright/test';

const MAILPIT = () => process.env.WARD_MAILPIT_API!;
const INVITE = () => process.env.WARD_ACCOUNTS_INVITE!;
const PATIENT = 'Robin Lockwood';
const EMAIL = `robin.${Date.now()}@example.org`;
const PASSWORD = 'plum orbit candle meadow 42';

type Message = { ID: string; Subject: string; To: { Address: string }[] };

/** The newest email to `to` whose subject matches, waiting for it to arrive. */
async function mailTo(to: string, subject: RegExp): Promise<Message> {
  let found: Message | undefined;
  await expect
    .poll(
      async () => {
        const res = await fetch(`${MAILPIT()}/api/v1/messages`);
        const { messages } = (await res.json()) as { messages: Message[] };
        found = messages.find((m) => m.To.some((t) => t.Address === to) && subject.test(m.Subject));
        return !!found;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  return found!;
}

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
    await page.getByLabel('Code from your authenticator app').fill(totp(secret));
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
    // The code of the next step: the one just used to turn it on is spent.
    await page.getByLabel(/code from your authenticator app/i).fill(totp(secret, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Continue' }).click();
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
});
