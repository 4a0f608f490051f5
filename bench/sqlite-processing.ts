/**
 * SQLite processing throughput: the worker draining N inbox events, old way vs new way, side by side in
 * one run. Each step of the worker-path optimisation can be toggled, so every variant runs in the same
 * process on the same machine, interleaved (A B C D, A B C D…) to spread CPU noise from other work.
 *
 *   A  before: synchronous=FULL worker commits, one transaction per complete, claims of `concurrency`
 *   B  + worker transactions with synchronous=NORMAL
 *   C  + concurrent completes grouped into one transaction
 *   D  + claims of up to 64 held in memory (the defaults now)
 *
 * Run: npx tsx bench/sqlite-processing.ts [--events 20000] [--rounds 2] [--variants ABCD]
 *      node --cpu-prof --import tsx bench/sqlite-processing.ts --variants D --rounds 1
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SqliteStoreOptions } from '../packages/persona-webhooks/src/sqlite.js';
import { createWorker } from '../packages/persona-webhooks/src/worker/worker.js';
import { createSqliteFileStore } from '../packages/server/src/sqlite-file-store.js';
import { inboxEvent, waitUntilDrained } from './sections/processing.js';

interface Variant {
  label: string;
  store: Partial<SqliteStoreOptions>;
  batchSize: number;
}

const CONCURRENCY = 8; // the worker's default
const VARIANTS: Record<string, Variant> = {
  A: { label: 'A before', store: { workerSynchronous: 'full', completeBatchMaxSize: 1 }, batchSize: 8 },
  B: { label: 'B +NORMAL', store: { workerSynchronous: 'normal', completeBatchMaxSize: 1 }, batchSize: 8 },
  C: { label: 'C +grouped completes', store: { workerSynchronous: 'normal' }, batchSize: 8 },
  D: { label: 'D +claims of 64 (now)', store: {}, batchSize: 64 },
};
const FILL_WINDOW = 500;

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '2' },
    variants: { type: 'string', default: 'ABCD' },
  },
});
const events = Number(values.events);
const rounds = Number(values.rounds);

async function measure(variant: Variant): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'persona-bench-processing-'));
  const store = createSqliteFileStore(join(dir, 'events.db'), variant.store);
  try {
    await store.migrate();
    const inbox = Array.from({ length: events }, inboxEvent);
    for (let i = 0; i < inbox.length; i += FILL_WINDOW) {
      await Promise.all(inbox.slice(i, i + FILL_WINDOW).map((event) => store.ingest(event)));
    }
    const worker = createWorker({ store, concurrency: CONCURRENCY, batchSize: variant.batchSize });
    const started = performance.now();
    const before = store.writeStats();
    worker.start();
    await waitUntilDrained(store, Date.now() + 600_000);
    const seconds = (performance.now() - started) / 1_000;
    await worker.stop();
    const counts = await store.counts();
    const stats = store.writeStats();
    const rate = (counts.done + counts.dead) / seconds;
    console.log(
      `${variant.label.padEnd(24)} ${rate.toFixed(0).padStart(7)} events/s  ${seconds.toFixed(2).padStart(6)} s  ` +
        `(done ${counts.done}, complete transactions ${stats.completeBatches - before.completeBatches})`,
    );
    return rate;
  } finally {
    await store.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `SQLite processing: ${events} events, concurrency ${CONCURRENCY}, KYC projection on, ${rounds} round(s), dir ${tmpdir()}`,
);
const rates = new Map<string, number[]>();
for (let round = 0; round < rounds; round += 1) {
  for (const key of values.variants) {
    const variant = VARIANTS[key];
    if (!variant) throw new Error(`unknown variant ${key}; use some of ${Object.keys(VARIANTS).join('')}`);
    rates.set(key, [...(rates.get(key) ?? []), await measure(variant)]);
  }
}
const baseline = rates.get('A');
if (baseline && rates.size > 1) {
  console.log('ratio to A, per round:');
  for (const [key, list] of rates) {
    const ratios = list.map((rate, i) => (rate / (baseline[i] ?? rate)).toFixed(2));
    console.log(`  ${VARIANTS[key]?.label.padEnd(24)} ${ratios.join('  ')}`);
  }
}
