/**
 * The PostgreSQL worker path's performance choices, proven on a real server: the claim can only be
 * served by the ordered partial index (never a sort of the whole backlog), worker commits skip the WAL
 * flush without leaking that setting to the ingest path, and the pipelined completion still rolls
 * everything back when its lease was lost.
 */
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ASYNC_COMMIT } from '../../packages/persona-webhooks/src/store/postgres/async-commit.js';
import { createConnections } from '../../packages/persona-webhooks/src/store/postgres/connections.js';
import { applyPostgresMigrations } from '../../packages/persona-webhooks/src/store/postgres/migrate.js';
import { POSTGRES_MIGRATIONS } from '../../packages/persona-webhooks/src/store/postgres/migrations.js';
import { tables } from '../../packages/persona-webhooks/src/store/postgres/tables.js';
import { dueEventsSql } from '../../packages/persona-webhooks/src/store/queue/postgres-work-queue.js';
import {
  dropTestSchema,
  openTestPostgresStore,
  postgresReachable,
  testPool,
  testSchemaName,
} from '../helpers/postgres.js';
import { inboxEvent, T0 } from './store-fixtures.js';

const reachable = await postgresReachable();

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

describe.skipIf(!reachable)('PostgreSQL worker path', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  /** A direct one-connection pool on a fresh schema migrated up to `version`. */
  const openSchema = async (
    version = Number.POSITIVE_INFINITY,
  ): Promise<{ pool: pg.Pool; schema: string }> => {
    const schema = testSchemaName();
    const pool = testPool({ max: 1 });
    cleanups.push(async () => {
      await pool.end();
      await dropTestSchema(schema);
    });
    await applyPostgresMigrations(
      createConnections(pool),
      schema,
      POSTGRES_MIGRATIONS.filter((m) => m.version <= version),
    );
    return { pool, schema };
  };
  const setting = async (pool: pg.Pool, text: string): Promise<unknown> =>
    (await pool.query(text)).rows[0]?.['setting'];

  it('claims by an ordered scan of events_claim, with no sort, on a never-analysed 20k backlog', async () => {
    const { pool, schema } = await openSchema();
    const t = tables(schema);
    // All one created-at, like a replayed backlog: the order then rests on the id, as in the claim.
    await pool.query(
      `INSERT INTO ${t.events} (id, name, created_at, created_at_ms, inquiry_id, body, received_at_ms, status,
        run_at_ms)
      SELECT 'evt_' || lpad(g::text, 6, '0'), 'inquiry.approved', '2024-03-01T00:00:00.000Z', $1,
        'inq_' || g, convert_to(repeat('x', 100), 'UTF8'), $1, 'pending', $1
      FROM generate_series(1, 20000) AS g`,
      [T0],
    );
    for (const limit of [1, 8, 64]) {
      const result = await pool.query(`EXPLAIN (FORMAT JSON) ${dueEventsSql(t)}`, [T0 + 1, limit]);
      const [explained] = result.rows[0]!['QUERY PLAN'] as [{ Plan: PlanNode }];
      const nodes = planNodes(explained.Plan);
      expect(nodes.map((node) => node['Node Type'])).not.toContain('Sort');
      expect(nodes.find((node) => node['Node Type'] === 'Index Scan')?.['Index Name']).toBe('events_claim');
    }
    const due = await pool.query(dueEventsSql(t), [T0 + 1, 3]);
    expect(due.rows.map((r) => r['id'])).toEqual(['evt_000001', 'evt_000002', 'evt_000003']);
  });

  it('upgrades a version-1 schema: the claim index is rebuilt with the new predicate', async () => {
    const { pool, schema } = await openSchema(1);
    await applyPostgresMigrations(createConnections(pool), schema, POSTGRES_MIGRATIONS);
    const index = await pool.query(
      'SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indexrelid = $1::regclass',
      [`"${schema}".events_claim`],
    );
    expect(index.rows[0]?.['def']).toMatch(/WHERE \(status <> ALL \(ARRAY\['done'::text, 'dead'::text\]\)\)/);
  });

  it('turns synchronous_commit off for its own statement only, never for the pooled connection', async () => {
    const { pool } = await openSchema(0);
    expect(
      await setting(pool, `SELECT ${ASYNC_COMMIT}, current_setting('synchronous_commit') AS setting`),
    ).toBe('off');
    // Same (only) connection: the ingest that runs next on it must still wait for the WAL flush.
    expect(await setting(pool, "SELECT current_setting('synchronous_commit') AS setting")).toBe('on');
    await createConnections(pool).transaction(async (tx) => {
      const inside = await tx.query("SELECT current_setting('synchronous_commit') AS setting");
      expect(inside.rows[0]).toEqual({ setting: 'off' });
    }, 'BEGIN; SET LOCAL synchronous_commit = off');
    expect(await setting(pool, "SELECT current_setting('synchronous_commit') AS setting")).toBe('on');
  });

  it('a completion whose lease was lost rolls back its pipelined scrub too', async () => {
    const { store, cleanup } = await openTestPostgresStore();
    cleanups.push(cleanup);
    await store.ingest(inboxEvent('evt_redact', { inquiryId: 'inq_x' }));
    await store.ingest(inboxEvent('evt_other', { inquiryId: 'inq_x' }));
    const [stale] = await store.claim({ limit: 1, leaseMs: 1_000, nowMs: T0 });
    expect(stale?.id).toBe('evt_other');
    await store.claim({ limit: 2, leaseMs: 60_000, nowMs: T0 + 1_000 });
    const scrub = { kind: 'scrub', inquiryId: 'inq_x', accountId: null } as const;
    expect(await store.complete(stale!, [scrub], T0 + 1_001)).toBe(false);
    expect((await store.getEvent('evt_redact'))?.payload).toEqual(expect.any(String));
    expect((await store.getEvent('evt_other'))?.payload).toEqual(expect.any(String));
    expect(await store.getEvent('evt_other')).toMatchObject({ status: 'processing' });
  });
});
