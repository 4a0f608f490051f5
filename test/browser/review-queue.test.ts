/**
 * The review queue in real Chromium against the real service (dist/): users with every decision are
 * seeded into the SQLite file before the service starts (`review-queue-seed.ts`: each decided through
 * the real path, at a known time), then the Users page lists them by decision, newest change first,
 * paged, and the overview counts them. Saves docs/screenshots/review-queue.png (with UPDATE_SCREENSHOTS=1).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, screenshot, seriousA11yViolations, utc } from '../helpers/browser.js';
import { type SeededQueue, seedReviewQueue } from '../helpers/review-queue-seed.js';
import { type SeededDashboard, startSeededDashboard } from '../helpers/seeded-dashboard.js';
import type { ServiceProcess } from '../helpers/service-process.js';

/** Held users beyond the named ones: more than the dashboard's page of 50. */
const FILLERS = 50;
/** A whole minute three hours ago: the oldest change; the others follow a minute apart. */
const BASE = Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000;

let world: SeededDashboard<SeededQueue>;
let service: ServiceProcess;
let seeded: SeededQueue;

describe.skipIf(!browserAvailable)('the review queue in Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    world = await startSeededDashboard({
      secret: 'wbhsec_review_queue_browser',
      seed: (store) => seedReviewQueue(store, { baseMs: BASE, fillers: FILLERS }),
    });
    ({ service, seeded } = world);
  }, 60_000);

  afterAll(() => world?.stop());
  afterEach(() => world?.closePages());

  const signedInPage = (viewport?: { width: number; height: number }) => world.signedInPage(viewport);

  const rows = (page: Page) => page.locator('.users-table tbody tr');
  const listed = (page: Page) =>
    rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-reference-id')));
  /** Waits until the table lists `first` at its top (a filter or page applied in place). */
  const firstIs = (page: Page, first: string) =>
    expect.poll(async () => (await listed(page))[0], { timeout: 10_000 }).toBe(first);
  const tab = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Users by decision' }).getByRole('link', { name, exact: true });

  it('lists the users held for review, newest change first, pages on, and opens one', async () => {
    const { page, problems } = await signedInPage();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    // Everyone first, to see the filter change the list.
    await tab(page, 'All').click();
    await firstIs(page, 'frank');
    expect((await listed(page)).slice(0, 8)).toEqual([
      'frank',
      '<i>ivy</i>',
      'erin',
      'dave',
      'carol',
      'bob',
      'alice',
      'queue-049',
    ]);

    await tab(page, 'Needs review').click();
    await expect.poll(() => page.url(), { timeout: 10_000 }).toContain('decision=needs_review');
    await expect.poll(async () => (await listed(page)).includes('erin'), { timeout: 10_000 }).toBe(false);
    expect(await tab(page, 'Needs review').getAttribute('aria-current')).toBe('page');
    expect(await listed(page)).toEqual(seeded.needsReview.slice(0, 50));
    expect(new Set(await rows(page).locator('.badge').allTextContents())).toEqual(
      new Set(['needs review', 'approved']), // the decision, and the newest inquiry's own status
    );
    const frank = page.locator('tr[data-reference-id="frank"]');
    expect(await frank.locator('td').nth(1).textContent()).toBe('needs review');
    expect(await frank.locator('.why-cell').getAttribute('data-codes')).toBe('case_open inquiry_approved');
    expect(await frank.locator('time').textContent()).toBe(utc(seeded.changedAtMs['frank']!));
    expect(await page.locator('tr[data-reference-id="carol"] .reason-code').textContent()).toBe(
      'watchlist_match',
    );
    // A reference id is text, never markup.
    const ivy = page.locator('tr[data-reference-id="<i>ivy</i>"] .user-link');
    expect(await ivy.textContent()).toBe('<i>ivy</i>');
    expect(await ivy.locator('i').count()).toBe(0);

    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.mouse.move(0, 0);
    await screenshot(page, 'review-queue', false);

    // The second page holds the oldest changes; Newer comes back.
    await page.getByRole('button', { name: 'Older →' }).click();
    await firstIs(page, seeded.needsReview[50]!);
    expect(await listed(page)).toEqual(seeded.needsReview.slice(50));
    await page.getByRole('button', { name: '← Newer' }).click();
    await firstIs(page, 'frank');

    await frank.getByRole('link', { name: 'frank' }).click();
    await page.getByRole('heading', { name: 'User frank', level: 1 }).waitFor();
    await page.getByTestId('reasons').waitFor();
    expect(await page.getByTestId('kyc-status').textContent()).toBe('needs review');
    expect(await page.getByTestId('reasons').locator('li').first().getAttribute('data-code')).toBe(
      'case_open',
    );
    expect(problems).toEqual([]);
  });

  it('lists only the decisions changed since a time', async () => {
    const { page, problems } = await signedInPage();
    await page.goto(`${service.url}/admin#/users?decision=all`);
    await firstIs(page, 'frank');
    // The field is UTC, as every time on the dashboard.
    const since = new Date(BASE + 4 * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('Decision changed since (UTC)').fill(since);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect
      .poll(() => listed(page), { timeout: 10_000 })
      .toEqual(['frank', '<i>ivy</i>', 'erin', 'dave']);
    expect(page.url()).toContain('changedSince=');
    // The tabs keep the time.
    await tab(page, 'Needs review').click();
    await expect.poll(() => listed(page), { timeout: 10_000 }).toEqual(['frank', '<i>ivy</i>', 'dave']);
    await tab(page, 'Approved').click();
    await page.getByText('No decision of these users changed since then.').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('counts users by decision on the overview, each count linking to its list', async () => {
    const { page, problems } = await signedInPage();
    const count = (decision: string) => page.getByTestId(`decision-${decision}`).textContent();
    await page.getByTestId('decision-needs_review').waitFor();
    expect(await count('needs_review')).toBe(String(seeded.needsReview.length));
    expect(await count('pending')).toBe('1');
    expect(await count('declined')).toBe('1');
    expect(await count('approved')).toBe('1');
    await page.getByRole('link', { name: `${seeded.needsReview.length} needs review`, exact: true }).click();
    await firstIs(page, 'frank');
    expect(page.url()).toContain('#/users?decision=needs_review');
    await page.goBack();
    await page.getByRole('link', { name: '1 declined', exact: true }).click();
    await firstIs(page, 'bob');
    expect(await listed(page)).toEqual(['bob']);
    expect(await tab(page, 'Declined').getAttribute('aria-current')).toBe('page');
    expect(problems).toEqual([]);
  });

  it('is readable at a phone width: the list does not make the page scroll sideways', async () => {
    const { page } = await signedInPage({ width: 390, height: 844 });
    await page.goto(`${service.url}/admin#/users`);
    await firstIs(page, 'frank');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
