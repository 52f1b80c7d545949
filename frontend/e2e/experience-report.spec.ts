// The report page, result first, and the test history chart (issue 14), on
// the demo record at 1280 and 390 px: the first line after the heading says
// what needs attention; a compact table with the previous value; details
// and codes after it; the chart with its title, unit, range edges and latest
// point in the figure; on a phone no sideways scrolling and a two-column list.
import { test, expect, expectNoAxeViolations, openPage } from './fixtures';
import type { APIRequestContext, Page } from '@playwright/test';

interface ApiResult {
  name: string;
  value: string;
  unit: string;
  flag: string;
  flagLabel: string;
  testKey: string;
  previous?: { value: string; unit: string; taken: string; reportId: string } | null;
}
interface ApiReport {
  id: string;
  name: string;
  results: ApiResult[];
}

/** The newest report of several results, one flagged high or low, as its own page is sent. */
async function flaggedReport(request: APIRequestContext): Promise<ApiReport> {
  const list = (await (await request.get('/api/results?limit=50')).json()) as { reports: ApiReport[] };
  const found = list.reports.find((r) => r.results.length > 1 && r.results.some((x) => x.flag === 'high' || x.flag === 'low'));
  expect(found, 'the demo has a report with a result outside its range').toBeTruthy();
  const res = await request.get('/api/results/' + encodeURIComponent(found!.id));
  expect(res.ok()).toBeTruthy();
  return (await res.json()) as ApiReport;
}

async function noSidewaysScroll(page: Page, width: number): Promise<void> {
  // The page's own content first (the header is another part's), then the whole document.
  const wide = await page.evaluate((w) => {
    // Visually hidden text (a 1 px box that clips what is in it) is not seen and does not scroll.
    const clipped = (el: Element | null): boolean => !!el && (el.getBoundingClientRect().width <= 1 || clipped(el.parentElement));
    return [...document.querySelectorAll('main *')]
      .filter((el) => el.getBoundingClientRect().right > w + 0.5 && el.checkVisibility() && !clipped(el))
      .map((el) => el.outerHTML.slice(0, 80));
  }, width);
  expect(wide, 'nothing in the page is wider than the screen').toEqual([]);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scroll, 'the page is no wider than the screen').toBeLessThanOrEqual(width);
}

async function checkReport(page: Page, report: ApiReport): Promise<void> {
  await openPage(page, '#/results/' + encodeURIComponent(report.id));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(report.name);

  // The first text after the heading is the summary, naming what is outside the range.
  const first = page.locator('h1 + *');
  await expect(first).toHaveAttribute('data-testid', 'report-lead');
  const flagged = report.results.filter((x) => x.flag === 'high' || x.flag === 'low');
  const n = report.results.length;
  await expect(first).toHaveText(new RegExp(`^${flagged.length} of ${n} results outside the normal range: `));
  await expect(first).toContainText(`${flagged[0].name} `);
  await expect(first).toContainText(`, ${flagged[0].flagLabel}`);
  await expect(first).not.toContainText('inside the normal range');

  // The table: one row a result, the previous value as the API gives it.
  const table = page.getByTestId('results-table');
  await expect(table.getByRole('columnheader')).toHaveText(['Test', 'Result', 'Normal range', 'Flag', 'Previous value']);
  await expect(table.getByTestId('result')).toHaveCount(n);
  const withPrevious = report.results.find((x) => x.previous);
  expect(withPrevious, 'a demo result with an earlier one').toBeTruthy();
  const row = table.getByTestId('result').filter({ has: page.getByTestId('result-name').getByText(withPrevious!.name, { exact: true }) });
  await expect(row.getByTestId('previous-value')).toContainText(String(Number(withPrevious!.previous!.value)));
  await expect(row.getByTestId('history-link')).toHaveText(`See how your ${withPrevious!.name} results have changed over time`);
  await expect(row.getByTestId('result-flag')).not.toBeEmpty();

  // Details after the table; codes behind "Technical details", closed.
  await expect(page.getByTestId('report-details')).toContainText('Taken');
  const technical = page.getByTestId('technical-details');
  await expect(technical).not.toHaveAttribute('open');
  await expect(technical.getByTestId('report-codes')).toBeHidden();
  await technical.getByText('Technical details').click();
  await expect(technical.getByTestId('code').first()).toContainText('LOINC');
  await technical.getByText('Technical details').click();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

  // NHS.UK pages about the tests, in a new tab, said so.
  const about = page.getByTestId('about-test').getByRole('link');
  if ((await about.count()) > 0) {
    for (const a of await about.all()) {
      await expect(a).toHaveAttribute('href', /^https:\/\/www\.nhs\.uk\//);
      await expect(a).toHaveAttribute('target', '_blank');
      await expect(a).toHaveAttribute('rel', 'noopener noreferrer');
      await expect(a).toContainText('(opens in new tab)');
    }
  }
  await expect(page.getByTestId('print-button')).toBeVisible();
}

async function openHistory(page: Page, request: APIRequestContext) {
  // HbA1c: the demo's test with a range on both sides and a flagged past.
  const list = (await (await request.get('/api/results?limit=50')).json()) as { reports: ApiReport[] };
  const hb = list.reports.flatMap((r) => r.results).find((x) => x.name === 'HbA1c')!;
  expect(hb, 'the demo has HbA1c results').toBeTruthy();
  const history = await (await request.get('/api/history?test=' + encodeURIComponent(hb.testKey))).json();
  await openPage(page, '#/tests/' + encodeURIComponent(hb.testKey));
  await expect(page.getByRole('heading', { level: 1 })).toContainText('HbA1c');
  const chart = page.getByTestId('history-chart');
  await expect(chart.getByTestId('chart-title')).toHaveText('HbA1c (mmol/mol)');
  await expect(chart.locator('svg > title')).toHaveText('HbA1c (mmol/mol)');
  await expect(chart.getByTestId('range-edge')).toHaveText(['Normal up to 41 mmol/mol', 'Normal from 20 mmol/mol']);
  const latest = history.points[history.points.length - 1];
  await expect(chart.getByTestId('latest-label')).toHaveText(new RegExp(`^Latest: ${latest.value} mmol/mol`));
  await expect(page.getByTestId('print-button')).toBeVisible();
  return history;
}

test.describe('report page, result first (1280 px)', () => {
  test('summary first, the table with previous values, details after, codes closed; the history chart labelled', async ({ page, request }) => {
    const report = await flaggedReport(request);
    await checkReport(page, report);
    await expectNoAxeViolations(page);
    await page.screenshot({ path: 'test-results/screenshots/report-1280.png', fullPage: true });

    const history = await openHistory(page, request);
    // The four-column table, not the phone's list.
    await expect(page.getByTestId('history-table')).toBeVisible();
    await expect(page.getByTestId('history-list')).toBeHidden();
    await expect(page.getByTestId('history-table').locator('tbody tr')).toHaveCount(history.points.length);
    // Tick labels are 14 px.
    const size = await page.locator('.ward-chart__label').first().evaluate((el) => getComputedStyle(el).fontSize);
    expect(size).toBe('14px');
    await expectNoAxeViolations(page);
  });
});

test.describe('report page, result first (390 px)', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('stacked results, nothing wider than the phone; the history as a two-column list', async ({ page, request }) => {
    const report = await flaggedReport(request);
    await checkReport(page, report);
    await page.screenshot({ path: 'test-results/screenshots/report-390.png', fullPage: true });
    // Each result is a block of label: value rows.
    const cell = page.getByTestId('result').first().getByRole('cell').last();
    expect(await cell.evaluate((el) => getComputedStyle(el).display)).toBe('flex');
    await expect(cell).toContainText('Previous value');
    await noSidewaysScroll(page, 390);
    await expectNoAxeViolations(page);

    const history = await openHistory(page, request);
    const list = page.getByTestId('history-list');
    await expect(list).toBeVisible();
    await expect(page.getByTestId('history-table')).toBeHidden();
    await expect(list.getByRole('columnheader')).toHaveText(['Date', 'Result']);
    await expect(list.locator('tbody tr')).toHaveCount(history.points.length);
    await expect(list.getByTestId('history-list-value').first()).toContainText(history.points[history.points.length - 1].value);
    await noSidewaysScroll(page, 390);
    await expectNoAxeViolations(page);
  });
});
