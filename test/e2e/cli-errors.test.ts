/**
 * The CLI's errors say what to do: --version; `send` refuses an event name Persona does not send
 * (suggesting the closest) and a flag the event does not carry; `send` with nothing listening; a
 * service whose port is taken or whose PostgreSQL refuses connections.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { runCli } from '../helpers/run-cli.js';
import { REPO_ROOT } from '../helpers/service-process.js';

let dir: string;
let taken: Server;
let takenPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-cli-errors-'));
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const serveEnv = { PERSONA_WEBHOOK_SECRET: 'wbhsec_test', HOST: '127.0.0.1' };

describe('CLI errors that say what to do', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/server/package.json'), 'utf8')) as {
      version: string;
    };
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it('send refuses a misspelt event name, suggesting the closest, and sends nothing', async () => {
    const result = await runCli([
      'send',
      'inquiry.aproved',
      '--url',
      'http://127.0.0.1:9/x',
      '--secret',
      's',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'persona-webhooks: inquiry.aproved is not an event Persona sends: did you mean inquiry.approved? (--allow-unknown-name sends it anyway, e.g. to try how unknown events are kept)\n',
    );
    expect(result.stdout).toBe('');
  });

  it('send refuses a flag the event does not carry, naming those it does', async () => {
    const result = await runCli([
      'send',
      'report/watchlist.matched',
      '--reference-id',
      'x',
      '--url',
      'http://127.0.0.1:9/x',
      '--secret',
      's',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'persona-webhooks: --reference-id does not apply to report/watchlist.matched; it takes --report-id, --status, --inquiry-id, --account-id, --transaction-id\n',
    );
  });

  it('send with the service down says to start it', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/webhooks/persona`;
    const result = await runCli(['send', 'inquiry.approved', '--url', url, '--secret', 's']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^0 evt_\w+ inquiry\.approved no answer: ECONNREFUSED\n$/);
    expect(result.stderr).toContain(`Nothing answered at ${url}: is the service running?`);
    expect(result.stderr).toContain('persona-webhooks serve');
  });

  it('serve on a port in use says so and what to do', async () => {
    const result = await runCli(['serve'], {
      cwd: dir,
      env: { ...serveEnv, PORT: String(takenPort), DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}` },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${takenPort} on 127.0.0.1 is already in use`);
    expect(result.stderr).toContain('PORT=');
  });

  it('serve with PostgreSQL refusing connections says which server and what to check', async () => {
    const port = await freePort();
    const result = await runCli(['serve'], {
      cwd: dir,
      env: { ...serveEnv, PORT: '0', DATABASE_URL: `postgres://app:secret-pw@127.0.0.1:${port}/kyc` },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `PostgreSQL did not answer at start (ECONNREFUSED): PostgreSQL postgres://app@127.0.0.1:${port}/kyc (schema persona_webhooks). Start it or check DATABASE_URL`,
    );
    expect(result.stderr).not.toContain('secret-pw');
    expect(result.stderr).not.toContain('Persona will retry');
  });
});
