/**
 * Which commands may touch the schema: only `serve` and `migrate` create or migrate a database;
 * read-only commands refuse a missing, unmigrated or older one, and nothing runs on a schema a newer
 * release wrote.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS } from '../../packages/persona-webhooks/src/store/sqlite/migrations.js';
import { SECRET } from '../helpers/deliveries.js';
import { runCli } from '../helpers/run-cli.js';
import { startServiceProcess } from '../helpers/service-process.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LATEST = Math.max(...SQLITE_MIGRATIONS.map((m) => m.version));

describe('read-only commands never create or migrate a database', () => {
  it.each([
    ['kyc', 'user-1'],
    ['events', 'list'],
    ['events', 'show', 'evt_1'],
    ['events', 'replay', 'evt_1'],
    ['endpoints', 'list'],
    ['endpoints', 'disable', 'ep_1'],
    ['deliveries', 'list'],
    ['deliveries', 'replay', 'msg_1'],
  ])('%s %s on a mistyped path: "no database at …", and no file appears', async (...args) => {
    const path = join(dir, `missing-${args.join('-')}.db`);
    const result = await runCli([...args, '--database-url', `sqlite:${path}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`No database at ${path}`);
    expect(existsSync(path)).toBe(false);
  });

  it('says "not migrated" for an empty database and "run migrate" for an older schema, changing neither', async () => {
    const path = join(dir, 'empty.db');
    new Database(path).close();
    const empty = await runCli(['kyc', 'user-1', '--database-url', `sqlite:${path}`]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('is not migrated');

    const old = join(dir, 'old.db');
    expect((await runCli(['migrate', '--database-url', `sqlite:${old}`])).code).toBe(0);
    const db = new Database(old);
    db.prepare('DELETE FROM schema_migrations WHERE version = ?').run(LATEST);
    db.close();
    const behind = await runCli(['events', 'list', '--database-url', `sqlite:${old}`]);
    expect(behind.code).toBe(1);
    expect(behind.stderr).toContain(`is at schema version ${LATEST - 1}; this release needs ${LATEST}`);
    const check = new Database(old, { readonly: true });
    expect(check.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: LATEST - 1 });
    check.close();
  });
});

describe('a schema written by a newer release', () => {
  const path = join(dir, 'newer.db');
  const databaseUrl = `sqlite:${path}`;

  it('stops serve, migrate and read-only commands, naming both versions', async () => {
    expect((await runCli(['migrate', '--database-url', databaseUrl])).code).toBe(0);
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)').run(
      LATEST + 7,
      'from the future',
      Date.now(),
    );
    db.close();
    const expected = `The database schema is at version ${LATEST + 7}, but this release of persona-webhooks knows versions up to ${LATEST}`;

    await expect(
      startServiceProcess({ PERSONA_WEBHOOK_SECRET: SECRET, DATABASE_URL: databaseUrl }),
    ).rejects.toThrow(expected);
    for (const args of [['migrate'], ['kyc', 'user-1']]) {
      const result = await runCli([...args, '--database-url', databaseUrl]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(expected);
    }
  });
});
