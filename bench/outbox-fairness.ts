/**
 * One slow endpoint beside a healthy one: 40 users' decision changes go to both; the slow endpoint
 * answers after 2 s, the healthy one after 50 ms. Prints how long the healthy endpoint waits for all 40,
 * with the delivery worker's default per-endpoint limit (half of its 8 slots) and without one.
 *
 *   node --import tsx bench/outbox-fairness.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorker, generateEndpointSecret, startDeliveryWorker } from 'persona-webhooks';
import { buildEvent } from 'persona-webhooks/testing';
import { createSqliteFileStore } from '../packages/server/src/sqlite-file-store.js';
import { ingestBuilt } from '../test/worker/temp-store.js';

async function app(delayMs: number) {
  let received = 0;
  const server = createServer(async (req, res) => {
    for await (const _ of req);
    setTimeout(() => {
      received++;
      res.writeHead(204).end();
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kyc`,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function run(perEndpointConcurrency: number | undefined): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-fairness-'));
  const store = createSqliteFileStore(join(dir, 'db.sqlite'));
  await store.migrate();
  const [slow, healthy] = [await app(2_000), await app(50)];
  for (const [id, url] of [
    ['ep_healthy', healthy.url],
    ['ep_slow', slow.url],
  ] as const) {
    await store.putEndpoint({
      id,
      url,
      secrets: [{ secret: generateEndpointSecret(), expiresAtMs: null }],
      enabled: true,
      source: 'cli',
      createdAtMs: Date.now(),
    });
  }
  for (let i = 0; i < 40; i++) {
    await ingestBuilt(
      store,
      buildEvent({ name: 'inquiry.approved', referenceId: `u${i}`, inquiryId: `inq_${i}` }),
    );
  }
  await createWorker({ store }).drain();
  const started = performance.now();
  const sender = startDeliveryWorker({
    store,
    concurrency: 8,
    pollIntervalMs: 20,
    ...(perEndpointConcurrency === undefined ? {} : { perEndpointConcurrency }),
  });
  while (healthy.received() < 40) await new Promise((resolve) => setTimeout(resolve, 10));
  const took = performance.now() - started;
  await sender.stop();
  await Promise.all([slow.close(), healthy.close()]);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return took;
}

const limited = await run(undefined);
const unlimited = await run(8);
console.log(
  `healthy endpoint, 40 messages beside a 2 s endpoint: ${(limited / 1000).toFixed(1)} s with the default per-endpoint limit (4 of 8 slots), ${(unlimited / 1000).toFixed(1)} s without`,
);
