/**
 * What the throughput targets ask of this machine, from section 1's CPU split. A rate R leaves each request
 * 1,000,000 / R µs of one event loop and cores × 1,000,000 / R µs of the whole machine. When the work
 * measured per request does not fit in that, no spreading of it over threads can meet the target here: the
 * work itself has to shrink, or the machine grow. Printed under the targets, so a missed target says which
 * it is: the work fits the cores but not one event loop (a matter of threads), or it fits neither.
 */
import { availableParallelism } from 'node:os';
import type { CpuSplit } from '../lib/machine-cpu.js';
import { fixed, int } from '../lib/table.js';
import type { IngestSummary } from './ingest.js';

/** Everything a split charges to one request: every thread of ours, PostgreSQL, the load generator. */
export function machineUs(split: CpuSplit): number {
  return split.eventLoopUs + split.otherThreadsUs + split.postgresUs + split.loadGeneratorUs;
}

/**
 * The lines for (c) ≥ 1.5 × (b) and (d2) ≥ 1.6 × (d); a line is left out when a figure is missing.
 *
 * @example
 * for (const line of cpuCeilings(ingest)) console.log(`  ${line}`);
 */
export function cpuCeilings(ingest: IngestSummary[], cores = availableParallelism()): string[] {
  const row = (kind: string) => ingest.find((summary) => summary.kind === kind && summary.runs.length > 0);
  const [b, c, d, d2, e] = ['express', 'sqlite', 'postgres', 'postgres2', 'nostore'].map(row);
  const lines: string[] = [];
  if (b && c?.cpuSplit) {
    const rate = 1.5 * b.requestsPerSec;
    const loop = 1e6 / rate;
    const machine = (cores * 1e6) / rate;
    const used = machineUs(c.cpuSplit);
    const noStore = e?.cpuSplit
      ? `; (e), which stores nothing, used ${int(e.cpuSplit.eventLoopUs)} µs of its event loop`
      : '';
    lines.push(
      `(c) ≥ 1.5 × (b) is ${int(rate)} req/s: ${int(loop)} µs of one event loop and ${int(machine)} µs of the ${cores} cores per request. (c) used ${int(c.cpuSplit.eventLoopUs)} µs of its event loop and ${int(used)} µs of the machine (all its threads ${int(c.cpuSplit.eventLoopUs + c.cpuSplit.otherThreadsUs)}, wrk ${int(c.cpuSplit.loadGeneratorUs)})${noStore}; at (c)'s cost the ${cores} cores hold at most ${fixed((cores * 1e6) / used / b.requestsPerSec)} × (b)`,
    );
  }
  if (d?.cpuSplit && d2?.cpuSplit) {
    const rate = 1.6 * d.requestsPerSec;
    const machine = (cores * 1e6) / rate;
    const one = machineUs(d.cpuSplit);
    const two = machineUs(d2.cpuSplit);
    lines.push(
      `(d2) ≥ 1.6 × (d) is ${int(rate)} req/s: ${int(machine)} µs of the ${cores} cores per request for ours, PostgreSQL and wrk together. (d) used ${int(one)} µs (PostgreSQL ${int(d.cpuSplit.postgresUs)}, ours ${int(d.cpuSplit.eventLoopUs + d.cpuSplit.otherThreadsUs)}, ${pct(d.cpuSplit.idleShare)} of the cores idle); (d2) used ${int(two)} µs (PostgreSQL ${int(d2.cpuSplit.postgresUs)}, ${pct(d2.cpuSplit.idleShare)} idle); at (d)'s cost the ${cores} cores hold at most ${fixed((cores * 1e6) / one / d.requestsPerSec)} × (d)`,
    );
  }
  return lines;
}

function pct(share: number): string {
  return Number.isFinite(share) ? `${Math.round(share * 100)} %` : '–';
}
