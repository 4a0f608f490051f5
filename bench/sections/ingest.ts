/**
 * Section 1 — ingest: each server in its own process under the same load (pre-signed distinct events,
 * fixed concurrency), rounds interleaved a,b,c,d,a,b,c,d so drift (thermal, page cache, neighbours) hits
 * every server alike. Medians of rounds are reported; peak RSS is the worst round. The load comes from
 * wrk when it is installed (one file of deliveries per round, signed just before it), else autocannon.
 * A kind with several instances (d2: two PostgreSQL services on one schema) gets one wrk per instance,
 * each with its share of the connections and its own part of the file; its rate is their sum, its peak
 * RSS the highest instance's, its CPU all instances'. It needs wrk.
 */

import { type LoadResult, runLoad } from '../lib/load.js';
import { type CpuSplit, cpuBetween, snapshotCpu } from '../lib/machine-cpu.js';
import { instancesOf, prepareServer, type ServerKind, WEBHOOK_PATH } from '../lib/our-server.js';
import { DeliveryPool } from '../lib/payloads.js';
import { startServers } from '../lib/server-group.js';
import type { BenchSettings } from '../lib/settings.js';
import { median } from '../lib/stats.js';
import { type DeliveryFile, findWrk, writeDeliveryFile } from '../lib/wrk.js';
import { runWrkParallel } from '../lib/wrk-parallel.js';
import type { BaselineServers } from '../servers/compile-servers.js';
import { readBacklog } from './burst.js';

/** One measured run of one server. */
export interface IngestRun {
  round: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  peakRssBytes: number | undefined;
  /** Deliveries signed during the run because the pre-signed pool ran out (should be 0; autocannon only). */
  signedLate: number;
  /** Times wrk went through the whole delivery file and sent events again (0 for our servers; wrk only). */
  wraps: number;
  /** Events still waiting in the inbox when the run ended (our stored servers): did processing keep up? */
  backlogAtEnd: number | undefined;
  /** The server's CPU time (all its threads: `cpuSplit`'s event loop and other threads) per 1,000 answered requests. */
  cpuMsPerThousand: number | undefined;
  /** Where the machine's CPU went during the measured run, per answered request (wrk, Linux). */
  cpuSplit: CpuSplit | undefined;
}

/** One server's figures over all rounds; `skipped` says why there are none. */
export interface IngestSummary {
  kind: ServerKind;
  label: string;
  runs: IngestRun[];
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  peakRssBytes: number | undefined;
  /** Median over rounds of the server's CPU ms per 1,000 answered requests; NaN without the figure. */
  cpuMsPerThousand: number;
  /** Each part of the split, median over rounds; undefined without the figures. */
  cpuSplit: CpuSplit | undefined;
  skipped?: string;
}

/** First guess of each server's rate, to size the pre-signed pool; later rounds use the measured rate. */
const INITIAL_RATE: Record<ServerKind, number> = {
  bare: 7000,
  express: 3000,
  nostore: 8000,
  sqlite: 6000,
  sqlitethread: 5000,
  postgres: 3000,
  postgres2: 4500,
};

/**
 * Runs the interleaved ingest rounds; `skip` maps a server to the reason it cannot run (e.g. no PostgreSQL).
 *
 * @example
 * const results = await runIngest(settings, baselines, { postgres: 'skipped (PostgreSQL unreachable)' }, console.error);
 */
export async function runIngest(
  settings: BenchSettings,
  baselines: BaselineServers,
  skip: Partial<Record<ServerKind, string>>,
  progress: (line: string) => void,
): Promise<IngestSummary[]> {
  const kinds: ServerKind[] = [
    'bare',
    'express',
    'nostore',
    'sqlite',
    'sqlitethread',
    'postgres',
    'postgres2',
  ];
  const runs = new Map<ServerKind, IngestRun[]>(kinds.map((kind) => [kind, []]));
  const failures = new Map<ServerKind, string>();
  const rate = { ...INITIAL_RATE };
  const wrk = findWrk();

  for (let round = 1; round <= settings.rounds; round++) {
    let file: DeliveryFile | undefined;
    if (wrk) {
      // Sized so our servers never run out; the baselines may wrap around (they keep no state that a
      // repeated event would make cheaper, and the report counts the wraps).
      const ours = Math.max(rate.nostore, rate.sqlite, rate.sqlitethread, rate.postgres, rate.postgres2);
      const count = Math.ceil(Math.max(ours * 1.4, 1000) * (settings.seconds + settings.warmupSeconds));
      progress(`ingest round ${round}/${settings.rounds}: signing ${count} deliveries for wrk`);
      file = await writeDeliveryFile(count, WEBHOOK_PATH);
    }
    try {
      for (const kind of kinds) {
        if (skip[kind] || failures.has(kind)) continue;
        progress(`ingest round ${round}/${settings.rounds}: ${kind}`);
        try {
          const run = await measureOnce(kind, round, settings, baselines, rate[kind], file);
          runs.get(kind)!.push(run);
          rate[kind] = run.requestsPerSec;
        } catch (error) {
          failures.set(
            kind,
            `failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
          );
        }
      }
    } finally {
      file?.remove();
    }
  }

  return kinds.map((kind) => summarise(kind, runs.get(kind)!, skip[kind] ?? failures.get(kind)));
}

/** One round of one server (all its instances): warm-up, then the measured run; `bin` as in `prepareServer`. */
export async function measureOnce(
  kind: ServerKind,
  round: number,
  settings: BenchSettings,
  baselines: BaselineServers,
  expectedRate: number,
  file: DeliveryFile | undefined,
  bin?: string,
): Promise<IngestRun> {
  const instances = instancesOf(kind);
  if (!file && instances > 1) throw new Error(`${instances} instances need wrk (apt-get install wrk)`);
  const prepared = prepareServer(kind, baselines, bin);
  const group = await startServers(prepared.spec, instances);
  try {
    if (file) {
      const ranges = file.parts(instances);
      const load = { urls: group.urls, file, ranges, connections: settings.connections };
      const warm = await runWrkParallel({
        ...load,
        offsets: ranges.map((range) => range.start),
        seconds: settings.warmupSeconds,
      });
      // The measured run continues where the warm-up stopped: every event it sends is new to this server.
      const pids = group.servers.map((server) => server.pid);
      const cpuBefore = snapshotCpu(pids);
      const result = await runWrkParallel({ ...load, offsets: warm.nextOffsets, seconds: settings.seconds });
      const cpuAfter = snapshotCpu(pids);
      // The instances share one inbox: any of them reports the whole backlog.
      const backlogAtEnd = await backlogOf(kind, group.urls[0]!);
      const peakRssBytes = await group.stop();
      const answered = result.requestsPerSec * settings.seconds;
      const cpuSplit = cpuBetween(cpuBefore, cpuAfter, answered);
      return {
        round,
        ...pick(result),
        peakRssBytes,
        signedLate: 0,
        wraps: warm.wraps + result.wraps,
        backlogAtEnd,
        // µs per request is ms per 1,000 requests.
        cpuMsPerThousand: cpuSplit && cpuSplit.eventLoopUs + cpuSplit.otherThreadsUs,
        cpuSplit,
      };
    }
    const url = group.urls[0]!;
    // Signed now, just before the run, so every timestamp is well inside the 300 s tolerance.
    // 1.5 × the expected rate: a run that outpaces the pool signs on the fly, which loads the generator.
    const poolSize = Math.max(expectedRate * 1.5, 1000) * (settings.seconds + settings.warmupSeconds);
    const pool = new DeliveryPool(Math.ceil(poolSize));
    const target = { url, path: WEBHOOK_PATH, pool, connections: settings.connections };
    await runLoad({ ...target, seconds: settings.warmupSeconds });
    const result = await runLoad({ ...target, seconds: settings.seconds });
    const backlogAtEnd = await backlogOf(kind, url);
    const peakRssBytes = await group.stop();
    return {
      round,
      ...pick(result),
      peakRssBytes,
      signedLate: pool.signedLate,
      wraps: 0,
      backlogAtEnd,
      cpuMsPerThousand: undefined,
      cpuSplit: undefined,
    };
  } finally {
    await group.stop();
    await prepared.cleanup();
  }
}

/** The backlog of a server with an inbox; undefined for the others. */
async function backlogOf(kind: ServerKind, url: string): Promise<number | undefined> {
  return kind === 'bare' || kind === 'express' || kind === 'nostore' ? undefined : readBacklog(url);
}

function pick(result: LoadResult) {
  const { requestsPerSec, p50Ms, p99Ms, non2xx, errors } = result;
  return { requestsPerSec, p50Ms, p99Ms, non2xx, errors };
}

function summarise(kind: ServerKind, runs: IngestRun[], skipped: string | undefined): IngestSummary {
  const peaks = runs.map((run) => run.peakRssBytes).filter((value): value is number => value !== undefined);
  const summary: IngestSummary = {
    kind,
    label: LABELS[kind],
    runs,
    requestsPerSec: median(runs.map((run) => run.requestsPerSec)),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    peakRssBytes: peaks.length > 0 ? Math.max(...peaks) : undefined,
    cpuMsPerThousand: median(
      runs.map((run) => run.cpuMsPerThousand).filter((value): value is number => value !== undefined),
    ),
    cpuSplit: medianSplit(runs),
  };
  if (skipped) summary.skipped = skipped;
  return summary;
}

/** Each part of the rounds' CPU splits, median over the rounds that have one. */
function medianSplit(runs: IngestRun[]): CpuSplit | undefined {
  const splits = runs.map((run) => run.cpuSplit).filter((split): split is CpuSplit => split !== undefined);
  if (splits.length === 0) return undefined;
  const part = (pick: (split: CpuSplit) => number) => median(splits.map(pick));
  return {
    eventLoopUs: part((split) => split.eventLoopUs),
    otherThreadsUs: part((split) => split.otherThreadsUs),
    postgresUs: part((split) => split.postgresUs),
    loadGeneratorUs: part((split) => split.loadGeneratorUs),
    idleShare: part((split) => split.idleShare),
  };
}

/** Row labels, as the issue names the four servers. */
export const LABELS: Record<ServerKind, string> = {
  bare: '(a) bare node:http',
  express: '(b) express copy',
  nostore: '(e) ours, no store',
  sqlite: '(c) ours, SQLite',
  sqlitethread: "(c') ours, SQLite, store thread on",
  postgres: '(d) ours, PostgreSQL',
  postgres2: '(d2) ours, PostgreSQL, 2 instances',
};
