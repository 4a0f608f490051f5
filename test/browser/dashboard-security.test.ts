/**
 * The dashboard's defences in real Chromium against the real service process (dist/): a page on
 * another port of the same host (same site) cannot frame `/admin?x#/dead` — the query string once
 * dropped every security header — and a mangled link (`#/users/%E0%A4%A`) shows the not-found page
 * instead of throwing and leaving the page on "Loading…".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, openPage, signIn } from '../helpers/browser.js';
import { ADMIN_TOKEN, type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';

let service: ServiceProcess;
let dir: string;
let browser: Browser;
let context: BrowserContext;
let framer: Server;
let framerUrl: string;

describe.skipIf(!browserAvailable)('dashboard security in Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pw-browser-sec-'));
    [service, browser] = await Promise.all([
      startServiceProcess({
        PERSONA_WEBHOOK_SECRET: 'wbhsec_dashboard_security_test',
        DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      }),
      launchBrowser(),
    ]);
    // The attacker's page: same host, another port, so the same site as the dashboard.
    framer = createServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://x').searchParams.get('target') ?? '';
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<!doctype html><title>framer</title><iframe id="f" src="${target}"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    framerUrl = `http://127.0.0.1:${(framer.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await new Promise((resolve) => framer?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(async () => {
    await context.close();
  });

  it('loads /admin?x with every security header, and a signed-in operator cannot be framed at /admin?x#/dead', async () => {
    const { page } = await openPage(context);
    const direct = await page.goto(`${service.url}/admin?x`);
    const headers = direct!.headers();
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');

    await signIn(page, service.url, ADMIN_TOKEN);
    for (const target of [
      `${service.url}/admin?x#/dead`,
      `${service.url}/admin?#/dead`,
      `${service.url}/admin/?x`,
    ]) {
      await page.goto(`${framerUrl}?target=${encodeURIComponent(target)}`, { waitUntil: 'load' });
      const frame = await (await page.locator('#f').elementHandle())!.contentFrame();
      // Chromium replaces a refused frame by its own error page: nothing of the dashboard runs in it.
      await expect.poll(() => frame?.url() ?? '', { timeout: 10_000 }).toMatch(/^chrome-error:/);
      expect(await frame!.getByRole('heading', { name: 'Dead letters' }).count(), target).toBe(0);
      expect(await frame!.getByRole('button').count(), target).toBe(0);
    }
  });

  it('a malformed #/users/%E0%A4%A link shows the not-found page, not an endless "Loading…"', async () => {
    const { page, problems } = await openPage(context);
    await signIn(page, service.url, ADMIN_TOKEN);
    await page.goto(`${service.url}/admin#/users/%E0%A4%A`);
    await page.getByRole('heading', { name: 'Not found', level: 1 }).waitFor({ timeout: 10_000 });
    expect(await page.getByText('Loading…').count()).toBe(0);
    // A good link after the bad one works again.
    await page.goto(`${service.url}/admin#/users/user-1`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor({ state: 'detached' });
    // Arriving at it from another page (hashchange, not a load) does the same.
    await page.evaluate(() => {
      window.location.hash = '#/events/%E0%A4%A';
    });
    await page.getByRole('heading', { name: 'Not found', level: 1 }).waitFor({ timeout: 10_000 });
    // The only thing allowed in the console is the lookup's 404 for user-1 (there is no such user).
    expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
  });
});
