/**
 * DATABASE_URL is read strictly: a scheme that is neither sqlite: nor postgres(ql):// stops `serve`
 * and every command that opens the store, before anything is created; a lookup that finds nothing
 * names the store it read.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pw-dburl-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a DATABASE_URL with an unknown scheme', () => {
  it.each([
    ['postgress://app:pw@db.internal:5432/kyc', 'postgress', 'Did you mean postgres://'],
    ['mysql://root@127.0.0.1/kyc', 'mysql', 'SQLite or PostgreSQL only'],
    ['file:./data.db', 'file', ''],
  ])('%s stops serve and creates nothing', async (url, scheme, hint) => {
    const result = await runCli(['serve'], {
      cwd: dir,
      env: { DATABASE_URL: url, PERSONA_WEBHOOK_SECRET: 'wbhsec_test', PORT: '0', HOST: '127.0.0.1' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`has the scheme "${scheme}:"`);
    expect(result.stderr).toContain(hint);
    // The password never appears; nothing was created where a SQLite folder would have gone.
    expect(result.stderr).not.toContain('pw@');
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    [['events', 'list']],
    [['kyc', 'someone']],
    [['deliveries', 'list']],
    [['endpoints', 'add', 'https://app.example/kyc']],
    [['tokens', 'list']],
    [['migrate']],
  ])('stops `%s` with one line', async (args) => {
    const result = await runCli([...args, '--database-url', 'postgress://127.0.0.1/kyc'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^persona-webhooks: DATABASE_URL .*scheme "postgress:".*\n$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is refused from the environment as from the flag', async () => {
    const result = await runCli(['events', 'list'], {
      cwd: dir,
      env: { DATABASE_URL: 'mysql://127.0.0.1/kyc' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('scheme "mysql:"');
  });
});

describe('a lookup that finds nothing', () => {
  it('names the SQLite file it read', async () => {
    const file = join(dir, 'empty.sqlite');
    expect((await runCli(['migrate', '--database-url', `sqlite:${file}`])).code).toBe(0);
    for (const args of [
      ['events', 'show', 'evt_none'],
      ['events', 'replay', 'evt_none'],
      ['deliveries', 'show', 'msg_none'],
      ['kyc', 'nobody'],
      ['tokens', 'revoke', 'apt_none'],
      ['endpoints', 'disable', 'ep_none'],
    ]) {
      const result = await runCli([...args, '--database-url', `sqlite:${file}`]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toContain(`(read SQLite file ${file})`);
    }
    const list = await runCli(['events', 'list', '--database-url', `sqlite:${file}`]);
    expect(list.stdout).toBe(`no events (read SQLite file ${file})\n`);
    expect(existsSync(file)).toBe(true);
  });
});
