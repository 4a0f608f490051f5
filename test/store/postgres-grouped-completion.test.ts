/**
 * Grouped completions on a real PostgreSQL server: completions that arrive together share one
 * statement, two events upserting one inquiry are kept in separate statements (PostgreSQL refuses a
 * row changed twice by one ON CONFLICT DO UPDATE statement), a lost lease or a refused value costs
 * that event only.
 */
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProjectionUpdate } from '../../packages/persona-webhooks/src/kyc/projection-update.js';
import type { PostgresPool } from '../../packages/persona-webhooks/src/store/postgres/driver.js';
import {
  createPostgresStore,
  type PostgresStore,
} from '../../packages/persona-webhooks/src/store/postgres/postgres-store.js';
import type { ClaimedEvent } from '../../packages/persona-webhooks/src/store/queue/work-queue.js';
import { dropTestSchema, postgresReachable, testPool, testSchemaName } from '../helpers/postgres.js';
import { inboxEvent, inquiryUpdate, T0 } from './store-fixtures.js';

const reachable = await postgresReachable();

/** The pool, counting the completion statements sent through its clients and their distinct texts. */
function countingPool(pool: pg.Pool): {
  pool: PostgresPool;
  completions: () => number;
  texts: Set<string>;
} {
  let completions = 0;
  const texts = new Set<string>();
  const wrapped: PostgresPool = {
    query: (text, values) => pool.query(text, values),
    connect: async () => {
      const client = await pool.connect();
      return new Proxy(client, {
        get(target, property) {
          if (property === 'query') {
            return (text: string, values?: unknown[]) => {
              if (/\bmarked(_\d+)? AS \(/.test(text)) {
                completions++;
                texts.add(text);
              }
              return target.query(text, values);
            };
          }
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
  return { pool: wrapped, completions: () => completions, texts };
}

/** How many users have a decision. */
async function decided(store: PostgresStore): Promise<number> {
  return Object.values(await store.countDecisions()).reduce((sum, n) => sum + n, 0);
}

describe.skipIf(!reachable)('PostgreSQL grouped completions', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  const open = async (): Promise<{ store: PostgresStore; completions: () => number; texts: Set<string> }> => {
    const schema = testSchemaName();
    const pool = testPool();
    const counting = countingPool(pool);
    const store = createPostgresStore({ pool: counting.pool, schema });
    cleanups.push(async () => {
      await store.close();
      await pool.end();
      await dropTestSchema(schema);
    });
    await store.migrate();
    return { store, completions: counting.completions, texts: counting.texts };
  };

  /** Ingests one event per inquiry id (created a second apart, in order) and claims them all. */
  const claimAll = async (store: PostgresStore, inquiryIds: string[], leaseMs = 60_000) => {
    for (const [i, inquiryId] of inquiryIds.entries()) {
      const createdAtMs = T0 + i * 1_000;
      await store.ingest(inboxEvent(`evt_${i}`, { inquiryId, objectId: inquiryId, createdAtMs }));
    }
    const claimed = await store.claim({ limit: 100, leaseMs, nowMs: T0 });
    expect(claimed).toHaveLength(inquiryIds.length);
    return claimed;
  };

  /** The update each event applies: its inquiry, at its created-at, with `status`. */
  const update = (claim: ClaimedEvent, inquiryId: string, status: string): ProjectionUpdate[] => [
    inquiryUpdate({
      eventId: claim.id,
      inquiryId,
      referenceId: `user_${inquiryId}`,
      status,
      statusAtMs: claim.createdAtMs,
    }),
  ];

  // The rows travel as PostgreSQL array literals: values with their special characters must round-trip.
  const statusOf = (i: number) =>
    i === 3 ? 'a "quoted", {braced} \\ NULL' : i === 4 ? 'NULL' : `status_${i}`;

  it('commits concurrent completions in fewer statements than events, each with its facts', async () => {
    const { store, completions } = await open();
    const ids = Array.from({ length: 12 }, (_, i) => `inq_${i}`);
    const claimed = await claimAll(store, ids);
    const results = await Promise.all(
      claimed.map((claim, i) => store.complete(claim, update(claim, ids[i]!, statusOf(i)), T0 + 100)),
    );
    expect(results).toEqual(claimed.map(() => true));
    expect(completions()).toBeLessThan(claimed.length);
    expect(completions()).toBe(1);
    for (const [i, inquiryId] of ids.entries()) {
      expect(await store.getInquiry(inquiryId)).toMatchObject({
        status: statusOf(i),
        referenceId: `user_${inquiryId}`,
      });
      expect(await store.getEvent(`evt_${i}`)).toMatchObject({ status: 'done' });
    }
    // Their users' marks were written and decided.
    expect(await decided(store)).toBe(ids.length);
  });

  it('keeps two events of one inquiry in separate statements; both complete and the newest wins', async () => {
    const { store, completions, texts } = await open();
    const claimed = await claimAll(store, ['inq_a', 'inq_a', 'inq_b']);
    const [older, newer, other] = claimed as [ClaimedEvent, ClaimedEvent, ClaimedEvent];
    // The newer event first: the order of the statements must not matter to the facts.
    const results = await Promise.all([
      store.complete(newer, update(newer, 'inq_a', 'approved'), T0 + 100),
      store.complete(older, update(older, 'inq_a', 'created'), T0 + 100),
      store.complete(other, update(other, 'inq_b', 'completed'), T0 + 100),
    ]);
    expect(results).toEqual([true, true, true]);
    expect(completions()).toBe(2);
    // A group of two and a group of one are one SQL text: PostgreSQL plans it the same whatever the group.
    expect(texts.size).toBe(1);
    expect(await store.getInquiry('inq_a')).toMatchObject({
      status: 'approved',
      statusAtMs: newer.createdAtMs,
    });
    expect(await store.getInquiry('inq_b')).toMatchObject({ status: 'completed' });
    expect((await store.counts()).done).toBe(3);
  });

  it('completes 40 concurrent events over 5 inquiries of 2 users: each inquiry ends at its newest event', async () => {
    const { store, completions } = await open();
    const ids = Array.from({ length: 40 }, (_, i) => `inq_${(i * 7) % 5}`);
    const claimed = await claimAll(store, ids);
    // Two users, so events of different inquiries share a user's mark too.
    const updates = claimed.map((claim, i) => [
      inquiryUpdate({
        eventId: claim.id,
        inquiryId: ids[i]!,
        referenceId: `user_${Number(ids[i]!.slice(4)) % 2}`,
        status: `status_${i}`,
        statusAtMs: claim.createdAtMs,
      }),
    ]);
    const order = claimed.map((_, i) => i).sort((a, b) => ((a * 13) % 40) - ((b * 13) % 40));
    const results = await Promise.all(order.map((i) => store.complete(claimed[i]!, updates[i]!, T0 + 100)));
    expect(results.every(Boolean)).toBe(true);
    expect(completions()).toBeLessThan(claimed.length);
    for (let inquiry = 0; inquiry < 5; inquiry++) {
      const newest = ids.lastIndexOf(`inq_${inquiry}`);
      expect(await store.getInquiry(`inq_${inquiry}`)).toMatchObject({ status: `status_${newest}` });
    }
    expect((await store.counts()).done).toBe(40);
    expect(await decided(store)).toBe(2);
  });

  it('folds verifications, transactions and links of several events into one statement', async () => {
    const { store, completions } = await open();
    const [first, second] = (await claimAll(store, ['inq_v', 'inq_t'])) as [ClaimedEvent, ClaimedEvent];
    const results = await Promise.all([
      store.complete(
        first,
        [
          ...update(first, 'inq_v', 'approved'),
          {
            kind: 'verification',
            verificationId: 'ver_1',
            inquiryId: 'inq_v',
            verificationType: 'verification/government-id',
            status: 'passed',
            statusAtMs: first.createdAtMs,
            eventId: first.id,
          },
        ],
        T0 + 100,
      ),
      store.complete(
        second,
        [
          {
            kind: 'transaction',
            transactionId: 'txn_1',
            referenceId: 'user_txn',
            status: 'approved',
            statusAtMs: second.createdAtMs,
            eventId: second.id,
            transactionCreatedAtMs: second.createdAtMs,
            redactedAtMs: null,
          },
          {
            kind: 'links',
            objectId: 'txn_1',
            objectKind: 'transaction',
            related: [{ id: 'inq_t', kind: 'inquiry' }],
          },
          ...update(second, 'inq_t', 'completed'),
        ],
        T0 + 100,
      ),
    ]);
    expect(results).toEqual([true, true]);
    expect(completions()).toBe(1);
    expect(await store.getVerification('ver_1')).toMatchObject({ inquiryId: 'inq_v', status: 'passed' });
    const facts = await store.getKycFacts('user_txn');
    expect(facts.transactions).toMatchObject([{ transactionId: 'txn_1', status: 'approved' }]);
    // The inquiry is the user's through the transaction's link, stored by the same statement.
    expect(facts.inquiries.map((inquiry) => inquiry.inquiryId)).toEqual(['inq_t']);
  });

  it('reports a lost lease in a group for that event only; the others complete', async () => {
    const { store, completions } = await open();
    const ids = ['inq_0', 'inq_1', 'inq_2'];
    const stale = await claimAll(store, ids, 1_000);
    // The oldest event's lease expires and another worker claims it.
    const [reclaimed] = await store.claim({ limit: 1, leaseMs: 60_000, nowMs: T0 + 1_000 });
    expect(reclaimed?.id).toBe('evt_0');
    const results = await Promise.all(
      stale.map((claim, i) => store.complete(claim, update(claim, ids[i]!, 'approved'), T0 + 1_001)),
    );
    expect(results).toEqual([false, true, true]);
    expect(completions()).toBe(1);
    expect(await store.getInquiry('inq_0')).toBeNull();
    expect(await store.getEvent('evt_0')).toMatchObject({ status: 'processing' });
    expect(await store.getInquiry('inq_1')).toMatchObject({ status: 'approved' });
    expect(await store.getInquiry('inq_2')).toMatchObject({ status: 'approved' });
    expect(await decided(store)).toEqual(2);
  });

  it('fails an event whose value the database refuses alone; its neighbours complete', async () => {
    const { store, completions } = await open();
    const ids = ['inq_0', 'inq_1', 'inq_2'];
    const claimed = await claimAll(store, ids);
    const results = await Promise.allSettled(
      // A NUL character: PostgreSQL's text refuses it (22021), so the statement holding it fails.
      claimed.map((claim, i) =>
        store.complete(claim, update(claim, ids[i]!, i === 1 ? 'bad\u0000' : 'approved'), T0 + 100),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[1]).toMatchObject({ reason: { code: '22021' } });
    // The group, then each event alone.
    expect(completions()).toBe(4);
    expect(await store.getInquiry('inq_0')).toMatchObject({ status: 'approved' });
    expect(await store.getInquiry('inq_1')).toBeNull();
    expect(await store.getEvent('evt_1')).toMatchObject({ status: 'processing' });
    expect(await store.getInquiry('inq_2')).toMatchObject({ status: 'approved' });
  });
});
