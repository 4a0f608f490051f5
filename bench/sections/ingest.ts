/**
 * Section 1 — ingest: each server in its own process under the same load (pre-signed distinct events,
 * fixed concurrency), rounds interleaved a,b,c,d,a,b,c,d so drift (thermal, page cache, neighbours) hits
 * every server alike. Medians of rounds are reported; peak RSS is the worst round. The load comes from
 * wrk when it is installed (one file of deliveries per round, signed just before it), else autocannon.
 */

import { cpuTimeMs, startServer } from '../lib/child-server.js';
import { type LoadResult, runLoad } from '../lib/load.js';
import { prepareServer, type ServerKind, WEBHOOK_PATH } from '../lib/our-server.js';
import { DeliveryPool } from '../lib/payloads.js';
import type { BenchSettings } from '../lib/settings.js';
import { median } from '../lib/stats.js';
import { type DeliveryFile, findWrk, runWrk, writeDeliveryFile } from '../lib/wrk.js';
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
  /** The server's CPU time (all threads) per 1,000 answered requests during the measured run (wrk, Linux). */
  cpuMsPerThousand: number | undefined;
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
  const kinds: ServerKind[] = ['bare', 'express', 'nostore', 'sqlite', 'sqlitethread', 'postgres'];
  const runs = new Map<ServerKind, IngestRun[]>(kinds.map((kind) => [kind, []]));
  const failures = new Map<ServerKind, string>();
  const rate = { ...INITIAL_RATE };
  const wrk = findWrk();

  for (let round = 1; round <= settings.rounds; round++) {
    let file: DeliveryFile | undefined;
    if (wrk) {
      // Sized so our servers never run out; the baselines may wrap around (they keep no state that a
      // repeated event would make cheaper, and the report counts the wraps).
      const ours = Math.max(rate.nostore, rate.sqlite, rate.sqlitethread, rate.postgres);
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

/** One round of one server: warm-up, then the measured run; `bin` as in `prepareServer`. */
export async function measureOnce(
  kind: ServerKind,
  round: number,
  settings: BenchSettings,
  baselines: BaselineServers,
  expectedRate: number,
  file: DeliveryFile | undefined,
  bin?: string,
): Promise<IngestRun> {
  const prepared = prepareServer(kind, baselines, bin);
  const server = await startServer(prepared.spec);
  try {
    if (file) {
      const connections = settings.connections;
      const warm = await runWrk({
        url: server.url,
        file,
        offset: 0,
        connections,
        seconds: settings.warmupSeconds,
      });
      // The measured run continues where the warm-up stopped: every event it sends is new to this server.
      const cpuBefore = cpuTimeMs(server.pid);
      const result = await runWrk({
        url: server.url,
        file,
        offset: warm.nextOffset,
        connections,
        seconds: settings.seconds,
      });
      const cpuAfter = cpuTimeMs(server.pid);
      const backlogAtEnd = await backlogOf(kind, server.url);
      const peakRssBytes = await server.stop();
      const answered = result.requestsPerSec * settings.seconds;
      return {
        round,
        ...pick(result),
        peakRssBytes,
        signedLate: 0,
        wraps: warm.wraps + result.wraps,
        backlogAtEnd,
        cpuMsPerThousand:
          cpuBefore === undefined || cpuAfter === undefined || answered === 0
            ? undefined
            : ((cpuAfter - cpuBefore) * 1000) / answered,
      };
    }
    // Signed now, just before the run, so every timestamp is well inside the 300 s tolerance.
    // 1.5 × the expected rate: a run that outpaces the pool signs on the fly, which loads the generator.
    const poolSize = Math.max(expectedRate * 1.5, 1000) * (settings.seconds + settings.warmupSeconds);
    const pool = new DeliveryPool(Math.ceil(poolSize));
    const target = { url: server.url, path: WEBHOOK_PATH, pool, connections: settings.connections };
    await runLoad({ ...target, seconds: settings.warmupSeconds });
    const result = await runLoad({ ...target, seconds: settings.seconds });
    const backlogAtEnd = await backlogOf(kind, server.url);
    const peakRssBytes = await server.stop();
    return {
      round,
      ...pick(result),
      peakRssBytes,
      signedLate: pool.signedLate,
      wraps: 0,
      backlogAtEnd,
      cpuMsPerThousand: undefined,
    };
  } finally {
    await server.stop();
    await prepared.cleanup();
  }
}

/** The backlog of a server with an inbox; undefined for the others. */
async function backlogOf(kind: ServerKind, url: string): Promise<number | undefined> {
  return kind === 'sqlite' || kind === 'sqlitethread' || kind === 'postgres' ? readBacklog(url) : undefined;
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
  };
  if (skipped) summary.skipped = skipped;
  return summary;
}

/** Row labels, as the issue names the four servers. */
export const LABELS: Record<ServerKind, string> = {
  bare: '(a) bare node:http',
  express: '(b) express copy',
  nostore: '(e) ours, no store',
  sqlite: '(c) ours, SQLite',
  sqlitethread: "(c') ours, SQLite, store thread on",
  postgres: '(d) ours, PostgreSQL',
};
