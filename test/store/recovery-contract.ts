/**
 * The store behaviour recovery relies on, as one suite every dialect runs against a real database:
 * each event's `source` (webhook or api; the first arrival wins), and the shared reconciliation state —
 * checkpoint, lease, schedule, back-off counters — that lets N instances reconcile one at a time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { inboxEvent, quarantinedBody, T0 } from './store-fixtures.js';

/** Any store: every one keeps the reconciliation state. */
export type RecoveryStore = Store;

/** Opens fresh, migrated, EMPTY stores; with `count` > 1, all share one database (instances). */
export type OpenRecoveryStores = (
  count: number,
) => Promise<{ stores: RecoveryStore[]; cleanup: () => Promise<void> }>;

const MINUTE = 60_000;

/** Registers the recovery contract suite for one store implementation. */
export function describeRecoveryContract(label: string, open: OpenRecoveryStores): void {
  describe(`Store recovery contract: ${label}`, () => {
    let store: RecoveryStore;
    let other: RecoveryStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      const opened = await open(2);
      [store, other] = opened.stores as [RecoveryStore, RecoveryStore];
      cleanup = opened.cleanup;
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('source', () => {
      it('records webhook by default and api when recovered, in the list and the detail', async () => {
        await store.ingest(inboxEvent('evt_hook'));
        await store.ingest(inboxEvent('evt_api', { source: 'api', receivedAtMs: T0 + 1 }));
        const page = await store.listEvents({});
        expect(page.events.map((e) => [e.id, e.source])).toEqual([
          ['evt_api', 'api'],
          ['evt_hook', 'webhook'],
        ]);
        expect((await store.getEvent('evt_api'))?.source).toBe('api');
      });

      it('keeps the first arrival: an event recovered first stays api when the webhook brings it later', async () => {
        expect(await store.ingest(inboxEvent('evt_1', { source: 'api' }))).toBe('stored');
        expect(await other.ingest(inboxEvent('evt_1', { source: 'webhook' }))).toBe('duplicate');
        expect((await store.getEvent('evt_1'))?.source).toBe('api');
      });

      it('records the source of a quarantined body', async () => {
        await store.quarantine({ ...quarantinedBody('{"data":{}}'), source: 'api' });
        const [event] = (await store.listEvents({})).events;
        expect(event).toMatchObject({ status: 'dead', source: 'api' });
      });
    });

    describe('reconciliation state', () => {
      it('starts empty and due at once', async () => {
        expect(await store.getReconcileState()).toEqual({
          checkpointMs: null,
          nextRunAtMs: 0,
          leaseOwner: null,
          leaseExpiresAtMs: null,
          lastStartedAtMs: null,
          lastFinishedAtMs: null,
          lastResult: null,
          lastError: null,
          failures: 0,
          recoveredTotal: 0,
          lastRecovered: null,
        });
      });

      it('gives the lease to one instance at a time; the other gets null', async () => {
        const claimed = await store.claimReconcile('a', MINUTE, T0);
        expect(claimed).toMatchObject({
          leaseOwner: 'a',
          leaseExpiresAtMs: T0 + MINUTE,
          lastStartedAtMs: T0,
        });
        expect(await other.claimReconcile('b', MINUTE, T0 + 1)).toBeNull();
        expect((await other.getReconcileState()).leaseOwner).toBe('a');
      });

      it('hands the lease to exactly one of many concurrent claimers', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).claimReconcile(`i${i}`, MINUTE, T0)),
        );
        expect(results.filter((r) => r !== null)).toHaveLength(1);
      });

      it('takes over an expired lease (a crashed run); renew keeps a live one', async () => {
        await store.claimReconcile('a', MINUTE, T0);
        expect(await store.renewReconcileLease('a', MINUTE, T0 + 50_000)).toBe(true);
        expect(await other.claimReconcile('b', MINUTE, T0 + 60_000)).toBeNull(); // renewed to T0+110s
        expect(await other.claimReconcile('b', MINUTE, T0 + 110_000)).toMatchObject({ leaseOwner: 'b' });
        expect(await store.renewReconcileLease('a', MINUTE, T0 + 110_001)).toBe(false);
      });

      it('records a success: checkpoint, counts, schedule; releases the lease', async () => {
        await store.claimReconcile('a', MINUTE, T0);
        const outcome = {
          ok: true as const,
          checkpointMs: T0 - 5,
          recovered: 3,
          nextRunAtMs: T0 + 5 * MINUTE,
        };
        expect(await store.finishReconcile('a', outcome, T0 + 100)).toBe(true);
        expect(await other.getReconcileState()).toMatchObject({
          checkpointMs: T0 - 5,
          nextRunAtMs: T0 + 5 * MINUTE,
          leaseOwner: null,
          leaseExpiresAtMs: null,
          lastStartedAtMs: T0,
          lastFinishedAtMs: T0 + 100,
          lastResult: 'ok',
          lastError: null,
          failures: 0,
          recoveredTotal: 3,
          lastRecovered: 3,
        });
        // Not due yet, for any instance.
        expect(await other.claimReconcile('b', MINUTE, T0 + 4 * MINUTE)).toBeNull();
        expect(await other.claimReconcile('b', MINUTE, T0 + 5 * MINUTE)).toMatchObject({
          checkpointMs: T0 - 5,
        });
      });

      it('records failures in a row without touching the checkpoint; a success resets them', async () => {
        await store.claimReconcile('a', MINUTE, T0);
        await store.finishReconcile('a', { ok: true, checkpointMs: T0, recovered: 1, nextRunAtMs: T0 }, T0);
        for (let i = 1; i <= 2; i++) {
          await store.claimReconcile('a', MINUTE, T0 + i);
          await store.finishReconcile('a', { ok: false, error: `boom ${i}`, nextRunAtMs: T0 + i }, T0 + i);
        }
        expect(await store.getReconcileState()).toMatchObject({
          checkpointMs: T0,
          lastResult: 'failed',
          lastError: 'boom 2',
          failures: 2,
          recoveredTotal: 1,
          lastRecovered: 1,
        });
        await store.claimReconcile('a', MINUTE, T0 + 10);
        await store.finishReconcile(
          'a',
          { ok: true, checkpointMs: T0 + 10, recovered: 0, nextRunAtMs: T0 },
          T0 + 10,
        );
        expect(await store.getReconcileState()).toMatchObject({
          failures: 0,
          lastResult: 'ok',
          lastError: null,
        });
      });

      it('never moves the checkpoint back', async () => {
        await store.claimReconcile('a', MINUTE, T0);
        await store.finishReconcile('a', { ok: true, checkpointMs: T0, recovered: 0, nextRunAtMs: 0 }, T0);
        await store.claimReconcile('a', MINUTE, T0 + 1);
        await store.finishReconcile(
          'a',
          { ok: true, checkpointMs: T0 - MINUTE, recovered: 0, nextRunAtMs: 0 },
          T0 + 1,
        );
        expect((await store.getReconcileState()).checkpointMs).toBe(T0);
      });

      it('refuses to record a run whose lease was lost', async () => {
        await store.claimReconcile('a', MINUTE, T0);
        await other.claimReconcile('b', MINUTE, T0 + MINUTE);
        const outcome = { ok: true as const, checkpointMs: T0 + 1, recovered: 9, nextRunAtMs: 0 };
        expect(await store.finishReconcile('a', outcome, T0 + MINUTE + 1)).toBe(false);
        expect(await store.getReconcileState()).toMatchObject({
          leaseOwner: 'b',
          checkpointMs: null,
          recoveredTotal: 0,
        });
      });
    });
  });
}
