/**
 * SQLite ingest throughput: group commit vs one transaction per event, same run, same machine.
 * 20,000 ingests issued 50 at a time (like 50 concurrent webhook deliveries), synchronous=FULL.
 *
 * Run: npx tsx bench/sqlite-ingest.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InboxEvent } from '../packages/persona-webhooks/src/store/inbox/inbox.js';
import { createSqliteFileStore } from '../packages/server/src/sqlite-file-store.js';

const TOTAL = 20_000;
const CONCURRENCY = 50;
const body = new TextEncoder().encode(
  JSON.stringify({ data: { type: 'event', attributes: { pad: 'x'.repeat(1_500) } } }),
);

function event(i: number): InboxEvent {
  const now = Date.now();
  return {
    id: `evt_bench_${i}`,
    name: 'inquiry.approved',
    createdAt: new Date(now).toISOString(),
    createdAtMs: now,
    objectType: 'inquiry',
    objectId: `inq_${i % 1_000}`,
    inquiryId: `inq_${i % 1_000}`,
    accountId: null,
    body,
    attemptsMade: 1,
    attemptsLeft: 7,
    firstAttemptedAtMs: now,
    receivedAtMs: now,
  };
}

async function measure(label: string, batchMaxSize: number | undefined): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'persona-bench-'));
  const store = createSqliteFileStore(join(dir, 'bench.db'), batchMaxSize ? { batchMaxSize } : {});
  await store.migrate();
  const started = performance.now();
  for (let i = 0; i < TOTAL; i += CONCURRENCY) {
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, j) => store.ingest(event(i + j))));
  }
  const seconds = (performance.now() - started) / 1_000;
  const { batches } = store.writeStats();
  await store.close();
  await rm(dir, { recursive: true, force: true });
  const rate = TOTAL / seconds;
  console.log(
    `${label.padEnd(34)} ${rate.toFixed(0).padStart(8)} events/s  (${batches} transactions, ${seconds.toFixed(2)} s)`,
  );
  return rate;
}

console.log(`SQLite ingest, ${TOTAL} events, ${CONCURRENCY} in flight, synchronous=FULL, dir ${tmpdir()}`);
const grouped = await measure('group commit (batchMaxSize 256)', undefined);
const single = await measure('one transaction per event', 1);
console.log(`group commit is ${(grouped / single).toFixed(1)}x faster`);
