/**
 * The delivery worker's batching on a real SQLite store: outcomes of attempts that end together commit
 * in one transaction (a stale lease still loses alone), a look that got fewer messages than it asked
 * for does not claim again for nothing, and with many messages in flight each user's messages still
 * reach the endpoint one at a time and in order.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDeliveryWorker } from '../../packages/persona-webhooks/src/outbox/delivery-worker.js';
import type { OutboxStore } from '../../packages/persona-webhooks/src/outbox/outbox-types.js';
import { generateEndpointSecret } from '../../packages/persona-webhooks/src/outbox/standard-webhooks.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { SqliteStore } from '../../packages/persona-webhooks/src/store/sqlite/sqlite-store.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { ingestBuilt, openTempStore, type TempStore } from '../worker/temp-store.js';

const T0 = Date.parse('2024-06-01T00:00:00.000Z');
const DECISIONS = ['inquiry.started', 'inquiry.approved', 'inquiry.declined'] as const;

async function addEndpoint(store: Store, url: string): Promise<void> {
  await store.putEndpoint({
    id: 'ep_1',
    url,
    secrets: [{ secret: generateEndpointSecret(), expiresAtMs: null }],
    enabled: true,
    source: 'cli',
    createdAtMs: T0,
  });
}

/** Each user goes pending, approved, declined: three messages per user, in that order. */
async function decideUsers(store: Store, users: number, steps: number = DECISIONS.length): Promise<void> {
  for (let step = 0; step < steps; step++) {
    for (let u = 0; u < users; u++) {
      const at = new Date(T0 + (step * users + u + 1) * 1000);
      const built = buildEvent({
        name: DECISIONS[step]!,
        referenceId: `u${u}`,
        inquiryId: `inq_u${u}`,
        createdAt: at,
      });
      await ingestBuilt(store, built, T0);
    }
    await createWorker({ store }).drain();
  }
}

/** An app that answers after a short random wait, noting each user's decisions and any overlap. */
async function app() {
  const byUser = new Map<string, string[]>();
  const open = new Set<string>();
  let overlaps = 0;
  const server: Server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const { referenceId, decision } = JSON.parse(raw).data as { referenceId: string; decision: string };
    if (open.has(referenceId)) overlaps++;
    open.add(referenceId);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    byUser.set(referenceId, [...(byUser.get(referenceId) ?? []), decision]);
    open.delete(referenceId);
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kyc`,
    byUser,
    overlaps: () => overlaps,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('delivery worker batching', () => {
  let temp: TempStore | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await temp?.dispose();
    temp = undefined;
  });

  it('commits outcomes that end together in one transaction; a lost lease fails alone', async () => {
    temp = await openTempStore();
    const store = temp.store as SqliteStore;
    await addEndpoint(store, 'http://127.0.0.1:9/kyc');
    await decideUsers(store, 4, 1);
    const now = Date.now() + 1_000;
    const claims = await store.claimDeliveries({ limit: 10, leaseMs: 60_000, nowMs: now });
    expect(claims).toHaveLength(4);
    const before = store.writeStats().finishBatches;
    const done = { ok: true, statusCode: 204, error: null, durationMs: 3 };
    const results = await Promise.all(
      claims.map((claim, i) =>
        store.finishDelivery(i === 1 ? { ...claim, leaseToken: 'stolen' } : claim, done, null, now + 1),
      ),
    );
    expect(results).toEqual([true, false, true, true]);
    expect(store.writeStats().finishBatches - before).toBe(1);
    expect(await store.deliveryStats()).toMatchObject({ delivered: 3, sending: 1 });
    const detail = await store.getDelivery(claims[0]!.id);
    expect(detail?.attemptLog).toMatchObject([{ attempt: 1, statusCode: 204, durationMs: 3 }]);
  });

  it('keeps each user in order and one at a time with many in flight, in fewer transactions than messages', async () => {
    const receiver = await app();
    closers.push(receiver.close);
    temp = await openTempStore();
    const store = temp.store as SqliteStore;
    await addEndpoint(store, receiver.url);
    const users = 40;
    await decideUsers(store, users);
    const before = store.writeStats().finishBatches;
    const sender = startDeliveryWorker({ store, concurrency: 64, pollIntervalMs: 20 });
    closers.push(() => sender.stop());
    expect(await sender.drain()).toBe(users * 3);
    expect(receiver.overlaps()).toBe(0);
    for (let u = 0; u < users; u++) {
      expect(receiver.byUser.get(`u${u}`)).toEqual(['pending', 'approved', 'declined']);
    }
    expect(store.writeStats().finishBatches - before).toBeLessThan(users * 3);
  });

  it('does not claim again when a claim got fewer messages than it asked for', async () => {
    temp = await openTempStore();
    const { store } = temp;
    await addEndpoint(store, 'http://127.0.0.1:9/kyc');
    await decideUsers(store, 3, 1);
    let claimCalls = 0;
    const counting: Pick<OutboxStore, 'claimDeliveries' | 'finishDelivery' | 'onDeliveriesAvailable'> = {
      claimDeliveries: (options) => {
        claimCalls++;
        return store.claimDeliveries(options);
      },
      finishDelivery: (...args) => store.finishDelivery(...args),
      onDeliveriesAvailable: (listener) => store.onDeliveriesAvailable(listener),
    };
    const releases: (() => void)[] = [];
    const held: typeof fetch = async () => {
      await new Promise<void>((resolve) => releases.push(resolve));
      return new Response(null, { status: 204 });
    };
    const sender = startDeliveryWorker({
      store: counting,
      concurrency: 8,
      pollIntervalMs: 60_000,
      fetch: held,
    });
    closers.push(async () => {
      for (const release of releases) release();
      await sender.stop();
    });
    await vi.waitFor(() => expect(releases).toHaveLength(3));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(claimCalls).toBe(1);
  });

  it('claims again at once for messages committed while its claim was under way', async () => {
    temp = await openTempStore();
    const { store } = temp;
    await addEndpoint(store, 'http://127.0.0.1:9/kyc');
    await decideUsers(store, 1, 1);
    let openGate: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let claimCalls = 0;
    const slowFirstClaim: Pick<OutboxStore, 'claimDeliveries' | 'finishDelivery' | 'onDeliveriesAvailable'> =
      {
        claimDeliveries: async (options) => {
          const claims = await store.claimDeliveries(options);
          if (++claimCalls === 1) await gate;
          return claims;
        },
        finishDelivery: (...args) => store.finishDelivery(...args),
        onDeliveriesAvailable: (listener) => store.onDeliveriesAvailable(listener),
      };
    // Every attempt stays in flight until the end: no freed slot starts a look of its own.
    const sent: string[] = [];
    const releases: (() => void)[] = [];
    const held: typeof fetch = async (_url, init) => {
      sent.push(JSON.parse(String(init?.body)).data.referenceId);
      await new Promise<void>((resolve) => releases.push(resolve));
      return new Response(null, { status: 204 });
    };
    const sender = startDeliveryWorker({ store: slowFirstClaim, pollIntervalMs: 60_000, fetch: held });
    closers.push(async () => {
      for (const release of releases) release();
      await sender.stop();
    });
    await vi.waitFor(() => expect(claimCalls).toBe(1));
    // A new user's decision commits (and wakes the sender) while the first claim has not returned.
    const built = buildEvent({ name: 'inquiry.approved', referenceId: 'late', inquiryId: 'inq_late' });
    await ingestBuilt(store, built, T0);
    await createWorker({ store }).drain();
    openGate!();
    await vi.waitFor(() => expect(sent.sort()).toEqual(['late', 'u0']), { timeout: 2_000 });
  });
});
