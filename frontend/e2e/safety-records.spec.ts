// Clinical safety: documents, visits and people that must never mislead
// (docs/clinical-safety/hazard-log.md, HAZ-030 on). The record is
// fixtures/safety/30-documents.json with the shared patient Robin Ash.
import { test, expect, expectNoAxeViolations } from './fixtures';
import { openSafety } from './safety';

const PLACEHOLDERS = /UNKNOWN|MISSING|NOT KNOWN/;

test.describe('safety: documents, visits and people', () => {
  test('a stay under way is Current, listed first, and no placeholder name is shown as the clinician', async ({ page }) => {
    await openSafety(page, '#/visits');
    await expect(page).toHaveTitle('Appointments - Ward');
    const headings = page.getByRole('heading', { level: 2 });
    await expect(headings.first()).toHaveText('Current');
    const current = page.getByTestId('current-visit').filter({ hasText: 'Admission to Ward 7' });
    await expect(current).toHaveCount(1);
    await expect(current).toContainText('Current');
    await expect(current).toContainText('In progress');
    await expect(current).toContainText(/Since [A-Z][a-z]+day \d{1,2} \w+ \d{4}/);
    await expect(current).toContainText('Pneumonia');
    await expect(current).not.toContainText(PLACEHOLDERS);
    await expect(page.getByTestId('past-visit').filter({ hasText: 'Admission to Ward 7' })).toHaveCount(0);

    const clinic = page.getByTestId('past-visit').filter({ hasText: 'Respiratory clinic' });
    await expect(clinic).toContainText('Dr Ada Okafor');
    await expect(page.locator('main')).not.toContainText(PLACEHOLDERS);
    await expect(page.locator('main')).not.toContainText('Visit recorded in error');
    await expectNoAxeViolations(page);
  });

  test('documents: narrative, not-copied, replaced and not-final documents are shown for what they are', async ({ page }) => {
    await openSafety(page, '#/documents');
    await expect(page).toHaveTitle('Letters and documents - Ward');
    const card = (name: string) => page.getByTestId('document').filter({ has: page.getByRole('link', { name, exact: true }) });

    await expect(card('Respiratory clinic letter')).toContainText("A PDF held by St Anne's Hospital; not copied to Ward");
    await expect(card('Outpatient letter')).toContainText('Replaced by a newer version');
    await expect(card('Outpatient letter (corrected)')).not.toContainText('Replaced by a newer version');
    await expect(card('CT chest report')).toContainText('Not final yet');
    await expect(card('Discharge summary')).toContainText("From St Anne's Hospital");
    await expect(page.locator('main')).not.toContainText('Letter sent in error');
    await expect(page.locator('main')).not.toContainText(PLACEHOLDERS);
    await expectNoAxeViolations(page);

    await card('Discharge summary').getByRole('link').click();
    const content = page.getByTestId('document-content');
    await expect(content).toContainText('You were treated for pneumonia. Finish your course of amoxicillin.');
    await expect(content.locator('script')).toHaveCount(0);
    await expect(page.locator('main')).not.toContainText(PLACEHOLDERS);

    await page.goBack();
    await card('Respiratory clinic letter').getByRole('link').click();
    await expect(page.getByRole('heading', { name: 'Not copied to Ward' })).toBeVisible();
    await expect(page.getByTestId('not-copied')).toContainText("A PDF held by St Anne's Hospital; not copied to Ward");
    await expect(page.locator('main')).toContainText("To see it, ask St Anne's Hospital.");

    await page.goBack();
    await card('CT chest report').getByRole('link').click();
    await expect(page.getByTestId('document-status')).toContainText('Not final yet');
    await expect(page.getByTestId('document-status')).toContainText('may change');

    await page.goBack();
    await card('Outpatient letter').getByRole('link').click();
    const status = page.getByTestId('document-status');
    await expect(status).toContainText('Replaced by a newer version');
    await expect(page.getByTestId('document-content')).toContainText('2 puffs twice a day');
    await status.getByRole('link', { name: 'Read the newer version' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Outpatient letter (corrected)');
    await expect(page.getByTestId('document-content')).toContainText('1 puff twice a day');
    await expect(page.getByTestId('document-status')).toHaveCount(0);
  });
});
