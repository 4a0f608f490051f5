/**
 * The README's quick start as a new user walks it, in Chromium: `npm start` with no ADMIN_TOKEN (one is
 * generated and printed), `persona-webhooks send` for user-123, then /admin: sign in with the printed
 * token, find user-123, see why their decision is what it is (a re-verification whose approval died leaves
 * the earlier approval in force), and replay the dead event once the failing
 * dependency is back. The one difference from the README: the service is not restarted between its two
 * parts (the handler module is loaded from the start, with its "down" file absent at first).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, openPage } from '../helpers/browser.js';
import { runCli } from '../helpers/run-cli.js';
import { eventually, REPO_ROOT } from '../helpers/service-process.js';

describe.skipIf(!browserAvailable)('README quick start, in the dashboard', () => {
  it('npm start → send → /admin: sign in, find user-123, see why, replay the dead event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-quick-browser-'));
    const downFile = join(dir, 'grant-access-down');
    const secret = 'wbhsec_local_test_secret';
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const child = spawn('npm', ['start'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ADMIN_TOKEN: '',
        PERSONA_WEBHOOK_SECRET: secret,
        PORT: port,
        DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
        PERSONA_WEBHOOKS_HANDLERS: 'examples/flaky-handlers.mjs',
        PERSONA_WEBHOOKS_MAX_ATTEMPTS: '1',
        GRANT_ACCESS_DOWN_FILE: downFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.resume();
    const browser = await launchBrowser();
    try {
      const base = `http://127.0.0.1:${port}`;
      await eventually(async () => (await fetch(`${base}/readyz`)).ok, 60_000);
      const token = await eventually(async () => /generated one for this run:\s+(\S+)/.exec(stderr)?.[1]);
      const send = (...args: string[]) =>
        runCli(['send', ...args], { env: { PERSONA_WEBHOOK_SECRET: secret } }).then((result) => {
          expect(result.stdout).toMatch(/^200 /);
        });
      // `send` posts to http://127.0.0.1:3000 by default; the test's port is random.
      const url = ['--url', `${base}/webhooks/persona`];

      await send('inquiry.approved', '--reference-id', 'user-123', ...url);

      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const { page, problems } = await openPage(context);
      await page.goto(`${base}/admin`);
      await page.getByLabel('Admin token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByLabel('Reference id').fill('user-123');
      await page.getByRole('button', { name: 'Find' }).click();
      await expect
        .poll(() => page.getByTestId('kyc-status').textContent(), { timeout: 10_000 })
        .toBe('approved');

      // "Your own service" goes down; a new inquiry of user-123 is started, then approved.
      writeFileSync(downFile, '');
      await send('inquiry.started', '--reference-id', 'user-123', '--inquiry-id', 'inq_demo_123', ...url);
      await send('inquiry.approved', '--reference-id', 'user-123', '--inquiry-id', 'inq_demo_123', ...url);
      await expect
        .poll(
          async () => {
            await page.getByRole('button', { name: 'Refresh' }).click();
            return page.getByTestId('why').textContent();
          },
          { timeout: 15_000 },
        )
        .toContain('is dead');
      // A newer inquiry is a re-verification: the earlier approval holds, and the reasons say so.
      expect(await page.getByTestId('kyc-status').textContent()).toBe('approved');
      const reasons = page.getByTestId('reasons').locator('li');
      expect(await reasons.evaluateAll((items) => items.map((li) => li.getAttribute('data-code')))).toEqual([
        'inquiry_approved',
        'reverification_in_progress',
      ]);
      expect(await reasons.nth(1).textContent()).toContain('inq_demo_123');
      expect(await page.getByTestId('why').textContent()).toContain('grant-access service unavailable');

      rmSync(downFile);
      await page.getByTestId('why').getByRole('link', { name: 'inquiry.approved' }).click();
      await page.getByRole('button', { name: 'Replay' }).click();
      await expect
        .poll(() => page.getByTestId('replay-status').textContent(), { timeout: 15_000 })
        .toContain('the event is done now');
      await page.getByRole('link', { name: 'user-123' }).click();
      // The re-verification is decided now: the decision rests on the new inquiry.
      await expect
        .poll(() => page.getByTestId('reasons').locator('li').first().textContent(), { timeout: 10_000 })
        .toContain('inq_demo_123');
      expect(await page.getByTestId('kyc-status').textContent()).toBe('approved');
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      // npm start runs a shell and node under it: signal the whole process group.
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
