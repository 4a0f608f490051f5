/**
 * The delivery worker's controls against real loopback receivers: an endpoint that hangs holds at most
 * its share of the slots while a healthy one beside it is served; each attempt keeps the first KiB of
 * the answer and the headers it sent, signatures masked.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startDeliveryWorker } from '../../packages/persona-webhooks/src/outbox/delivery-worker.js';
import { generateEndpointSecret } from '../../packages/persona-webhooks/src/outbox/standard-webhooks.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { eventually } from '../helpers/service-process.js';
import { ingestBuilt, openTempStore, type TempStore } from '../worker/temp-store.js';

/** A receiver that answers with `answer`, or holds the response until `release()` when it returns null. */
async function receiver(answer: (res: ServerResponse) => boolean) {
  const held: ServerResponse[] = [];
  let received = 0;
  const server = createServer(async (req, res) => {
    for await (const _ of req);
    received++;
    if (!answer(res)) held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kyc`,
    received: () => received,
    held: () => held.length,
    release() {
      for (const res of held.splice(0)) res.writeHead(204).end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function addEndpoint(store: Store, id: string, url: string) {
  await store.putEndpoint({
    id,
    url,
    secrets: [{ secret: generateEndpointSecret(), expiresAtMs: null }],
    enabled: true,
    source: 'cli',
    createdAtMs: Date.now(),
  });
}

async function decideUsers(store: Store, count: number) {
  for (let i = 0; i < count; i++) {
    await ingestBuilt(
      store,
      buildEvent({ name: 'inquiry.approved', referenceId: `u${i}`, inquiryId: `inq_u${i}` }),
      Date.now(),
    );
  }
  await createWorker({ store }).drain();
}

describe('delivery worker controls', () => {
  let temp: TempStore | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await temp?.dispose();
    temp = undefined;
  });

  it('serves a healthy endpoint while a slow one beside it holds only its share of the slots', async () => {
    const slow = await receiver(() => false);
    const healthy = await receiver((res) => {
      res.writeHead(204).end();
      return true;
    });
    closers.push(slow.close, healthy.close);
    temp = await openTempStore();
    const { store } = temp;
    await addEndpoint(store, 'ep_ok', healthy.url);
    await addEndpoint(store, 'ep_slow', slow.url);
    await decideUsers(store, 12);
    const sender = startDeliveryWorker({ store, concurrency: 4, pollIntervalMs: 20, timeoutMs: 30_000 });
    closers.unshift(async () => {
      slow.release();
      await sender.stop();
    });
    // Every healthy message is delivered while the slow endpoint still holds its first two, unanswered:
    // without the per-endpoint limit, all four slots end up waiting on the slow one.
    await eventually(async () => (healthy.received() === 12 ? true : null), 10_000);
    expect(slow.held()).toBe(2);
    expect(slow.received()).toBe(2);
    expect(
      (await store.listDeliveries({ endpointId: 'ep_ok', status: 'delivered' })).deliveries,
    ).toHaveLength(12);
  });

  it("keeps the first KiB of the answer and the headers sent, with the signature's value masked", async () => {
    const body = `<script>alert(1)</script>${'x'.repeat(3000)}`;
    const app = await receiver((res) => {
      res.writeHead(400, { 'content-type': 'text/html' }).end(body);
      return true;
    });
    closers.push(app.close);
    temp = await openTempStore();
    const { store } = temp;
    await addEndpoint(store, 'ep_a', app.url);
    await decideUsers(store, 1);
    const sender = startDeliveryWorker({ store, pollIntervalMs: 20, retryDelaysMs: [3_600_000] });
    closers.unshift(() => sender.stop());
    await sender.drain();
    const [message] = (await store.listDeliveries({})).deliveries;
    const detail = await store.getDelivery(message!.id);
    const [attempt] = detail!.attemptLog;
    expect(attempt).toMatchObject({ statusCode: 400, error: 'HTTP 400', interrupted: false });
    expect(attempt?.responseExcerpt).toBe(body.slice(0, 1024));
    expect(attempt?.requestHeaders).toEqual({
      'webhook-id': message!.id,
      'webhook-timestamp': expect.stringMatching(/^\d+$/),
      'webhook-signature': 'v1,***',
      'content-type': 'application/json',
      'user-agent': 'persona-webhooks-outbox',
    });
  });
});
