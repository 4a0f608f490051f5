/**
 * The PostgreSQL store: the shared Store contract, plus what only a shared server can get wrong —
 * concurrent migrations, cross-instance wake-ups, and two instances (two pools) claiming and
 * completing at the same time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InquiryStatusUpdate } from '../../packages/persona-webhooks/src/kyc/projection-update.js';
import { POSTGRES_MIGRATIONS } from '../../packages/persona-webhooks/src/store/postgres/migrations.js';
import {
  createPostgresStore,
  type PostgresStore,
} from '../../packages/persona-webhooks/src/store/postgres/postgres-store.js';
import type { ClaimedEvent } from '../../packages/persona-webhooks/src/store/queue/work-queue.js';
import {
  dropTestSchema,
  openTestPostgresStore,
  postgresReachable,
  testPool,
  testSchemaName,
  withTestPool,
} from '../helpers/postgres.js';
import { describeOutboxContract } from './outbox-contract.js';
import { describeRecoveryContract } from './recovery-contract.js';
import { describeStoreContract } from './store-contract.js';
import { inboxEvent, inquiryUpdate, T0 } from './store-fixtures.js';

const reachable = await postgresReachable();

describe.skipIf(!reachable)('PostgreSQL store', () => {
  describeStoreContract('postgres', () => openTestPostgresStore());
  describeOutboxContract('postgres', () => openTestPostgresStore());
  describeRecoveryContract('postgres', async (count) => {
    // Separate pools on one schema: separate instances sharing a database.
    const schema = testSchemaName();
    const pools = Array.from({ length: count }, () => testPool({ max: 4 }));
    const stores = pools.map((pool) => createPostgresStore({ pool, schema }));
    for (const store of stores) await store.migrate();
    return {
      stores,
      cleanup: async () => {
        await Promise.all(stores.map((store) => store.close()));
        await Promise.all(pools.map((pool) => pool.end()));
        await dropTestSchema(schema);
      },
    };
  });

  const opened: (() => Promise<void>)[] = [];
  /** Opens `count` stores (separate pools: separate "instances") on one fresh schema. */
  const openInstances = async (count: number): Promise<PostgresStore[]> => {
    const schema = testSchemaName();
    const pools = Array.from({ length: count }, () => testPool({ max: 4 }));
    const stores = pools.map((pool) => createPostgresStore({ pool, schema }));
    opened.push(async () => {
      await Promise.all(stores.map((store) => store.close()));
      await Promise.all(pools.map((pool) => pool.end()));
      await dropTestSchema(schema);
    });
    return stores;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((cleanup) => cleanup()));
  });

  it('isolates a row PostgreSQL refuses (a NUL in its id): it alone is event_rejected, 200 concurrent neighbours are stored', async () => {
    const [store] = await openInstances(1);
    await store!.migrate();
    const genuine = Array.from({ length: 200 }, (_, i) => store!.ingest(inboxEvent(`evt_genuine_${i}`)));
    const bad = store!.ingest(inboxEvent('evt_nul_\u0000'));
    const settled = await Promise.allSettled([...genuine, bad]);
    expect(settled.slice(0, 200).every((r) => r.status === 'fulfilled' && r.value === 'stored')).toBe(true);
    expect(settled[200]).toMatchObject({ status: 'rejected', reason: { code: 'event_rejected' } });
    expect((await store!.counts()).pending).toBe(200);
  });

  describe('migrations', () => {
    it('two instances migrating one new schema at once both succeed, and each version applies once', async () => {
      const [a, b] = await openInstances(2);
      await Promise.all([a!.migrate(), b!.migrate()]);
      const versions = await withTestPool((pool) =>
        pool.query(`SELECT version FROM "${a!.schema}".schema_migrations ORDER BY 1`),
      );
      expect(versions.rows.map((row) => row['version'])).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
      expect(await a!.ingest(inboxEvent('evt_a'))).toBe('stored');
    });

    it('compresses stored bodies with lz4 where the server has it, and stores and reads them back', async () => {
      const [store] = await openInstances(1);
      await store!.migrate();
      const { version, method } = await withTestPool(async (pool) => {
        const server = await pool.query("SELECT current_setting('server_version_num')::int AS v");
        const column = await pool.query(
          `SELECT attcompression FROM pg_attribute WHERE attrelid = '"${store!.schema}".events'::regclass AND attname = 'body'`,
        );
        return { version: Number(server.rows[0]['v']), method: column.rows[0]?.['attcompression'] };
      });
      // 'l' is lz4, which PostgreSQL 14+ has when built with it (Debian's 15 on the CI machine is).
      expect(version).toBeGreaterThanOrEqual(140000);
      expect(method).toBe('l');
      const body = new TextEncoder().encode(
        JSON.stringify({ data: { attributes: { text: 'x'.repeat(8_000) } } }),
      );
      expect(await store!.ingest(inboxEvent('evt_big', { body }))).toBe('stored');
      const [claimed] = await store!.claim({ limit: 1, leaseMs: 60_000, nowMs: Date.now() });
      expect(Buffer.compare(Buffer.from(claimed!.body!), Buffer.from(body))).toBe(0);
    });

    it('reports the schema without creating it, and refuses a schema a newer release migrated', async () => {
      const [store] = await openInstances(1);
      const latest = Math.max(...POSTGRES_MIGRATIONS.map((m) => m.version));
      expect(await store!.schemaStatus()).toEqual({ applied: 0, latest });
      const schemas = await withTestPool((pool) =>
        pool.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [store!.schema]),
      );
      expect(schemas.rows).toEqual([]);
      await store!.migrate();
      expect(await store!.schemaStatus()).toEqual({ applied: latest, latest });
      await withTestPool((pool) =>
        pool.query(
          `INSERT INTO "${store!.schema}".schema_migrations (version, name, applied_at_ms) VALUES ($1, 'future', 0)`,
          [latest + 3],
        ),
      );
      await expect(store!.migrate()).rejects.toMatchObject({
        code: 'schema_too_new',
        message: expect.stringContaining(
          `at version ${latest + 3}, but this release of persona-webhooks knows versions up to ${latest}`,
        ),
      });
    });

    it('re-running migrate changes nothing in the catalog or the data', async () => {
      const [store] = await openInstances(1);
      await store!.migrate();
      await store!.ingest(inboxEvent('evt_a'));
      const snapshot = () => catalogSnapshot(store!.schema);
      const before = await snapshot();
      expect(before.tables).toEqual([
        'accounts',
        'app_endpoints',
        'cases',
        'event_attempts',
        'events',
        'inquiries',
        'kyc_decisions',
        'kyc_dirty',
        'kyc_links',
        'kyc_policy',
        'kyc_rebuild',
        'outbox_attempts',
        'outbox_messages',
        'reports',
        'schema_migrations',
        'transactions',
        'verifications',
      ]);
      await store!.migrate();
      await store!.migrate();
      expect(await snapshot()).toEqual(before);
      expect(await store!.counts()).toEqual({ pending: 1, processing: 0, done: 0, dead: 0 });
    });

    it('refuses a schema name that is not a plain lower-case identifier, and a missing pool', async () => {
      const pool = testPool();
      try {
        for (const schema of ['Public', 'a-b', 'x"; DROP TABLE y; --', '1abc', '']) {
          expect(() => createPostgresStore({ pool, schema })).toThrow(TypeError);
        }
        expect(() => createPostgresStore({ pool: undefined as never })).toThrow(/needs a pool/);
      } finally {
        await pool.end();
      }
    });
  });

  describe('across instances', () => {
    it('NOTIFY wakes the workers of another instance', async () => {
      const [writer, reader] = await openInstances(2);
      await writer!.migrate();
      let calls = 0;
      reader!.onEventsAvailable(() => {
        calls++;
      });
      // The first call is LISTEN being established: from here on only a notification can wake it.
      await expect.poll(() => calls, { timeout: 5_000 }).toBeGreaterThan(0);
      const baseline = calls;
      await writer!.ingest(inboxEvent('evt_a'));
      await expect.poll(() => calls, { timeout: 5_000 }).toBeGreaterThan(baseline);
      // Duplicates store nothing, so they wake nobody.
      const afterStored = calls;
      await writer!.ingest(inboxEvent('evt_a'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(calls).toBe(afterStored);
    });

    it('LISTEN comes back on a new connection after the server terminates the one it held', async () => {
      const [writer, reader] = await openInstances(2);
      await writer!.migrate();
      let calls = 0;
      reader!.onEventsAvailable(() => {
        calls++;
      });
      await expect.poll(() => calls, { timeout: 5_000 }).toBeGreaterThan(0);
      const listenQuery = `LISTEN "${reader!.schema}_events_available"`;
      const listening = async () =>
        (
          await withTestPool((pool) =>
            pool.query('SELECT pid FROM pg_stat_activity WHERE query = $1', [listenQuery]),
          )
        ).rows.map((row) => row['pid']);
      const [pid] = await listening();
      expect(pid).toBeDefined();
      const beforeKill = calls;
      // 57P01 on an idle, checked-out client: pg emits `error` on it, which must not crash the process.
      await withTestPool((pool) => pool.query('SELECT pg_terminate_backend($1::int)', [pid]));
      // Re-established (listeners fire once LISTEN is back), on another backend.
      await expect.poll(() => calls, { timeout: 5_000 }).toBeGreaterThan(beforeKill);
      await expect
        .poll(
          async () => {
            const now = await listening();
            return now.length === 1 && now[0] !== pid;
          },
          { timeout: 5_000 },
        )
        .toBe(true);
      const baseline = calls;
      await writer!.ingest(inboxEvent('evt_after_kill'));
      await expect.poll(() => calls, { timeout: 5_000 }).toBeGreaterThan(baseline);
    });

    it('two instances claiming at once never hand out the same event', async () => {
      const [a, b] = await openInstances(2);
      await a!.migrate();
      const ids = Array.from({ length: 300 }, (_, i) => `evt_${String(i).padStart(4, '0')}`);
      await Promise.all(ids.map((id, i) => a!.ingest(inboxEvent(id, { createdAtMs: T0 + i }))));
      const claimAll = async (store: PostgresStore): Promise<string[]> => {
        const got: string[] = [];
        for (;;) {
          const batch = await Promise.all(
            Array.from({ length: 3 }, () => store.claim({ limit: 7, leaseMs: 60_000, nowMs: T0 + 10_000 })),
          );
          const flat = batch.flat();
          if (flat.length === 0) return got;
          got.push(...flat.map((claim) => claim.id));
        }
      };
      const [fromA, fromB] = await Promise.all([claimAll(a!), claimAll(b!)]);
      const all = [...fromA, ...fromB];
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual(ids);
      expect(fromA.length).toBeGreaterThan(0);
      expect(fromB.length).toBeGreaterThan(0);
    });

    it('concurrent completes of one inquiry from two instances: the newest created-at wins', async () => {
      const [a, b] = await openInstances(2);
      await a!.migrate();
      const rounds = 8;
      const perInquiry = 12;
      for (let round = 0; round < rounds; round++) {
        const inquiryId = `inq_race_${round}`;
        // Event k is created at T0 + k s; the newest (k = perInquiry - 1) must win whatever the interleaving.
        const events = Array.from({ length: perInquiry }, (_, k) =>
          inboxEvent(`evt_r${round}_${String(k).padStart(2, '0')}`, {
            createdAtMs: T0 + k * 1_000,
            inquiryId,
          }),
        );
        await Promise.all(events.map((event) => a!.ingest(event)));
        const claims = new Map<string, { store: PostgresStore; claim: ClaimedEvent }>();
        for (const store of [a!, b!, a!, b!]) {
          for (const claim of await store.claim({
            limit: perInquiry / 4,
            leaseMs: 60_000,
            nowMs: T0 + 100_000,
          })) {
            claims.set(claim.id, { store, claim });
          }
        }
        expect(claims.size).toBe(perInquiry);
        const update = (claim: ClaimedEvent): InquiryStatusUpdate =>
          inquiryUpdate({
            inquiryId,
            eventId: claim.id,
            status: `status_${claim.id}`,
            statusAtMs: claim.createdAtMs,
          });
        // Completions in a shuffled order, all in flight at once, half through each pool.
        const shuffled = [...claims.values()].sort(() => Math.random() - 0.5);
        const results = await Promise.all(
          shuffled.map(({ store, claim }) => store.complete(claim, [update(claim)], T0 + 100_000)),
        );
        expect(results.every(Boolean)).toBe(true);
        const newest = events.at(-1)!;
        expect(await b!.getInquiry(inquiryId)).toMatchObject({
          status: `status_${newest.id}`,
          statusAtMs: newest.createdAtMs,
        });
      }
      expect(await a!.counts()).toEqual({ pending: 0, processing: 0, done: rounds * perInquiry, dead: 0 });
    });
  });

  describe('group commit', () => {
    it('writes concurrent ingests in far fewer INSERTs than events', async () => {
      const { store, cleanup } = await openTestPostgresStore();
      opened.push(cleanup);
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) => store.ingest(inboxEvent(`evt_${i % 150}`))),
      );
      expect(outcomes.filter((o) => o === 'stored')).toHaveLength(150);
      const stats = store.writeStats();
      expect(stats.batches).toBeLessThan(20);
      expect((await store.counts()).pending).toBe(150);
    });

    it('returns bigint columns as JS numbers from a default pg pool, which hands int8 over as strings', async () => {
      const { store, pool, schema, cleanup } = await openTestPostgresStore();
      opened.push(cleanup);
      const receivedAtMs = T0 + 123;
      await store.ingest(inboxEvent('evt_a', { receivedAtMs }));
      // What the store gets from the driver: without its own conversion these would leak out as text.
      const raw = await pool.query(`SELECT received_at_ms, count(*) AS n FROM "${schema}".events GROUP BY 1`);
      expect(raw.rows[0]).toEqual({ received_at_ms: String(receivedAtMs), n: '1' });
      const detail = await store.getEvent('evt_a');
      expect(detail?.receivedAtMs).toBe(receivedAtMs);
      expect(typeof detail?.runAtMs).toBe('number');
      expect((await store.counts()).pending).toBe(1);
      const [claim] = await store.claim({ limit: 1, leaseMs: 1_000, nowMs: T0 + 10_000 });
      expect(claim?.createdAtMs).toBe(inboxEvent('evt_a').createdAtMs);
    });
  });
});

/** Tables, columns, indexes and constraints of a schema, plus its migration log: what migrate could change. */
async function catalogSnapshot(schema: string) {
  return withTestPool(async (pool) => {
    const select = async (text: string, values: unknown[] = []) => (await pool.query(text, values)).rows;
    const tables = await select(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [schema],
    );
    const columns = await select(
      `SELECT table_name, column_name, data_type, is_nullable, column_default
      FROM information_schema.columns WHERE table_schema = $1 ORDER BY 1, 2`,
      [schema],
    );
    const indexes = await select(
      'SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1',
      [schema],
    );
    const constraints = await select(
      `SELECT conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
      JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1 ORDER BY 1`,
      [schema],
    );
    const migrations = await select(
      `SELECT version, name, applied_at_ms FROM "${schema}".schema_migrations ORDER BY 1`,
    );
    return {
      tables: tables.map((row) => String(row['table_name'])),
      columns,
      indexes,
      constraints,
      migrations,
    };
  });
}
