// Appointments (issue 14): when, where, how long and whom to call for each
// appointment, "Add to calendar" as an .ics file, past visits linked to
// that day's letters and results, and the timeline split into Upcoming,
// Today and Past; at 1280 and 390 px, on the demo record.
import { readFile } from 'node:fs/promises';
import type { APIRequestContext, Page } from '@playwright/test';
import { test, expect, openPage, expectNoAxeViolations } from './fixtures';

interface ApiVisit {
  id: string;
  title: string;
  start: string;
  place: string;
  address: string;
  phone: string;
  minutes: number;
  related: Array<{ kind: string; title: string; link: string }> | null;
}

async function visits(request: APIRequestContext): Promise<{ upcoming: ApiVisit[]; past: ApiVisit[] }> {
  const v = await (await request.get('/api/visits')).json();
  expect(v.upcoming.length, 'the demo has upcoming appointments').toBeGreaterThan(0);
  return v;
}

const WHEN = /(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}(:\d{2})?(am|pm) · (today|tomorrow|in \d+ (days|weeks|months))/;

/** What sticks out sideways past the page's width (nothing, on a page that reflows). */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return Array.from(document.querySelectorAll('main *'))
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .map((el) => `${el.tagName.toLowerCase()} ${(el.textContent ?? '').trim().slice(0, 40)}`);
  });
}

for (const width of [1280, 390]) {
  test.describe(`appointments at ${width} px`, () => {
    test.use({ viewport: { width, height: width === 390 ? 844 : 900 } });

    test('an upcoming appointment says when (weekday and how soon), where, how long and whom to call', async ({ page, request }) => {
      const { upcoming } = await visits(request);
      const next = upcoming[0];
      expect(next.address && next.phone && next.minutes, 'the demo appointment has an address, phone and length').toBeTruthy();
      await openPage(page, '#/visits');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Appointments');
      await expect(page).toHaveTitle('Appointments - Ward');
      const card = page.getByTestId('upcoming-visit').first();
      await expect(card).toContainText(next.title);
      await expect(card.locator('.ward-caption')).toHaveText(WHEN);
      await expect(card.getByTestId('visit-place')).toContainText(next.place);
      await expect(card.getByTestId('visit-address')).toHaveText(next.address);
      await expect(card.getByTestId('visit-duration')).toHaveText(/^\d+ minutes$|^\d+ hours?( \d+ minutes?)?$/);
      await expect(card.getByTestId('visit-phone').getByRole('link', { name: next.phone })).toHaveAttribute('href', /^tel:\+?\d+$/);
      expect(await overflowing(page), 'nothing sticks out sideways').toEqual([]);
      await expectNoAxeViolations(page);
    });

    test('"Add to calendar" saves an .ics file that parses', async ({ page, request, context }) => {
      const { upcoming } = await visits(request);
      await openPage(page, '#/visits');
      let tabs = 0;
      context.on('page', () => tabs++);
      const button = page.getByTestId('upcoming-visit').first().getByRole('button', { name: /^Add to calendar/ });
      await expect(button).toHaveAccessibleName(new RegExp(`^Add to calendar: ${upcoming[0].title}, [A-Z][a-z]+day `));
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      expect(download.suggestedFilename()).toMatch(/^[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.ics$/);
      const text = await readFile(await download.path(), 'utf8');
      expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
      expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
      expect(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
      const unfolded = text.replace(/\r\n /g, '');
      const start = /\r\nDTSTART:(\d{8}T\d{6}Z)\r\n/.exec(unfolded)?.[1];
      // The same instant as the API's start, in UTC.
      expect(start).toBe(new Date(upcoming[0].start).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, ''));
      expect(unfolded).toMatch(/\r\nDTEND:\d{8}T\d{6}Z\r\n/);
      expect(unfolded).toContain(`\r\nSUMMARY:${upcoming[0].title}\r\n`);
      expect(unfolded).toMatch(/\r\nUID:[^\r\n]+\r\nDTSTAMP:\d{8}T\d{6}Z\r\n/);
      expect(unfolded).toContain('\r\nLOCATION:' + [upcoming[0].place, upcoming[0].address].join(', ').replace(/,/g, '\\,'));
      await expect(page.getByTestId('calendar-status')).toContainText(`Saving ${download.suggestedFilename()}`);
      expect(tabs, 'no new tab').toBe(0);
      // Nothing past is offered for a calendar.
      await expect(page.getByTestId('past-visit').getByRole('button', { name: /Add to calendar/ })).toHaveCount(0);
    });

    test('a past visit links to that day\'s letter and test results', async ({ page, request }) => {
      const { past } = await visits(request);
      const visit = past.find((v) => v.related?.some((r) => r.kind === 'document') && v.related?.some((r) => r.kind === 'result'));
      expect(visit, 'a demo visit with a letter and results on its day').toBeTruthy();
      const letter = visit!.related!.find((r) => r.kind === 'document')!;
      await openPage(page, '#/visits');
      const card = page.getByTestId('past-visit').filter({ has: page.getByRole('link', { name: `Letter: ${letter.title}` }) });
      await expect(card).toHaveCount(1);
      await expect(card.getByRole('heading', { level: 4 })).toHaveText('Letters and test results from that day');
      await expect(card.getByTestId('visit-related').getByRole('link', { name: /^Test result: / }).first()).toHaveAttribute('href', /^#\/results\//);
      await card.getByRole('link', { name: `Letter: ${letter.title}` }).click();
      await expect(page).toHaveURL(new RegExp(letter.link.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$'));
      await expect(page.getByRole('heading', { level: 1 })).toContainText(letter.title);
    });

    test('the timeline shows Upcoming, then Today, then Past', async ({ page, request }) => {
      const { upcoming } = await visits(request);
      await openPage(page, '#/timeline');
      const timeline = page.getByTestId('timeline');
      await expect(timeline.getByRole('heading', { level: 2 })).toHaveText(['Upcoming', 'Today', 'Past']);
      await expect(page.getByTestId('timeline-today')).toContainText(/Today\s*(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} [A-Z][a-z]+ \d{4}/);
      // Every upcoming appointment is above Today; the first item below it is in the past.
      const items = timeline.getByTestId('timeline-item');
      const todayBox = await page.getByTestId('timeline-today').boundingBox();
      const soonest = items.filter({ hasText: upcoming[0].title }).first();
      expect((await soonest.boundingBox())!.y).toBeLessThan(todayBox!.y);
      const firstPast = page.locator('[data-testid="timeline-past"] ~ ul [data-testid="timeline-item"]').first();
      expect((await firstPast.boundingBox())!.y).toBeGreaterThan(todayBox!.y);
      expect(await overflowing(page), 'nothing sticks out sideways').toEqual([]);
      await expectNoAxeViolations(page);
    });
  });
}

test.describe('appointments that must not mislead (mocked)', () => {
  const visit = (over: Record<string, unknown>) => ({
    id: 'x', kind: 'appointment', title: 'Clinic', start: '', end: '', place: 'Eye Clinic', clinician: '', reason: '',
    status: 'booked', organisation: 'Test Trust', address: '1 Example Road', phone: '', minutes: 0, related: [], ...over,
  });

  test('a cancelled appointment is never offered for a calendar; a date alone shows no time and saves an all-day event; a zoneless time is not shifted', async ({ page }) => {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    await page.route('**/api/visits', (route) =>
      route.fulfill({
        json: {
          current: [],
          upcoming: [
            visit({ id: 'date-only', title: 'Eye screening', start: day(20) }),
            visit({ id: 'zoneless', title: 'Physiotherapy', start: `${day(30)}T10:30:00`, minutes: 40 }),
            // Never sent as upcoming by Ward's backend; the page must still not offer it.
            visit({ id: 'cancelled', title: 'Cancelled clinic', start: `${day(40)}T09:00:00Z`, status: 'cancelled' }),
          ],
          past: [],
        },
      }),
    );
    await openPage(page, '#/visits');
    const card = (title: string) => page.getByTestId('upcoming-visit').filter({ hasText: title });
    await expect(card('Cancelled clinic').getByTestId('visit-status')).toHaveText('Cancelled');
    await expect(card('Cancelled clinic').getByRole('button', { name: /Add to calendar/ })).toHaveCount(0);

    await expect(card('Eye screening').locator('.ward-caption')).toHaveText(/^[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4} · in 2 weeks/);
    await expect(card('Eye screening').locator('.ward-caption')).not.toContainText(/\d(am|pm)|midday|midnight/);
    let [download] = await Promise.all([page.waitForEvent('download'), card('Eye screening').getByRole('button', { name: /^Add to calendar/ }).click()]);
    let text = await readFile(await download.path(), 'utf8');
    expect(text).toContain(`\r\nDTSTART;VALUE=DATE:${day(20).replace(/-/g, '')}\r\n`);
    expect(text).not.toMatch(/\r\nDTSTART:/);

    await expect(card('Physiotherapy').locator('.ward-caption')).toHaveText(/, 10:30am · in 4 weeks/);
    await expect(card('Physiotherapy').getByTestId('visit-duration')).toHaveText('40 minutes');
    [download] = await Promise.all([page.waitForEvent('download'), card('Physiotherapy').getByRole('button', { name: /^Add to calendar/ }).click()]);
    text = await readFile(await download.path(), 'utf8');
    expect(text).toContain(`\r\nDTSTART:${day(30).replace(/-/g, '')}T103000\r\n`);
    expect(text).toContain(`\r\nDTEND:${day(30).replace(/-/g, '')}T111000\r\n`);
    await expectNoAxeViolations(page);
  });
});
