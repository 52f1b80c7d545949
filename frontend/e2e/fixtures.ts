// Shared fixtures: baseURL from the server that global-setup started for the
// project (WARD_BASE_URL for "demo", WARD_VAULT_URL for "vault",
// WARD_SETUP_URL for "setup", WARD_SAFETY_URL for "safety", WARD_PASSKEY_URL
// for "passkey", WARD_ACCOUNTS_URL for "accounts"), and a guard that fails any test whose page logged a console
// error (which includes Content-Security-Policy violations) or threw an
// uncaught exception.
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

type Fixtures = {
  consoleProblems: string[];
};

export const test = base.extend<Fixtures>({
  baseURL: async ({}, use, testInfo) => {
    const server = testInfo.project.metadata?.server;
    const names: Record<string, string> = {
      vault: 'WARD_VAULT_URL',
      setup: 'WARD_SETUP_URL',
      safety: 'WARD_SAFETY_URL',
      passkey: 'WARD_PASSKEY_URL',
      accounts: 'WARD_ACCOUNTS_URL',
    };
    const name = names[server] ?? 'WARD_BASE_URL';
    const url = process.env[name];
    if (!url) throw new Error(`${name} is not set: global setup did not start the server`);
    await use(url);
  },
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(msg.text())) {
          problems.push(`console ${msg.type()}: ${msg.text()}`);
        }
      });
      page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
      await use(problems);
      expect(problems, 'console errors, CSP violations or page errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/**
 * Takes out of `problems` the console lines a test expects (the browser logs
 * every failed request itself, for example a 401 for a wrong password), and
 * checks there was at least one. Anything else still fails the test.
 */
export function expectConsole(problems: string[], pattern: RegExp): void {
  const expected = problems.filter((p) => pattern.test(p));
  expect(expected.length, `a console line matching ${pattern}`).toBeGreaterThan(0);
  problems.splice(0, problems.length, ...problems.filter((p) => !pattern.test(p)));
}

/** Opens a hash route and waits for its page to finish loading data. */
export async function openPage(page: Page, hash: string): Promise<void> {
  await page.goto('/' + hash);
  await expect(page.locator('h1')).toBeVisible();
  await expect(page.getByTestId('loading')).toHaveCount(0);
}

export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`,
  );
  expect(summary, 'axe-core violations').toEqual([]);
}

export async function expectUrgentHelp(page: Page): Promise<void> {
  const card = page.getByTestId('urgent-help');
  await expect(card).toBeVisible();
  await expect(card).toContainText('Need urgent medical help?');
  await expect(card).toContainText('999');
  await expect(card).toContainText('A&E');
  await expect(card).toContainText('111');
}

export interface ApiReport {
  id: string;
  name: string;
  abnormalCount: number;
  results: Array<{ name: string; flag: string; flagLabel: string; value: string; testKey?: string }> | null;
}
