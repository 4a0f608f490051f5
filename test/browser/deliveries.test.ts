/**
 * The dashboard's Deliveries pages in real Chromium against the real service (dist/), over an outbox
 * seeded into the SQLite file before the service starts (`outbox-seed.ts`: a failing endpoint on a
 * closed local port, retries due days from now, one dead message), so what the pages show does not
 * depend on the service's own delivery worker. Saves docs/screenshots/deliveries.png (with
 * UPDATE_SCREENSHOTS=1).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
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
import { ingestBuilt } from '../worker/temp-store.js';

let world: SeededDashboard<SeededOutbox>;
let service: ServiceProcess;
let seeded: SeededOutbox;
let failingUrl: string;

/** A handler's error longer than two lines of the table, with its point at the end. */
const LONG_ERROR = `grant-access answered 503: ${'upstream timeout; '.repeat(12)}the account service is down for maintenance until 14:00 UTC`;

describe.skipIf(!browserAvailable)('Deliveries pages in Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    // Nothing listens on these ports: the failing endpoint's (and the healthy one's, whose messages
    // are all delivered already, so nothing is sent to it).
    failingUrl = `http://127.0.0.1:${await freePort()}/persona-decisions`;
    const healthyUrl = `http://127.0.0.1:${await freePort()}/ok`;
    world = await startSeededDashboard({
      secret: 'wbhsec_deliveries_browser',
      seed: async (store) => {
        const outbox = await seedOutbox(store, { failingUrl, healthyUrl });
        // A dead letter whose handler error is long, and an event whose name Persona does not send.
        await ingestBuilt(
          store,
          buildEvent({ name: 'inquiry.failed', referenceId: 'user-dl', inquiryId: 'inq_dl' }),
        );
        const [claim] = await store.claim({ limit: 1, leaseMs: 60_000, nowMs: Date.now() });
        await store.fail(claim!, LONG_ERROR, null, Date.now());
        await ingestBuilt(store, buildEvent({ name: 'widget.created' }));
        return outbox;
      },
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

  it('sends a pending message now, and sends an endpoint a test message', async () => {
    const { page, problems } = await signedInPage();
    await page.goto(`${service.url}/admin#/deliveries/${seeded.retrying}`);
    await page.getByRole('heading', { name: seeded.retrying, level: 1 }).waitFor();
    const before = (await admin(service.url, `/api/deliveries/${seeded.retrying}`)).json[
      'attempts'
    ] as number;
    await page.getByTestId('send-now').click();
    await expect
      .poll(() => page.getByTestId('replay-status').textContent(), { timeout: 10_000 })
      .toBe('Due now: the service sends it within a second.');
    // Tried at once (and failing again on the closed port), days before its retry was due.
    await eventually(async () => {
      const { json } = await admin(service.url, `/api/deliveries/${seeded.retrying}`);
      return (json['attempts'] as number) > before && json['status'] === 'pending';
    });
    await page.goto(`${service.url}/admin#/deliveries`);
    const failing = page.locator(`tr[data-endpoint-id="${FAILING_ENDPOINT}"]`);
    await failing.getByTestId('endpoint-test').click();
    await expect
      .poll(() => failing.getByTestId('endpoint-test-result').textContent(), { timeout: 15_000 })
      .toMatch(/^Failed: connection failed \(ECONNREFUSED\) in \d+ ms/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('overview counts dead deliveries; dead letters show the whole error; an unknown event name is marked', async () => {
    const { page, problems } = await signedInPage();
    // Earlier tests replay the seeded dead message: compare with the store's own count, made dead here.
    const { json } = await admin(service.url, '/api/overview');
    const dead = (json['deliveries'] as { dead: number }).dead;
    expect(dead).toBeGreaterThanOrEqual(0);
    await page.goto(`${service.url}/admin#/`);
    await page.getByTestId('count-dead-deliveries').waitFor();
    expect(await page.getByTestId('count-dead-deliveries').textContent()).toBe(String(dead));
    await page.goto(`${service.url}/admin#/dead`);
    const error = page.getByTestId('dead-letter-error');
    await error.first().waitFor();
    expect(await error.first().textContent()).toBe(LONG_ERROR);
    // Wrapped, not clamped: the end of the message is on screen.
    expect(await error.first().evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    await page.goto(`${service.url}/admin#/events`);
    const typo = page.locator('tr', { has: page.getByText('widget.created') });
    await expect.poll(() => typo.getByTestId('unknown-name').count(), { timeout: 15_000 }).toBe(1);
    // A documented name carries no mark.
    const known = page.locator('tr', { has: page.getByText('inquiry.approved', { exact: true }) }).first();
    expect(await known.getByTestId('unknown-name').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
