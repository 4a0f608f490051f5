/**
 * The delivery worker against a real receiving server that verifies every message with the official
 * `standardwebhooks` package, on a real SQLite store: signatures (with two secrets during a rotation),
 * a stable `webhook-id` across retries, the retry schedule, dead letters, timeouts and per-user order.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type DeliveryReport,
  startDeliveryWorker,
} from '../../packages/persona-webhooks/src/outbox/delivery-worker.js';
import { nextAttemptAt, RETRY_DELAYS_MS } from '../../packages/persona-webhooks/src/outbox/retry-schedule.js';
import {
  generateEndpointSecret,
  signStandardWebhook,
} from '../../packages/persona-webhooks/src/outbox/standard-webhooks.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { ingestBuilt, openTempStore, type TempStore } from '../worker/temp-store.js';

interface Received {
  id: string;
  body: { data: { referenceId: string; decision: string } };
  verifiedWith: string[];
}

/** A receiving app: answers `status()` and verifies each body with each secret it knows. */
async function receiver(secrets: string[], status: () => number | 'hang' = () => 204) {
  const received: Received[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const answer = status();
    if (answer === 'hang') return;
    if (answer >= 200 && answer < 300) {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const verifiedWith = secrets.filter((secret) => {
        try {
          new Webhook(secret).verify(raw, headers);
          return true;
        } catch {
          return false;
        }
      });
      received.push({ id: String(req.headers['webhook-id']), body: JSON.parse(raw), verifiedWith });
    }
    res.writeHead(answer).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kyc`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const T0 = Date.parse('2024-06-01T00:00:00.000Z');

async function decide(store: Store, user: string, name: string, s: number) {
  await ingestBuilt(
    store,
    buildEvent({ name, referenceId: user, inquiryId: `inq_${user}`, createdAt: new Date(T0 + s * 1000) }),
    T0,
  );
  await createWorker({ store }).drain();
}

describe('delivery worker', () => {
  let temp: TempStore | undefined;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await temp?.dispose();
  });

  it('delivers every change once, verified by standardwebhooks, in order per user', async () => {
    const secret = generateEndpointSecret();
    const app = await receiver([secret]);
    closers.push(app.close);
    temp = await openTempStore();
    const { store } = temp;
    await store.putEndpoint({
      id: 'ep_1',
      url: app.url,
      secrets: [{ secret, expiresAtMs: null }],
      enabled: true,
      source: 'cli',
      createdAtMs: T0,
    });
    await decide(store, 'u1', 'inquiry.started', 1);
    await decide(store, 'u1', 'inquiry.approved', 2);
    await decide(store, 'u2', 'inquiry.declined', 3);
    const sender = startDeliveryWorker({ store, pollIntervalMs: 50 });
    closers.push(() => sender.stop());
    await sender.drain();
    expect(
      app.received.map((r) => [r.body.data.referenceId, r.body.data.decision]).filter(([u]) => u === 'u1'),
    ).toEqual([
      ['u1', 'pending'],
      ['u1', 'approved'],
    ]);
    expect(app.received).toHaveLength(3);
    expect(app.received.every((r) => r.verifiedWith.length === 1)).toBe(true);
    expect(await store.deliveryStats()).toMatchObject({ delivered: 3, pending: 0 });
  });

  it('keeps leasing after being woken while every slot is in flight', async () => {
    temp = await openTempStore();
    const { store } = temp;
    await store.putEndpoint({
      id: 'ep_1',
      url: 'http://127.0.0.1:9/kyc',
      secrets: [{ secret: generateEndpointSecret(), expiresAtMs: null }],
      enabled: true,
      source: 'cli',
      createdAtMs: T0,
    });
    await decide(store, 'u1', 'inquiry.approved', 1);
    await decide(store, 'u2', 'inquiry.approved', 2);
    let started = 0;
    let release: (() => void) | undefined;
    const slow: typeof fetch = async () => {
      started++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return new Response(null, { status: 204 });
    };
    const sender = startDeliveryWorker({ store, concurrency: 1, pollIntervalMs: 20, fetch: slow });
    closers.push(() => sender.stop());
    await vi.waitFor(() => expect(started).toBe(1));
    // A wake (as a new commit gives) while the only slot is busy: a look that has nothing to do.
    sender.wake();
    await new Promise((resolve) => setTimeout(resolve, 50));
    release!();
    await vi.waitFor(() => expect(started).toBe(2), { timeout: 2000 });
    release!();
    await vi.waitFor(async () => expect((await store.deliveryStats()).delivered).toBe(2));
  });

  it('retries a failing endpoint with the same webhook-id, then succeeds; dead after the last attempt', async () => {
    const secret = generateEndpointSecret();
    let answer = 503;
    const app = await receiver([secret], () => answer);
    closers.push(app.close);
    temp = await openTempStore();
    const { store } = temp;
    await store.putEndpoint({
      id: 'ep_1',
      url: app.url,
      secrets: [{ secret, expiresAtMs: null }],
      enabled: true,
      source: 'cli',
      createdAtMs: T0,
    });
    await decide(store, 'u1', 'inquiry.approved', 1);
    const reports: DeliveryReport[] = [];
    // Retries 20 ms apart instead of hours, so the whole schedule runs here.
    const sender = startDeliveryWorker({
      store,
      pollIntervalMs: 10,
      retryDelaysMs: [20, 20],
      onAttempt: (r) => reports.push(r),
    });
    closers.push(() => sender.stop());
    await until(() => reports.length >= 1);
    answer = 200;
    // The app has the message before the worker has recorded the answer: wait for both.
    await until(() => app.received.length === 1 && reports.length >= 2);
    expect(reports.map((r) => [r.attempt, r.outcome, r.statusCode])).toEqual([
      [1, 'retry', 503],
      [2, 'delivered', 200],
    ]);
    expect(new Set(reports.map((r) => r.messageId)).size).toBe(1);
    expect(app.received[0]!.id).toBe(reports[0]!.messageId);

    answer = 500;
    await decide(store, 'u1', 'inquiry.declined', 2);
    sender.wake();
    await until(() => reports.length === 5);
    expect(reports.slice(2).map((r) => r.outcome)).toEqual(['retry', 'retry', 'dead']);
    const dead = await store.getDelivery(reports[4]!.messageId);
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, lastStatusCode: 500 });
    expect(dead?.attemptLog).toHaveLength(3);
  });

  it('signs with both secrets during a rotation, and gives up on a receiver that hangs past the timeout', async () => {
    const [current, previous] = [generateEndpointSecret(), generateEndpointSecret()];
    let hang = false;
    const app = await receiver([current, previous], () => (hang ? 'hang' : 200));
    closers.push(app.close);
    temp = await openTempStore();
    const { store } = temp;
    await store.putEndpoint({
      id: 'ep_1',
      url: app.url,
      secrets: [
        { secret: current, expiresAtMs: null },
        { secret: previous, expiresAtMs: Date.now() + 3_600_000 },
      ],
      enabled: true,
      source: 'cli',
      createdAtMs: T0,
    });
    await decide(store, 'u1', 'inquiry.approved', 1);
    const reports: DeliveryReport[] = [];
    const sender = startDeliveryWorker({
      store,
      timeoutMs: 300,
      pollIntervalMs: 10,
      onAttempt: (r) => reports.push(r),
    });
    closers.push(() => sender.stop());
    await until(() => app.received.length === 1 && reports.length >= 1);
    expect(app.received[0]!.verifiedWith).toEqual([current, previous]);
    hang = true;
    await decide(store, 'u1', 'inquiry.declined', 2);
    sender.wake();
    await until(() => reports.length === 2);
    expect(reports[1]).toMatchObject({
      outcome: 'retry',
      statusCode: null,
      error: 'no answer within 300 ms',
    });
  });
});

describe('Standard Webhooks signing and the retry schedule', () => {
  it('verifies with the official library, and fails it with a wrong secret', () => {
    const secret = generateEndpointSecret();
    const body = '{"type":"kyc.decision_changed"}';
    const headers = signStandardWebhook({
      id: 'msg_1',
      timestampSeconds: Math.floor(Date.now() / 1000),
      body,
      secrets: [secret],
    });
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateEndpointSecret()).verify(body, { ...headers })).toThrow();
    expect(() => signStandardWebhook({ id: 'msg_1', timestampSeconds: 1, body, secrets: ['nope'] })).toThrow(
      TypeError,
    );
  });

  it('spreads the recommended schedule over about a day, with ±20 % jitter', () => {
    expect(RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) / 3_600_000).toBeCloseTo(27.6, 1);
    expect(nextAttemptAt(1, 0, () => 0)).toBe(4_000);
    expect(nextAttemptAt(1, 0, () => 1)).toBe(6_000);
    expect(nextAttemptAt(RETRY_DELAYS_MS.length + 1, 0)).toBeNull();
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
