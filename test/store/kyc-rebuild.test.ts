/**
 * Upgrading a store of the schema before the KYC decision (SQLite 5, PostgreSQL 4) that already holds
 * processed events: `migrate` rebuilds the case, report and account facts from the stored bodies
 * (purged ones excepted) and decides every user, reporting progress, on both dialects. The old
 * database is made the way a user has it: events processed by the worker, then the newer tables gone
 * and the newer version unrecorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { RebuildProgress, Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';
import { openTestPostgresStore, postgresReachable, testPool } from '../helpers/postgres.js';
import { ingestBuilt } from '../worker/temp-store.js';

const T0 = Date.parse('2024-03-01T00:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1_000);
// The tables of the KYC decision (SQLite 6 / PostgreSQL 5) and of its links (SQLite 10 / PostgreSQL 9).
const DROP_KYC_TABLES = [
  'cases',
  'reports',
  'accounts',
  'kyc_decisions',
  'kyc_rebuild',
  'transactions',
  'kyc_links',
  'kyc_policy',
];

/** Users whose decisions depend on facts only the new tables keep. */
function history() {
  const events = [];
  for (let u = 0; u < 30; u++) {
    const ids = { referenceId: `user-${u}`, inquiryId: `inq_${u}`, accountId: `act_${u}` };
    events.push(buildEvent({ ...ids, name: 'inquiry.approved', createdAt: at(u * 10) }));
    if (u % 3 === 0) {
      events.push(
        buildEvent({
          ...ids,
          name: 'report/watchlist.matched',
          reportId: `rep_${u}`,
          createdAt: at(u * 10 + 1),
        }),
      );
    }
    if (u % 3 === 1) {
      events.push(
        buildEvent({ ...ids, name: 'case.created', caseId: `case_${u}`, createdAt: at(u * 10 + 1) }),
      );
    }
  }
  return events;
}

async function fill(store: Store): Promise<void> {
  for (const event of history()) await ingestBuilt(store, event, T0);
  await createWorker({ store, now: () => T0 + 10_000_000 }).drain();
}

async function decisions(store: Store) {
  const out: Record<string, string | undefined> = {};
  for (let u = 0; u < 30; u++) out[`user-${u}`] = (await store.getKyc(`user-${u}`))?.decision;
  return out;
}

function expectedDecisions() {
  const out: Record<string, string> = {};
  for (let u = 0; u < 30; u++) out[`user-${u}`] = u % 3 === 2 ? 'approved' : 'needs_review';
  return out;
}

function lastOf(progress: RebuildProgress[], phase: RebuildProgress['phase']) {
  return progress.filter((p) => p.phase === phase).at(-1);
}

describe('KYC facts rebuilt on upgrade: SQLite 5 → 10', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rebuilds facts and decisions from stored bodies, with progress; a purged body stays unknown', async () => {
    dir = mkdtempSync(join(tmpdir(), 'persona-rebuild-'));
    const path = join(dir, 'events.db');
    const current = createSqliteFileStore(path);
    await current.migrate();
    await fill(current);
    expect(await decisions(current)).toEqual(expectedDecisions());
    await current.close();

    const db = new Database(path);
    for (const table of DROP_KYC_TABLES) db.exec(`DROP TABLE ${table}`);
    db.exec('DROP INDEX inquiries_account; DELETE FROM schema_migrations WHERE version IN (6, 10)');
    // user-3's watchlist match was purged by retention before the upgrade: nothing to rebuild it from.
    db.prepare(
      "DELETE FROM event_bodies WHERE event_id IN (SELECT id FROM events WHERE object_id = 'rep_3')",
    ).run();
    db.close();

    const upgraded = createSqliteFileStore(path);
    const progress: RebuildProgress[] = [];
    await upgraded.migrate({ onProgress: (p) => progress.push({ ...p }) });
    expect(await decisions(upgraded)).toEqual({ ...expectedDecisions(), 'user-3': 'approved' });
    expect((await upgraded.getKyc('user-0'))?.reasons[0]).toMatchObject({
      code: 'watchlist_match',
      id: 'rep_0',
    });
    // 30 inquiry events (their links are new), 20 case and report events, one without its body.
    expect(lastOf(progress, 'facts')).toEqual({ phase: 'facts', done: 49, total: 49 });
    expect(lastOf(progress, 'decisions')).toEqual({ phase: 'decisions', done: 30, total: 30 });
    // Done once: a second migrate has nothing left to rebuild.
    const again: RebuildProgress[] = [];
    await upgraded.migrate({ onProgress: (p) => again.push(p) });
    expect(again).toEqual([]);
    expect(await upgraded.countDecisions()).toEqual({
      approved: 11,
      declined: 0,
      needs_review: 19,
      pending: 0,
    });
    await upgraded.close();
  });
});

describe('KYC facts rebuilt on upgrade: PostgreSQL 4 → 9', () => {
  let reachable = false;
  beforeAll(async () => {
    reachable = await postgresReachable();
  });

  it('rebuilds facts and decisions from stored bodies, with progress', async (context) => {
    if (!reachable) context.skip();
    const first = await openTestPostgresStore();
    try {
      await fill(first.store);
      expect(await decisions(first.store)).toEqual(expectedDecisions());
      const pool = testPool({ max: 1 });
      const s = `"${first.schema}"`;
      await pool.query(
        [...DROP_KYC_TABLES, 'kyc_dirty'].map((table) => `DROP TABLE ${s}.${table}`).join('; '),
      );
      await pool.query(
        `DROP INDEX ${s}.inquiries_account; DELETE FROM ${s}.schema_migrations WHERE version IN (5, 9)`,
      );
      await pool.end();

      const progress: RebuildProgress[] = [];
      await first.store.migrate({ onProgress: (p) => progress.push({ ...p }) });
      expect(await decisions(first.store)).toEqual(expectedDecisions());
      expect((await first.store.getKyc('user-1'))?.reasons[0]).toMatchObject({
        code: 'case_open',
        id: 'case_1',
      });
      expect(lastOf(progress, 'facts')).toEqual({ phase: 'facts', done: 50, total: 50 });
      expect(lastOf(progress, 'decisions')).toEqual({ phase: 'decisions', done: 30, total: 30 });
    } finally {
      await first.cleanup();
    }
  });
});
