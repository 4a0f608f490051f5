/**
 * `persona-webhooks backfill` as a user runs it, against the emulator: recovers what the webhook never
 * delivered, twice stores nothing new, respects --since/--until/--name, and --dry-run stores nothing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startTestEmulator } from '../helpers/emulator.js';
import { runCli } from '../helpers/run-cli.js';

const HOUR = 3_600_000;
let emulator: Emulator;
let dir: string;
let n = 0;

beforeAll(async () => {
  // Pages of at most 4 events: backfill must follow links.next through short pages.
  emulator = await startTestEmulator({ maxPageSize: 4 });
  dir = mkdtempSync(join(tmpdir(), 'pw-backfill-'));
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh, migrated database per test, as the service (or `persona-webhooks migrate`) leaves it. */
async function database(): Promise<string> {
  const url = `sqlite:${join(dir, `db-${++n}.sqlite`)}`;
  const migrated = await runCli(['migrate', '--database-url', url]);
  if (migrated.code !== 0) throw new Error(migrated.stderr);
  return url;
}

function backfill(args: string[], databaseUrl: string) {
  return runCli(['backfill', ...args, '--database-url', databaseUrl], {
    env: { PERSONA_API_URL: emulator.apiUrl, PERSONA_API_KEY: emulator.apiKey },
  });
}

async function storedEvents(databaseUrl: string) {
  const listed = await runCli(['events', 'list', '--json', '--limit', '500', '--database-url', databaseUrl]);
  return (
    JSON.parse(listed.stdout) as {
      events: Array<{ id: string; name: string; source: string; status: string }>;
    }
  ).events;
}

describe('persona-webhooks backfill', () => {
  it('stores every missed event once, marked source api; a second run stores nothing', async () => {
    const now = Date.now();
    const events = Array.from({ length: 9 }, (_, i) =>
      emulator.state.recordEvent({
        name: i % 3 === 0 ? 'inquiry.declined' : 'inquiry.approved',
        referenceId: `backfill-user-${i}`,
        createdAt: new Date(now - 20 * HOUR - i * 60_000),
        deliver: false,
      }),
    );
    const url = await database();
    const first = await backfill(['--since', '72h'], url);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/: fetched 9, new 9, already stored 0\n$/);
    const stored = await storedEvents(url);
    expect(stored.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(new Set(stored.map((e) => e.source))).toEqual(new Set(['api']));

    const second = await backfill(['--since', '72h'], url);
    expect(second.stdout).toMatch(/: fetched 9, new 0, already stored 9\n$/);
    expect(await storedEvents(url)).toHaveLength(9);
    // Queued for the service's worker, which applies them to the KYC status like any delivery.
    expect(new Set(stored.map((e) => e.status))).toEqual(new Set(['pending']));
  });

  it('respects --since and --until (ISO or durations), and --name', async () => {
    const now = Date.now();
    const at = (hoursAgo: number, name = 'inquiry.approved') =>
      emulator.state.recordEvent({ name, createdAt: new Date(now - hoursAgo * HOUR), deliver: false });
    const old = at(100);
    const middle = at(30);
    const recent = at(2, 'inquiry.expired');

    const url = await database();
    const windowed = await backfill(
      ['--since', new Date(now - 31 * HOUR).toISOString(), '--until', '29h'],
      url,
    );
    expect(windowed.code).toBe(0);
    const ids = (await storedEvents(url)).map((e) => e.id);
    expect(ids).toContain(middle.id);
    expect(ids).not.toContain(old.id);
    expect(ids).not.toContain(recent.id);

    const byName = await database();
    await backfill(['--since', '200h', '--name', 'inquiry.expired'], byName);
    expect((await storedEvents(byName)).map((e) => e.id)).toEqual([recent.id]);
  });

  it('--dry-run counts what it would store and stores nothing', async () => {
    emulator.state.recordEvent({
      name: 'inquiry.approved',
      createdAt: new Date(Date.now() - HOUR),
      deliver: false,
    });
    const url = await database();
    const dry = await backfill(['--since', '3h', '--dry-run'], url);
    expect(dry.stdout).toMatch(/: fetched (\d+), would store \1, already stored 0\n$/);
    expect(await storedEvents(url)).toEqual([]);
  });

  it('is the first command on a new machine: in an empty directory it creates and migrates the store as serve does', async () => {
    const recovered = emulator.state.recordEvent({
      name: 'inquiry.approved',
      referenceId: 'first-run-user',
      createdAt: new Date(Date.now() - 5 * HOUR),
      deliver: false,
    });
    const fresh = mkdtempSync(join(dir, 'new-machine-'));
    const env = { PERSONA_API_URL: emulator.apiUrl, PERSONA_API_KEY: emulator.apiKey };
    // A read-only command still refuses to create a database…
    const before = await runCli(['events', 'list', '--json'], { cwd: fresh });
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/No database at \.\/data\/persona-webhooks\.db/);
    expect(existsSync(join(fresh, 'data', 'persona-webhooks.db'))).toBe(false);
    // …a dry run too, as it writes nothing…
    const dry = await runCli(['backfill', '--since', '72h', '--dry-run'], { cwd: fresh, env });
    expect(dry.code).toBe(1);
    expect(existsSync(join(fresh, 'data', 'persona-webhooks.db'))).toBe(false);
    // …while backfill, which writes, sets the default store up.
    const first = await runCli(['backfill', '--since', '72h'], { cwd: fresh, env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/: fetched \d+, new \d+, already stored 0\n$/);
    const listed = await runCli(['events', 'list', '--json', '--limit', '500'], { cwd: fresh });
    expect(listed.code).toBe(0);
    const ids = (JSON.parse(listed.stdout) as { events: Array<{ id: string }> }).events.map((e) => e.id);
    expect(ids).toContain(recovered.id);
  });

  it('explains a bad --since, a missing API key and a rejected one', async () => {
    const bad = await backfill(['--since', 'yesterday'], await database());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'persona-webhooks: --since must be an ISO 8601 time (2026-01-31T12:00:00Z) or a duration like 90m, 72h or 7d\n',
    );
    const noKey = await runCli(['backfill', '--since', '1h', '--database-url', await database()], {
      env: { PERSONA_API_URL: emulator.apiUrl },
    });
    expect(noKey.stderr).toMatch(/^persona-webhooks: PERSONA_API_KEY is required for backfill/);
    const rejected = await runCli(['backfill', '--since', '1h', '--database-url', await database()], {
      env: { PERSONA_API_URL: emulator.apiUrl, PERSONA_API_KEY: 'persona_sandbox_wrong' },
    });
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(
      /^persona-webhooks: Persona rejected PERSONA_API_KEY on GET \/events \(401 Unauthorized/,
    );
    expect(rejected.stderr).toContain('`event.read`');
    expect(rejected.stderr).not.toContain('persona_sandbox_wrong');
  });
});
