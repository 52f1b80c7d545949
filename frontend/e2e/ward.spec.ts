import {
  test,
  expect,
  openPage,
  expectNoAxeViolations,
  expectUrgentHelp,
  expectConsole,
  type ApiReport,
} from './fixtures';

const DATE = /\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b/;
// The same, inside responsive tables whose cells run together in textContent ("2026Result").
const DATE_IN = /\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}/;

async function firstFlaggedReport(request: import('@playwright/test').APIRequestContext) {
  const res = await request.get('/api/results');
  expect(res.ok()).toBeTruthy();
  const body = (await res.json()) as { reports: ApiReport[] };
  expect(body.reports.length, 'demo data has test results').toBeGreaterThan(0);
  const report = body.reports.find((r) => (r.results ?? []).some((x) => x.flag));
  expect(report, 'demo data has a flagged result').toBeTruthy();
  const result = report!.results!.find((x) => x.flag)!;
  return { reports: body.reports, report: report!, result };
}

test.describe('home page', () => {
  test('shows the patient and the not-full-record notice', async ({ page, request }) => {
    const summary = await (await request.get('/api/summary')).json();
    expect(summary.patient, 'demo data has a patient').toBeTruthy();

    await openPage(page, '#/');
    await expect(page).toHaveTitle('Your health record - Ward');
    await expect(page.locator('h1')).toContainText(summary.patient.name);
    // One identity line: name, date of birth, NHS number.
    const details = page.getByTestId('patient-details');
    await expect(details).toContainText(new RegExp(`Born ${DATE.source} · NHS number ${summary.patient.nhsNumber}`));

    // The "not your full record" notice: one line with a link, naming the organisations.
    const notice = page.getByTestId('not-full-record');
    await expect(notice).toContainText('This is not your full health record');
    for (const org of summary.organisations ?? []) {
      await expect(notice).toContainText(org);
    }
    await expect(notice.getByRole('link')).toHaveAttribute('href', '#/about-your-record');
    await expect(page.getByRole('link', { name: 'Test results' }).first()).toBeVisible();
    // Not a results page: the urgent help card is a footer link to the help page's.
    await expect(page.getByTestId('urgent-help')).toHaveCount(0);
    await expect(page.getByTestId('urgent-help-link')).toHaveAttribute('href', '#/help?section=urgent');
    await expectNoAxeViolations(page);
  });

  test('is served with a strict Content-Security-Policy', async ({ request }) => {
    const res = await request.get('/');
    expect(res.ok()).toBeTruthy();
    const csp = res.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style|\sstyle=/i);
    expect(res.headers()['x-frame-options']).toBe('DENY');
    expect(res.headers()['x-content-type-options']).toBe('nosniff');
    // The page's CSP meta element is the same policy, less frame-ancestors (which meta cannot carry).
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
    expect(meta, 'a CSP meta element').toBeTruthy();
    expect(meta![1]).toBe(csp.replace(/;\s*frame-ancestors 'none'$/, ''));
  });

  test('serves files only: no folder listings, no dot-files', async ({ request }) => {
    for (const path of ['/assets/', '/assets', '/.gitkeep', '/.git/config']) {
      const res = await request.get(path, { maxRedirects: 0 });
      expect(res.status(), path).toBe(404);
      expect(await res.text(), path).not.toContain('<a href');
    }
    expect((await request.get('/robots.txt')).status()).toBe(200);
  });

  test('shows the version in the footer', async ({ page, request }) => {
    const config = await (await request.get('/api/config')).json();
    await openPage(page, '#/');
    await expect(page.getByTestId('version')).toContainText(config.version);
  });
});

test.describe('test results', () => {
  test('lists reports newest first, with the number outside the range as text', async ({ page, request }) => {
    const { reports } = await firstFlaggedReport(request);
    const total = ((await (await request.get('/api/results?limit=1')).json()) as { total: number }).total;

    await openPage(page, '#/results?view=date');
    await expect(page).toHaveTitle('Test results - Ward');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Test results');
    await expect(page.getByTestId('results-count')).toContainText(`${total.toLocaleString('en-GB')} test result`);

    // Newest first: the first row is the first report from the API.
    const first = page.getByTestId('report').first();
    await expect(first.getByRole('link')).toHaveText(reports[0].name);
    await expect(first).toHaveAttribute('data-index', '0');
    await expect(first).toContainText(DATE_IN);

    // A flagged report near the top says how many results are outside the range, in words.
    const i = reports.findIndex((r) => r.abnormalCount > 0);
    expect(i, 'a flagged report among the newest').toBeGreaterThanOrEqual(0);
    expect(i).toBeLessThan(8);
    const row = page.locator(`[data-index="${i}"]`);
    await expect(row.locator('.nhsuk-tag')).toHaveText(
      `${reports[i].abnormalCount} result${reports[i].abnormalCount === 1 ? '' : 's'} outside range`,
    );

    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);
  });

  test('opens a report page with full detail', async ({ page, request }) => {
    const { reports, report, result } = await firstFlaggedReport(request);
    const i = reports.indexOf(report);
    expect(i).toBeLessThan(8);

    await openPage(page, '#/results?view=date');
    await page.locator(`[data-index="${i}"]`).getByRole('link').click();
    await expect(page).toHaveURL(new RegExp('#/results/' + encodeURIComponent(report.id).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$'));
    await expect(page.getByRole('heading', { level: 1 })).toContainText(report.name);
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    await expect(page).toHaveTitle(`${report.name} - Test results - Ward`);

    const details = page.getByTestId('report-details');
    await expect(details).toContainText('Taken');
    await expect(details).toContainText(DATE);

    const card = page.getByTestId('result').filter({ hasText: result.name }).first();
    await expect(card.locator('.nhsuk-tag')).toHaveText(result.flagLabel);
    await expect(card.getByTestId('history-link')).toHaveText(new RegExp(`^See (how|all) your ${result.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} results`));
    await expect(page.getByRole('link', { name: 'Back to test results' })).toBeVisible();

    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: 'Back to test results' }).click();
    await expect(page).toHaveTitle('Test results - Ward');
  });

  test('a result links to its history: a chart with the normal range and an accessible table', async ({ page, request }) => {
    const res = await request.get('/api/results?limit=50');
    const body = (await res.json()) as { reports: ApiReport[] };
    const report = body.reports.find((r) => (r.results ?? []).some((x) => x.name === 'HbA1c'))!;
    expect(report, 'demo data has HbA1c results').toBeTruthy();
    const result = report.results!.find((x) => x.name === 'HbA1c')!;
    const history = await (await request.get('/api/history?test=' + encodeURIComponent(result.testKey!))).json();
    expect(history.points.length).toBeGreaterThan(2);

    await openPage(page, '#/results/' + encodeURIComponent(report.id));
    await page.getByTestId('result').filter({ hasText: 'HbA1c' }).getByTestId('history-link').click();
    await expect(page).toHaveURL(/#\/tests\//);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('HbA1c');
    await expect(page).toHaveTitle('HbA1c over time - Test results - Ward');

    const chart = page.getByTestId('history-chart').locator('svg[role="img"]');
    await expect(chart).toBeVisible();
    const label = await chart.getAttribute('aria-label');
    expect(label).toMatch(new RegExp(`^HbA1c: ${history.points.length} results from \\d{1,2} \\w+ \\d{4} to \\d{1,2} \\w+ \\d{4}, latest `));
    await expect(page.getByTestId('range-band')).toHaveCount(1);
    const numeric = history.points.filter((p: { number: number | null }) => p.number !== null);
    await expect(chart.locator('.ward-chart__point')).toHaveCount(numeric.length);
    // Flagged points have a different shape, not only a colour.
    if (numeric.some((p: { flag: string }) => p.flag === 'high')) {
      await expect(chart.locator('[data-shape="triangle-up"]').first()).toBeVisible();
    }

    const table = page.getByTestId('history-table');
    await expect(table.locator('tbody tr')).toHaveCount(history.points.length);
    const latest = history.points[history.points.length - 1];
    const firstRow = table.locator('tbody tr').first();
    await expect(firstRow).toContainText(latest.value);
    await expect(firstRow).toContainText(DATE_IN);
    if (latest.flagLabel) await expect(firstRow.locator('.nhsuk-tag')).toHaveText(latest.flagLabel);

    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);
  });

  test('an unknown report says it was not found', async ({ page, consoleProblems }) => {
    await openPage(page, '#/results/does-not-exist');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Test result not found');
    await expectUrgentHelp(page);
    expectConsole(consoleProblems, /status of 404/);
  });

  test('5,000 reports: 200 rows at a time, more as the end comes into view, all of them printed', async ({ page }) => {
    const TOTAL = 5000;
    const requested: string[] = [];
    await page.route(/\/api\/results\?/, (route) => {
      const url = new URL(route.request().url());
      requested.push(url.search);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 200);
      const reports = [];
      for (let i = offset; i < Math.min(offset + limit, TOTAL); i++) {
        reports.push({
          id: `r-${i}`,
          name: `Report ${i + 1}`,
          category: 'Blood test',
          taken: new Date(Date.UTC(2026, 0, 1) - i * 86_400_000).toISOString(),
          resulted: '',
          orderedBy: '',
          organisation: 'Mock Hospital',
          status: 'final',
          conclusion: '',
          abnormalCount: i % 3 === 0 ? 1 : 0,
          results: [],
        });
      }
      return route.fulfill({ json: { total: TOTAL, offset, reports } });
    });
    await openPage(page, '#/results?view=date');
    await expect(page.getByTestId('results-count')).toContainText('5,000 test results');
    const rows = page.getByTestId('report');
    const list = page.getByTestId('results-list');
    // 200 rows at first, from one request.
    await expect(rows).toHaveCount(200);
    expect(requested).toHaveLength(1);
    await expectNoAxeViolations(page);

    // Coming to the end adds the next 200, fetched then.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect(rows).toHaveCount(400);
    await expect(page.getByTestId('results-more')).toContainText('Showing 400 of 5,000');
    expect(requested).toHaveLength(2);

    // Opening a row and coming back returns to that row, not the top of the list.
    await page.route(/\/api\/results\/r-\d+$/, (route) =>
      route.fulfill({
        json: { id: 'r-349', name: 'Report 350', category: '', taken: '2025-01-16', resulted: '', orderedBy: '', organisation: 'Mock Hospital', status: 'final', conclusion: '', abnormalCount: 0, results: [] },
      }),
    );
    await list.locator('[data-index="349"]').getByRole('link').click();
    await expect(page).toHaveURL(/#\/results\/r-349$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Report 350');
    await page.goBack();
    await expect(list.locator('[data-index="349"]').getByRole('link')).toBeFocused();
    await expect(list.locator('[data-index="349"]')).toBeInViewport();

    // Printing the list prints every row of the view: all 25 pages, every row rendered.
    await page.evaluate(() => {
      window.print = () => document.body.setAttribute('data-printed', 'yes');
    });
    await page.getByTestId('print-list').click();
    await expect(page.locator('body')).toHaveAttribute('data-printed', 'yes', { timeout: 20_000 });
    await expect(rows).toHaveCount(5000);
    await expect(list.locator('[data-index="4999"]').getByRole('link')).toHaveText('Report 5000');
    expect(new Set(requested).size).toBe(25);
  });
});

test.describe('health summary, visits, documents and details', () => {
  test('the health summary shows conditions, medicines, allergies and vaccinations', async ({ page, request }) => {
    const health = await (await request.get('/api/health')).json();
    await openPage(page, '#/health');
    await expect(page).toHaveTitle('Health summary - Ward');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Health summary');

    const allergies = page.getByTestId('allergies');
    await expect(allergies).toHaveClass(/nhsuk-warning-callout/);
    for (const a of health.allergies) {
      const row = allergies.getByTestId('allergy').filter({ hasText: a.substance });
      await expect(row).toContainText(a.reactions[0]);
    }
    const active = health.conditions.filter((c: { status: string }) => c.status === 'active');
    const resolved = health.conditions.filter((c: { status: string }) => c.status === 'resolved');
    await expect(page.getByTestId('active-conditions').getByTestId('condition')).toHaveCount(active.length);
    await expect(page.getByTestId('active-conditions')).toContainText(active[0].name);
    if (resolved.length) await expect(page.getByTestId('past-conditions')).toContainText(resolved[0].name);

    const current = health.medications.filter((m: { status: string }) => m.status === 'current');
    const med = page.getByTestId('current-medicines').getByTestId('medication').filter({ hasText: current[0].name });
    await expect(med).toContainText(current[0].dose);
    await expect(med).toContainText(current[0].prescriber);
    await expect(page.getByTestId('immunisations').locator('tbody tr')).toHaveCount(health.immunisations.length);
    await expect(page.getByTestId('immunisations')).toContainText(DATE_IN);
    await expect(page.getByTestId('codes').first()).toContainText('SNOMED CT');

    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);
  });

  test('visits: upcoming soonest first, then past newest first', async ({ page, request }) => {
    const visits = await (await request.get('/api/visits')).json();
    expect(visits.upcoming.length).toBeGreaterThan(0);
    expect(visits.past.length).toBeGreaterThan(0);
    await openPage(page, '#/visits');
    await expect(page).toHaveTitle('Appointments - Ward');
    const upcoming = page.getByTestId('upcoming-visit');
    await expect(upcoming).toHaveCount(visits.upcoming.length);
    await expect(upcoming.first()).toContainText(visits.upcoming[0].title);
    await expect(upcoming.first()).toContainText(/[A-Z][a-z]+day \d{1,2} \w+ \d{4}, \d{1,2}(:\d{2})?(am|pm) · in \d+ days/);
    await expect(upcoming.first()).toContainText(visits.upcoming[0].reason);
    const past = page.getByTestId('past-visit');
    await expect(past).toHaveCount(visits.past.length);
    await expect(past.first()).toContainText(visits.past[0].title);
    await expect(past.first()).toContainText(visits.past[0].clinician);
    // Not a results page: the urgent help card is a footer link to the help page's.
    await expect(page.getByTestId('urgent-help')).toHaveCount(0);
    await expect(page.getByTestId('urgent-help-link')).toHaveAttribute('href', '#/help?section=urgent');
    await expectNoAxeViolations(page);
  });

  test('documents: the list, the letter with its text, and its attachment saved as a file', async ({ page, request, context }) => {
    const { documents } = await (await request.get('/api/documents')).json();
    expect(documents.length).toBeGreaterThan(0);
    const doc = documents[0];
    await openPage(page, '#/documents');
    await expect(page).toHaveTitle('Letters and documents - Ward');
    await expect(page.getByTestId('document')).toHaveCount(documents.length);
    await expect(page.getByTestId('document').first()).toContainText(DATE_IN);
    await expect(page.getByTestId('document').first()).toContainText(doc.author);
    await expectNoAxeViolations(page);

    await page.getByRole('link', { name: doc.title }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText(doc.title);
    await expect(page).toHaveTitle(`${doc.title} - Letters and documents - Ward`);
    const content = page.getByTestId('document-content');
    await expect(content).toContainText('Dear');
    await expect(content.locator('script, style, [style]')).toHaveCount(0);
    // Not a results page: the urgent help card is a footer link to the help page's.
    await expect(page.getByTestId('urgent-help')).toHaveCount(0);
    await expect(page.getByTestId('urgent-help-link')).toHaveAttribute('href', '#/help?section=urgent');
    await expectNoAxeViolations(page);

    if ((doc.attachments ?? []).length > 0) {
      const link = page.getByTestId('attachment').first();
      await expect(link).toContainText(`Download ${doc.attachments[0].title}`);
      await expect(link).toContainText(/\((text|PDF|file|web page)[^)]*\)/);
      let tabs = 0;
      context.on('page', () => tabs++);
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toMatch(/^[A-Za-z0-9 _-]+\.txt$/);
      const { readFile } = await import('node:fs/promises');
      expect(await readFile(await download.path(), 'utf8')).toContain('Dear');
      await expect(page.getByTestId('attachment-status')).toContainText(`Saving ${download.suggestedFilename()}`);
      expect(tabs, 'no new tab').toBe(0);
      await expectNoAxeViolations(page);
    }
  });

  test('a PDF attachment is saved as a file, never opened in a tab (mocked PDF)', async ({ page, request, context }) => {
    const pdf = [
      '%PDF-1.4',
      '1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj',
      '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj',
      '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj',
      '4 0 obj<</Length 44>>stream',
      'BT /F1 24 Tf 20 60 Td (Hello PDF) Tj ET',
      'endstream endobj',
      '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj',
      'trailer<</Root 1 0 R>>',
    ].join('\n');
    const { documents } = await (await request.get('/api/documents')).json();
    await page.route(/\/api\/documents\/[^/]+$/, async (route) => {
      const doc = await (await route.fetch()).json();
      doc.attachments = [{ index: 0, contentType: 'application/pdf', title: 'Scanned letter', size: 120 * 1024 }];
      await route.fulfill({ json: doc });
    });
    let accept: string | undefined;
    await page.route(/\/attachments\/0$/, (route) => {
      accept = route.request().headers()['accept'];
      return route.fulfill({
        status: 200,
        headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': 'inline; filename="Scanned letter.pdf"' },
        body: pdf,
      });
    });
    let tabs = 0;
    context.on('page', () => tabs++);
    await openPage(page, '#/documents/' + encodeURIComponent(documents[0].id));
    const link = page.getByTestId('attachment');
    await expect(link).toHaveText('Download Scanned letter (PDF, 120 KB)');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('Scanned letter.pdf');
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(await download.path(), 'latin1')).toBe(pdf);
    expect(accept).toBe('*/*');
    expect(tabs, 'no new tab').toBe(0);
    // The link still points at the API, never at a blob: page.
    await expect(link).toHaveAttribute('href', /^\/api\/documents\//);
  });

  test('an image attachment is shown in the page; an SVG one only offered as a file (mocked)', async ({ page, request }) => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const { documents } = await (await request.get('/api/documents')).json();
    await page.route(/\/api\/documents\/[^/]+$/, async (route) => {
      const doc = await (await route.fetch()).json();
      doc.attachments = [
        { index: 0, contentType: 'image/png', title: 'Photo of the rash', size: png.length },
        { index: 1, contentType: 'image/svg+xml', title: 'Drawing', size: 40 },
      ];
      await route.fulfill({ json: doc });
    });
    await page.route(/\/attachments\/0$/, (route) => route.fulfill({ status: 200, headers: { 'Content-Type': 'image/png' }, body: png }));
    await page.route(/\/attachments\/1$/, (route) =>
      route.fulfill({ status: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: '<svg onload="top.location=1"/>' }),
    );
    await openPage(page, '#/documents/' + encodeURIComponent(documents[0].id));
    const images = page.getByTestId('attachment-image');
    await expect(images).toHaveCount(1);
    const img = images.getByRole('img', { name: 'Photo of the rash' });
    await expect(img).toHaveAttribute('src', /^data:image\/png;base64,/);
    await expect.poll(() => img.evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBe(1);
    await expect(page.getByTestId('attachment')).toHaveText(['Download Photo of the rash (image, 70 bytes)', 'Download Drawing (file, 40 bytes)']);
    await expectNoAxeViolations(page);
  });

  test('your details', async ({ page, request }) => {
    const details = await (await request.get('/api/details')).json();
    await openPage(page, '#/details');
    await expect(page).toHaveTitle('Your details - Ward');
    const list = page.getByTestId('details');
    await expect(list).toContainText(details.name);
    await expect(list).toContainText(details.nhsNumber);
    await expect(list).toContainText(DATE_IN);
    await expect(list).toContainText(details.addresses[0].lines[0]);
    await expect(list).toContainText(details.telecom[0].value);
    // Not a results page: the urgent help card is a footer link to the help page's.
    await expect(page.getByTestId('urgent-help')).toHaveCount(0);
    await expect(page.getByTestId('urgent-help-link')).toHaveAttribute('href', '#/help?section=urgent');
    await expectNoAxeViolations(page);
  });

  test('what you can see: not the full record, where it comes from', async ({ page, request }) => {
    const { sources } = await (await request.get('/api/sources')).json();
    await openPage(page, '#/about-your-record');
    await expect(page).toHaveTitle('What you can see in Ward - Ward');
    await expect(page.getByTestId('not-full-record')).toContainText('This is not your full health record');
    const card = page.getByTestId('source').first();
    await expect(card).toContainText(sources[0].name);
    // Two facts: how recent the records are, and when they were copied here.
    await expect(card.getByTestId('source-freshness')).toHaveText(/^Records up to \d{1,2} [A-Z][a-z]+ \d{4} · copied \d{1,2} [A-Z][a-z]+ \d{4}$/);
    await expect(card).toContainText(`${sources[0].counts.results} test results`);
    await expectNoAxeViolations(page);
  });

  test('other records', async ({ page, request }) => {
    const { types } = await (await request.get('/api/other')).json();
    await openPage(page, '#/other');
    await expect(page).toHaveTitle('Other records - Ward');
    if (types.length === 0) await expect(page.getByTestId('no-other')).toBeVisible();
    else await expect(page.getByTestId('other-types').locator('tbody tr')).toHaveCount(types.length);
    await expectNoAxeViolations(page);
  });

  test('other records of one kind (mocked)', async ({ page }) => {
    await page.route(/\/api\/other$/, (route) => route.fulfill({ json: { types: [{ type: 'Claim', label: 'Insurance claims', count: 2 }] } }));
    await page.route(/\/api\/other\/Claim$/, (route) =>
      route.fulfill({
        json: {
          items: [
            { id: 'c1', date: '2025-03-12', summary: 'Claim for a hospital stay', organisation: 'Mock Insurer' },
            { id: 'c2', date: '2024-01-02', summary: 'Claim for physiotherapy', organisation: 'Mock Insurer' },
          ],
        },
      }),
    );
    await openPage(page, '#/other');
    await page.getByRole('link', { name: 'Insurance claims' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Insurance claims');
    await expect(page.getByTestId('other-items').locator('li')).toHaveCount(2);
    await expect(page.getByTestId('other-items')).toContainText('12 March 2025');
    await expectNoAxeViolations(page);
  });
});

test.describe('search and timeline', () => {
  test('search as you type finds HbA1c and opens it', async ({ page }) => {
    await openPage(page, '#/');
    await page.getByRole('search').first().getByLabel('Search your record').fill('hba');
    await page.getByRole('search').first().getByRole('button', { name: 'Search' }).click();
    await expect(page).toHaveURL(/#\/search\?q=hba$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Search your record');
    const input = page.getByLabel('Search for a test, condition, medicine, appointment or letter');
    await expect(input).toHaveValue('hba');
    await expect(page.getByTestId('search-result').first()).toBeVisible();

    // Keep typing: the results follow, and the live region says how many.
    await input.fill('');
    await input.pressSequentially('HbA1c', { delay: 30 });
    await expect(page).toHaveURL(/#\/search\?q=HbA1c$/);
    await expect(page.getByTestId('search-status')).toHaveText(/^\d+ results? for HbA1c$/);
    const hit = page.getByTestId('search-result').filter({ hasText: 'HbA1c' }).first();
    await expect(hit).toBeVisible();
    await expect(page.getByRole('heading', { level: 2, name: 'Test result' })).toBeVisible();
    await expectNoAxeViolations(page);

    await hit.getByRole('link').click();
    await expect(page).toHaveURL(/#\/results\//);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('HbA1c');

    // No matches.
    await openPage(page, '#/search?q=zzzzqqq');
    await expect(page.getByTestId('no-results')).toContainText('No results for zzzzqqq');
    await expect(page.getByTestId('search-status')).toHaveText('No results for zzzzqqq');
  });

  test('the timeline groups by month and "Show older" loads more', async ({ page, request }) => {
    const first = await (await request.get('/api/timeline?limit=100')).json();
    await openPage(page, '#/timeline');
    await expect(page).toHaveTitle('Timeline - Ward');
    const items = page.getByTestId('timeline-item');
    await expect(items).toHaveCount(first.items.length);
    await expect(page.getByTestId('timeline').locator('h3').first()).toHaveText(
      /^(January|February|March|April|May|June|July|August|September|October|November|December) \d{4}$/,
    );
    // Not a results page: the urgent help card is a footer link to the help page's.
    await expect(page.getByTestId('urgent-help')).toHaveCount(0);
    await expect(page.getByTestId('urgent-help-link')).toHaveAttribute('href', '#/help?section=urgent');
    await expectNoAxeViolations(page);
    if (first.next) {
      await page.getByTestId('show-older').click();
      await expect.poll(() => items.count()).toBeGreaterThan(first.items.length);
      await expect(page.locator(`[data-pos="${first.items.length}"] a`)).toBeFocused();
    }
  });

  test('"Show older" pages through a long timeline (mocked)', async ({ page }) => {
    const calls: string[] = [];
    await page.route(/\/api\/timeline/, (route) => {
      const url = new URL(route.request().url());
      const before = url.searchParams.get('before');
      calls.push(before ?? '');
      const start = before ? Date.parse(before) : Date.UTC(2026, 10, 1);
      const items = Array.from({ length: 3 }, (_, i) => ({
        date: new Date(start - (i + 1) * 20 * 86_400_000).toISOString(),
        kind: 'result',
        title: `Item ${calls.length}-${i}`,
        detail: '',
        link: '#/results/x',
        organisation: '',
      }));
      return route.fulfill({ json: { items, next: calls.length < 2 ? items[2].date : null } });
    });
    await openPage(page, '#/timeline');
    await expect(page.getByTestId('timeline-item')).toHaveCount(3);
    await page.getByTestId('show-older').click();
    await expect(page.getByTestId('timeline-item')).toHaveCount(6);
    await expect(page.getByTestId('timeline-end')).toBeVisible();
    await expect(page.getByTestId('show-older')).toHaveCount(0);
    expect(calls[1]).not.toBe('');
  });
});

test.describe('import page on the demo', () => {
  test('the demo takes no files: a plain notice and no upload form, and the API answers 403', async ({ page, request }) => {
    await openPage(page, '#/import');
    await expect(page).toHaveTitle('Add records from a file - Ward');
    await expect(page.getByTestId('demo-read-only')).toHaveText(
      'Information: This is a demonstration record, so files cannot be imported into it. Set up your own record to import files.',
    );
    await expect(page.getByTestId('import-form')).toHaveCount(0);
    await expect(page.getByLabel('Upload files')).toHaveCount(0);
    await expectNoAxeViolations(page);

    const res = await request.post('/api/imports?name=x.json&id=e2e-demo-import', { data: '{"resourceType":"Bundle"}' });
    expect(res.status()).toBe(403);
    expect((await res.json()).error.code).toBe('demo_read_only');
  });
});

// The import page as it is for a real record: the demo takes no files, so
// these say the vault is a real one, open, and mock the imports themselves.
test.describe('import page (mocked)', () => {
  test.beforeEach(async ({ page }) => {
    await page.route('**/api/vault', (route) =>
      route.fulfill({ json: { state: 'unlocked', demo: false, autoLockMinutes: 15, canRecover: true } }),
    );
  });

  test('shows progress while the file uploads, and Cancel stops it (mocked)', async ({ page }) => {
    let cancelled = false;
    let polls = 0;
    let release: () => void = () => {};
    const ended = new Promise<void>((r) => (release = r));
    let id = '';
    await page.route(/\/api\/imports\?/, async (route) => {
      id = new URL(route.request().url()).searchParams.get('id') ?? '';
      expect(id).toMatch(/^[A-Za-z0-9-]{8,64}$/);
      expect(new URL(route.request().url()).searchParams.get('source')).toBe('Mock GP Surgery');
      await ended;
      await route.fulfill({
        json: { id, file: 'big.json', state: 'cancelled', bytesDone: 1200, bytesTotal: 4000, items: 0, message: '', summary: null },
      });
    });
    await page.route(/\/api\/imports\/[^/]+$/, (route) => {
      polls++;
      return route.fulfill({
        json: { id, file: 'big.json', state: 'running', bytesDone: 1024 * 1024, bytesTotal: 4 * 1024 * 1024, items: 1200, message: '', summary: null },
      });
    });
    await page.route(/\/api\/imports\/[^/]+\/cancel$/, (route) => {
      cancelled = true;
      release();
      return route.fulfill({ status: 204 });
    });

    await openPage(page, '#/import');
    await page.getByLabel('Upload files').setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: Buffer.from('{"resourceType":"Bundle"}') });
    await expect(page.getByTestId('chosen-file')).toContainText('big.json');
    await page.getByLabel('Which organisation is this from? (optional)').fill('Mock GP Surgery');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    // The progress view is shorter than the form: move the pointer off
    // whatever link is now under it, so axe sees links as they usually are.
    await page.mouse.move(0, 0);

    const bar = page.getByLabel('Adding big.json');
    await expect(bar).toHaveJSProperty('value', 1024 * 1024);
    await expect(bar).toHaveJSProperty('max', 4 * 1024 * 1024);
    await expect(page.getByTestId('import-status')).toHaveText('Read 1 MB of 4 MB. Saved 1,200 records so far.');
    expect(polls).toBeGreaterThan(0);
    await expectNoAxeViolations(page);

    await page.getByTestId('import-cancel').click();
    await expect(page.getByTestId('import-cancelled')).toHaveText('Import cancelled. Nothing from big.json was saved. Your record is as it was.');
    await expect(page.getByTestId('import-cancelled')).toBeFocused();
    expect(cancelled).toBe(true);
    await expectNoAxeViolations(page);
  });

  test('a failed import shows the server\'s message in an error summary (mocked)', async ({ page }) => {
    await page.route(/\/api\/imports\?/, (route) =>
      route.fulfill({
        json: {
          id: 'x',
          file: 'broken.json',
          state: 'failed',
          bytesDone: 10,
          bytesTotal: 10,
          items: 0,
          message: 'broken.json could not be imported: entry 3: this is not valid JSON. Nothing from it was saved; everything else is as it was.',
          summary: null,
        },
      }),
    );
    await openPage(page, '#/import');
    await page.getByLabel('Upload files').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{') });
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect(page.getByTestId('error-summary')).toBeFocused();
    await expect(page.getByTestId('import-failure')).toHaveText(/^broken\.json could not be imported: entry 3/);
    await expect(page).toHaveTitle('Error: Add records from a file - Ward');
    await expectNoAxeViolations(page);
  });

  test('several files: "File 2 of 3", an overall bar, and Cancel stops the current file and starts no more (mocked)', async ({ page }) => {
    const names: string[] = [];
    let release: () => void = () => {};
    const cancelled = new Promise<void>((r) => (release = r));
    const ids = new Map<string, string>();
    await page.route(/\/api\/imports\?/, async (route) => {
      const url = new URL(route.request().url());
      const name = url.searchParams.get('name') ?? '';
      names.push(name);
      ids.set(url.searchParams.get('id') ?? '', name);
      const base = { id: url.searchParams.get('id'), file: name, bytesDone: 100, bytesTotal: 100, items: 2, message: '' };
      if (name === 'a.json') {
        return route.fulfill({ json: { ...base, state: 'done', summary: { added: 2, updated: 0, unchanged: 0, byType: { Observation: 2 } } } });
      }
      await cancelled;
      return route.fulfill({ json: { ...base, state: 'cancelled', message: 'The import was cancelled. Nothing from labs.json was saved.', summary: null } });
    });
    await page.route(/\/api\/imports\/[^/]+$/, (route) => {
      const id = new URL(route.request().url()).pathname.split('/').pop() ?? '';
      return route.fulfill({
        json: { id, file: ids.get(id) ?? '', state: 'running', bytesDone: 1024, bytesTotal: 4096, items: 7, message: '', summary: null },
      });
    });
    await page.route(/\/api\/imports\/[^/]+\/cancel$/, (route) => {
      release();
      return route.fulfill({ status: 204 });
    });

    await openPage(page, '#/import');
    const json = (name: string) => ({ name, mimeType: 'application/json', buffer: Buffer.from('{"resourceType":"Bundle"}') });
    await page.getByLabel('Upload files').setInputFiles([json('a.json'), json('labs.json'), json('c.json')]);
    await expect(page.getByTestId('chosen-file')).toContainText('labs.json');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.mouse.move(0, 0);

    const bar = page.getByLabel('File 2 of 3: labs.json');
    await expect(bar).toHaveJSProperty('value', 1024);
    await expect(bar).toHaveJSProperty('max', 4096);
    const overall = page.getByLabel('All files: 1 of 3 files finished');
    await expect(overall).toHaveJSProperty('value', 1);
    await expect(overall).toHaveJSProperty('max', 3);
    await expect(page.getByTestId('import-status')).toHaveText('a.json was imported. File 2 of 3: labs.json.');
    await expect(page.getByTestId('import-status')).toHaveText('Read 1 KB of 4 KB. Saved 7 records so far.');
    await expectNoAxeViolations(page);

    await page.getByTestId('import-cancel').click();
    const notice = page.getByTestId('import-cancelled');
    await expect(notice).toHaveText(
      'Import cancelled. 1 file was imported before you cancelled. Nothing from labs.json was saved. 1 file was not started.',
    );
    await expect(notice).toBeFocused();
    await expect(page.getByTestId('import-done')).toContainText('a.json has been added to your record.');
    await expect(page.getByTestId('error-summary')).toHaveCount(0);
    expect(names).toEqual(['a.json', 'labs.json']);
    await expectNoAxeViolations(page);
  });

  test('409 busy: shows the server\'s message and starts no more files (mocked)', async ({ page, consoleProblems }) => {
    let posts = 0;
    await page.route(/\/api\/imports\?/, (route) => {
      posts++;
      return route.fulfill({
        status: 409,
        json: { error: { code: 'busy', message: 'Another import is still running. Wait for it to finish, then try again.' } },
      });
    });
    await openPage(page, '#/import');
    await page.getByLabel('Upload files').setInputFiles([
      { name: 'a.json', mimeType: 'application/json', buffer: Buffer.from('{}') },
      { name: 'b.json', mimeType: 'application/json', buffer: Buffer.from('{}') },
    ]);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const summary = page.getByTestId('error-summary');
    await expect(summary).toBeFocused();
    await expect(page.getByTestId('import-problem')).toHaveText('Another import is still running. Wait for it to finish, then try again.');
    await expect(page.getByTestId('import-not-started')).toHaveText('2 files were not started: a.json and b.json.');
    await expect(page).toHaveTitle('Error: Add records from a file - Ward');
    // The form is back, so the files can be tried again later.
    await expect(page.getByRole('button', { name: 'Upload', exact: true })).toBeVisible();
    expect(posts).toBe(1);
    await expectNoAxeViolations(page);
    problemsExceptBusy(consoleProblems);
  });

  test('asks for a file before uploading', async ({ page }) => {
    await openPage(page, '#/import');
    await expect(page).toHaveTitle('Add records from a file - Ward');
    await expect(page.getByLabel('Upload files')).toHaveAttribute('accept', /\.json,\.ndjson,\.xml/);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect(page.getByTestId('error-summary')).toBeFocused();
    await expect(page.getByTestId('error-summary')).toContainText('Select a file to add');
    await expect(page).toHaveTitle('Error: Add records from a file - Ward');
    await expectNoAxeViolations(page);
  });
});

test.describe('help page', () => {
  test('shows the helpdesk from the config', async ({ page, request }) => {
    const config = await (await request.get('/api/config')).json();
    await openPage(page, '#/help');
    await expect(page).toHaveTitle('Help - Ward');
    const helpdesk = config.organisation?.helpdesk ?? {};
    if (helpdesk.phone) {
      await expect(page.getByTestId('helpdesk-phone')).toHaveText(helpdesk.phone);
    } else {
      await expect(page.getByTestId('helpdesk-fallback')).toContainText('Contact');
    }
    if (helpdesk.hours) await expect(page.getByTestId('helpdesk-hours')).toHaveText(helpdesk.hours);
    if (helpdesk.email) await expect(page.getByTestId('helpdesk-email')).toHaveText(helpdesk.email);
    await expect(page.getByTestId('not-nhs')).toContainText('not an NHS service');
    await expect(page.getByTestId('not-nhs')).toContainText('not for emergencies');
    await expectUrgentHelp(page);
    await expectNoAxeViolations(page);
  });
});

test.describe('navigation and keyboard', () => {
  test('the skip link moves focus to the main content without changing the page', async ({ page }) => {
    await openPage(page, '#/results');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to main content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await expect(page.locator('#maincontent')).toBeFocused();
    await expect(page).toHaveURL(/#\/results$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Test results');
  });

  test('the header menu changes page, title and focus', async ({ page }) => {
    await openPage(page, '#/');
    const menu = page.getByRole('navigation', { name: 'Menu' });
    await expect(menu.getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');

    // Help is under More.
    await menu.getByRole('button', { name: 'Browse More' }).click();
    await menu.getByRole('link', { name: 'Help' }).click();
    await expect(page).toHaveTitle('Help - Ward');
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    // The page changed, so More closed; the current page is marked inside it.
    await menu.getByRole('button', { name: 'Browse More' }).click();
    await expect(menu.getByRole('link', { name: 'Help' })).toHaveAttribute('aria-current', 'page');
    await page.keyboard.press('Escape');

    await menu.getByRole('link', { name: 'Test results' }).click();
    await expect(page).toHaveTitle('Test results - Ward');
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();

    for (const [name, title] of [
      ['Health summary', 'Health summary - Ward'],
      ['Appointments', 'Appointments - Ward'],
      ['Letters', 'Letters and documents - Ward'],
    ]) {
      await menu.getByRole('link', { name, exact: true }).click();
      await expect(page).toHaveTitle(title);
      await expect(menu.getByRole('link', { name, exact: true })).toHaveAttribute('aria-current', 'page');
    }

    // The More menu: closed at first, opens, and Escape closes it.
    const more = menu.getByRole('button', { name: 'Browse More' });
    await expect(more).toHaveAttribute('aria-expanded', 'false');
    await expect(menu.getByRole('link', { name: 'Your details' })).toBeHidden();
    await more.click();
    await expect(more).toHaveAttribute('aria-expanded', 'true');
    await expectNoAxeViolations(page);
    await page.keyboard.press('Escape');
    await expect(more).toHaveAttribute('aria-expanded', 'false');
    await expect(more).toBeFocused();
    await more.click();
    await menu.getByRole('link', { name: 'Your details' }).click();
    await expect(page).toHaveTitle('Your details - Ward');
    await expect(more).toHaveAttribute('aria-expanded', 'false');
  });

  test('on a phone the header shows Home, Test results and Appointments; the rest are under More', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openPage(page, '#/');
    const menu = page.getByRole('navigation', { name: 'Menu' });
    await expect(menu.getByRole('link', { name: 'Test results' })).toBeVisible();
    await expect(menu.getByRole('link', { name: 'Appointments', exact: true })).toBeVisible();
    await expect(menu.getByRole('link', { name: 'Health summary', exact: true })).toBeHidden();
    await menu.getByRole('button', { name: 'Browse More' }).click();
    await expect(menu.getByRole('link', { name: 'Health summary', exact: true })).toBeVisible();
    await expect(menu.getByRole('link', { name: 'Your details' })).toBeVisible();
    // Nothing sticks out sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectNoAxeViolations(page);
    await menu.getByRole('link', { name: 'Health summary', exact: true }).click();
    await expect(page).toHaveTitle('Health summary - Ward');
  });

  test('the home page links to every part of the record', async ({ page }) => {
    await openPage(page, '#/');
    const sections = page.getByTestId('sections');
    for (const name of ['Test results', 'Health summary', 'Appointments', 'Letters and documents', 'Timeline', 'Your details']) {
      await expect(sections.getByRole('link', { name, exact: true })).toBeVisible();
    }
  });

  test('an unknown page says page not found', async ({ page }) => {
    await openPage(page, '#/no-such-page');
    await expect(page).toHaveTitle('Page not found - Ward');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
    // Not a results page: the urgent help card is a footer link to the help page's.
    await expect(page.getByTestId('urgent-help')).toHaveCount(0);
    await expect(page.getByTestId('urgent-help-link')).toHaveAttribute('href', '#/help?section=urgent');
    await expectNoAxeViolations(page);
  });
});

test.describe('empty and error states', () => {
  test('with no record loaded the home page says so', async ({ page }) => {
    await page.route('**/api/summary', (route) =>
      route.fulfill({ json: { patient: null, sources: [], counts: {} } }),
    );
    await openPage(page, '#/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('There is no health record here yet');
    await expect(page).toHaveTitle('No health record yet - Ward');
    // Not a results page: the urgent help card is a footer link to the help page's.
    await expect(page.getByTestId('urgent-help')).toHaveCount(0);
    await expect(page.getByTestId('urgent-help-link')).toHaveAttribute('href', '#/help?section=urgent');
    await expectNoAxeViolations(page);
  });

  test('a server error shows a plain message', async ({ page, consoleProblems }) => {
    await page.route(/\/api\/(results\?|tests$)/, (route) =>
      route.fulfill({
        status: 500,
        json: { error: { code: 'internal', message: 'database exploded' } },
      }),
    );
    await openPage(page, '#/results');
    await expect(page.getByTestId('problem')).toContainText(
      'Sorry, there is a problem with the service. Try again later.',
    );
    await expect(page.getByTestId('problem')).not.toContainText('database');
    // The browser logs the failed request itself; nothing else may be logged.
    const expected = consoleProblems.filter((p) => /status of 500/.test(p));
    expect(expected.length).toBeGreaterThan(0);
    consoleProblems.splice(0, consoleProblems.length, ...consoleProblems.filter((p) => !expected.includes(p)));
  });

  test('the help page falls back when no helpdesk is configured', async ({ page, request }) => {
    const config = await (await request.get('/api/config')).json();
    await page.route('**/api/config', (route) =>
      route.fulfill({
        json: { ...config, organisation: { ...config.organisation, helpdesk: { phone: '', hours: '', email: '' } } },
      }),
    );
    await openPage(page, '#/help');
    await expect(page.getByTestId('helpdesk-fallback')).toContainText(`Contact ${config.organisation.name}`);
    await expect(page.getByTestId('helpdesk')).toHaveCount(0);
  });
});

test.describe('the vault lock in demo mode', () => {
  test('the demo has no lock: no Lock button and no unlock page', async ({ page, request }) => {
    const vault = await (await request.get('/api/vault')).json();
    expect(vault.demo).toBe(true);

    await openPage(page, '#/');
    await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Unlock your record');
    await expect(page.getByTestId('patient-details')).toBeVisible();
    await expect(page.getByRole('button', { name: /\block\b/i })).toHaveCount(0);
    await expect(page.locator('input[type="password"]')).toHaveCount(0);

    // The unlock page does not exist in demo mode: it goes where it was heading.
    await page.goto('/#/unlock?next=%2Fresults');
    await expect(page).toHaveURL(/#\/results$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Test results');
    await expect(page.getByRole('button', { name: /\block\b/i })).toHaveCount(0);
    expect(await page.evaluate(() => sessionStorage.getItem('ward.token'))).toBeNull();
  });

  test('an older backend without /api/vault works as before', async ({ page, consoleProblems }) => {
    await page.route('**/api/vault', (route) =>
      route.fulfill({ status: 404, json: { error: { code: 'not_found', message: 'There is nothing at this address.' } } }),
    );
    await openPage(page, '#/');
    await expect(page.getByTestId('patient-details')).toBeVisible();
    await expect(page.getByRole('button', { name: /\block\b/i })).toHaveCount(0);
    expectConsole(consoleProblems, /status of 404/);
  });

  test('with no vault yet the set-up page is shown, with the command line as an alternative (mocked)', async ({ page }) => {
    await page.route('**/api/vault', (route) =>
      route.fulfill({ json: { state: 'none', demo: false, autoLockMinutes: 15, canRecover: false } }),
    );
    await openPage(page, '#/results');
    await expect(page).toHaveURL(/#\/setup$/);
    await expect(page).toHaveTitle('Set up Ward - Ward');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up Ward');
    await expect(page.locator('input[type="password"]')).toHaveCount(2);
    await expect(page.getByRole('button', { name: /\block\b/i })).toHaveCount(0);
    // The command line is secondary detail, for whoever looks after the server.
    await expect(page.locator('main code').filter({ hasText: 'ward vault init' })).toBeHidden();
    await page.getByText('Set up from the command line instead').click();
    await expect(page.locator('main code').filter({ hasText: 'ward vault init' })).toBeVisible();
    await expect(page.locator('main code').filter({ hasText: 'ward vault import FILE' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Menu' })).toHaveCount(0);
    await expect(page.getByTestId('urgent-help-link')).toHaveAttribute('href', '#/help?section=urgent');
    await expectNoAxeViolations(page);
  });

  test('the demo never locks the page for being idle (clock)', async ({ page }) => {
    await page.clock.install();
    await openPage(page, '#/results');
    await page.clock.fastForward('02:00:00');
    await page.keyboard.press('Shift');
    await page.clock.fastForward('01:00:00');
    await expect(page).toHaveURL(/#\/results$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Test results');
    await expect(page.getByTestId('locked-notice')).toHaveCount(0);
  });

  test('a record endpoint answering 401 locked sends you to unlock, and back after', async ({ page, consoleProblems }) => {
    // Pretend this is a real (not demo) vault, unlocked, that locks itself
    // between loading the page and opening the results.
    let locked = false;
    await page.route('**/api/vault', (route) =>
      route.fulfill({ json: { state: locked ? 'locked' : 'unlocked', demo: false, autoLockMinutes: 15, canRecover: true } }),
    );
    // (Appointments: the home page has not fetched them, so the page must ask.)
    await page.route('**/api/visits', (route) =>
      locked
        ? route.fulfill({ status: 401, json: { error: { code: 'locked', message: 'Your record is locked. Unlock it to carry on.' } } })
        : route.fallback(),
    );
    await page.route('**/api/vault/unlock', (route) => {
      expect(route.request().postDataJSON()).toEqual({ password: 'any password' });
      locked = false;
      return route.fulfill({ json: { token: 'mock-token', autoLockMinutes: 15 } });
    });
    await openPage(page, '#/');
    await page.evaluate(() => sessionStorage.setItem('ward.token', 'old-token'));
    await expect(page.getByRole('button', { name: 'Lock your record', exact: true })).toBeVisible();

    locked = true;
    await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Appointments' }).click();
    await expect(page).toHaveURL(/#\/unlock\?next=%2Fvisits$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unlock your record');
    expect(await page.evaluate(() => sessionStorage.getItem('ward.token'))).toBeNull();
    await expect(page.getByRole('button', { name: 'Lock your record', exact: true })).toHaveCount(0);
    expectConsole(consoleProblems, /status of 401/);

    await page.getByLabel('Password', { exact: true }).fill('any password');
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await expect(page).toHaveURL(/#\/visits$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appointments');
    expect(await page.evaluate(() => sessionStorage.getItem('ward.token'))).toBe('mock-token');
  });

  test('too many attempts: the server message, and Unlock waits', async ({ page, consoleProblems }) => {
    await page.route('**/api/vault', (route) =>
      route.fulfill({ json: { state: 'locked', demo: false, autoLockMinutes: 5, canRecover: true } }),
    );
    await page.route('**/api/vault/unlock', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'Retry-After': '2' },
        json: {
          error: {
            code: 'too_many_attempts',
            message: 'You have entered the wrong password too many times. Wait 2 seconds and try again.',
            retryAfterSeconds: 2,
          },
        },
      }),
    );
    await openPage(page, '#/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Unlock your record');
    await expect(page.getByTestId('auto-lock-hint')).toHaveText('Ward locks your record after 5 minutes without use.');
    await page.getByLabel('Password', { exact: true }).fill('guess');
    const button = page.getByRole('button', { name: 'Unlock', exact: true });
    await button.click();
    await expect(page.getByTestId('error-summary')).toBeFocused();
    await expect(page.getByTestId('error-summary')).toContainText('too many times');
    await expect(page.getByTestId('password-error')).toContainText('too many times');
    await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
    await expect(button).toBeDisabled();
    await expect(page.getByTestId('recovery-form').locator('button')).toBeDisabled();
    await expectNoAxeViolations(page);
    await expect(button).toBeEnabled({ timeout: 5_000 });
    expectConsole(consoleProblems, /status of 429/);
  });
});

/** The browser logs the mocked 409 itself; nothing else may be logged. */
function problemsExceptBusy(problems: string[]): void {
  problems.splice(0, problems.length, ...problems.filter((p) => !/status of 409/.test(p)));
}

test.describe('integrity warning', () => {
  test('says in plain words when part of the record did not open, on every page', async ({ page }) => {
    // The demo vault is sound; /api/vault answers as for a tampered one.
    await page.route(/\/api\/vault$/, async (route) => {
      const v = await (await route.fetch()).json();
      await route.fulfill({ json: { ...v, state: 'unlocked', integrity: { failed: 3, rolledBack: true } } });
    });
    await openPage(page, '#/');
    const warning = page.getByTestId('integrity-warning');
    await expect(warning.getByRole('heading', { level: 2 })).toHaveText('Important: Part of your record may not be right');
    await expect(warning).toContainText(
      'Some of your record could not be opened: 3 items may have been changed outside Ward. Import them again from the organisation that sent them.',
    );
    await expect(warning).toContainText('Your record is not the same as when Ward last saved it');
    await expect(page.getByTestId('patient-details')).toBeVisible(); // the rest still shows
    await expectNoAxeViolations(page);
    await openPage(page, '#/results');
    await expect(page.getByTestId('integrity-warning')).toBeVisible();
  });

  test('is not there when the checks found nothing', async ({ page }) => {
    await openPage(page, '#/');
    await expect(page.getByTestId('patient-details')).toBeVisible();
    await expect(page.getByTestId('integrity-warning')).toHaveCount(0);
  });
});
