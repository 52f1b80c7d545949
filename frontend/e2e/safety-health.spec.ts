// Clinical-safety checks of the health summary on a made-up record with
// every health hazard (fixtures/safety/20-health.json): an allergy whose
// text names the reaction, "No known allergy" and "Not on File" records, a
// resolved and an unconfirmed allergy, a differential diagnosis, a condition
// whose end is before its start, one with no status, a medicine with only
// structured dosage, an on-hold and a cancelled one requested by an
// organisation, and a vaccination not given. Logged as HAZ-020 to HAZ-023 in
// docs/clinical-safety/hazard-log.md.
import { test, expect, expectNoAxeViolations } from './fixtures';
import { openSafety } from './safety';

test.describe('the health summary never misleads', () => {
  test('allergy substance: the coded substance is named, not the reaction; no known allergies are a statement', async ({ page }) => {
    await openSafety(page, '#/health');
    const current = page.getByTestId('allergies');
    const penicillin = current.getByTestId('allergy').filter({ hasText: 'Penicillin' });
    await expect(penicillin).toHaveCount(1);
    await expect(penicillin.locator('dt')).toHaveText('Penicillin');
    await expect(penicillin).toContainText('Reaction: Hives');
    await expect(penicillin).toContainText('Severity: Severe. High risk');
    // The reaction is never shown as a substance.
    await expect(page.locator('[data-testid="allergy"] dt', { hasText: 'Hives' })).toHaveCount(0);

    // "No known allergy" and "Not on File" are not allergies.
    for (const text of ['No known allergy', 'Not on File', 'Patient not asked']) {
      await expect(page.locator('[data-testid="allergy"] dt', { hasText: text })).toHaveCount(0);
    }
    const statements = page.getByTestId('allergy-statement');
    await expect(statements.filter({ hasText: 'No allergies recorded by northgate.example.org' })).toHaveCount(1);
    await expect(statements.filter({ hasText: 'Not on File' })).toContainText('does not mean you have none');

    // Unconfirmed is labelled; resolved is a past allergy.
    await expect(current.getByTestId('allergy').filter({ hasText: 'Latex' })).toContainText('Not confirmed');
    const past = page.getByTestId('past-allergies');
    await expect(past.getByTestId('allergy').filter({ hasText: 'Eggs' })).toContainText('Resolved');
    await expect(current.getByTestId('allergy').filter({ hasText: 'Eggs' })).toHaveCount(0);
    await expectNoAxeViolations(page);
  });

  test('conditions: possible diagnoses, missing statuses and impossible dates are labelled', async ({ page }) => {
    await openSafety(page, '#/health');
    const angina = page.getByTestId('active-conditions').getByTestId('condition').filter({ hasText: 'Angina' });
    await expect(angina.getByTestId('condition-verification')).toHaveText('Possible — not confirmed');
    const eczema = page.getByTestId('unknown-conditions').getByTestId('condition').filter({ hasText: 'Eczema' });
    await expect(eczema).toContainText('Status not recorded');
    await expect(page.getByTestId('active-conditions')).not.toContainText('Eczema');
    const wrist = page.getByTestId('past-conditions').getByTestId('condition').filter({ hasText: 'Fractured wrist' });
    await expect(wrist).toContainText('From 10 May 2019 to 1 July 2018');
    await expect(wrist.getByTestId('date-note')).toContainText('end date before the start date');

    await page.evaluate(() => (location.hash = '#/search?q=angina'));
    await expect(page.locator('main')).toContainText('Possible — not confirmed');
  });

  test('medicines: the dose in words, statuses labelled, cancelled never started, the prescriber a person', async ({ page }) => {
    await openSafety(page, '#/health');
    const amlodipine = page.getByTestId('current-medicines').getByTestId('medication').filter({ hasText: 'Amlodipine' });
    await expect(amlodipine.getByTestId('dose')).toHaveText('1 tablet once a day, by mouth');
    await expect(amlodipine.getByTestId('prescriber')).toHaveText('Dr Ngozi Okafor');

    const current = page.getByTestId('current-medicines');
    await expect(current).not.toContainText('Warfarin');
    await expect(current).not.toContainText('Naproxen');
    const warfarin = page.getByTestId('other-medicines').getByTestId('medication').filter({ hasText: 'Warfarin' });
    await expect(warfarin.getByTestId('medicine-status')).toHaveText('On hold');
    await expect(warfarin.getByTestId('prescriber')).toHaveText('Not recorded');

    await expect(page.getByTestId('past-medicines')).toHaveCount(0);
    const naproxen = page.getByTestId('not-taken-medicines').getByTestId('medication').filter({ hasText: 'Naproxen' });
    await expect(naproxen.getByTestId('medicine-status')).toHaveText('Cancelled — not taken');
    await expect(naproxen).not.toContainText('Started');
    await expect(naproxen).toContainText('Recorded');
    await expect(naproxen.getByTestId('prescriber')).toHaveText('Not recorded');
    await expect(naproxen).toContainText('Northgate Medical Centre');
    await expectNoAxeViolations(page);
  });

  test('vaccinations: not given shows Not given with its reason on the page, the timeline and search', async ({ page }) => {
    await openSafety(page, '#/health');
    const flu = page.getByTestId('immunisation').filter({ hasText: 'Influenza vaccine' });
    await expect(flu.getByTestId('immunisation-status')).toHaveText('Not given');
    await expect(flu).toContainText('Reason: Patient declined');

    await page.evaluate(() => (location.hash = '#/timeline'));
    await expect(page.locator('main')).toContainText('Not given: Patient declined');
    await page.evaluate(() => (location.hash = '#/search?q=influenza'));
    await expect(page.locator('main')).toContainText('Not given: Patient declined');
  });
});
