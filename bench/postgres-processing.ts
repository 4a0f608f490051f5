/**
 * The PostgreSQL worker path, measured on its own: fill a fresh schema's inbox with N distinct
 * fixture-sized events (built as the pipeline builds them), then time `createWorker({ store }).start()`
 * until `counts()` shows nothing pending or processing. Prints events/s, this process's CPU time per
 * event during the drain (what the worker's writes cost the service), claims made, and what the
 * store's connections were waiting on (sampled from `pg_stat_activity`) during the drain.
 *
 * To compare two store implementations in one run (the CPU is shared, so only side-by-side figures
 * mean anything), pass another `postgres-store.ts` with `--baseline`; runs alternate baseline/current.
 * Each store is given both `pool` (a pg pool, what the store takes now) and `url` + `applicationName`
 * (what it took before it moved to a caller-supplied pg pool), so a baseline from either side of that
 * change loads; each uses the one it knows.
 *
 * @example
 * npx tsx bench/postgres-processing.ts
 * npx tsx bench/postgres-processing.ts --events 20000 --rounds 2 --cap 60 \
 *   --baseline /tmp/pw-baseline/src/store/postgres/postgres-store.ts
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { PostgresPool } from '../packages/persona-webhooks/src/store/postgres/driver.js';
import type { Store } from '../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../packages/persona-webhooks/src/worker/worker.js';
import { BENCH_PG_URL, dropSchema, freshSchema } from './lib/postgres.js';
import { sleep } from './lib/stats.js';
import { fixed, int, table } from './lib/table.js';
import { inboxEvent } from './sections/processing.js';

/** What a store under test is given: the current options and, for an older baseline, the old ones. */
interface BenchStoreOptions {
  pool: PostgresPool;
  url: string;
  schema: string;
  applicationName: string;
}
type CreateStore = (options: BenchStoreOptions) => Store;

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    /** Seconds a drain may run; the rate so far is reported when it is cut short. */
    cap: { type: 'string', default: '120' },
    rounds: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '8' },
    /** Worker claim batch size; the worker's own default when omitted. */
    batch: { type: 'string' },
    baseline: { type: 'string' },
  },
});
const EVENTS = Number(args.events);
const CAP_SECONDS = Number(args.cap);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = Number(args.concurrency);
const BATCH = args.batch === undefined ? {} : { batchSize: Number(args.batch) };
const FILL_WINDOW = 500;
const POLL_MS = 50;
const SAMPLE_MS = 20;

interface RunResult {
  label: string;
  fillSeconds: number;
  drainSeconds: number;
  drained: number;
  perSec: number;
  claims: number;
  /** This process's CPU time (user + system) during the drain, per event drained. */
  cpuMicrosPerEvent: number;
  /** `wait_event` (or `cpu/client` when none) → share of samples of the store's non-idle connections. */
  waits: Map<string, number>;
}

async function loadStore(path: string): Promise<CreateStore> {
  const module = (await import(pathToFileURL(resolve(path)).href)) as { createPostgresStore: CreateStore };
  return module.createPostgresStore;
}

/** Samples what the store's busy connections wait on until `stop()` is called. */
function sampleWaits(applicationName: string) {
  const pool = new pg.Pool({ connectionString: BENCH_PG_URL, max: 1 });
  pool.on('error', () => {});
  const tally = new Map<string, number>();
  let total = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await pool.query<{ wait: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'cpu/client') AS wait
        FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'`,
        [applicationName],
      );
      for (const { wait } of rows) tally.set(wait, (tally.get(wait) ?? 0) + 1);
      total += rows.length;
      await sleep(SAMPLE_MS);
    }
  })();
  return async (): Promise<Map<string, number>> => {
    running = false;
    await loop.catch(() => {});
    await pool.end();
    return new Map([...tally].map(([wait, n]) => [wait, n / Math.max(total, 1)]));
  };
}

async function runOnce(label: string, createStore: CreateStore): Promise<RunResult> {
  const schema = freshSchema();
  const applicationName = `bench-${schema}`;
  // Configured as the service configures its pool (packages/server/src/postgres-pool.ts).
  const pool = new pg.Pool({
    connectionString: BENCH_PG_URL,
    max: 10,
    connectionTimeoutMillis: 3_000,
    statement_timeout: 4_000,
    application_name: applicationName,
  });
  pool.on('error', () => {});
  const store = createStore({ pool, url: BENCH_PG_URL, schema, applicationName });
  try {
    await store.migrate();
    const inbox = Array.from({ length: EVENTS }, inboxEvent);
    const fillStart = performance.now();
    for (let i = 0; i < inbox.length; i += FILL_WINDOW) {
      await Promise.all(inbox.slice(i, i + FILL_WINDOW).map((event) => store.ingest(event)));
    }
    const fillSeconds = (performance.now() - fillStart) / 1000;

    let claims = 0;
    const counted: Store = {
      ...store,
      claim: (options) => {
        claims += 1;
        return store.claim(options);
      },
    };
    const stopSampling = sampleWaits(applicationName);
    const worker = createWorker({ store: counted, concurrency: CONCURRENCY, ...BATCH });
    const drainStart = performance.now();
    const cpuStart = process.cpuUsage();
    const deadline = Date.now() + CAP_SECONDS * 1000;
    worker.start();
    let counts = await store.counts();
    while (counts.pending + counts.processing > 0 && Date.now() < deadline) {
      await sleep(POLL_MS);
      counts = await store.counts();
    }
    const drainSeconds = (performance.now() - drainStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    await worker.stop();
    const waits = await stopSampling();
    const drained = counts.done + counts.dead;
    const cpuMicrosPerEvent = (cpu.user + cpu.system) / Math.max(drained, 1);
    return {
      label,
      fillSeconds,
      drainSeconds,
      drained,
      perSec: drained / drainSeconds,
      claims,
      cpuMicrosPerEvent,
      waits,
    };
  } finally {
    await store.close().catch(() => {});
    await pool.end().catch(() => {});
    await dropSchema(schema);
  }
}

function topWaits(waits: Map<string, number>): string {
  return [...waits]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([wait, share]) => `${wait} ${Math.round(share * 100)}%`)
    .join(', ');
}

const variants: [string, CreateStore][] = [
  [
    'current',
    await loadStore(
      fileURLToPath(
        new URL('../packages/persona-webhooks/src/store/postgres/postgres-store.ts', import.meta.url),
      ),
    ),
  ],
];
if (args.baseline) variants.unshift(['baseline', await loadStore(args.baseline)]);

console.log(
  `postgres processing: ${int(EVENTS)} events, worker concurrency ${CONCURRENCY}, batch ${args.batch ?? 'default'}, drain cap ${CAP_SECONDS} s`,
);
const results: RunResult[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const [label, createStore] of variants) {
    process.stderr.write(`… round ${round}: ${label}\n`);
    results.push(await runOnce(label, createStore));
  }
}
console.log(
  table(
    [
      'store',
      'fill s',
      'drain s',
      'drained',
      'events/s',
      'CPU µs/event',
      'claims',
      'busy connections waited on',
    ],
    results.map((r) => [
      r.label,
      fixed(r.fillSeconds, 1),
      fixed(r.drainSeconds, 1),
      int(r.drained),
      fixed(r.perSec, 0),
      fixed(r.cpuMicrosPerEvent, 0),
      int(r.claims),
      topWaits(r.waits),
    ]),
  ),
);
if (args.baseline) {
  const mean = (label: string) => {
    const rates = results.filter((r) => r.label === label).map((r) => r.perSec);
    return rates.reduce((a, b) => a + b, 0) / rates.length;
  };
  const cpu = (label: string) => {
    const figures = results.filter((r) => r.label === label).map((r) => r.cpuMicrosPerEvent);
    return figures.reduce((a, b) => a + b, 0) / figures.length;
  };
  console.log(`current / baseline drain rate: ${fixed(mean('current') / mean('baseline'), 2)}×`);
  console.log(`current / baseline CPU per event: ${fixed(cpu('current') / cpu('baseline'), 2)}×`);
}
