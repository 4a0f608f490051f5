/**
 * The performance issue's targets (issue 30), each with its measured value and met / missed (or n/a when a
 * figure is missing). Every one is computed from figures measured in the same run: ingest ratios from
 * section 1, the decision latency from section 5 (paced at half of section 1's SQLite rate), and the
 * burst's peak RSS from section 3 against today's, measured on main (below). Issue 30's fourth target,
 * halving the server's CPU per request, needs a baseline checkout: `npm run bench:compare` measures it.
 */

import { ratio } from '../lib/stats.js';
import { fixed, int, mb } from '../lib/table.js';
import type { BurstResult } from './burst.js';
import type { DecisionLatencyResult } from './decision-latency.js';
import type { IngestSummary } from './ingest.js';

/** One target line. */
export interface TargetCheck {
  target: string;
  measured: string;
  /** Null when a figure needed for it is missing (section skipped or failed). */
  met: boolean | null;
}

/** Everything the targets are computed from; any part may be missing. */
export interface MeasuredFigures {
  ingest: IngestSummary[];
  /** The main-thread burst of `BENCH_BURST_EVENTS` (section 3). */
  burst: BurstResult | undefined;
  decisionLatency: DecisionLatencyResult | undefined;
}

/**
 * Today's burst peak RSS, the issue's reference: the 100,000-event burst at ours (SQLite, main thread)
 * of main before the issue (124a534, built), measured by this bench (`npm run bench` with this `bench/`
 * copied into a worktree of 124a534) on 2026-12-07 at 08:13 UTC: 220.3 MB.
 */
export const BURST_RSS_BASELINE_BYTES = 220.3e6;

/** The issue's burst size; a smaller `BENCH_BURST_EVENTS` still prints the figure, labelled with its size. */
const ISSUE_BURST_EVENTS = 100_000;
const DECISION_P99_LIMIT_MS = 1000;

/**
 * Evaluates the targets.
 *
 * @example
 * for (const check of checkTargets(figures)) console.log(check.target, check.met);
 */
export function checkTargets(figures: MeasuredFigures): TargetCheck[] {
  const rate = (kind: string) => figures.ingest.find((row) => row.kind === kind && row.runs.length > 0);
  const [b, c, d, d2] = ['express', 'sqlite', 'postgres', 'postgres2'].map(rate);
  // (c) runs its worker during the load: its backlog at the end of each round says whether processing kept up.
  const backlog = c?.runs.map((run) => int(run.backlogAtEnd)).join(' / ');
  return [
    atLeast(
      'SQLite ingest (c) ≥ 1.5 × express copy (b)',
      ratio(c?.requestsPerSec, b?.requestsPerSec),
      1.5,
      `× (b); backlog at end ${backlog}`,
    ),
    atLeast(
      'PostgreSQL ingest (d) ≥ 0.6 × SQLite (c)',
      ratio(d?.requestsPerSec, c?.requestsPerSec),
      0.6,
      '× (c)',
    ),
    atLeast(
      'PostgreSQL 2 instances (d2) ≥ 1.6 × one (d)',
      ratio(d2?.requestsPerSec, d?.requestsPerSec),
      1.6,
      '× (d)',
    ),
    decisionLatency(figures.decisionLatency),
    burstRss(figures.burst),
  ];
}

/** p99 ≤ 1 s, every probe arrived, and the load was paced (the target is "at half the maximum rate"). */
function decisionLatency(latency: DecisionLatencyResult | undefined): TargetCheck {
  const target = `decision to app p99 ≤ 1 s at half the max ingest rate (c) ÷ 2`;
  if (!latency || latency.targetRequestsPerSec === undefined || !Number.isFinite(latency.p99Ms)) {
    return { target, measured: '–', met: null };
  }
  const lost = latency.probes - latency.arrived;
  const load = `load ${int(latency.loadRequestsPerSec)} req/s, ${fixed(latency.loadRequestsPerSec / latency.targetRequestsPerSec)} × the target ${int(latency.targetRequestsPerSec)}`;
  return {
    target,
    measured: `p99 ${int(latency.p99Ms)} ms${lost > 0 ? `, ${lost} probes never arrived` : ''} (${load})`,
    met: lost === 0 && latency.p99Ms <= DECISION_P99_LIMIT_MS,
  };
}

/** The main-thread burst's peak RSS against today's (`BURST_RSS_BASELINE_BYTES`). */
function burstRss(burst: BurstResult | undefined): TargetCheck {
  const size =
    burst && burst.events !== ISSUE_BURST_EVENTS
      ? `${int(burst.events)} events (issue: ${int(ISSUE_BURST_EVENTS)})`
      : `${int(ISSUE_BURST_EVENTS)} events`;
  const target = `burst of ${size}: peak RSS ≤ today's ${mb(BURST_RSS_BASELINE_BYTES)} MB`;
  const rss = burst?.peakRssBytes;
  return rss === undefined
    ? { target, measured: '–', met: null }
    : { target, measured: `${mb(rss)} MB`, met: rss <= BURST_RSS_BASELINE_BYTES };
}

function atLeast(target: string, value: number, limit: number, unit: string): TargetCheck {
  return Number.isFinite(value)
    ? { target, measured: `${fixed(value)} ${unit}`, met: value >= limit }
    : { target, measured: '–', met: null };
}
