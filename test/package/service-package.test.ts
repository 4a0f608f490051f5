/**
 * The service as users get it: `persona-webhooks-server` and the library installed from their tarballs
 * into a fresh project with install scripts on (global-setup.ts). Its `persona-webhooks` command must
 * start on SQLite from a clean directory and serve; the PostgreSQL outage e2e test runs against the same
 * installed command in this run (PERSONA_WEBHOOKS_BIN).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';
import { ENV } from './projects.js';

const run = promisify(execFile);
const service = process.env[ENV.service] ?? '';
const SECRET = 'wbhsec_package_test_secret';

describe('persona-webhooks-server installed from its tarball', () => {
  let server: ServiceProcess;

  beforeAll(async () => {
    server = await startServiceProcess({ PERSONA_WEBHOOK_SECRET: SECRET }, [], { cwd: service });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('installs with no engine warning, and the SQLite driver is the only package with an install script', async () => {
    const log = await readFile(join(service, 'install.log'), 'utf8');
    expect(log).not.toMatch(/EBADENGINE/);
    const withScripts = [...log.matchAll(/^npm warn install-scripts {3}(\S+)@/gm)].map((m) => m[1]);
    expect(new Set(withScripts)).toEqual(new Set(['better-sqlite3']));
    // Installed as a dependency, not linked: the service runs the library's packed dist.
    const bin = process.env[ENV.bin] ?? '';
    expect(bin.startsWith(service)).toBe(true);
  });

  it('serves on its embedded SQLite default from a clean directory: /healthz, a signed event, the KYC status', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const bin = process.env[ENV.bin] ?? '';
    const sent = await run(
      process.execPath,
      [
        bin,
        'send',
        'inquiry.approved',
        '--url',
        `${server.url}/webhooks/persona`,
        '--reference-id',
        'user-pkg',
      ],
      { cwd: service, env: { PATH: process.env['PATH'] ?? '', PERSONA_WEBHOOK_SECRET: SECRET } },
    );
    expect(sent.stdout).toMatch(/^200 evt_\S+ inquiry\.approved/m);
    await expect
      .poll(
        async () => {
          const response = await fetch(`${server.url}/api/kyc/user-pkg`, {
            headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          });
          return response.status === 200 ? ((await response.json()) as { status: string }).status : null;
        },
        { timeout: 10_000 },
      )
      .toBe('approved');
    const { stdout } = await run('ls', [join(service, 'data')]);
    expect(stdout).toContain('persona-webhooks.db');
  });

  it('has every subcommand', async () => {
    const { stdout } = await run(process.execPath, [process.env[ENV.bin] ?? '', '--help'], { cwd: service });
    for (const command of ['serve', 'send', 'verify', 'events', 'kyc', 'migrate']) {
      expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
  });
});
