/** The CLI as a user runs it: send, verify, events, kyc, migrate, and the missing-secret message. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../packages/persona-webhooks/src/signature/node.js';
import { SECRET } from '../helpers/deliveries.js';
import { runCli } from '../helpers/run-cli.js';
import {
  ADMIN_TOKEN,
  eventually,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

let service: ServiceProcess;
let dir: string;
let databaseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-cli-'));
  databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
  service = await startServiceProcess({ PERSONA_WEBHOOK_SECRET: SECRET, DATABASE_URL: databaseUrl });
});

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('persona-webhooks send', () => {
  it('sends a signed, realistic event that the server accepts', async () => {
    const result = await runCli([
      'send',
      'inquiry.approved',
      '--url',
      `${service.url}/webhooks/persona`,
      '--secret',
      SECRET,
      '--reference-id',
      'cli-user',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^200 evt_\w+ inquiry\.approved \{"received":true\}/);
  });

  it('sends many events concurrently and summarises', async () => {
    const result = await runCli([
      'send',
      'inquiry.completed',
      '--url',
      `${service.url}/webhooks/persona`,
      '--secret',
      SECRET,
      '--count',
      '60',
      '--concurrency',
      '8',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/sent 60 events — 200: 60/);
  });

  it('exits 1 and prints the refusal when the secret is wrong', async () => {
    const result = await runCli([
      'send',
      'inquiry.approved',
      '--url',
      `${service.url}/webhooks/persona`,
      '--secret',
      'wbhsec_wrong',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('401');
    expect(result.stdout).toContain('no_matching_signature');
  });
});

describe('persona-webhooks verify', () => {
  const body = '{"data":{"type":"event","id":"evt_1","attributes":{"completion-time":40.172463903}}}';
  const bodyFile = () => {
    const file = join(dir, 'body.json');
    writeFileSync(file, body);
    return file;
  };

  it('exits 0 for a valid signature (body from a file or stdin)', async () => {
    const header = sign({ secret: SECRET, body });
    const fromFile = await runCli([
      'verify',
      '--secret',
      SECRET,
      '--header',
      header,
      '--body-file',
      bodyFile(),
    ]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('Valid');
    const fromStdin = await runCli(['verify', '--secret', SECRET, '--header', header], { input: body });
    expect(fromStdin.code).toBe(0);
  });

  const diagnoses: Array<[string, () => string[], string | undefined, RegExp]> = [
    [
      'a wrong secret',
      () => ['--header', sign({ secret: 'wbhsec_other', body })],
      body,
      /no_matching_signature[\s\S]*wrong secret[\s\S]*re-serialised/,
    ],
    ['a header copied wrong', () => ['--header', 'v1=abc'], body, /malformed_header[\s\S]*copied wrong/],
    [
      'a stale timestamp',
      () => ['--header', sign({ secret: SECRET, body, timestamp: 1_600_000_000 })],
      body,
      /timestamp_out_of_tolerance[\s\S]*old/,
    ],
    [
      'a trailing newline',
      () => ['--header', sign({ secret: SECRET, body })],
      `${body}\n`,
      /trailing newline/,
    ],
    [
      'a body changed by a JSON parser',
      () => ['--header', sign({ secret: SECRET, body })],
      JSON.stringify(JSON.parse(body), null, 2),
      /re-serialised/,
    ],
    ['an empty header', () => ['--header', ''], body, /missing_header/],
  ];
  for (const [label, args, input, expected] of diagnoses) {
    it(`exits 1 and explains ${label}`, async () => {
      const result = await runCli(['verify', '--secret', SECRET, ...args()], { input });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(expected);
      expect(result.stderr).not.toContain(SECRET);
    });
  }
});

describe('persona-webhooks events, kyc, migrate', () => {
  it('shows the KYC status and the events of a user, and replays', async () => {
    await runCli([
      'send',
      'inquiry.declined',
      '--url',
      `${service.url}/webhooks/persona`,
      '--secret',
      SECRET,
      '--reference-id',
      'cli-kyc',
    ]);
    const kyc = await eventually(async () => {
      const result = await runCli(['kyc', 'cli-kyc', '--json', '--database-url', databaseUrl]);
      return result.code === 0 ? (JSON.parse(result.stdout) as { status: string }) : null;
    });
    expect(kyc.status).toBe('declined');

    const list = await runCli([
      'events',
      'list',
      '--name',
      'inquiry.declined',
      '--json',
      '--database-url',
      databaseUrl,
    ]);
    const events = (JSON.parse(list.stdout) as { events: Array<{ id: string }> }).events;
    expect(events.length).toBe(1);
    const show = await runCli(['events', 'show', events[0]!.id, '--json', '--database-url', databaseUrl]);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: events[0]!.id, name: 'inquiry.declined' });

    await eventually(async () =>
      (
        await runCli(['events', 'show', events[0]!.id, '--json', '--database-url', databaseUrl])
      ).stdout.includes('"done"'),
    );
    const replay = await runCli(['events', 'replay', events[0]!.id, '--database-url', databaseUrl]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toBe(`replayed ${events[0]!.id}\n`);
    const unknown = await runCli(['events', 'replay', 'evt_unknown', '--database-url', databaseUrl]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('not replayed: no event evt_unknown\n');
    const replayDead = await runCli(['events', 'replay', '--dead', '--database-url', databaseUrl]);
    expect(replayDead.stdout).toMatch(/replayed \d+ dead event/);
  });

  it('prints clean tables in local time, and JSON with --json', async () => {
    const createdAt = '2026-01-15T12:00:00.000Z';
    const sent = await runCli([
      'send',
      'inquiry.approved',
      '--url',
      `${service.url}/webhooks/persona`,
      '--secret',
      SECRET,
      '--reference-id',
      'cli-table',
      '--inquiry-id',
      'inq_cli_table',
      '--created-at',
      createdAt,
    ]);
    const eventId = sent.stdout.split(' ')[1]!;
    await eventually(
      async () => (await runCli(['kyc', 'cli-table', '--database-url', databaseUrl])).code === 0,
    );
    const tz = { TZ: 'Asia/Tokyo', DATABASE_URL: databaseUrl };

    const list = await runCli(['events', 'list', '--name', 'inquiry.approved', '--limit', '500'], {
      env: tz,
    });
    const [header, ...lines] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^RECEIVED \(Asia\/Tokyo\)\s+STATUS\s+NAME\s+ID\s+ATTEMPTS\s+USER\s+LAST ERROR$/);
    const row = lines.find((line) => line.includes(eventId))!;
    expect(row).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+done\s+inquiry\.approved\s+evt_\S+\s+1\s+cli-table\s+-$/,
    );
    expect(list.stdout).not.toMatch(/['"│┌]|\(index\)/);
    // The received time is the terminal's local time: Tokyo is UTC+9 all year.
    const received = (await runCli(['events', 'show', eventId, '--json'], { env: tz })).stdout;
    const receivedAt = (JSON.parse(received) as { receivedAt: string }).receivedAt;
    const tokyo = new Date(Date.parse(receivedAt) + 9 * 3600_000)
      .toISOString()
      .slice(0, 19)
      .replace('T', ' ');
    expect(row.startsWith(tokyo)).toBe(true);

    const show = await runCli(['events', 'show', eventId], { env: tz });
    expect(show.stdout).toMatch(/^created\s+2026-01-15 21:00:00$/m);
    expect(show.stdout).toMatch(/^user\s+cli-table$/m);
    expect(show.stdout).toContain('payload:');

    const kyc = await runCli(['kyc', 'cli-table'], { env: tz });
    expect(kyc.stdout).toMatch(/^cli-table: approved \(inquiry inq_cli_table, updated \d{4}-/);
    expect(kyc.stdout).toMatch(/^inq_cli_table\s+approved\s+2026-01-15 21:00:00/m);

    for (const args of [
      ['events', 'list', '--json'],
      ['events', 'show', eventId, '--json'],
      ['kyc', 'cli-table', '--json'],
    ]) {
      const result = await runCli(args, { env: tz });
      expect(result.code, args.join(' ')).toBe(0);
      expect(() => JSON.parse(result.stdout), args.join(' ')).not.toThrow();
    }
  });

  it('migrates a new database and reports unknown users', async () => {
    const fresh = `sqlite:${join(dir, 'fresh.sqlite')}`;
    expect((await runCli(['migrate', '--database-url', fresh])).stdout).toContain(
      'migrations applied (sqlite)',
    );
    const missing = await runCli(['kyc', 'nobody', '--database-url', fresh]);
    expect(missing.code).toBe(1);
  });
});

describe('persona-webhooks tokens', () => {
  it('creates an app token that reads a status but cannot list or replay events, lists it and revokes it', async () => {
    await runCli([
      'send',
      'inquiry.approved',
      '--url',
      `${service.url}/webhooks/persona`,
      '--secret',
      SECRET,
      '--reference-id',
      'cli-app',
    ]);
    const created = await runCli([
      'tokens',
      'create',
      '--name',
      'billing backend',
      '--database-url',
      databaseUrl,
    ]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^pwa_[A-Za-z0-9_-]{43}$/);
    const id = /created app token (apt_\S+) \(billing backend\)/.exec(created.stderr)?.[1];
    expect(id).toBeTruthy();
    expect(created.stderr).not.toContain(token);

    const as = (bearer: string, path: string, method = 'GET') =>
      fetch(`${service.url}${path}`, { method, headers: { authorization: `Bearer ${bearer}` } });
    const status = await eventually(async () => {
      const response = await as(token, '/api/kyc/cli-app');
      return response.status === 200 ? ((await response.json()) as { status: string }) : null;
    });
    expect(status.status).toBe('approved');

    const list = await as(token, '/api/events');
    expect(list.status).toBe(403);
    expect(await list.json()).toMatchObject({ error: { code: 'forbidden' } });
    const events = (await (await as(ADMIN_TOKEN, '/api/events?q=cli-app')).json()) as {
      events: Array<{ id: string }>;
    };
    const replay = await as(token, `/api/events/${events.events[0]!.id}/replay`, 'POST');
    expect(replay.status).toBe(403);
    expect(await replay.json()).toMatchObject({ error: { code: 'forbidden' } });

    const table = await runCli(['tokens', 'list', '--database-url', databaseUrl]);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+CREATED \(.+\)\s+LAST USED\s+REVOKED$/m);
    expect(table.stdout).toMatch(
      new RegExp(`^${id}\\s+billing backend\\s+\\d{4}-\\d\\d-\\d\\d \\S+\\s+\\d{4}-.*-$`, 'm'),
    );
    expect(table.stdout).not.toContain(token);

    const revoked = await runCli(['tokens', 'revoke', id!, '--database-url', databaseUrl]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${id}\n` });
    expect((await as(token, '/api/kyc/cli-app')).status).toBe(401);
    const again = await runCli(['tokens', 'revoke', id!, '--database-url', databaseUrl]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already revoked');
    const listed = JSON.parse(
      (await runCli(['tokens', 'list', '--json', '--database-url', databaseUrl])).stdout,
    ) as { tokens: Array<{ id: string; name: string; lastUsedAt: string | null; revokedAt: string | null }> };
    expect(listed.tokens).toEqual([
      expect.objectContaining({
        id,
        name: 'billing backend',
        lastUsedAt: expect.any(String),
        revokedAt: expect.any(String),
      }),
    ]);
    expect(service.output().stdout + service.output().stderr).not.toContain(token);
  });

  it('refuses an empty name and an unknown id', async () => {
    expect((await runCli(['tokens', 'create', '--name', ' ', '--database-url', databaseUrl])).code).toBe(1);
    const unknown = await runCli(['tokens', 'revoke', 'apt_nope', '--database-url', databaseUrl]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('no app token apt_nope\n');
  });

  it('serves its OpenAPI description without a token', async () => {
    const response = await fetch(`${service.url}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.paths).toHaveProperty('/api/kyc/{id}');
  });
});

describe('persona-webhooks serve configuration', () => {
  it('exits non-zero without a secret, saying where to find it', async () => {
    const result = await runCli(['serve'], {
      env: { PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'x.sqlite')}` },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('PERSONA_WEBHOOK_SECRET');
    expect(result.stderr).toContain('Dashboard → Webhooks');
  });

  it('rejects an invalid setting with a message naming it', async () => {
    const result = await runCli(['serve'], { env: { PERSONA_WEBHOOK_SECRET: SECRET, PORT: 'abc' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('PORT must be a whole number');
  });

  it('prints a generated admin token once when ADMIN_TOKEN is unset', async () => {
    const generated = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `sqlite:${join(dir, 'token.sqlite')}`,
      ADMIN_TOKEN: '',
    });
    try {
      const match = await eventually(async () =>
        /generated one for this run:\s+(\S+)/.exec(generated.output().stderr),
      );
      expect(match?.[1]).toBeTruthy();
      const response = await fetch(`${generated.url}/api/events`, {
        headers: { authorization: `Bearer ${match![1]}` },
      });
      expect(response.status).toBe(200);
      expect(generated.output().stdout).not.toContain(match![1]!);
    } finally {
      await generated.stop();
    }
  });
});
