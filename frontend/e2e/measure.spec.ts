// Page timings for docs/performance.md (issue 14), run by hand:
//   WARD_MEASURE=1 WARD_BIN=../bin/ward-serve npx playwright test --project=measure
// It asserts nothing about speed (a timed test is no test); it prints the
// numbers and writes them to test-results/measure.json.
import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';

const RUNS = 20;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] * 10) / 10;
}

function mockReports(page: Page, total: number) {
  return page.route(/\/api\/results\?/, (route) => {
    const url = new URL(route.request().url());
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 200);
    const reports = [];
    for (let i = offset; i < Math.min(offset + limit, total); i++) {
      reports.push({
        id: `r-${i}`, name: `Report ${i + 1} with a name long enough to wrap on a phone screen`, category: 'Blood test',
        taken: new Date(Date.UTC(2026, 0, 1) - i * 86_400_000).toISOString(), resulted: '', orderedBy: '',
        organisation: 'Mock Hospital', status: 'final', conclusion: '', abnormalCount: i % 3 === 0 ? 1 : 0,
        outsideCount: i % 3 === 0 ? 1 : 0, results: [],
      });
    }
    return route.fulfill({ json: { total, offset, reports } });
  });
}

test('home page first contentful paint, results at 5,000 reports', async ({ page }) => {
  const out: Record<string, { p50: number; p95: number; runs: number }> = {};
  const fcp: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto('about:blank');
    await page.goto('/#/');
    await expect(page.getByTestId('sections')).toBeVisible();
    fcp.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN));
  }
  out['home: first contentful paint (ms)'] = { p50: pct(fcp, 50), p95: pct(fcp, 95), runs: RUNS };

  await mockReports(page, 5000);
  const byDate: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto('about:blank');
    await page.goto('/#/');
    await expect(page.getByTestId('sections')).toBeVisible();
    const t0 = await page.evaluate(() => performance.now());
    await page.evaluate(() => (location.hash = '#/results?view=date'));
    await expect(page.getByTestId('report')).toHaveCount(200);
    // After the frame that shows them.
    const t1 = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
    byDate.push(t1 - t0);
  }
  out['results by date, 5,000 reports: first 200 rows shown (ms)'] = { p50: pct(byDate, 50), p95: pct(byDate, 95), runs: RUNS };

  const more: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const n = await page.getByTestId('report').count();
    const t0 = await page.evaluate(() => performance.now());
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect(page.getByTestId('report')).toHaveCount(Math.min(5000, n + 200));
    const t1 = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
    more.push(t1 - t0);
  }
  out['results by date: each next 200 rows while scrolling (ms)'] = { p50: pct(more, 50), p95: pct(more, 95), runs: RUNS };

  const all: number[] = [];
  for (let i = 0; i < 5; i++) {
    await page.goto('about:blank');
    await page.goto('/#/results?view=date');
    await expect(page.getByTestId('report')).toHaveCount(200);
    await page.evaluate(() => (window.print = () => document.body.setAttribute('data-printed', String(performance.now()))));
    const t0 = await page.evaluate(() => performance.now());
    await page.getByTestId('print-list').click();
    await expect(page.locator('body')).toHaveAttribute('data-printed', /\d/, { timeout: 60_000 });
    all.push(Number(await page.locator('body').getAttribute('data-printed')) - t0);
  }
  out['results by date: all 5,000 rows ready to print (ms)'] = { p50: pct(all, 50), p95: pct(all, 95), runs: 5 };

  // By test, for a record whose 5,000 reports hold 500 different tests.
  await page.route(/\/api\/tests$/, (route) => {
    const tests = [];
    for (let i = 0; i < 500; i++) {
      tests.push({
        id: `o-${i}`, testKey: `k-${i}`, name: `Test ${String(i).padStart(3, '0')} with a long name`, code: null,
        value: String(40 + (i % 30)), unit: 'umol/L', range: null, flag: i % 7 === 0 ? 'high' : '', flagLabel: i % 7 === 0 ? 'High' : '',
        comments: null, taken: '2026-11-20', reportId: `r-${i}`, reportName: 'Kidney function', organisation: 'Mock Hospital',
        outside: i % 7 === 0, count: 10, change: i % 2 ? 'down' : 'up',
        previous: { value: '53', unit: 'umol/L', taken: '2026-10-01', reportId: `r-${i}-0` },
      });
    }
    return route.fulfill({ json: { tests } });
  });
  const byTest: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto('about:blank');
    await page.goto('/#/help');
    await expect(page.locator('h1')).toBeVisible();
    const t0 = await page.evaluate(() => performance.now());
    await page.evaluate(() => (location.hash = '#/results'));
    await expect(page.getByTestId('test-row')).toHaveCount(500);
    const t1 = await page.evaluate(() => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now()))));
    byTest.push(t1 - t0);
  }
  out['results by test, 500 tests: all rows shown (ms)'] = { p50: pct(byTest, 50), p95: pct(byTest, 95), runs: RUNS };

  console.log(JSON.stringify(out, null, 2));
  writeFileSync('test-results/measure.json', JSON.stringify(out, null, 2));
});
