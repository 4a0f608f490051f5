/**
 * `npm run bench`: ingest (bare node:http, an Express copy-paste receiver, ours on SQLite, on PostgreSQL
 * and as two PostgreSQL instances on one database, with each server's CPU per request), processing
 * (worker drain), burst (backlog and memory under 100k events), signature verification and the time from
 * a delivery to the application's decision webhook with ingest at half its maximum rate, checked against
 * the targets of the performance issue now open (issue 30, sections/targets.ts), and saved to
 * `bench/results/<timestamp>.json`. Issue 30's CPU-halving target needs a baseline checkout: it is
 * `npm run bench:compare`'s. A script that prints figures: it never fails because a machine is slow.
 * Progress goes to stderr.
 *
 * Knobs: BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_EVENTS,
 * BENCH_BURST_EVENTS, BENCH_DRAIN_CAP_SECONDS, BENCH_SIGNATURE_SECONDS, BENCH_PG_URL (see lib/settings.ts
 * and lib/postgres.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDist } from './lib/build.js';
import { bodySize } from './lib/payloads.js';
import { postgresReachable } from './lib/postgres.js';
import { readSettings } from './lib/settings.js';
import { ratio } from './lib/stats.js';
import { systemInfo } from './lib/system-info.js';
import { fixed, int, mb, table } from './lib/table.js';
import { findWrk } from './lib/wrk.js';
import { type BurstResult, runBurst } from './sections/burst.js';
import { cpuCeilings, machineUs } from './sections/cpu-ceilings.js';
import { type DecisionLatencyResult, runDecisionLatency } from './sections/decision-latency.js';
import { type IngestSummary, runIngest } from './sections/ingest.js';
import { type ProcessingResult, runProcessing } from './sections/processing.js';
import { checkTargets } from './sections/targets.js';
import { compileBaselineServers } from './servers/compile-servers.js';
import { runSignatureBench, type SignatureBenchResult } from './signature.js';

const PG_SKIPPED = 'skipped (PostgreSQL unreachable)';
const progress = (line: string) => process.stderr.write(`… ${line}\n`);
const failure = (error: unknown) =>
  `failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;

const settings = readSettings();
const system = systemInfo();
const startedAt = performance.now();
console.log('persona-webhooks bench');
console.log(
  table(
    ['machine', ''],
    [
      ['date', system.date],
      ['nproc', system.nproc],
      ['cpu', system.cpuModel],
      ['total memory', `${(system.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB`],
      ['node', system.node],
      ['body size', `${bodySize().toLocaleString('en-US')} bytes (Persona's documented sample)`],
      [
        'ingest load',
        findWrk()
          ? 'wrk, 1 thread, in its own process'
          : 'autocannon in the bench process (install wrk for the real ceiling: apt-get install wrk)',
      ],
      [
        'settings',
        `${settings.rounds} rounds × (${settings.warmupSeconds} s warm-up + ${settings.seconds} s), ${settings.connections} connections, ${settings.events.toLocaleString('en-US')} events, burst ${settings.burstEvents.toLocaleString('en-US')}`,
      ],
    ],
  ),
);

progress('building dist/ (tsc -b)');
const build = buildDist();
if (!build.ok) {
  console.log(
    `\nwarning: tsc reported errors${build.runnable ? ' (dist/ was still emitted; benching it)' : ''}:`,
  );
  for (const line of build.errors) console.log(`  ${line}`);
}
const baselines = compileBaselineServers();
const pgReachable = await postgresReachable();

// 1. Ingest
const ourServerSkip = build.runnable ? undefined : 'skipped (dist/ did not build)';
const ingest: IngestSummary[] = await runIngest(
  settings,
  baselines,
  {
    ...(ourServerSkip ? { sqlite: ourServerSkip } : {}),
    ...(ourServerSkip || !pgReachable
      ? { postgres: ourServerSkip ?? PG_SKIPPED, postgres2: ourServerSkip ?? PG_SKIPPED }
      : {}),
  },
  progress,
);
const byKind = (kind: string) => ingest.find((row) => row.kind === kind && row.runs.length > 0);
const [a, b, c, d, d2, e, cThread] = [
  'bare',
  'express',
  'sqlite',
  'postgres',
  'postgres2',
  'nostore',
  'sqlitethread',
].map(byKind);
console.log(
  `\n1. Ingest — concurrency ${settings.connections}, distinct pre-signed events, median of ${settings.rounds} interleaved rounds; peak RSS = server process VmHWM, worst round (d2: its higher instance); CPU = the server's user + system time (all threads; d2: both instances) per 1,000 answered requests, median of rounds; backlog at end = events not yet processed when each round's load stopped. (d2): two services on one PostgreSQL schema, each loaded by its own wrk with half the connections; req/s is their sum, latency the worse one's`,
);
console.log(
  table(
    [
      'server',
      'req/s',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'errors',
      'peak RSS MB',
      'CPU ms / 1,000 req',
      'backlog at end',
    ],
    ingest.map((row) =>
      row.runs.length === 0
        ? [row.label, row.skipped ?? 'no data', '', '', '', '', '', '', '']
        : [
            row.label,
            int(row.requestsPerSec),
            fixed(row.p50Ms, 1),
            fixed(row.p99Ms, 1),
            int(row.non2xx),
            int(row.errors),
            mb(row.peakRssBytes),
            fixed(row.cpuMsPerThousand, 0),
            row.runs.map((run) => (run.backlogAtEnd === undefined ? '–' : int(run.backlogAtEnd))).join(' / '),
          ],
    ),
  ),
);
for (const row of ingest) {
  if (row.runs.length > 0 && row.skipped) console.log(`  note: ${row.label} ${row.skipped}`);
  const late = row.runs.reduce((sum, run) => sum + run.signedLate, 0);
  if (late > 0) console.log(`  note: ${row.label}: ${late} deliveries signed during the run (pool ran out)`);
  const wraps = row.runs.reduce((sum, run) => sum + run.wraps, 0);
  if (wraps > 0)
    console.log(`  note: ${row.label}: wrk went through its delivery file ${wraps} times (events repeated)`);
}
console.log(
  `  ratios: c/b ${fixed(ratio(c?.requestsPerSec, b?.requestsPerSec))}  d/c ${fixed(ratio(d?.requestsPerSec, c?.requestsPerSec))}  d2/d ${fixed(ratio(d2?.requestsPerSec, d?.requestsPerSec))}  c/a ${fixed(ratio(c?.requestsPerSec, a?.requestsPerSec))}  c/e ${fixed(ratio(c?.requestsPerSec, e?.requestsPerSec))}  c'/c ${fixed(ratio(cThread?.requestsPerSec, c?.requestsPerSec))}  p99(c)/p99(a) ${fixed(ratio(c?.p99Ms, a?.p99Ms))}`,
);
console.log(
  `  per round req/s: ${ingest.map((row) => `${row.kind} ${row.runs.map((run) => int(run.requestsPerSec)).join('/') || '–'}`).join('  ')}`,
);

console.log(
  `\n   Where the ${system.nproc} cores went during the measured runs, per answered request (µs, median of rounds): our event loop (main thread; d2: both), our other threads (store thread, libuv's pool with the WAL syncs), PostgreSQL's processes, wrk; idle = share of all cores unused`,
);
console.log(
  table(
    ['server', 'event loop', 'other threads', 'PostgreSQL', 'wrk', 'all', 'idle'],
    ingest
      .filter((row) => row.cpuSplit)
      .map((row) => {
        const split = row.cpuSplit!;
        return [
          row.label,
          int(split.eventLoopUs),
          int(split.otherThreadsUs),
          int(split.postgresUs),
          int(split.loadGeneratorUs),
          int(machineUs(split)),
          `${int(split.idleShare * 100)} %`,
        ];
      }),
  ),
);

// 2. Processing
const processing: ProcessingResult[] = [];
const processingRows: string[][] = [];
for (const dialect of ['sqlite', 'postgres'] as const) {
  const ingestRow = dialect === 'sqlite' ? c : d;
  if (dialect === 'postgres' && !pgReachable) {
    processingRows.push([dialect, PG_SKIPPED, '', '', '', '', '']);
    continue;
  }
  progress(`processing: ${dialect}`);
  try {
    const result = await runProcessing(dialect, settings.events, settings.drainCapSeconds);
    processing.push(result);
    processingRows.push([
      dialect,
      fixed(result.fillSeconds, 1),
      result.drained < result.events
        ? `${fixed(result.projectedDrainSeconds, 1)} (projected: ${int(result.drained)} in ${fixed(result.drainSeconds, 0)} s)`
        : fixed(result.drainSeconds, 1),
      int(result.drainPerSec),
      ingestRow ? fixed(result.events / ingestRow.requestsPerSec, 1) : '–',
      `${int(result.done)} / ${int(result.dead)}`,
      ingestRow ? fixed(result.drainPerSec / ingestRow.requestsPerSec) : '–',
    ]);
  } catch (error) {
    processingRows.push([dialect, failure(error), '', '', '', '', '']);
  }
}
console.log(
  `\n2. Processing — ${settings.events.toLocaleString('en-US')} events in the inbox, worker with service defaults (KYC projection on); drain capped at ${settings.drainCapSeconds} s`,
);
console.log(
  table(
    [
      'store',
      'fill s (library)',
      'drain s',
      'drain ev/s',
      'HTTP ingest s (1.)',
      'done / dead',
      'drain ÷ ingest rate',
    ],
    processingRows,
  ),
);

// 3. Burst — the service as it ships (store on the main thread) with the issue's burst, then with the
// store thread on at the smaller BENCH_EVENTS, so the bench stays within its time.
const bursts: Partial<Record<'sqlite' | 'sqlitethread', BurstResult>> = {};
const burstRows: string[][] = [];
for (const kind of ['sqlite', 'sqlitethread'] as const) {
  const label = kind === 'sqlite' ? 'main thread (default)' : 'store thread (SQLITE_THREAD=on)';
  const events = kind === 'sqlite' ? settings.burstEvents : settings.events;
  const drainCap = kind === 'sqlite' ? settings.burstDrainCapSeconds : settings.drainCapSeconds;
  if (!build.runnable) {
    burstRows.push([label, ourServerSkip ?? '', '', '', '', '', '', '']);
    continue;
  }
  progress(`burst: ${events} events at ours (SQLite, ${label})`);
  try {
    const result = await runBurst(events, settings.connections, drainCap, baselines, kind);
    bursts[kind] = result;
    burstRows.push([
      label,
      int(result.events),
      int(result.requestsPerSec),
      fixed(result.ingestSeconds, 1),
      int(result.backlogPeak),
      result.drainedAfterSeconds === null
        ? `> ${fixed(result.ingestSeconds + result.drainCapSeconds, 0)} (${int(result.backlogAtEnd)} left)`
        : fixed(result.drainedAfterSeconds, 1),
      `${int(result.non2xx)} / ${int(result.errors)}`,
      mb(result.peakRssBytes),
    ]);
  } catch (error) {
    burstRows.push([label, failure(error), '', '', '', '', '', '']);
  }
}
console.log(
  `\n3. Burst — as fast as it takes them, concurrency ${settings.connections}, at ours (SQLite) with its worker running; backlog sampled every 100 ms; drain waited for up to ${settings.burstDrainCapSeconds} s (store thread: ${settings.drainCapSeconds} s) after the last response`,
);
console.log(
  table(
    [
      'SQLite store',
      'events',
      'req/s',
      'all answered s',
      'backlog peak',
      'drained after s',
      'non-2xx / errors',
      'peak RSS MB',
    ],
    burstRows,
  ),
);

// 4. Signature
let signature: SignatureBenchResult | undefined;
progress('signature');
try {
  signature = await runSignatureBench({ seconds: settings.signatureSeconds });
  console.log('\n4. Signature — verifications/s over the fixture body, median of interleaved rounds');
  console.log(
    table(
      ['verifier', 'ops/s'],
      [
        ['verifySignature (node:crypto)', int(signature.oursPerSec)],
        ["bare createHmac().digest('hex')", int(signature.bareHmacPerSec)],
        ['verifySignatureWeb (subtle)', int(signature.webPerSec)],
        ['ratio ours / bare', fixed(signature.ratio)],
      ],
    ),
  );
} catch (error) {
  console.log(`\n4. Signature — ${failure(error)}`);
}

// 5. Decision to application, with ingest paced at half the SQLite service's maximum (section 1's c).
let decisionLatency: DecisionLatencyResult | undefined;
const halfRate = c ? c.requestsPerSec / 2 : undefined;
if (build.runnable) {
  progress(
    `decision to application: probe during ingest at ${halfRate ? `${int(halfRate)} req/s` : 'full speed'} (SQLite)`,
  );
  try {
    decisionLatency = await runDecisionLatency(settings, baselines, halfRate);
    console.log(
      `\n5. Decision to application — ${decisionLatency.probes} probe inquiry.approved deliveries at a steady rate during ${settings.seconds} s of ingest at ours (SQLite, ${settings.connections} connections) paced at ${halfRate ? 'half the rate of (c) in section 1' : 'full speed ((c) has no rate)'}; time from the probe's POST to its kyc.decision_changed reaching a local app (every load event is a new approval too: the app received ${int(decisionLatency.messagesReceived)} messages, ${int(decisionLatency.messagesDuringLoad / decisionLatency.loadSeconds)}/s while the load ran)`,
    );
    console.log(
      table(
        ['target req/s', 'load req/s', 'probes arrived', 'p50 ms', 'p99 ms', 'max ms'],
        [
          [
            int(decisionLatency.targetRequestsPerSec),
            int(decisionLatency.loadRequestsPerSec),
            `${int(decisionLatency.arrived)} / ${int(decisionLatency.probes)}`,
            fixed(decisionLatency.p50Ms, 0),
            fixed(decisionLatency.p99Ms, 0),
            fixed(decisionLatency.maxMs, 0),
          ],
        ],
      ),
    );
  } catch (error) {
    console.log(`\n5. Decision to application — ${failure(error)}`);
  }
} else {
  console.log(`\n5. Decision to application — ${ourServerSkip}`);
}

// Targets
const targets = checkTargets({ ingest, burst: bursts.sqlite, decisionLatency });
console.log('\nTargets (issue 30)');
console.log(
  table(
    ['target', 'measured', 'result'],
    targets.map((check) => [
      check.target,
      check.measured,
      check.met === null ? 'n/a' : check.met ? 'met' : 'MISSED',
    ]),
  ),
);
for (const line of cpuCeilings(ingest)) console.log(`  ${line}`);

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const resultsFile = `${resultsDir}${system.date.replace(/[:.]/g, '-')}.json`;
writeFileSync(
  resultsFile,
  `${JSON.stringify({ system, settings, build, postgres: pgReachable, ingest, processing, bursts, signature, decisionLatency, targets }, null, 2)}\n`,
);
console.log(
  `\nTotal ${fixed((performance.now() - startedAt) / 1000, 0)} s; results saved to bench/results/${resultsFile.slice(resultsDir.length)}`,
);
