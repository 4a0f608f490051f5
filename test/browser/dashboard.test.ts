/**
 * The admin dashboard in real Chromium, against the real service process (dist/), with every event
 * sent by `persona-webhooks send` as a user would. Saves a screenshot of each page (to docs/screenshots/ with UPDATE_SCREENSHOTS=1).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ingestBody } from '../../packages/persona-webhooks/src/pipeline/ingest-body.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';
import {
  browserAvailable,
  launchBrowser,
  openPage,
  screenshot,
  seriousA11yViolations,
  signIn,
} from '../helpers/browser.js';
import { runCli } from '../helpers/run-cli.js';
import {
  ADMIN_TOKEN,
  admin,
  eventually,
  REPO_ROOT,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const SECRET = 'wbhsec_dashboard_browser_test';
const OUT_OF_ORDER_BASE = Date.parse('2026-03-02T15:00:00Z');

let service: ServiceProcess;
let dir: string;
let downFile: string;
let browser: Browser;
let context: BrowserContext;
let apiEventId: string;

const send = async (...args: string[]) => {
  const result = await runCli([
    'send',
    ...args,
    '--url',
    `${service.url}/webhooks/persona`,
    '--secret',
    SECRET,
  ]);
  return result;
};
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const api = async <T>(path: string) => (await admin(service.url, path)).json as T;

interface Overview {
  counts: { pending: number; processing: number; done: number; dead: number };
  received24h: number;
  invalidSignatures24h: number;
  oldestPendingAgeSeconds: number | null;
}

async function settled(): Promise<Overview> {
  return eventually(async () => {
    const overview = await api<Overview>('/api/overview');
    return overview.counts.pending + overview.counts.processing === 0 ? overview : null;
  });
}

describe.skipIf(!browserAvailable)('admin dashboard in Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pw-browser-'));
    downFile = join(dir, 'grant-access-down');
    [service, browser] = await Promise.all([
      startServiceProcess({
        PERSONA_WEBHOOK_SECRET: SECRET,
        DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
        PERSONA_WEBHOOKS_HANDLERS: join(REPO_ROOT, 'examples', 'flaky-handlers.mjs'),
        PERSONA_WEBHOOKS_MAX_ATTEMPTS: '1',
        GRANT_ACCESS_DOWN_FILE: downFile,
      }),
      launchBrowser(),
    ]);

    // user-456: one inquiry's events delivered newest first, plus a verification; beside it, a burst
    // of other users' events for the chart. Sends that do not depend on each other run at once.
    const at = (s: number) => new Date(OUT_OF_ORDER_BASE + s * 1000).toISOString();
    const inquiry = ['--reference-id', 'user-456', '--inquiry-id', 'inq_out_of_order_456'];
    const outOfOrder = async () => {
      for (const [name, s] of [
        ['inquiry.approved', 180],
        ['inquiry.completed', 120],
        ['inquiry.started', 60],
        ['inquiry.created', 0],
      ] as const) {
        expect((await send(name, ...inquiry, '--created-at', at(s))).code).toBe(0);
      }
      await send('verification.passed', '--inquiry-id', 'inq_out_of_order_456', '--created-at', at(90));
    };
    const burst = async () =>
      expect((await send('inquiry.completed', '--count', '40', '--concurrency', '8')).code).toBe(0);
    // user-watch: approved, then their continuously monitored watchlist report matches, and a case opens.
    const watch = async () => {
      const user = ['--reference-id', 'user-watch', '--inquiry-id', 'inq_watch'];
      expect((await send('inquiry.approved', ...user, '--created-at', minutesAgo(30))).code).toBe(0);
      const matched = [
        'report/watchlist.matched',
        '--inquiry-id',
        'inq_watch',
        '--created-at',
        minutesAgo(20),
      ];
      expect((await send(...matched)).code).toBe(0);
    };
    // user-early: their account, then a case on it, and no inquiry yet.
    const early = async () => {
      const account = ['--reference-id', 'user-early', '--account-id', 'act_early'];
      expect((await send('account.status-updated', ...account, '--created-at', minutesAgo(15))).code).toBe(0);
      const opened = ['case.created', '--account-id', 'act_early', '--case-id', 'case_early'];
      expect((await send(...opened, '--created-at', minutesAgo(10))).code).toBe(0);
    };
    await Promise.all([outOfOrder(), burst(), watch(), early()]);
    await settled();

    // user-api: an event recovered through Persona's Events API, stored as reconciliation stores it
    // (into the service's own file, which the running service then processes).
    const recovered = createSqliteFileStore(join(dir, 'db.sqlite'), { mustExist: true });
    try {
      const { body } = buildEvent({
        name: 'inquiry.completed',
        referenceId: 'user-api',
        inquiryId: 'inq_api_1',
      });
      const stored = await ingestBody(recovered, new TextEncoder().encode(body), {
        attemptsMade: null,
        attemptsLeft: null,
        firstAttemptedAtMs: null,
        receivedAtMs: Date.now(),
        source: 'api',
      });
      apiEventId = stored.outcome === 'quarantined' ? '' : stored.event.id;
    } finally {
      await recovered.close();
    }
    await settled();

    // user-123: pending, and the approval dies because "grant-access" is down. Beside it, two signed
    // bodies that are not Persona events, and three requests signed with a rotated-out secret.
    writeFileSync(downFile, 'down');
    const user123 = ['--reference-id', 'user-123', '--inquiry-id', 'inq_user_123'];
    const bodies = [
      ['no-id.json', '{"data":{"type":"event","attributes":{"name":"inquiry.approved"}}}'],
      ['not-an-event.json', '{"hello":"world"}'],
    ] as const;
    for (const [file, body] of bodies) writeFileSync(join(dir, file), body);
    const wrongSecret = () =>
      runCli([
        'send',
        'inquiry.created',
        '--url',
        `${service.url}/webhooks/persona`,
        '--secret',
        'wbhsec_rotated_out',
      ]);
    const results = await Promise.all([
      send('inquiry.created', ...user123, '--created-at', minutesAgo(12)),
      send('inquiry.started', ...user123, '--created-at', minutesAgo(11)),
      send('verification.submitted', '--inquiry-id', 'inq_user_123', '--created-at', minutesAgo(6)),
      send('inquiry.approved', ...user123, '--created-at', minutesAgo(5)),
      ...bodies.map(([file]) => send('--body-file', join(dir, file))),
      wrongSecret(),
      wrongSecret(),
      wrongSecret(),
    ]);
    expect(results.map((result) => result.stdout.slice(0, 3))).toEqual([
      '200',
      '200',
      '200',
      '200',
      '202',
      '202',
      '401',
      '401',
      '401',
    ]);
    const overview = await settled();
    expect(overview.counts.dead).toBe(3);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await context?.close();
  });

  /** A fresh browser profile (no cookies), in the given zone, and a page in it. */
  async function freshPage(options: { timezoneId?: string; width?: number } = {}) {
    context = await browser.newContext({
      viewport: { width: options.width ?? 1280, height: 900 },
      locale: 'en-US',
      timezoneId: options.timezoneId ?? 'Europe/Berlin',
    });
    return openPage(context);
  }

  async function signedInPage(options: { timezoneId?: string; width?: number } = {}) {
    const opened = await freshPage(options);
    await signIn(opened.page, service.url, ADMIN_TOKEN);
    return opened;
  }

  const timelineNames = (page: Page) =>
    page.getByTestId('timeline').first().locator('.event-name').allTextContents();

  it('sends / to the dashboard (302 to /admin)', async () => {
    const root = await fetch(`${service.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/admin');
    const { page } = await freshPage();
    await page.goto(`${service.url}/`);
    await page.getByLabel('Admin token').waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin');
  });

  it('serves /admin with a strict Content-Security-Policy, and the app runs under it', async () => {
    const response = await fetch(`${service.url}/admin`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    const { page, problems } = await signedInPage();
    for (const route of ['#/events', '#/dead', '#/users/user-456', '#/']) {
      await page.goto(`${service.url}/admin${route}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
    }
    expect(problems).toEqual([]);
  });

  it('refuses a wrong token and signs in with the right one', async () => {
    const { page, problems } = await freshPage();
    await page.goto(`${service.url}/admin`);
    await screenshot(page, 'sign-in', false);
    await page.getByLabel('Admin token').fill('definitely-not-the-admin-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 })
      .toContain('not the ADMIN_TOKEN this service runs with');
    expect(await context.cookies()).toEqual([]);

    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
    expect(cookie!.expires * 1000).toBeGreaterThan(Date.now() + 11 * 3600_000);
    expect(await page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: script cannot read it
    expect(problems).toEqual([]);
  });

  it('shows overview numbers equal to what the API returns', async () => {
    const { page, problems } = await signedInPage();
    await page.getByTestId('count-done').waitFor();
    await page.locator('.chart canvas').first().waitFor();
    const overview = await api<Overview>('/api/overview');
    const text = (id: string) => page.getByTestId(id).textContent();
    expect(await text('count-pending')).toBe(String(overview.counts.pending));
    expect(await text('count-processing')).toBe(String(overview.counts.processing));
    expect(await text('count-done')).toBe(String(overview.counts.done));
    expect(await text('count-dead')).toBe(String(overview.counts.dead));
    expect(await text('received-24h')).toBe(String(overview.received24h));
    expect(await text('invalid-signatures')).toBe(String(overview.invalidSignatures24h));
    expect(overview.invalidSignatures24h).toBe(3);
    expect(overview.received24h).toBe(4 + 1 + 40 + 1 + 2 + 2 + 4 + 2);
    expect(await text('oldest-pending')).toBe('none');
    expect(await text('last-received')).toMatch(/ago$/);
    await page.getByRole('link', { name: String(overview.counts.dead), exact: true }).click();
    await page.getByRole('heading', { name: 'Dead letters', level: 1 }).waitFor();
    await page.goto(`${service.url}/admin#/`);
    await page.locator('.chart canvas').first().waitFor();
    await page.mouse.move(0, 0);
    await screenshot(page, 'overview');
    expect(problems).toEqual([]);
  });

  it('filters events by status dead, in place, and shows the malformed bodies', async () => {
    const { page, problems } = await signedInPage();
    await page.getByRole('link', { name: 'Events' }).click();
    await page.locator('.events-table tbody tr').first().waitFor();
    await screenshot(page, 'events', false);
    // A marker on window survives only if the page is not reloaded.
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));

    await page.getByLabel('Status').selectOption('dead');
    await expect.poll(() => page.url(), { timeout: 10_000 }).toContain('status=dead');
    await expect.poll(() => page.locator('.events-table tbody tr').count(), { timeout: 10_000 }).toBe(3);
    const statuses = await page.locator('.events-table tbody tr .badge').allTextContents();
    expect(statuses).toEqual(['dead', 'dead', 'dead']);
    const names = await page.locator('.events-table tbody .event-name').allTextContents();
    expect(names.filter((name) => name === 'malformed')).toHaveLength(2);
    expect(names).toContain('inquiry.approved');
    expect(await page.locator('.events-table').textContent()).toContain('malformed: ');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );

    // Search by reference id, with the status cleared.
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Id or reference id').fill('user-123');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('.events-table tbody tr').count(), { timeout: 10_000 }).toBe(4);
    // List pages carry no payload data (the built events name "Jane Example", born 1990-01-01).
    const listText = (await page.locator('main').textContent()) ?? '';
    expect(listText).not.toContain('Jane');
    expect(listText).not.toContain('1990-01-01');

    await page.getByLabel('Id or reference id').fill('no-such-id');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No event matches these filters.').waitFor();
    expect(problems).toEqual([]);
  });

  it('pages through events with the cursor', async () => {
    const { page } = await signedInPage();
    await page.goto(`${service.url}/admin#/events`);
    await page.locator('.events-table tbody tr').first().waitFor();
    expect(await page.locator('.events-table tbody tr').count()).toBe(50);
    const firstPage = await page.locator('.events-table tbody tr').first().getAttribute('data-event-id');
    await page.getByRole('button', { name: 'Older →' }).click();
    await expect.poll(() => page.getByText('Page 2').count(), { timeout: 10_000 }).toBe(1);
    await expect
      .poll(() => page.locator('.events-table tbody tr').count(), { timeout: 10_000 })
      .toBe(56 - 50);
    await page.getByRole('button', { name: '← Newer' }).click();
    await expect
      .poll(() => page.locator('.events-table tbody tr').first().getAttribute('data-event-id'), {
        timeout: 10_000,
      })
      .toBe(firstPage);
  });

  it('looks up a user: the timeline in created-at order after out-of-order delivery, verifications, Persona link', async () => {
    const { page, problems } = await signedInPage();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Reference id').fill('user-456');
    await page.getByLabel('Reference id').press('Enter');
    await page.getByTestId('timeline').first().waitFor();
    expect(await timelineNames(page)).toEqual([
      'inquiry.created',
      'inquiry.started',
      'verification.passed',
      'inquiry.completed',
      'inquiry.approved',
    ]);
    expect(await page.getByTestId('kyc-status').textContent()).toBe('approved');
    const verifications = page.getByRole('region', { name: 'Verifications' });
    expect(await verifications.textContent()).toContain('passed');
    expect(await verifications.textContent()).toContain('government-id');
    expect(await page.getByRole('link', { name: /Open in Persona/ }).getAttribute('href')).toBe(
      'https://app.withpersona.com/dashboard/inquiries/inq_out_of_order_456',
    );
    expect(problems).toEqual([]);
  });

  it('says needs review after an approved user matches a watchlist, naming the report and linking its event', async () => {
    const { page, problems } = await signedInPage();
    await page.goto(`${service.url}/admin#/users/user-watch`);
    await page.getByTestId('reasons').waitFor();
    expect(await page.getByTestId('kyc-status').textContent()).toBe('needs review');
    const kyc = await api<{ reports: { reportId: string; statusEventId: string }[] }>('/api/kyc/user-watch');
    const [report] = kyc.reports;
    const first = page.getByTestId('reasons').locator('li').first();
    expect(await first.getAttribute('data-code')).toBe('watchlist_match');
    const text = (await first.textContent()) ?? '';
    // The reason says what holds the user and the setting that would make the report type informational.
    expect(text).toContain(
      'The watchlist report (continuous monitoring) found a match that no clean run, dismissal or resolved case has cleared',
    );
    expect(text).toContain('informationalReportTypes');
    expect(text).toContain(`report ${report!.reportId}`);
    expect(text).toContain(`set by event ${report!.statusEventId}`);
    // The approval is still listed, as the decision the match overrides.
    expect(await page.getByTestId('reasons').locator('li').nth(1).getAttribute('data-code')).toBe(
      'inquiry_approved',
    );
    // The newest inquiry's own status is still shown, apart from the decision.
    expect(await page.getByTestId('why').textContent()).toContain('Inquiry status approved');
    // The match in the user's timeline, in words.
    const cases = page.getByRole('list', { name: 'Cases and reports' });
    expect(await cases.locator('.event-label').allTextContents()).toEqual(['watchlist match']);
    expect(await cases.locator('.event-name').allTextContents()).toEqual(['report/watchlist.matched']);
    expect(
      await page.getByRole('list', { name: 'Events of inq_watch' }).locator('.event-name').allTextContents(),
    ).toEqual(['inquiry.approved']);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'user-needs-review');

    await first.getByRole('link', { name: report!.statusEventId }).click();
    await page.getByRole('heading', { name: /report\/watchlist\.matched/, level: 1 }).waitFor();
    expect(problems).toEqual([]);
  });

  it('shows the decision of a user known only by their account and an open case, and says there is no inquiry', async () => {
    const { page, problems } = await signedInPage();
    await page.goto(`${service.url}/admin#/users/user-early`);
    await page.getByTestId('reasons').waitFor();
    expect(await page.getByTestId('kyc-status').textContent()).toBe('needs review');
    const codes = await page
      .getByTestId('reasons')
      .locator('li')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-code')));
    expect(codes).toEqual(['case_open', 'no_inquiry']);
    expect(await page.getByTestId('why').textContent()).toContain(
      "No inquiry yet: the decision rests on this user's accounts, cases and reports.",
    );
    expect(await page.getByTestId('no-inquiries').textContent()).toBe(
      'No inquiry of this user has been received yet.',
    );
    const compliance = page.getByRole('list', { name: 'Cases and reports' });
    expect(await compliance.locator('.event-name').allTextContents()).toEqual([
      'account.status-updated',
      'case.created',
    ]);
    expect(problems).toEqual([]);
  });

  it("writes every time one way, in UTC to the second, with the viewer's local time on hover", async () => {
    const { page } = await signedInPage({ timezoneId: 'America/New_York' });
    await page.goto(`${service.url}/admin#/users/user-456`);
    const first = page.getByTestId('timeline').locator('time').first();
    await first.waitFor();
    expect(await first.textContent()).toBe('2026-03-02 15:00:00 UTC');
    // 15:00 UTC is 10:00 in New York in March (EST); the exact millisecond orders same-second events.
    expect(await first.getAttribute('title')).toBe(
      '2026-03-02 15:00:00.000 UTC · Mar 2, 2026, 10:00:00 AM EST (your time)',
    );
    expect(await first.getAttribute('datetime')).toBe('2026-03-02T15:00:00.000Z');

    const utcSecond = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/;
    for (const route of ['#/events', '#/', `#/events/${apiEventId}`]) {
      await page.goto(`${service.url}/admin${route}`);
      await page.locator('main time').first().waitFor();
      const times = await page.locator('main time').allTextContents();
      expect(times.length, route).toBeGreaterThan(0);
      for (const text of times) expect(text, route).toMatch(utcSecond);
    }
    // The chart's axis is UTC too, and says so.
    await page.goto(`${service.url}/admin#/`);
    expect(await page.getByTestId('chart-x-title').textContent()).toBe('time (UTC)');
    // And the time filters read what is typed as UTC, in New York as anywhere.
    await page.goto(`${service.url}/admin#/events`);
    await page.getByLabel('Received from (UTC)').fill('2026-03-02T15:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect
      .poll(() => decodeURIComponent(page.url()), { timeout: 10_000 })
      .toContain('from=2026-03-02T15:00:00.000Z');
    expect(await page.getByLabel('Received from (UTC)').inputValue()).toBe('2026-03-02T15:00');
  });

  it('lists same-second events in a stated, stable order: received time, then id, newest first', async () => {
    const { page } = await signedInPage();
    await page.goto(`${service.url}/admin#/events`);
    await page.locator('.events-table tbody tr').first().waitFor();
    expect((await page.getByTestId('order-note').textContent())?.replace(/\s+/g, ' ')).toContain(
      'by exact received time (to the millisecond: hover a time), then by event id',
    );
    const ids = await page
      .locator('.events-table tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event-id')));
    const listed = (await api<{ events: Array<{ id: string; receivedAt: string }> }>('/api/events?limit=50'))
      .events;
    expect(ids).toEqual(listed.map((e) => e.id));
    const key = (e: { id: string; receivedAt: string }) => `${e.receivedAt} ${e.id}`;
    expect(listed.map(key)).toEqual([...listed.map(key)].sort().reverse());
    // The burst of 40 sends several events within one second: the case the order is for.
    const seconds = listed.map((e) => e.receivedAt.slice(0, 19));
    expect(new Set(seconds).size).toBeLessThan(seconds.length);
    // Reloading gives the same order.
    await page.reload();
    await page.locator('.events-table tbody tr').first().waitFor();
    expect(
      await page
        .locator('.events-table tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event-id'))),
    ).toEqual(ids);
  });

  it('shows where each event came from, and labels a recovered payload as what the Events API returned', async () => {
    const { page, problems } = await signedInPage();
    await page.goto(`${service.url}/admin#/events`);
    const apiRow = page.locator(`.events-table tbody tr[data-event-id="${apiEventId}"]`);
    await apiRow.waitFor();
    expect(await apiRow.locator('.source').textContent()).toBe('api');
    const sources = await page.locator('.events-table tbody .source').allTextContents();
    expect(sources.filter((source) => source === 'webhook').length).toBeGreaterThan(0);
    expect(new Set(sources)).toEqual(new Set(['api', 'webhook']));

    await apiRow.locator('.event-link').click();
    await page.getByRole('heading', { name: /inquiry\.completed/, level: 1 }).waitFor();
    expect(await page.getByTestId('event-source').textContent()).toBe('api');
    const label = (await page.getByTestId('payload-label').textContent()) ?? '';
    expect(label).toContain("as Persona's Events API returned it");
    expect(label).not.toContain('the exact body Persona signed');
    await screenshot(page, 'event-detail-api');

    // A webhook delivery's payload is the signed body, and says so.
    const webhookRow = page.locator('.events-table tbody tr').filter({ hasText: 'webhook' }).first();
    await page.goto(`${service.url}/admin#/events`);
    await webhookRow.locator('.event-link').click();
    await page.getByTestId('payload-label').waitFor();
    expect(await page.getByTestId('event-source').textContent()).toBe('webhook');
    expect(await page.getByTestId('payload-label').textContent()).toBe('(the exact body Persona signed)');
    expect(problems).toEqual([]);
  });

  it("labels the chart's axes where no canvas edge can clip them", async () => {
    const { page } = await signedInPage();
    await page.locator('.chart canvas').first().waitFor();
    const card = await page.locator('section[aria-labelledby="per-minute-title"]').boundingBox();
    for (const id of ['chart-y-title', 'chart-x-title']) {
      const title = page.getByTestId(id);
      const box = (await title.boundingBox())!;
      expect(box.width, id).toBeGreaterThan(0);
      expect(box.x, id).toBeGreaterThanOrEqual(card!.x);
      expect(box.x + box.width, id).toBeLessThanOrEqual(card!.x + card!.width);
      // Not cut by its own box either.
      expect(await title.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), id).toBe(true);
    }
    expect(await page.getByTestId('chart-y-title').textContent()).toBe('events / minute');
  });

  it("explains user-123's status, and a replay from the event's page changes it", async () => {
    const { page, problems } = await signedInPage();
    await page.goto(`${service.url}/admin#/users/user-123`);
    await page.getByTestId('why').waitFor();
    expect(await page.getByTestId('kyc-status').textContent()).toBe('pending');
    const why = (await page.getByTestId('why').textContent()) ?? '';
    expect(why).toContain('Not applied');
    expect(why).toContain('inquiry.approved');
    expect(why).toContain('grant-access service unavailable');
    expect(await timelineNames(page)).toEqual([
      'inquiry.created',
      'inquiry.started',
      'verification.submitted',
      'inquiry.approved',
    ]);
    await screenshot(page, 'user');

    await page.getByTestId('why').getByRole('link', { name: 'inquiry.approved' }).click();
    await page.getByRole('heading', { name: /inquiry\.approved/, level: 1 }).waitFor();
    expect(await page.locator('h1 .badge').textContent()).toBe('dead');
    expect(await page.getByRole('region', { name: 'Attempts' }).textContent()).toContain(
      'grant-access service unavailable',
    );
    expect(await page.locator('.payload').textContent()).toContain('inquiry.approved');
    await screenshot(page, 'event-detail');

    rmSync(downFile, { force: true }); // "grant-access" is back
    await page.getByRole('button', { name: 'Replay' }).click();
    await expect
      .poll(() => page.getByTestId('replay-status').textContent(), { timeout: 15_000 })
      .toContain('the event is done now');
    expect(await page.locator('h1 .badge').textContent()).toBe('done');
    const attempts = page.getByRole('region', { name: 'Attempts' }).getByTestId('attempt');
    await expect.poll(() => attempts.count(), { timeout: 10_000 }).toBe(2);
    // Both runs are attempt 1 of their run; # and Run tell them apart, and the replay is marked.
    const cells = await attempts.evaluateAll((rows) =>
      rows.map((row) =>
        Array.from(row.querySelectorAll('td'))
          .slice(0, 3)
          .map((td) => td.textContent?.trim()),
      ),
    );
    expect(cells[0]).toEqual(['1', 'first', '1']);
    expect(cells[1]?.[0]).toBe('2');
    expect(cells[1]?.[1]).toMatch(
      /^replay 1\s*↻ replayed: this run started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );
    expect(cells[1]?.[2]).toBe('1');
    expect(await attempts.nth(1).getByTestId('replay-marker').count()).toBe(1);
    expect(await attempts.nth(0).getByTestId('replay-marker').count()).toBe(0);
    await screenshot(page, 'event-detail-replayed');

    // Now done: replaying it again would re-run the handlers that succeeded, so it asks first.
    await page.getByRole('button', { name: 'Replay' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toBe('Replay a done event?');
    expect(await dialog.textContent()).toContain('happens a second time');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const eventId = page.url().split('/').at(-1)!;
    expect((await api<{ status: string; attemptLog: unknown[] }>(`/api/events/${eventId}`)).status).toBe(
      'done',
    );
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Replay again' }).click();
    await expect
      .poll(() => page.getByTestId('replay-status').textContent(), { timeout: 15_000 })
      .toContain('the event is done now');
    await expect.poll(() => attempts.count(), { timeout: 10_000 }).toBe(3);

    await page.getByRole('link', { name: 'user-123' }).click();
    await expect
      .poll(() => page.getByTestId('kyc-status').textContent(), { timeout: 10_000 })
      .toBe('approved');
    expect(problems).toEqual([]);
  });

  it('replays all dead letters shown after a confirmation that says how many', async () => {
    writeFileSync(downFile, 'down');
    for (const user of ['user-789', 'user-790']) await send('inquiry.approved', '--reference-id', user);
    await eventually(async () => (await api<Overview>('/api/overview')).counts.dead === 4 || null);

    const { page, problems } = await signedInPage();
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.locator('.events-table tbody tr').first().waitFor();
    expect(await page.locator('.events-table tbody tr').count()).toBe(4);
    await page.getByRole('button', { name: 'Replay all shown (2)' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toBe('Replay 2 events?');
    expect(await dialog.textContent()).toContain('2 malformed bodies are left out');
    await screenshot(page, 'dead-letters', false);

    // Cancel changes nothing; Escape would too.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await api<Overview>('/api/overview')).counts.dead).toBe(4);

    rmSync(downFile, { force: true });
    await page.getByRole('button', { name: 'Replay all shown (2)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Replay 2 events' }).click();
    await page.getByText('Replayed 2 events.').waitFor();
    await eventually(async () => (await api<Overview>('/api/overview')).counts.dead === 2 || null);
    expect(problems).toEqual([]);
  });

  it('refuses a cross-origin POST that carries the session cookie', async () => {
    const { page } = await signedInPage();
    const dead = await api<{ events: { id: string }[] }>('/api/events?status=dead');
    const target = `${service.url}/api/events/${dead.events[0]!.id}/replay`;

    // The Origin check itself: the cookie is sent, the origin is someone else's.
    for (const origin of ['http://evil.example', undefined]) {
      const response = await context.request.post(target, origin ? { headers: { origin } } : {});
      expect(response.status()).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'forbidden_origin' } });
    }
    // And what a real attack looks like: another site's page POSTing to us with the browser's cookies.
    const evil: Server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><title>evil</title><script>
        fetch(${JSON.stringify(target)}, { method: 'POST', credentials: 'include', mode: 'no-cors' })
          .finally(() => { document.title = 'sent'; });
      </script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      await expect.poll(() => page.title(), { timeout: 10_000 }).toBe('sent');
    } finally {
      evil.close();
    }
    const still = await api<{ status: string }>(`/api/events/${dead.events[0]!.id}`);
    expect(still.status).toBe('dead');
  });

  it('signs out: the page returns to the sign-in form and the old cookie no longer works', async () => {
    const { page, problems } = await signedInPage();
    const [cookie] = await context.cookies();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
    expect(await context.cookies()).toEqual([]);
    const replayed = await fetch(`${service.url}/api/overview`, {
      headers: { cookie: `${cookie!.name}=${cookie!.value}` },
    });
    expect(replayed.status).toBe(401);
    await page.goto(`${service.url}/admin#/events`);
    await page.getByLabel('Admin token').waitFor();
    expect(problems).toEqual([]);
  });

  it('works with the keyboard alone', async () => {
    const { page } = await freshPage();
    await page.goto(`${service.url}/admin`);
    await page.getByLabel('Admin token').waitFor();
    // The token field has the focus on arrival.
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

    const tabTo = async (name: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
        if (focused === name) return;
      }
      throw new Error(`Tab never reached "${name}"`);
    };
    await tabTo('Users');
    await page.keyboard.press('Enter');
    await page.getByLabel('Reference id').waitFor();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.id), { timeout: 10_000 })
      .toBe('reference-id');
    await page.keyboard.type('user-456');
    await page.keyboard.press('Enter');
    await page.getByTestId('timeline').first().waitFor();
    await tabTo('inquiry.approved');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /inquiry\.approved/, level: 1 }).waitFor();
    // A visible focus ring: the focused element draws an outline.
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(outline).not.toBe('none');
  });

  it('is readable at a phone width: no page scrolls sideways', async () => {
    const { page } = await signedInPage({ width: 390 });
    for (const route of ['#/', '#/events', '#/dead', '#/users/user-123']) {
      await page.goto(`${service.url}/admin${route}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, route).toBeLessThanOrEqual(0);
    }
    await page.goto(`${service.url}/admin#/users/user-456`);
    await page.getByTestId('timeline').first().waitFor();
    await screenshot(page, 'user-phone');
  });

  it('has no serious or critical accessibility violation on any page (axe-core)', async () => {
    const { page } = await freshPage();
    await page.goto(`${service.url}/admin`);
    await page.getByLabel('Admin token').waitFor();
    const found: string[] = (await seriousA11yViolations(page)).map((v) => `sign-in: ${v}`);
    await signIn(page, service.url, ADMIN_TOKEN);
    const dead = await api<{ events: { id: string }[] }>('/api/events?status=dead');
    for (const route of [
      '#/',
      '#/events',
      '#/events?status=dead',
      `#/events/${dead.events[0]!.id}`,
      '#/dead',
      '#/users',
      '#/users/user-123',
      '#/users/user-watch',
      '#/users/user-early',
      '#/users/nobody-at-all',
    ]) {
      await page.goto(`${service.url}/admin${route}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      found.push(...(await seriousA11yViolations(page)).map((v) => `${route}: ${v}`));
    }
    expect(found).toEqual([]);
  });
});
