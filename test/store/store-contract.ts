/**
 * The behaviour every Store must have, as one Vitest suite any dialect runs against a real database.
 * Only the `Store` interface is used, so SQLite and PostgreSQL prove the same thing.
 *
 * @example
 * describeStoreContract('sqlite', async () => {
 *   const store = createSqliteFileStore(join(dir, 'db.sqlite'));
 *   await store.migrate();
 *   return { store, cleanup: () => store.close() };
 * });
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  InquiryStatusUpdate,
  VerificationStatusUpdate,
} from '../../packages/persona-webhooks/src/kyc/projection-update.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { ingestBuilt } from '../worker/temp-store.js';
import {
  applyUpdates,
  claimOne,
  inboxEvent,
  inquiryUpdate,
  permutations,
  quarantinedBody,
  T0,
} from './store-fixtures.js';

/** Opens a fresh, migrated, EMPTY store; `cleanup` closes it (tolerating an already-closed store). */
export type OpenStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const decoder = new TextDecoder();

/** Registers the contract suite for one store implementation. */
export function describeStoreContract(label: string, open: OpenStore): void {
  describe(`Store contract: ${label}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('ingest and quarantine', () => {
      it('stores a new event once and reports redeliveries as duplicates', async () => {
        const event = inboxEvent('evt_a');
        expect(await store.ingest(event)).toBe('stored');
        expect(await store.ingest(event)).toBe('duplicate');
        const stored = await store.getEvent('evt_a');
        expect(stored).toMatchObject({
          id: 'evt_a',
          name: 'inquiry.approved',
          status: 'pending',
          attempts: 0,
        });
        expect(stored?.payload).toBe(decoder.decode(event.body));
        expect(await store.counts()).toEqual({ pending: 1, processing: 0, done: 0, dead: 0 });
      });

      it('stores exactly one of 50 concurrent ingests of the same id, and the first one wins', async () => {
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.ingest(inboxEvent('evt_same', { body: new TextEncoder().encode(`{"copy":${i}}`) })),
          ),
        );
        expect(outcomes.filter((o) => o === 'stored')).toHaveLength(1);
        expect(outcomes[0]).toBe('stored');
        expect((await store.getEvent('evt_same'))?.payload).toBe('{"copy":0}');
      });

      it('keeps the exact bytes, floats and all', async () => {
        const text = '{"data":{"id":"evt_f","attributes":{"completion-time":40.172463903000}}}';
        await store.ingest(inboxEvent('evt_f', { body: new TextEncoder().encode(text) }));
        const [claim] = await store.claim({ limit: 1, leaseMs: 1_000, nowMs: T0 });
        expect(decoder.decode(claim?.body ?? new Uint8Array())).toBe(text);
      });

      it('quarantines a malformed body as dead, deduplicated by its SHA-256', async () => {
        const body = quarantinedBody('{"not":"an event"}');
        expect(await store.quarantine(body)).toBe('stored');
        expect(await store.quarantine(body)).toBe('duplicate');
        expect(await store.quarantine(quarantinedBody('{"other":1}'))).toBe('stored');
        const row = await store.getEvent(`malformed_${body.sha256}`);
        expect(row).toMatchObject({ status: 'dead', name: 'malformed', lastError: body.reason });
        expect(row?.payload).toBe('{"not":"an event"}');
        expect(await store.counts()).toEqual({ pending: 0, processing: 0, done: 0, dead: 2 });
        expect(await store.claim({ limit: 10, leaseMs: 1_000, nowMs: T0 + 1e9 })).toEqual([]);
      });
    });

    describe('claim and leases', () => {
      it('claims oldest created-at first, ties broken by event id, up to the limit', async () => {
        await store.ingest(inboxEvent('evt_3', { createdAtMs: T0 - 1_000 }));
        await store.ingest(inboxEvent('evt_1', { createdAtMs: T0 - 3_000 }));
        await store.ingest(inboxEvent('evt_2b', { createdAtMs: T0 - 2_000 }));
        await store.ingest(inboxEvent('evt_2a', { createdAtMs: T0 - 2_000 }));
        const first = await store.claim({ limit: 3, leaseMs: 1_000, nowMs: T0 });
        expect(first.map((c) => c.id)).toEqual(['evt_1', 'evt_2a', 'evt_2b']);
        expect(first[0]).toMatchObject({ name: 'inquiry.approved', createdAtMs: T0 - 3_000, attempt: 1 });
        expect((await store.claim({ limit: 3, leaseMs: 1_000, nowMs: T0 })).map((c) => c.id)).toEqual([
          'evt_3',
        ]);
        expect(await store.counts()).toMatchObject({ pending: 0, processing: 4 });
      });

      it('does not hand out a leased event again until its lease expires', async () => {
        await store.ingest(inboxEvent('evt_a'));
        const first = await claimOne(store, T0, 30_000);
        expect(await store.claim({ limit: 10, leaseMs: 30_000, nowMs: T0 + 29_999 })).toEqual([]);
        const second = await claimOne(store, T0 + 30_000, 30_000);
        expect(second).toMatchObject({ id: 'evt_a', attempt: 2 });
        expect(second.leaseToken).not.toBe(first.leaseToken);
        expect(await store.complete(first, [], T0 + 30_001)).toBe(false);
        expect(await store.fail(first, 'late', null, T0 + 30_001)).toBe(false);
        expect((await store.getEvent('evt_a'))?.status).toBe('processing');
        expect(await store.complete(second, [], T0 + 30_002)).toBe(true);
        expect(await store.complete(second, [], T0 + 30_003)).toBe(false);
        const detail = await store.getEvent('evt_a');
        expect(detail).toMatchObject({ status: 'done', attempts: 2 });
        expect(detail?.attemptLog.map((a) => [a.attempt, a.outcome])).toEqual([
          [1, 'retry'],
          [2, 'done'],
        ]);
      });

      it('gives concurrent claimers disjoint events', async () => {
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.ingest(inboxEvent(`evt_${i}`))));
        const batches = await Promise.all(
          Array.from({ length: 5 }, () => store.claim({ limit: 6, leaseMs: 60_000, nowMs: T0 })),
        );
        const ids = batches.flat().map((c) => c.id);
        expect(ids).toHaveLength(20);
        expect(new Set(ids).size).toBe(20);
      });

      it('a stale lease cannot complete, and changes nothing when it tries', async () => {
        await store.ingest(inboxEvent('evt_a'));
        const claim = await claimOne(store, T0);
        const forged = { ...claim, leaseToken: 'not-the-lease' };
        expect(
          await store.complete(forged, [inquiryUpdate({ eventId: 'evt_a', status: 'approved' })], T0),
        ).toBe(false);
        expect(await store.getInquiry('inq_1')).toBeNull();
        expect((await store.getEvent('evt_a'))?.status).toBe('processing');
      });
    });

    describe('complete: the KYC projection, newest created-at wins', () => {
      const t = (s: number) => T0 + s * 1_000;
      const history: InquiryStatusUpdate[] = [
        inquiryUpdate({ eventId: 'evt_01', status: 'created', statusAtMs: t(1), inquiryCreatedAtMs: t(0) }),
        inquiryUpdate({ eventId: 'evt_02', status: 'completed', statusAtMs: t(2), referenceId: 'user_1' }),
        inquiryUpdate({ eventId: 'evt_03a', status: 'approved', statusAtMs: t(3), accountId: 'act_1' }),
        // Same created-at: the greater event id wins.
        inquiryUpdate({ eventId: 'evt_03b', status: 'declined', statusAtMs: t(3) }),
        // Newest, but carries no status: it must not blank the status; its redaction sticks.
        inquiryUpdate({ eventId: 'evt_05', status: null, statusAtMs: t(5), redactedAtMs: t(5) }),
      ];

      it('reaches the same inquiry state in every processing order', async () => {
        const orders = permutations(history);
        for (const [i, order] of orders.entries()) {
          const inquiryId = `inq_order_${i}`;
          for (const update of order) {
            expect(await applyUpdates(store, [{ ...update, inquiryId }], t(10))).toBe(true);
          }
          expect(await store.getInquiry(inquiryId)).toEqual({
            inquiryId,
            referenceId: 'user_1',
            accountId: 'act_1',
            status: 'declined',
            statusAtMs: t(3),
            inquiryCreatedAtMs: t(0),
            redactedAtMs: t(5),
            updatedAtMs: t(10),
          });
        }
      });

      it('applies several updates in one completion, and the same order-independence holds within it', async () => {
        expect(await applyUpdates(store, [...history].reverse(), t(10))).toBe(true);
        expect(await store.getInquiry('inq_1')).toMatchObject({ status: 'declined', redactedAtMs: t(5) });
      });

      it('never clears known facts and only bumps updatedAt when something changed', async () => {
        await applyUpdates(store, [history[1]!, history[4]!], t(10));
        expect(await store.getInquiry('inq_1')).toMatchObject({ status: 'completed', updatedAtMs: t(10) });
        // Older, and with nothing new: no change at all.
        await applyUpdates(
          store,
          [inquiryUpdate({ eventId: 'evt_00', status: 'created', statusAtMs: t(0) })],
          t(20),
        );
        expect(await store.getInquiry('inq_1')).toMatchObject({
          status: 'completed',
          referenceId: 'user_1',
          redactedAtMs: t(5),
          updatedAtMs: t(10),
        });
        // Newer, with a different reference id and a later redaction: status moves, the rest stays.
        await applyUpdates(
          store,
          [
            inquiryUpdate({
              eventId: 'evt_09',
              status: 'approved',
              statusAtMs: t(9),
              referenceId: 'user_2',
              redactedAtMs: t(9),
            }),
          ],
          t(30),
        );
        expect(await store.getInquiry('inq_1')).toMatchObject({
          status: 'approved',
          statusAtMs: t(9),
          referenceId: 'user_1',
          redactedAtMs: t(5),
          updatedAtMs: t(30),
        });
      });

      it('keeps verifications newest-wins too', async () => {
        const v = (eventId: string, status: string | null, s: number): VerificationStatusUpdate => ({
          kind: 'verification',
          verificationId: 'ver_1',
          inquiryId: 'inq_1',
          verificationType: 'verification/government-id',
          status,
          statusAtMs: t(s),
          eventId,
        });
        for (const order of permutations([
          v('evt_1', 'submitted', 1),
          v('evt_2', 'passed', 2),
          v('evt_3', null, 3),
        ])) {
          for (const update of order)
            await applyUpdates(store, [
              { ...update, verificationId: `ver_${order.map((u) => u.eventId).join('')}` },
            ]);
        }
        for (const order of permutations(['evt_1', 'evt_2', 'evt_3'])) {
          expect(await store.getVerification(`ver_${order.join('')}`)).toEqual({
            verificationId: `ver_${order.join('')}`,
            inquiryId: 'inq_1',
            verificationType: 'verification/government-id',
            status: 'passed',
            statusAtMs: t(2),
          });
        }
        expect(await store.getVerification('ver_unknown')).toBeNull();
      });

      it('rolls back the updates when the lease was lost', async () => {
        await store.ingest(inboxEvent('evt_a'));
        const stale = await claimOne(store, T0, 1_000);
        await claimOne(store, T0 + 1_000, 1_000);
        expect(await store.complete(stale, [history[0]!], T0 + 1_001)).toBe(false);
        expect(await store.getInquiry('inq_1')).toBeNull();
      });

      it('scrubs stored bodies by inquiry and by account, nothing else', async () => {
        await store.ingest(inboxEvent('evt_i1', { inquiryId: 'inq_x' }));
        await store.ingest(inboxEvent('evt_i2', { inquiryId: 'inq_x', accountId: 'act_y' }));
        await store.ingest(inboxEvent('evt_a1', { inquiryId: null, accountId: 'act_y' }));
        await store.ingest(inboxEvent('evt_other', { inquiryId: 'inq_z', accountId: 'act_z' }));
        const claims = await store.claim({ limit: 10, leaseMs: 60_000, nowMs: T0 });
        const byId = new Map(claims.map((c) => [c.id, c]));
        expect(
          await store.complete(
            byId.get('evt_i1')!,
            [{ kind: 'scrub', inquiryId: 'inq_x', accountId: null }],
            T0,
          ),
        ).toBe(true);
        const payloads = async () =>
          Object.fromEntries(
            await Promise.all(
              ['evt_i1', 'evt_i2', 'evt_a1', 'evt_other'].map(async (id) => [
                id,
                (await store.getEvent(id))?.payload ?? null,
              ]),
            ),
          );
        expect(await payloads()).toMatchObject({
          evt_i1: null,
          evt_i2: null,
          evt_a1: expect.any(String),
          evt_other: expect.any(String),
        });
        expect(
          await store.complete(
            byId.get('evt_a1')!,
            [{ kind: 'scrub', inquiryId: null, accountId: 'act_y' }],
            T0,
          ),
        ).toBe(true);
        expect(await payloads()).toMatchObject({ evt_a1: null, evt_other: expect.any(String) });
        expect(await store.getEvent('evt_i1')).toMatchObject({ status: 'done' });
      });
    });

    describe('fail, replay and retention', () => {
      it('retries at the given time, then goes dead, recording each attempt', async () => {
        await store.ingest(inboxEvent('evt_a'));
        const first = await claimOne(store, T0);
        expect(await store.fail(first, 'handler threw', T0 + 5_000, T0 + 10)).toBe(true);
        expect(await store.getEvent('evt_a')).toMatchObject({
          status: 'pending',
          lastError: 'handler threw',
          runAtMs: T0 + 5_000,
        });
        expect(await store.claim({ limit: 10, leaseMs: 60_000, nowMs: T0 + 4_999 })).toEqual([]);
        const second = await claimOne(store, T0 + 5_000);
        expect(second.attempt).toBe(2);
        expect(await store.fail(second, 'x'.repeat(5_000), null, T0 + 5_010)).toBe(true);
        const dead = await store.getEvent('evt_a');
        expect(dead).toMatchObject({ status: 'dead', attempts: 2 });
        expect(dead?.lastError).toHaveLength(2_000);
        expect(dead?.attemptLog).toEqual([
          { attempt: 1, startedAtMs: T0, finishedAtMs: T0 + 10, outcome: 'retry', error: 'handler threw' },
          {
            attempt: 2,
            startedAtMs: T0 + 5_000,
            finishedAtMs: T0 + 5_010,
            outcome: 'dead',
            error: 'x'.repeat(2_000),
          },
        ]);
        expect(await store.claim({ limit: 10, leaseMs: 60_000, nowMs: T0 + 1e9 })).toEqual([]);
        expect(await store.counts()).toEqual({ pending: 0, processing: 0, done: 0, dead: 1 });
      });

      it('replays a done or dead event with a fresh attempt count, and says why it did not otherwise', async () => {
        await store.ingest(inboxEvent('evt_a'));
        expect(await store.replay('evt_a', T0)).toBe('already_queued'); // pending
        const claim = await claimOne(store, T0);
        expect(await store.replay('evt_a', T0)).toBe('already_queued'); // processing
        await store.fail(claim, 'boom', null, T0);
        expect(await store.replay('evt_a', T0 + 100)).toBe('replayed');
        expect(await store.getEvent('evt_a')).toMatchObject({
          status: 'pending',
          attempts: 0,
          runAtMs: T0 + 100,
        });
        const again = await claimOne(store, T0 + 100);
        expect(again.attempt).toBe(1);
        await store.complete(again, [], T0 + 200);
        expect(await store.replay('evt_a', T0 + 300)).toBe('replayed');
        expect((await store.getEvent('evt_a'))?.attemptLog).toHaveLength(2);
        expect(await store.replay('evt_unknown', T0)).toBe('not_found');
      });

      it('replays dead events in bulk by received time and name, skipping quarantined bodies', async () => {
        const kill = async (id: string, name: string, receivedAtMs: number) => {
          await store.ingest(inboxEvent(id, { name, receivedAtMs, createdAtMs: receivedAtMs }));
          await store.fail(await claimOne(store, T0 + 1e6), 'boom', null, T0 + 1e6);
        };
        await kill('evt_old', 'inquiry.approved', T0);
        await kill('evt_new_a', 'inquiry.approved', T0 + 1_000);
        await kill('evt_new_b', 'inquiry.declined', T0 + 2_000);
        await store.quarantine(quarantinedBody('garbage', T0 + 3_000));
        expect(await store.replayDead({ sinceMs: T0 + 1_000, name: 'inquiry.approved' }, T0 + 2e6)).toBe(1);
        expect((await store.getEvent('evt_new_a'))?.status).toBe('pending');
        expect(await store.replayDead({ sinceMs: T0 + 1_000 }, T0 + 2e6)).toBe(1);
        expect(await store.replayDead({}, T0 + 2e6)).toBe(1);
        expect(await store.replayDead({}, T0 + 2e6)).toBe(0);
        expect(await store.counts()).toEqual({ pending: 3, processing: 0, done: 0, dead: 1 });
      });

      it('purges old bodies but keeps ids, so redeliveries stay duplicates', async () => {
        await store.ingest(inboxEvent('evt_old', { receivedAtMs: T0 }));
        await store.ingest(inboxEvent('evt_new', { receivedAtMs: T0 + 1_000 }));
        expect(await store.purgeBodies(T0 + 1_000)).toBe(1);
        expect(await store.purgeBodies(T0 + 1_000)).toBe(0);
        expect((await store.getEvent('evt_old'))?.payload).toBeNull();
        expect((await store.getEvent('evt_new'))?.payload).not.toBeNull();
        expect(await store.ingest(inboxEvent('evt_old'))).toBe('duplicate');
        const claims = await store.claim({ limit: 10, leaseMs: 1_000, nowMs: T0 + 2_000 });
        expect(claims.find((c) => c.id === 'evt_old')?.body).toBeNull();
      });
    });

    describe('reads', () => {
      it('lists newest-received first in stable keyset pages, with filters', async () => {
        for (let i = 0; i < 7; i++) {
          // Pairs share a received-at, so the id must break ties for the pages to be stable.
          await store.ingest(
            inboxEvent(`evt_${i}`, {
              receivedAtMs: T0 + Math.floor(i / 2),
              name: i % 2 ? 'inquiry.declined' : 'inquiry.approved',
            }),
          );
        }
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listEvents({ limit: 3, ...(cursor ? { cursor } : {}) });
          expect(page.events.length).toBeLessThanOrEqual(3);
          seen.push(...page.events.map((e) => e.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(seen).toEqual(['evt_6', 'evt_5', 'evt_4', 'evt_3', 'evt_2', 'evt_1', 'evt_0']);

        const exact = await store.listEvents({ limit: 7 });
        expect(exact.events).toHaveLength(7);
        expect(exact.nextCursor).toBeNull();

        const declined = await store.listEvents({ limit: 10, name: 'inquiry.declined' });
        expect(declined.events.map((e) => e.id)).toEqual(['evt_5', 'evt_3', 'evt_1']);

        await store.complete(await claimOneOf(store, 'evt_0'), [], T0);
        const done = await store.listEvents({ limit: 10, status: 'done' });
        expect(done.events).toEqual([
          {
            id: 'evt_0',
            name: 'inquiry.approved',
            status: 'done',
            attempts: 1,
            createdAt: new Date(T0).toISOString(),
            createdAtMs: T0,
            receivedAtMs: T0,
            lastError: null,
            inquiryId: 'inq_1',
            referenceId: null,
            source: 'webhook',
          },
        ]);
        expect(
          (await store.listEvents({ limit: 10, status: 'pending', name: 'inquiry.approved' })).events,
        ).toHaveLength(3);
      });

      it('filters by received time and by an exact event, object, inquiry or reference id', async () => {
        const at = (s: number) => T0 + s * 1_000;
        await store.ingest(
          inboxEvent('evt_a', { inquiryId: 'inq_1', referenceId: 'user_1', receivedAtMs: at(0) }),
        );
        // A verification: its object is ver_1, its inquiry inq_2; it carries no reference id itself.
        await store.ingest(
          inboxEvent('evt_b', {
            name: 'verification.passed',
            objectType: 'verification/government-id',
            objectId: 'ver_1',
            inquiryId: 'inq_2',
            receivedAtMs: at(1),
          }),
        );
        await store.ingest(
          inboxEvent('evt_c', {
            objectId: 'inq_3',
            inquiryId: 'inq_3',
            referenceId: 'user_2',
            receivedAtMs: at(2),
          }),
        );
        await store.ingest(
          inboxEvent('evt_d', {
            name: 'account.created',
            objectType: 'account',
            objectId: 'act_1',
            inquiryId: null,
            accountId: 'act_1',
            referenceId: 'user_1',
            receivedAtMs: at(3),
          }),
        );
        const ids = async (query: Parameters<Store['listEvents']>[0]) =>
          (await store.listEvents({ limit: 50, ...query })).events.map((e) => e.id);

        expect(await ids({ search: 'user_1' })).toEqual(['evt_d', 'evt_a']);
        // Once inq_2 is known to be user_1's (here projected by evt_a), its events are user_1's too.
        const claims = await store.claim({ limit: 10, leaseMs: 60_000, nowMs: at(10) });
        const claimOfA = claims.find((c) => c.id === 'evt_a')!;
        const update = inquiryUpdate({ eventId: 'evt_a', inquiryId: 'inq_2', referenceId: 'user_1' });
        expect(await store.complete(claimOfA, [update], at(10))).toBe(true);
        expect(await ids({ search: 'user_1' })).toEqual(['evt_d', 'evt_b', 'evt_a']);
        expect(await ids({ search: 'ver_1' })).toEqual(['evt_b']);
        expect(await ids({ search: 'inq_3' })).toEqual(['evt_c']);
        expect(await ids({ search: 'evt_c' })).toEqual(['evt_c']);
        expect(await ids({ search: 'act_1' })).toEqual(['evt_d']);
        expect(await ids({ search: 'user' })).toEqual([]);
        expect(await ids({ receivedFromMs: at(1), receivedBeforeMs: at(3) })).toEqual(['evt_c', 'evt_b']);
        expect(await ids({ receivedFromMs: at(3) })).toContain('evt_d');
        expect(await ids({ search: 'user_1', name: 'inquiry.approved', receivedBeforeMs: at(5) })).toEqual([
          'evt_a',
        ]);

        const first = await store.listEvents({ limit: 2, search: 'user_1' });
        expect(first.events.map((e) => e.id)).toEqual(['evt_d', 'evt_b']);
        const second = await store.listEvents({ limit: 2, search: 'user_1', cursor: first.nextCursor! });
        expect(second).toMatchObject({ events: [{ id: 'evt_a', referenceId: 'user_1' }], nextCursor: null });
      });

      it("gives a user's and an inquiry's events in created-at order, whatever order they arrived in", async () => {
        const at = (s: number) => T0 + s * 1_000;
        const inquiryEvent = (id: string, name: string, created: number, received: number) =>
          inboxEvent(id, {
            name,
            objectId: 'inq_t',
            inquiryId: 'inq_t',
            referenceId: 'user_t',
            createdAtMs: at(created),
            receivedAtMs: at(received),
          });
        // Delivered newest first, and a verification of the inquiry that carries no reference id.
        await store.ingest(inquiryEvent('evt_t3', 'inquiry.approved', 3, 10));
        await store.ingest(inquiryEvent('evt_t2', 'inquiry.completed', 2, 11));
        await store.ingest(
          inboxEvent('evt_tv', {
            name: 'verification.passed',
            objectType: 'verification/government-id',
            objectId: 'ver_t',
            inquiryId: 'inq_t',
            createdAtMs: at(1),
            receivedAtMs: at(12),
          }),
        );
        await store.ingest(inquiryEvent('evt_t1', 'inquiry.created', 0, 13));
        await store.ingest(inquiryEvent('evt_t1b', 'inquiry.started', 0, 14)); // same created-at: id breaks the tie
        await store.ingest(
          inboxEvent('evt_other', { inquiryId: 'inq_o', referenceId: 'user_o', createdAtMs: at(2) }),
        );

        const ids = (timeline: { events: { id: string }[] }) => timeline.events.map((e) => e.id);
        expect(ids(await store.timeline({ inquiryId: 'inq_t' }))).toEqual([
          'evt_t1',
          'evt_t1b',
          'evt_tv',
          'evt_t2',
          'evt_t3',
        ]);
        // Before anything is processed, the user is known only by the events that carried the id.
        expect(ids(await store.timeline({ referenceId: 'user_t' }))).toEqual([
          'evt_t1',
          'evt_t1b',
          'evt_t2',
          'evt_t3',
        ]);
        const claims = await store.claim({ limit: 10, leaseMs: 60_000, nowMs: at(20) });
        const update = inquiryUpdate({ eventId: 'evt_t1', inquiryId: 'inq_t', referenceId: 'user_t' });
        expect(await store.complete(claims.find((c) => c.id === 'evt_t1')!, [update], at(20))).toBe(true);
        const timeline = await store.timeline({ referenceId: 'user_t' });
        expect(timeline).toMatchObject({ truncated: false });
        expect(ids(timeline)).toEqual(['evt_t1', 'evt_t1b', 'evt_tv', 'evt_t2', 'evt_t3']);
        expect(timeline.events[2]).toMatchObject({
          name: 'verification.passed',
          createdAtMs: at(1),
          receivedAtMs: at(12),
          inquiryId: 'inq_t',
          referenceId: null,
          status: 'processing',
        });

        const newest = await store.timeline({ referenceId: 'user_t', limit: 2 });
        expect(newest).toMatchObject({ truncated: true });
        expect(ids(newest)).toEqual(['evt_t2', 'evt_t3']);
        expect(await store.timeline({ referenceId: 'nobody' })).toEqual({ events: [], truncated: false });
        await expect(store.timeline({ inquiryId: 'inq_t', limit: 0 })).rejects.toThrow(RangeError);
      });

      it('lists the verifications of inquiries', async () => {
        const v = (
          verificationId: string,
          inquiryId: string | null,
          s: number,
        ): VerificationStatusUpdate => ({
          kind: 'verification',
          verificationId,
          inquiryId,
          verificationType: 'verification/selfie',
          status: 'passed',
          statusAtMs: T0 + s * 1_000,
          eventId: `evt_${verificationId}`,
        });
        await applyUpdates(store, [
          v('ver_b', 'inq_1', 2),
          v('ver_a', 'inq_1', 1),
          v('ver_c', 'inq_2', 0),
          v('ver_d', null, 0),
        ]);
        const listed = await store.listVerifications(['inq_2', 'inq_1', 'inq_unknown']);
        expect(listed.map((x) => [x.inquiryId, x.verificationId])).toEqual([
          ['inq_1', 'ver_a'],
          ['inq_1', 'ver_b'],
          ['inq_2', 'ver_c'],
        ]);
        expect(listed[0]).toEqual({
          verificationId: 'ver_a',
          inquiryId: 'inq_1',
          verificationType: 'verification/selfie',
          status: 'passed',
          statusAtMs: T0 + 1_000,
        });
        expect(await store.listVerifications([])).toEqual([]);
      });

      it('counts events received per minute, and tells the oldest open and the newest received', async () => {
        expect(await store.inboxTimes()).toEqual({ oldestOpenReceivedAtMs: null, lastReceivedAtMs: null });
        expect(await store.receivedPerMinute(0)).toEqual([]);
        for (const [id, s] of [
          ['evt_1', 5],
          ['evt_2', 30],
          ['evt_3', 61],
          ['evt_4', 125],
        ] as const) {
          const ms = T0 + s * 1_000;
          await store.ingest(inboxEvent(id, { receivedAtMs: ms, createdAtMs: ms }));
        }
        expect(await store.receivedPerMinute(T0)).toEqual([
          { minuteMs: T0, count: 2 },
          { minuteMs: T0 + 60_000, count: 1 },
          { minuteMs: T0 + 120_000, count: 1 },
        ]);
        expect(await store.receivedPerMinute(T0 + 61_000)).toEqual([
          { minuteMs: T0 + 60_000, count: 1 },
          { minuteMs: T0 + 120_000, count: 1 },
        ]);
        expect(await store.inboxTimes()).toEqual({
          oldestOpenReceivedAtMs: T0 + 5_000,
          lastReceivedAtMs: T0 + 125_000,
        });

        // Processing is still open; done and dead are not.
        const [first, second] = await store.claim({ limit: 2, leaseMs: 60_000, nowMs: T0 + 200_000 });
        expect((await store.inboxTimes()).oldestOpenReceivedAtMs).toBe(T0 + 5_000);
        await store.complete(first!, [], T0 + 200_000);
        await store.fail(second!, 'boom', null, T0 + 200_000);
        expect(await store.inboxTimes()).toEqual({
          oldestOpenReceivedAtMs: T0 + 61_000,
          lastReceivedAtMs: T0 + 125_000,
        });
      });

      it('answers the KYC status of the most recently created inquiry of a user', async () => {
        await applyUpdates(
          store,
          [
            inquiryUpdate({
              eventId: 'evt_1',
              inquiryId: 'inq_old',
              referenceId: 'user_1',
              status: 'approved',
              statusAtMs: T0 + 5_000,
              inquiryCreatedAtMs: T0,
            }),
            inquiryUpdate({
              eventId: 'evt_2',
              inquiryId: 'inq_new',
              referenceId: 'user_1',
              status: 'pending',
              statusAtMs: T0 + 3_000,
              inquiryCreatedAtMs: T0 + 2_000,
            }),
            inquiryUpdate({
              eventId: 'evt_3',
              inquiryId: 'inq_other',
              referenceId: 'user_2',
              status: 'declined',
              statusAtMs: T0 + 1_000,
            }),
          ],
          T0 + 9_000,
        );
        await applyUpdates(
          store,
          [
            inquiryUpdate({
              eventId: 'evt_4',
              inquiryId: 'inq_old',
              status: 'declined',
              statusAtMs: T0 + 6_000,
            }),
          ],
          T0 + 9_500,
        );
        const kyc = await store.getKyc('user_1');
        expect(kyc).toMatchObject({
          referenceId: 'user_1',
          status: 'pending',
          inquiryId: 'inq_new',
          updatedAtMs: T0 + 9_500,
        });
        expect(kyc?.inquiries.map((i) => [i.inquiryId, i.status])).toEqual([
          ['inq_new', 'pending'],
          ['inq_old', 'declined'],
        ]);
        expect(await store.getKyc('user_unknown')).toBeNull();
        expect(await store.getInquiry('inq_unknown')).toBeNull();
        expect(await store.getEvent('evt_unknown')).toBeNull();
      });
    });

    describe('the KYC decision', () => {
      const at = (s: number) => new Date(T0 + s * 1_000);
      const ids = { referenceId: 'user-d', inquiryId: 'inq_d', accountId: 'act_d' };
      const process = () => createWorker({ store, now: () => T0 + 10_000_000 }).drain();

      it('follows a watchlist match and the case that clears it, through the account and inquiry links', async () => {
        await ingestBuilt(store, buildEvent({ ...ids, name: 'inquiry.approved', createdAt: at(1) }), T0);
        await process();
        expect(await store.getKyc('user-d')).toMatchObject({ decision: 'approved' });
        // The report names only the inquiry, the case only the account: both reach the user.
        const match = buildEvent({
          name: 'report/watchlist.matched',
          inquiryId: 'inq_d',
          reportId: 'rep_d',
          referenceId: null,
          createdAt: at(2),
        });
        await ingestBuilt(store, match, T0);
        await ingestBuilt(
          store,
          buildEvent({ name: 'case.created', accountId: 'act_d', caseId: 'case_d', createdAt: at(3) }),
          T0,
        );
        await process();
        const review = await store.getKyc('user-d');
        expect(review?.decision).toBe('needs_review');
        expect(review?.reasons.map((r) => [r.code, r.id])).toEqual([
          ['case_open', 'case_d'],
          ['watchlist_match', 'rep_d'],
          ['inquiry_approved', 'inq_d'],
        ]);
        expect(review?.reasons[1]?.eventId).toBe(match.eventId);
        expect(review?.reports).toEqual([
          expect.objectContaining({
            reportId: 'rep_d',
            reportType: 'watchlist',
            hasMatch: true,
            isContinuous: true,
          }),
        ]);
        expect(review?.cases).toEqual([
          expect.objectContaining({ caseId: 'case_d', status: 'open', resolution: null }),
        ]);
        await ingestBuilt(
          store,
          buildEvent({
            name: 'case.resolved',
            accountId: 'act_d',
            caseId: 'case_d',
            resolution: 'Approved',
            createdAt: at(4),
          }),
          T0,
        );
        await process();
        const resolved = await store.getKyc('user-d');
        expect(resolved?.decision).toBe('approved');
        expect(resolved?.reasons[0]).toMatchObject({ code: 'case_approved', id: 'case_d' });
        expect(await store.countDecisions()).toEqual({
          approved: 1,
          declined: 0,
          needs_review: 0,
          pending: 0,
        });
      });

      it('shows a user whose account and case arrived before any inquiry, with the decision they were given', async () => {
        const flagged = buildEvent({
          name: 'account.status-updated',
          referenceId: 'user-early',
          accountId: 'act_early',
          accountStatus: 'Flagged',
          createdAt: at(1),
        });
        await ingestBuilt(store, flagged, T0);
        const opened = buildEvent({
          name: 'case.created',
          referenceId: null,
          accountId: 'act_early',
          caseId: 'case_early',
          createdAt: at(2),
        });
        await ingestBuilt(store, opened, T0);
        await process();
        const kyc = await store.getKyc('user-early');
        expect(kyc).toMatchObject({
          referenceId: 'user-early',
          decision: 'needs_review',
          status: null,
          inquiryId: null,
          updatedAtMs: null,
          inquiries: [],
        });
        expect(kyc?.reasons.map((r) => [r.code, r.eventId])).toEqual([
          ['case_open', opened.eventId],
          ['account_status', flagged.eventId],
          ['no_inquiry', ''],
        ]);
        expect(kyc?.accounts).toEqual([
          expect.objectContaining({ accountId: 'act_early', status: 'flagged' }),
        ]);
        expect(kyc?.cases).toEqual([expect.objectContaining({ caseId: 'case_early', status: 'open' })]);
        expect(await store.countDecisions()).toMatchObject({ needs_review: 1 });
      });

      it('lists users newest decision change first, by decision and change time, in keyset pages', async () => {
        /** Processes `events` with the worker's clock at `nowMs`: their decision changes happen then. */
        const decideAt = async (nowMs: number, ...events: ReturnType<typeof buildEvent>[]) => {
          for (const event of events) await ingestBuilt(store, event, T0);
          await createWorker({ store, now: () => nowMs }).drain();
          // PostgreSQL decides in passes after the facts commit, at the newest clock queued: a read of
          // decisions waits for them, so the next step's changes are not recorded with these.
          await store.countDecisions();
        };
        const user = (n: number) => ({ referenceId: `user-${n}`, inquiryId: `inq_${n}` });
        const approved = (n: number) =>
          buildEvent({ ...user(n), name: 'inquiry.approved', createdAt: at(n) });
        const caseOn = (n: number) =>
          buildEvent({
            name: 'case.created',
            inquiryId: `inq_${n}`,
            caseId: `case_${n}`,
            createdAt: at(20 + n),
          });
        const N = (k: number) => T0 + k * 60_000;
        await decideAt(N(1), approved(1));
        await decideAt(N(2), approved(2), caseOn(2));
        await decideAt(
          N(3),
          buildEvent({ ...user(3), name: 'inquiry.declined', createdAt: at(3) }),
          approved(8),
        );
        await decideAt(
          N(4),
          approved(4),
          buildEvent({
            name: 'report/watchlist.matched',
            inquiryId: 'inq_4',
            reportId: 'rep_4',
            createdAt: at(24),
          }),
        );
        await decideAt(N(5), buildEvent({ ...user(5), name: 'inquiry.created', createdAt: at(5) }));
        // Two users whose decisions change at the same instant: the reference id orders them.
        await decideAt(N(6), approved(6), caseOn(6), approved(7), caseOn(7));
        // user-1, approved first, is held later: the newest change, at the top of the queue.
        const held = caseOn(1);
        await decideAt(N(7), held);

        const queue = await store.listKyc({ decision: 'needs_review' });
        expect(queue.users.map((u) => [u.referenceId, u.changedAtMs])).toEqual([
          ['user-1', N(7)],
          ['user-7', N(6)],
          ['user-6', N(6)],
          ['user-4', N(4)],
          ['user-2', N(2)],
        ]);
        expect(queue.nextCursor).toBeNull();
        expect(queue.users[0]).toEqual({
          referenceId: 'user-1',
          decision: 'needs_review',
          reasons: (await store.getKyc('user-1'))?.reasons,
          changedAtMs: N(7),
          changedByEventId: held.eventId,
          inquiryId: 'inq_1',
          status: 'approved',
        });
        expect(queue.users.map((u) => u.reasons[0]?.code)).toEqual([
          'case_open',
          'case_open',
          'case_open',
          'watchlist_match',
          'case_open',
        ]);

        // Pages of two walk the same order, each starting after the last row of the one before.
        const walked: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listKyc({
            decision: 'needs_review',
            limit: 2,
            ...(cursor ? { cursor } : {}),
          });
          expect(page.users.length).toBeLessThanOrEqual(2);
          walked.push(...page.users.map((u) => u.referenceId));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        expect(walked).toEqual(queue.users.map((u) => u.referenceId));

        const everyone = await store.listKyc({});
        expect(everyone.users.map((u) => [u.referenceId, u.decision])).toEqual([
          ['user-1', 'needs_review'],
          ['user-7', 'needs_review'],
          ['user-6', 'needs_review'],
          ['user-5', 'pending'],
          ['user-4', 'needs_review'],
          ['user-8', 'approved'],
          ['user-3', 'declined'],
          ['user-2', 'needs_review'],
        ]);
        expect(everyone.users.find((u) => u.referenceId === 'user-5')).toMatchObject({
          inquiryId: 'inq_5',
          status: 'created',
        });
        const since = await store.listKyc({ changedSinceMs: N(4) });
        expect(since.users.map((u) => u.referenceId)).toEqual([
          'user-1',
          'user-7',
          'user-6',
          'user-5',
          'user-4',
        ]);
        const both = await store.listKyc({ decision: 'needs_review', changedSinceMs: N(4) + 1 });
        expect(both.users.map((u) => u.referenceId)).toEqual(['user-1', 'user-7', 'user-6']);
        expect((await store.listKyc({ decision: 'approved' })).users.map((u) => u.referenceId)).toEqual([
          'user-8',
        ]);

        // The counts agree with the lists.
        expect(await store.countDecisions()).toEqual({
          approved: 1,
          declined: 1,
          needs_review: 5,
          pending: 1,
        });

        await expect(store.listKyc({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
          code: 'invalid_cursor',
        });
        await expect(store.listKyc({ limit: 0 })).rejects.toBeInstanceOf(RangeError);
      });

      it("case.redacted scrubs the case events' bodies and keeps the facts and the decision", async () => {
        await ingestBuilt(store, buildEvent({ ...ids, name: 'inquiry.approved', createdAt: at(1) }), T0);
        const opened = buildEvent({
          name: 'case.created',
          accountId: 'act_d',
          caseId: 'case_r',
          createdAt: at(2),
        });
        await ingestBuilt(store, opened, T0);
        await process();
        const before = await store.getKyc('user-d');
        expect(before?.decision).toBe('needs_review');
        await ingestBuilt(
          store,
          buildEvent({ name: 'case.redacted', accountId: 'act_d', caseId: 'case_r', createdAt: at(3) }),
          T0,
        );
        await process();
        expect((await store.getEvent(opened.eventId))?.payload).toBeNull();
        const after = await store.getKyc('user-d');
        expect(after?.decision).toBe('needs_review');
        expect(after?.cases[0]).toMatchObject({ caseId: 'case_r', redactedAtMs: at(3).getTime() });
      });
    });

    describe('lifecycle', () => {
      it('answers ping and tolerates migrate being run again', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        await store.ingest(inboxEvent('evt_a'));
        await store.migrate();
        expect(await store.ingest(inboxEvent('evt_a'))).toBe('duplicate');
      });

      it('wakes listeners after an event is stored, until they unsubscribe', async () => {
        let calls = 0;
        const unsubscribe = store.onEventsAvailable(() => {
          calls++;
        });
        await store.ingest(inboxEvent('evt_a'));
        await expect.poll(() => calls, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
        unsubscribe();
        const before = calls;
        await store.ingest(inboxEvent('evt_b'));
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(calls).toBe(before);
      });

      it('acknowledges writes accepted before close, then rejects everything with store_unavailable', async () => {
        const accepted = store.ingest(inboxEvent('evt_a'));
        await store.close();
        await expect(accepted).resolves.toBe('stored');
        const calls: (() => Promise<unknown>)[] = [
          () => store.ingest(inboxEvent('evt_b')),
          () => store.quarantine(quarantinedBody('x')),
          () => store.claim({ limit: 1, leaseMs: 1_000, nowMs: T0 }),
          () => store.getEvent('evt_a'),
          () => store.counts(),
          () => store.ping(),
        ];
        for (const call of calls) {
          await expect(call()).rejects.toMatchObject({ code: 'store_unavailable', status: 503 });
        }
      });
    });
  });
}

async function claimOneOf(store: Store, id: string) {
  const [claim] = await store.claim({ limit: 1, leaseMs: 60_000, nowMs: T0 });
  if (claim?.id !== id) throw new Error(`${id} was not next in line`);
  return claim;
}
