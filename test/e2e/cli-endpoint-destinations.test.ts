/**
 * `endpoints add` refuses destinations that can never be an application (cloud metadata, link-local,
 * user:password URLs) and private ones with PERSONA_WEBHOOKS_OUTBOUND_PRIVATE=deny; `endpoints list`
 * shows the URL normalised with its query values masked. No traffic: only literal addresses and
 * names refused before any lookup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

let dir: string;
let databaseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-dest-'));
  databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
  expect((await runCli(['migrate', '--database-url', databaseUrl])).code).toBe(0);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('endpoints add', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a cloud metadata address'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254 is a cloud metadata address'],
    ['http://100.100.100.200/', '100.100.100.200 is a cloud metadata address'],
    ['http://metadata.google.internal/', 'metadata.google.internal is a cloud metadata host name'],
    ['http://[fe80::1]:8080/', 'fe80::1 is a link-local address'],
    ['https://admin:hunter2@app.example/kyc', 'must not hold a user or password'],
  ])('refuses %s', async (url, reason) => {
    const result = await runCli(['endpoints', 'add', url, '--database-url', databaseUrl]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(reason);
    expect(result.stderr).not.toContain('hunter2');
  });

  it('refuses a private address only when PERSONA_WEBHOOKS_OUTBOUND_PRIVATE=deny', async () => {
    const denied = await runCli(['endpoints', 'add', 'http://10.9.8.7/kyc', '--database-url', databaseUrl], {
      env: { PERSONA_WEBHOOKS_OUTBOUND_PRIVATE: 'deny' },
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      '10.9.8.7 is a private address, and PERSONA_WEBHOOKS_OUTBOUND_PRIVATE=deny',
    );
    const allowed = await runCli(['endpoints', 'add', 'http://10.9.8.7/kyc', '--database-url', databaseUrl]);
    expect(allowed.code).toBe(0);
  });

  it('stores the URL normalised and lists it with query values masked', async () => {
    const added = await runCli([
      'endpoints',
      'add',
      'HTTP://127.0.0.1:4000\\@example.com/kyc?token=s3cr3t#x',
      '--database-url',
      databaseUrl,
    ]);
    expect(added.code).toBe(0);
    const list = await runCli(['endpoints', 'list', '--json', '--database-url', databaseUrl]);
    const urls = (JSON.parse(list.stdout) as { endpoints: Array<{ url: string }> }).endpoints.map(
      (e) => e.url,
    );
    expect(urls).toContain('http://127.0.0.1:4000/@example.com/kyc?token=***');
    expect(list.stdout).not.toContain('s3cr3t');
    const table = await runCli(['endpoints', 'list', '--database-url', databaseUrl]);
    expect(table.stdout).not.toContain('s3cr3t');
  });
});
