// Clinical-safety checks of the test history charts (HAZ-040, HAZ-041 in
// docs/clinical-safety/hazard-log.md) on the made-up record's units file,
// fixtures/safety/40-units.json: a body weight in lb and kg (and one number
// sent with no unit), a glucose in mg/dL then mmol/L (one value with machine
// noise), and a bilirubin "<2".
import { test, expect, expectNoAxeViolations } from './fixtures';
import { openSafety } from './safety';
import type { Page } from '@playwright/test';

const route = (key: string) => '#/tests/' + encodeURIComponent(key);

async function go(page: Page, key: string, name: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), route(key));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
  await expect(page.getByTestId('loading')).toHaveCount(0);
}

test.describe('charts never lie', () => {
  test('mixed units: a chart per unit, the conversion named, comparator values marked', async ({ page }) => {
    await openSafety(page, route('loinc|29463-7'));
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Body weight');

    // lb and kg are one chart, in kg, the conversion named; the number with no unit is a chart of its own.
    const charts = page.getByTestId('history-chart');
    await expect(charts).toHaveCount(2);
    await expect(page.getByTestId('chart-heading')).toHaveText(['In kg', 'No unit given']);
    const kg = charts.nth(0);
    await expect(kg.getByTestId('chart-conversion')).toHaveText('Converted from lb: 1 lb = 0.4536 kg');
    await expect(kg.locator('svg[role="img"] .ward-chart__point')).toHaveCount(5);
    await expect(kg.locator('svg[role="img"]')).toHaveAttribute('aria-label', /^Body weight in kg: 5 results from .*, latest 66\.8 kg\. No normal range given\.$/);
    const titles = await kg.locator('.ward-chart__point title').allTextContents();
    expect(titles.some((t) => /: 154 lb \(69\.9 kg\), converted$/.test(t)), titles.join('\n')).toBe(true);
    await expect(charts.nth(1).locator('svg[role="img"] .ward-chart__point')).toHaveCount(1);
    // No range given: the key says so and no band is drawn.
    await expect(page.getByTestId('no-range-key')).toHaveText(['No normal range given', 'No normal range given']);
    await expect(page.getByTestId('range-band')).toHaveCount(0);
    await expect(page.getByText(/within range/i)).toHaveCount(0);

    // The table keeps every value as sent, with its own unit and range.
    const table = page.getByTestId('history-table');
    await expect(table.locator('tbody tr')).toHaveCount(6);
    await expect(table.getByTestId('history-value')).toContainText(['66.8 kg', '67.2 kg', '68.5 kg', '68 (no unit given)', '150 lb', '154 lb']);
    await expect(table.getByTestId('history-range')).toHaveText(Array(6).fill(/No normal range given$/));
    await expectNoAxeViolations(page);

    // mg/dL and mmol/L do not convert without a molar mass: two charts, nothing converted.
    await go(page, 'loinc|2345-7', 'Glucose');
    await expect(page.getByTestId('chart-heading')).toHaveText(['In mmol/L', 'In mg/dL']);
    await expect(page.getByTestId('chart-conversion')).toHaveCount(0);
    await expect(page.getByTestId('range-band')).toHaveCount(2);
    // Machine noise is not shown: 97.34851203958 mg/dL reads 97.3 mg/dL.
    await expect(page.getByTestId('history-table')).toContainText('97.3 mg/dL');
    await expect(page.getByText('97.3485')).toHaveCount(0);
    const mgTitles = await page.getByTestId('history-chart').nth(1).locator('.ward-chart__point title').allTextContents();
    expect(mgTitles.some((t) => t.endsWith(': 97.3 mg/dL')), mgTitles.join('\n')).toBe(true);
    await expectNoAxeViolations(page);

    // "<2" is drawn as a below marker at 2, with the words in its tooltip, the key and the table.
    await go(page, 'loinc|1975-2', 'Bilirubin');
    await expect(page.getByTestId('history-chart')).toHaveCount(1);
    await expect(page.getByTestId('chart-heading')).toHaveCount(0);
    const chart = page.getByTestId('history-chart');
    await expect(chart.locator('svg[role="img"] .ward-chart__point')).toHaveCount(4);
    const below = chart.locator('[data-shape="below"]');
    await expect(below).toHaveCount(1);
    await expect(below.locator('title')).toHaveText(/: below 2 µmol\/L$/);
    await expect(page.getByTestId('chart-key')).toContainText('Below the value shown');
    await expect(page.getByTestId('chart-key')).toContainText('Normal range');
    await expect(page.getByTestId('history-table')).toContainText('below 2 µmol/L');
    // Red is for urgent results only: none here.
    await expect(page.locator('.ward-chart__point--urgent')).toHaveCount(0);
    await expectNoAxeViolations(page);
  });
});
