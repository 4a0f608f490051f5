/**
 * The store behaviour recovery relies on, as one suite every dialect runs against a real database:
 * each event's `source` (webhook or api; the first arrival wins). The shared reconciliation state
 * (checkpoint, lease, schedule, back-off counters) is the service's now: see
 * `test/server/service-state/service-state-contract.ts`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { inboxEvent, quarantinedBody, T0 } from './store-fixtures.js';

/** Any store: every one records each event's source. */
export type RecoveryStore = Store;

/** Opens fresh, migrated, EMPTY stores; with `count` > 1, all share one database (instances). */
export type OpenRecoveryStores = (
  count: number,
) => Promise<{ stores: RecoveryStore[]; cleanup: () => Promise<void> }>;

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
  });
}
