/**
 * The dashboard's setup guide in Chromium, against the real service started with a policy file: it lists
 * the events that policy reads (served by GET /api/setup, derived from the policy, not a hand copy),
 * cases and report runs included, and leaves out the report types the file declares informational.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kycPolicyEvents } from 'persona-webhooks';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserAvailable,
  launchBrowser,
  openPage,
  screenshot,
  seriousA11yViolations,
  signIn,
} from '../helpers/browser.js';
import { ADMIN_TOKEN, admin, type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';

const SETTINGS = { informationalReportTypes: ['email-address'] };

let service: ServiceProcess;
let browser: Browser;
let dir: string;

describe.skipIf(!browserAvailable)('dashboard setup guide in Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pw-setup-guide-'));
    const policy = join(dir, 'kyc-policy.json');
    writeFileSync(policy, JSON.stringify(SETTINGS));
    [service, browser] = await Promise.all([
      startServiceProcess({
        PERSONA_WEBHOOK_SECRET: 'wbhsec_setup_guide_test',
        DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
        PERSONA_WEBHOOKS_POLICY: policy,
      }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("GET /api/setup answers the policy file's events, by family", async () => {
    const { status, json } = await admin(service.url, '/api/setup');
    expect(status).toBe(200);
    const setup = json as {
      receiverPath: string;
      policy: string;
      events: string[];
      families: Array<{ family: string; pattern: string | null; events: string[] }>;
    };
    expect(setup.receiverPath).toBe('/webhooks/persona');
    expect(setup.policy).toBe('file');
    expect(setup.events).toEqual(kycPolicyEvents(SETTINGS));
    expect(setup.events).not.toEqual(kycPolicyEvents());
    expect(setup.families.map((f) => [f.family, f.pattern])).toEqual([
      ['inquiry', null],
      ['account', 'account.*'],
      ['case', 'case.*'],
      ['transaction', 'transaction.*'],
      ['report', null],
    ]);
    const unauthenticated = await fetch(`${service.url}/api/setup`);
    expect(unauthenticated.status).toBe(401);
    expect(((await unauthenticated.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('lists every event the policy reads, case.* and the report runs included', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, problems } = await openPage(context);
    await signIn(page, service.url, ADMIN_TOKEN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Setup' }).click();
    await page.getByRole('heading', { name: "Set up Persona's webhook", level: 1 }).waitFor();

    const required = kycPolicyEvents(SETTINGS);
    await expect
      .poll(() => page.getByTestId('setup-event-count').textContent())
      .toBe(String(required.length));
    await expect(page.getByTestId('setup-family-case').textContent()).resolves.toContain(
      'case.* (13 events)',
    );
    const reports = page.getByTestId('setup-family-report');
    await reports.locator('summary').click();
    const listed = await reports.locator('li code').allTextContents();
    expect(listed).toEqual(required.filter((name) => name.startsWith('report/')));
    expect(listed).toEqual(
      expect.arrayContaining([
        'report/watchlist.matched',
        'report/screening.matched',
        'report/custom-list.dismissed',
      ]),
    );
    expect(listed.some((name) => name.startsWith('report/email-address.'))).toBe(false);
    // The URL to give Persona, and the command that subscribes to exactly these.
    await expect(page.locator('pre code').textContent()).resolves.toBe(
      `npx persona-webhooks webhooks create --url ${service.url}/webhooks/persona`,
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await screenshot(page, 'setup-guide');
    await context.close();
  });
});
