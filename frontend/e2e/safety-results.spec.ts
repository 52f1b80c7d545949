// Clinical-safety checks of the results pages on a made-up record that has
// every results hazard (fixtures/safety/00-results.json; its dates are
// "{{daysAgo N}}", so the urgent potassium is always three days old).
// The hazards are logged in docs/clinical-safety/hazard-log.md.
import { test, expect, expectNoAxeViolations } from './fixtures';
import { openSafety } from './safety';

test.describe('results never mislead', () => {
  test('an urgent result: a red Urgent tag where it is listed, the home page banner, and what to do on its report', async ({ page }) => {
    await openSafety(page, '#/');
    const banner = page.getByTestId('urgent-banner');
    await expect(banner.getByRole('heading', { level: 3 })).toHaveText(/1 result needs urgent attention/);
    const line = banner.getByRole('link');
    await expect(line).toHaveCount(1);
    await expect(line).toHaveText(/^Potassium, \d{1,2} \w+ \d{4}$/);
    await expectNoAxeViolations(page);

    await page.evaluate(() => (location.hash = '#/results?view=date'));
    const kidney = page.getByTestId('report').filter({ hasText: 'Kidney function' });
    const urgent = kidney.locator('[data-tag="urgent"]');
    await expect(urgent).toHaveText('Urgent');
    await expect(urgent).toHaveClass(/nhsuk-tag--red/);
    // A mildly high HbA1c is orange, never red.
    const hba1c = page.getByTestId('report').filter({ hasText: 'HbA1c' });
    await expect(hba1c.locator('[data-tag="flag"]')).toHaveText('1 result outside range');
    await expect(hba1c.locator('.nhsuk-tag--red')).toHaveCount(0);
    // Red means urgent: the only red tags on the page are "Urgent".
    for (const text of await page.locator('.nhsuk-tag--red').allTextContents()) expect(text.trim()).toBe('Urgent');

    await page.evaluate(() => (location.hash = '#/'));
    await page.getByTestId('urgent-banner').getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Kidney function');
    const callout = page.getByTestId('urgent-result');
    await expect(callout).toContainText('This result needs urgent attention');
    await expect(page.getByTestId('urgent-contact')).toContainText('Contact Riverside Pathology on 020 7946 0000 (24 hours a day)');
    await expect(callout).toContainText('call 111');
    await expect(callout).toContainText('In an emergency, call 999.');
    await expect(page.getByTestId('ordered-by')).toHaveText('Dr Priya Shah');
    await expect(page.getByTestId('performed-by')).toHaveText('Tom Reed');
    await expectNoAxeViolations(page);

    await page.evaluate(() => (location.hash = '#/timeline'));
    await expect(page.getByTestId('timeline-item').filter({ hasText: 'Kidney function' }).getByTestId('urgent-tag')).toHaveText('Urgent');
  });

  test('entered in error and cancelled: in no list, count or search; by a direct link struck through, do not use', async ({ page }) => {
    // What the page itself was sent, and what it says.
    const listed = page.waitForResponse((r) => /\/api\/results\?/.test(r.url()));
    await openSafety(page, '#/results?view=date');
    const body = await (await listed).json();
    const ids: string[] = body.reports.map((r: { id: string }) => r.id);
    expect(ids).toContain('kidney');
    for (const gone of ['fbc-eie', 'lft-cancelled', 'obs-k-eie-lone']) expect(ids).not.toContain(gone);
    await expect(page.getByTestId('results-count')).toContainText(`${body.total} test results`);
    const names = await page.getByTestId('report').locator('.ward-row__name').allTextContents();
    for (const gone of ['Full blood count', 'Liver function']) expect(names).not.toContain(gone);

    for (const q of ['creatinine', 'full blood', 'liver']) {
      await page.evaluate((h) => (location.hash = h), '#/search?q=' + encodeURIComponent(q));
      await expect(page.getByTestId('no-results')).toBeVisible();
    }
    // The potassium entered in error yesterday is not the newest potassium.
    await page.evaluate(() => (location.hash = '#/search?q=potassium'));
    await expect(page.getByTestId('search-result')).toHaveCount(1);

    await page.evaluate(() => (location.hash = '#/results/fbc-eie'));
    await expect(page.getByTestId('void-name')).toHaveText('Full blood count');
    await expect(page.getByTestId('void-warning')).toContainText('Entered in error — do not use this result');
    await expect(page.getByTestId('withdrawn')).toContainText('Haemoglobin');
    await expect(page.getByText(/needs urgent attention/)).toHaveCount(0);
    await expect(page.locator('.nhsuk-tag--red')).toHaveCount(0);
    await expectNoAxeViolations(page);

    // In a report that counts, the withdrawn result is struck through apart.
    await page.evaluate(() => (location.hash = '#/results/kidney'));
    const cards = page.getByTestId('result');
    await expect(cards).toHaveCount(2);
    await expect(cards.filter({ hasText: 'Creatinine' })).toHaveCount(0);
    await expect(page.getByTestId('withdrawn').locator('del')).toContainText('Creatinine');
    // The first line counts the two results that stand, and names the urgent one first.
    await expect(page.locator('h1 + *')).toHaveText(/^1 of 2 results needs urgent attention: Potassium /);
    await expect(page.getByTestId('report-lead')).not.toContainText('Creatinine');
  });

  test('no range: no normal range given, never the reassurance that nothing is outside it', async ({ page }) => {
    await openSafety(page, '#/results?view=date');
    const row = (name: string) => page.getByTestId('report').filter({ has: page.getByRole('link', { name, exact: true }) }).getByTestId('abnormal-count');
    await expect(row('Vitamin D')).toHaveText('No normal range given');
    await expect(row('Thyroid function')).toHaveText('1 result with no normal range given');
    await expect(row('Cholesterol')).toHaveText('No results outside the normal range');

    await page.evaluate(() => (location.hash = '#/results/vitamin-d'));
    await expect(page.getByTestId('report-lead')).toHaveText(/^No normal range was given for (your result|these \d+ results)$/);
    await expect(page.getByTestId('result-range')).toHaveText('No normal range given');
    await expect(page.getByText('No results outside the normal range')).toHaveCount(0);
    await expect(page.getByText(/within range/i)).toHaveCount(0);

    // Values the source and the range disagree on show both.
    await page.evaluate(() => (location.hash = '#/results/obs-glucose-n'));
    await expect(page.getByTestId('interpretation')).toHaveText('Normal');
    await expect(page.getByTestId('computed')).toHaveText('Outside the normal range given: high');
    // A missing value says why.
    await page.evaluate(() => (location.hash = '#/results/obs-mg-absent'));
    await expect(page.getByTestId('result-value')).toContainText('No value: Sample haemolysed');
    // A value given as ">=500" is compared: high.
    await page.evaluate(() => (location.hash = '#/results/obs-ferritin'));
    await expect(page.getByTestId('result-flag')).toContainText('High');
    await expectNoAxeViolations(page);
  });
});
