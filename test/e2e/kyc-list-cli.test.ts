/**
 * `persona-webhooks kyc` without a reference id lists users by decision, newest change first: the
 * review queue (`--decision needs_review`), a change time (`--since`), pages like `events list`, and
 * JSON; `kyc <reference-id>` still shows one user. Run from dist/ over a seeded SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteServiceStore } from '../../packages/server/src/service-state/sqlite-service-store.js';
import { type SeededQueue, seedReviewQueue } from '../helpers/review-queue-seed.js';
import { runCli } from '../helpers/run-cli.js';

let dir: string;
let databaseUrl: string;
let seeded: SeededQueue;
const BASE = Date.parse('2026-11-30T09:00:00Z');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-kyc-list-'));
  const file = join(dir, 'db.sqlite');
  databaseUrl = `sqlite:${file}`;
  const store = createSqliteServiceStore(file);
  try {
    await store.migrate();
    seeded = await seedReviewQueue(store, { baseMs: BASE, fillers: 2 });
  } finally {
    await store.close();
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kyc = (...args: string[]) => runCli(['kyc', ...args, '--database-url', databaseUrl]);
/** The USER column of a printed table (the third). */
const users = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .slice(1)
    .filter((line) => !line.startsWith('more: '))
    .map((line) => line.split(/\s{2,}/)[2]);

describe('persona-webhooks kyc --decision', () => {
  it('lists the review queue newest change first, with the reasons and the newest inquiry', async () => {
    const result = await kyc('--decision', 'needs_review');
    expect(result.code).toBe(0);
    const [header, first] = result.stdout.split('\n');
    expect(header?.split(/\s{2,}/)).toEqual([
      'CHANGED',
      'DECISION',
      'USER',
      'REASONS',
      'NEWEST INQUIRY',
      'STATUS',
    ]);
    expect(first?.split(/\s{2,}/)).toEqual([
      '2026-11-30 09:08:00 UTC',
      'needs_review',
      'frank',
      'case_open, inquiry_approved',
      'inq_frank',
      'approved',
    ]);
    expect(users(result.stdout)).toEqual(seeded.needsReview);
    expect(result.stdout).not.toContain('more:');
  });

  it('pages like events list: --limit, then the printed --cursor', async () => {
    const first = await kyc('--decision', 'needs_review', '--limit', '4');
    expect(users(first.stdout)).toEqual(seeded.needsReview.slice(0, 4));
    const cursor = /^more: --cursor (\S+)$/m.exec(first.stdout)?.[1];
    expect(cursor).toBeDefined();
    const second = await kyc('--decision', 'needs_review', '--limit', '4', '--cursor', cursor!);
    expect(users(second.stdout)).toEqual(seeded.needsReview.slice(4));
    expect(second.stdout).not.toContain('more:');
  });

  it('lists every decision without --decision, only recent changes with --since, and JSON with --json', async () => {
    const all = await kyc('--since', '2026-11-30T09:04:00Z');
    expect(users(all.stdout)).toEqual(['frank', '<i>ivy</i>', 'erin', 'dave']);
    const json = JSON.parse((await kyc('--decision', 'declined', '--json')).stdout);
    expect(json).toEqual({
      users: [
        {
          referenceId: 'bob',
          decision: 'declined',
          reasons: [expect.objectContaining({ code: 'inquiry_declined', fact: 'inquiry', id: 'inq_bob' })],
          changedAt: new Date(seeded.changedAtMs['bob']!).toISOString(),
          changedByEventId: expect.stringMatching(/^evt_/),
          inquiryId: 'inq_bob',
          status: 'declined',
        },
      ],
      nextCursor: null,
    });
    expect((await kyc('--decision', 'approved', '--since', '2026-11-30T09:05:00Z')).stdout).toMatch(
      /^no users \(read SQLite file .+\)\n$/,
    );
  });

  it('still shows one user by reference id, and refuses list flags beside it', async () => {
    const one = await kyc('frank');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^frank: needs_review\n/);
    const mixed = await kyc('frank', '--decision', 'needs_review');
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toBe(
      'persona-webhooks: --decision lists users: give it without a reference-id (or the reference-id alone)\n',
    );
  });

  it('refuses an unknown decision, a bad --since, --limit or --cursor in one line', async () => {
    for (const [args, message] of [
      [['--decision', 'needs-review'], '--decision must be one of approved, declined, needs_review, pending'],
      [['--since', 'yesterday'], '--since must be an ISO 8601 time'],
      [['--limit', '0'], '--limit must be 1–500'],
      [['--cursor', 'nope'], 'The cursor is not one this server issued'],
    ] as const) {
      const result = await kyc(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toContain(message);
      expect(result.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
