// The home page is about now (issue 14): identity, what needs attention, the
// next appointment, the latest results and letter, then the sections, at
// 1280 and 390 px. Screenshots are kept in test-results/screenshots.
import { test, expect, expectNoAxeViolations, openPage } from './fixtures';

for (const width of [1280, 390]) {
  test.describe(`home page at ${width} px`, () => {
    test.use({ viewport: { width, height: 900 } });

    test('in order: identity, next appointment, latest results, latest letter, not-full-record line, sections', async ({ page, request }) => {
      const summary = await (await request.get('/api/summary')).json();
      expect(summary.nextAppointment, 'the demo has an upcoming appointment').toBeTruthy();
      expect(summary.latestResults?.length, 'the demo has results').toBe(3);
      expect(summary.latestLetter, 'the demo has a letter').toBeTruthy();

      await openPage(page, '#/');
      const order = ['patient-details', 'next-appointment', 'latest-results', 'latest-letter', 'not-full-record', 'sections'];
      const tops: number[] = [];
      for (const id of order) {
        const box = await page.getByTestId(id).boundingBox();
        expect(box, `${id} is on the page`).not.toBeNull();
        tops.push(box!.y);
      }
      expect([...tops].sort((a, b) => a - b), `the order ${order.join(', ')}`).toEqual(tops);

      // The next appointment: weekday and how far away.
      const next = page.getByTestId('next-appointment');
      await expect(next).toContainText(/(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} \w+ \d{4}/);
      await expect(next).toContainText(/\((today|tomorrow|in \d+ (days|weeks|months?|years?))\)/);
      // The newest three results, each with its value.
      const rows = page.getByTestId('latest-result');
      await expect(rows).toHaveCount(3);
      for (let i = 0; i < 3; i++) {
        const t = summary.latestResults[i];
        await expect(rows.nth(i)).toContainText(t.name);
        await expect(rows.nth(i).getByRole('link')).toHaveAttribute('href', '#/results/' + encodeURIComponent(t.reportId));
      }
      await expect(page.getByTestId('latest-letter')).toContainText(summary.latestLetter.title);
      // Nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `test-results/screenshots/home-${width}.png`, fullPage: true });
      await expectNoAxeViolations(page);
    });

    test('results by test: each test once, the change from the previous, the filter', async ({ page, request }) => {
      const { tests } = await (await request.get('/api/tests')).json();
      await openPage(page, '#/results');
      const rows = page.getByTestId('test-row');
      await expect(rows).toHaveCount(tests.length);
      const names = await page.getByTestId('test-link').allTextContents();
      expect(new Set(names).size, 'each test once').toBe(names.length);
      // A test with a comparable previous result says which way it went.
      const moved = tests.find((t: { change: string }) => t.change === 'up' || t.change === 'down');
      expect(moved, 'the demo has a test that went up or down').toBeTruthy();
      const row = rows.filter({ has: page.getByRole('link', { name: moved.name, exact: true }) });
      await expect(row.getByTestId('test-change')).toContainText(`${moved.change} from`);
      await expect(row.getByTestId('test-link')).toHaveAttribute('href', '#/tests/' + encodeURIComponent(moved.testKey));
      // Long names wrap: no row is wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await expectNoAxeViolations(page);

      // Only results outside the normal range.
      await page.getByLabel('Only results outside the normal range').check();
      await expect(page).toHaveURL(/#\/results\?outside=1$/);
      const outside = tests.filter((t: { outside: boolean; urgent?: boolean }) => t.outside || t.urgent);
      await expect(rows).toHaveCount(outside.length);
      // By date keeps the filter: only reports with a result outside the range.
      await page.getByTestId('view-date').click();
      await expect(page).toHaveURL(/#\/results\?view=date&outside=1$/);
      const { total } = await (await request.get('/api/results?outside=1&limit=1')).json();
      await expect(page.getByTestId('report')).toHaveCount(total);
      await expectNoAxeViolations(page);
    });
  });
}

test('the demo says it is made up on every page', async ({ page }) => {
  for (const hash of ['#/', '#/results', '#/health', '#/visits', '#/documents', '#/help']) {
    await openPage(page, hash);
    await expect(page.getByTestId('demo-banner')).toContainText('This is a demonstration. The person and their health information are made up.');
  }
});

test('a letter in the list says who wrote it and where it is from, apart', async ({ page, request }) => {
  const { documents } = await (await request.get('/api/documents')).json();
  const letter = documents.find((d: { author: string; organisation: string }) => d.author && d.organisation);
  expect(letter, 'the demo has a letter with an author and an organisation').toBeTruthy();
  await openPage(page, '#/documents');
  const card = page.locator('li').filter({ has: page.getByRole('link', { name: letter.title, exact: true }) }).first();
  await expect(card.getByTestId('document-author')).toHaveText(`Written by ${letter.author}`);
  await expect(card.getByTestId('document-organisation')).toHaveText(`From ${letter.organisation}`);
  await expect(card).not.toContainText(`${letter.author} and ${letter.organisation}`);
});
