// The "safety" project's record: every file in fixtures/safety/ imported into
// one locked vault (see global-setup.ts). openSafety unlocks it in the page
// and opens a route, the way a patient would.
import { expect, type Page } from '@playwright/test';

export async function openSafety(page: Page, hash: string): Promise<void> {
  const password = process.env.WARD_SAFETY_PASSWORD;
  if (!password) throw new Error('WARD_SAFETY_PASSWORD is not set: global setup did not prepare the safety vault');
  await page.goto('/#/unlock');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unlock your record');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Unlock your record');
  // The session lives in the page: move within it rather than reload.
  await page.evaluate((h) => (location.hash = h), hash.startsWith('#') ? hash : '#' + hash);
  await expect(page.locator('h1')).toBeVisible();
  await expect(page.getByTestId('loading')).toHaveCount(0);
}
