// Shared fixtures: baseURL from the server that global-setup started, and a
// guard that fails any test whose page logged a console error (which includes
// Content-Security-Policy violations) or threw an uncaught exception.
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

type Fixtures = {
  consoleProblems: string[];
};

export const test = base.extend<Fixtures>({
  baseURL: async ({}, use) => {
    const url = process.env.WARD_BASE_URL;
    if (!url) throw new Error('WARD_BASE_URL is not set: global setup did not start the server');
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
  results: Array<{ name: string; flag: string; flagLabel: string; value: string }> | null;
}
