/**
 * The dashboard's Deliveries pages in real Chromium against the real service (dist/), over an outbox
 * seeded into the SQLite file before the service starts (`outbox-seed.ts`: a failing endpoint on a
 * closed local port, retries due days from now, one dead message), so what the pages show does not
 * depend on the service's own delivery worker. Saves docs/screenshots/deliveries.png (with
 * UPDATE_SCREENSHOTS=1).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, screenshot, seriousA11yViolations, utc } from '../helpers/browser.js';
import { freePort } from '../helpers/free-port.js';
import {
  FAILING_ENDPOINT,
  HEALTHY_ENDPOINT,
  SEEDED_SECRET,
  type SeededOutbox,
  seedOutbox,
} from '../helpers/outbox-seed.js';
import { type SeededDashboard, startSeededDashboard } from '../helpers/seeded-dashboard.js';
import { admin, eventually, type ServiceProcess } from '../helpers/service-process.js';

let world: SeededDashboard<SeededOutbox>;
let service: ServiceProcess;
let seeded: SeededOutbox;
let failingUrl: string;

describe.skipIf(!browserAvailable)('Deliveries pages in Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    // Nothing listens on these ports: the failing endpoint's (and the healthy one's, whose messages
    // are all delivered already, so nothing is sent to it).
    failingUrl = `http://127.0.0.1:${await freePort()}/persona-decisions`;
    const healthyUrl = `http://127.0.0.1:${await freePort()}/ok`;
    world = await startSeededDashboard({
      secret: 'wbhsec_deliveries_browser',
      seed: (store) => seedOutbox(store, { failingUrl, healthyUrl }),
    });
    ({ service, seeded } = world);
  }, 60_000);

  afterAll(() => world?.stop());
  afterEach(() => world?.closePages());

  const signedInPage = () => world.signedInPage();

  const row = (page: Page, id: string) =>
    page.locator(`.deliveries-table tbody tr[data-delivery-id="${id}"]`);

  it('shows the failing endpoint at a glance, then every message with its decision, attempts, last error and next retry', async () => {
    const { page, problems } = await signedInPage();
    await page.getByRole('link', { name: 'Deliveries' }).click();
    await page.getByRole('heading', { name: 'Deliveries', level: 1 }).waitFor();

    const failing = page.locator(`.endpoints-table tr[data-endpoint-id="${FAILING_ENDPOINT}"]`);
    await failing.waitFor();
    expect(await failing.locator('.badge').textContent()).toBe('failing');
    expect(await failing.textContent()).toContain(failingUrl);
    expect(await failing.getByTestId('endpoint-pending').textContent()).toBe('3');
    expect(await failing.getByTestId('endpoint-dead').textContent()).toBe('1');
    expect(await failing.getByTestId('endpoint-error').textContent()).toContain(
      'connection failed (ECONNREFUSED)',
    );
    const healthy = page.locator(`.endpoints-table tr[data-endpoint-id="${HEALTHY_ENDPOINT}"]`);
    expect(await healthy.locator('.badge').textContent()).toBe('healthy');
    expect(await healthy.getByTestId('endpoint-error').textContent()).toBe('—');

    await row(page, seeded.retrying).waitFor();
    expect(await page.locator('.deliveries-table tbody tr').count()).toBe(8);
    const retrying = row(page, seeded.retrying);
    expect(await retrying.getByTestId('decision-change').textContent()).toMatch(/none\s*→\s*approved/);
    expect(await retrying.getByTestId('delivery-status').textContent()).toBe('pending');
    expect(await retrying.getByTestId('delivery-attempts').textContent()).toBe('2');
    expect(await retrying.locator('.error-text').textContent()).toBe('connection failed (ECONNREFUSED)');
    expect(await retrying.getByTestId('next-retry').textContent()).toBe(utc(seeded.retryAtMs));
    const waiting = row(page, seeded.waiting);
    expect(await waiting.getByTestId('decision-change').textContent()).toMatch(/pending\s*→\s*approved/);
    // Not tried yet: it goes after the user's older message to that endpoint, which is retrying.
    expect(await waiting.getByTestId('next-retry').textContent()).toBe('after the older message');
    const dead = row(page, seeded.dead);
    expect(await dead.getByTestId('last-status-code').textContent()).toBe('500');
    expect(await dead.getByTestId('next-retry').textContent()).toBe('—');
    expect(await row(page, seeded.delivered).getByTestId('last-status-code').textContent()).toBe('200');
    // Every time in UTC to the second, in Tokyo as anywhere.
    for (const text of await page.locator('main time').allTextContents()) {
      expect(text).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    }
    expect(await page.locator('main').textContent()).not.toContain(SEEDED_SECRET);

    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.mouse.move(0, 0);
    await screenshot(page, 'deliveries');

    // The failing ones: status filter, kept in the address, applied in place.
    await page.getByLabel('Status').selectOption('dead');
    await expect.poll(() => page.url(), { timeout: 10_000 }).toContain('status=dead');
    await expect.poll(() => page.locator('.deliveries-table tbody tr').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('.deliveries-table tbody tr').getAttribute('data-delivery-id')).toBe(
      seeded.dead,
    );
    // An endpoint's count links to its messages.
    await page.goto(`${service.url}/admin#/deliveries`);
    await failing.getByTestId('endpoint-pending').click();
    await expect.poll(() => page.locator('.deliveries-table tbody tr').count(), { timeout: 10_000 }).toBe(3);
    expect(page.url()).toContain(`endpointId=${FAILING_ENDPOINT}`);
    expect(problems).toEqual([]);
  });

  it("opens a message: every attempt's start, duration, status code and error, its next retry and its body", async () => {
    const { page, problems } = await signedInPage();
    await page.goto(`${service.url}/admin#/deliveries`);
    await row(page, seeded.retrying).locator('.delivery-link').click();
    await page.getByRole('heading', { name: seeded.retrying, level: 1 }).waitFor();
    const attempts = page.getByTestId('delivery-attempt');
    expect(await attempts.count()).toBe(2);
    const cells = async (index: number) =>
      (await attempts.nth(index).locator('td').allTextContents()).map((text) => text.trim());
    expect(await cells(0)).toEqual(['1', utc(seeded.baseMs + 1_000), '41', '503', 'HTTP 503']);
    expect(await cells(1)).toEqual([
      '2',
      utc(seeded.baseMs + 7_000),
      '2',
      'none',
      'connection failed (ECONNREFUSED)',
    ]);
    expect(await page.getByTestId('delivery-next-retry').textContent()).toBe(utc(seeded.retryAtMs));
    const body = (await page.locator('.payload').textContent()) ?? '';
    expect(body).toContain('kyc.decision_changed');
    expect(body).toContain('user-retry');
    await page.mouse.move(0, 0);
    await screenshot(page, 'delivery-detail');
    // A pending message has nothing to replay.
    expect(await page.getByRole('button', { name: 'Replay' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'user-retry' }).click();
    await page.getByTestId('user-deliveries').waitFor();
    expect(await page.getByTestId('user-deliveries').locator('tbody tr').count()).toBe(2);
    expect(problems).toEqual([]);
  });

  it('replays a dead message after asking: it is pending again', async () => {
    const { page, problems } = await signedInPage();
    await page.goto(`${service.url}/admin#/deliveries/${seeded.dead}`);
    await page.getByRole('heading', { name: seeded.dead, level: 1 }).waitFor();
    expect(await page.getByTestId('delivery-status').textContent()).toBe('dead');
    await page.getByRole('button', { name: 'Replay' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send this dead message again?' });
    await dialog.waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    // Cancelling changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await admin(service.url, `/api/deliveries/${seeded.dead}`)).json['status']).toBe('dead');

    await page.getByRole('button', { name: 'Replay' }).click();
    await dialog.getByRole('button', { name: 'Send again' }).click();
    await expect
      .poll(() => page.getByTestId('replay-status').textContent(), { timeout: 10_000 })
      .toBe('Replayed: queued to be sent again.');
    // Pending again (a delivery worker that tries it at once fails on the closed port: pending still).
    await eventually(async () => {
      const { json } = await admin(service.url, `/api/deliveries/${seeded.dead}`);
      return json['status'] === 'pending';
    });
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByTestId('delivery-status').waitFor();
          return page.getByTestId('delivery-status').textContent();
        },
        { timeout: 15_000 },
      )
      .toBe('pending');
    expect(await page.getByRole('button', { name: 'Replay' }).count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
