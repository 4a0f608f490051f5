/**
 * The performance issue's targets (issue 13), each with its measured value and met / missed (or n/a when a
 * figure is missing). All are ratios against baselines measured in the same run.
 */

import { ratio } from '../lib/stats.js';
import { fixed, mb } from '../lib/table.js';
import type { SignatureBenchResult } from '../signature.js';
import type { BurstResult } from './burst.js';
import type { IngestSummary } from './ingest.js';
import type { ProcessingResult } from './processing.js';

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
  processing: ProcessingResult[];
  burst: BurstResult | undefined;
  /** The same burst with the store in its own thread (PERSONA_WEBHOOKS_SQLITE_THREAD=on). */
  burstStoreThread?: BurstResult | undefined;
  signature: SignatureBenchResult | undefined;
}

const BURST_RSS_LIMIT_BYTES = 150e6;

/**
 * Evaluates the targets.
 *
 * @example
 * for (const check of checkTargets(figures)) console.log(check.target, check.met);
 */
export function checkTargets(figures: MeasuredFigures): TargetCheck[] {
  const rate = (kind: string) => figures.ingest.find((row) => row.kind === kind && row.runs.length > 0);
  const [a, b, c, d, e, cThread] = ['bare', 'express', 'sqlite', 'postgres', 'nostore', 'sqlitethread'].map(
    rate,
  );
  const checks: TargetCheck[] = [
    atLeast('ingest (c) ≥ 0.5 × (a)', ratio(c?.requestsPerSec, a?.requestsPerSec), 0.5, '× (a)'),
    atLeast('ingest (c) ≥ 2.5 × (b)', ratio(c?.requestsPerSec, b?.requestsPerSec), 2.5, '× (b)'),
    atLeast("  … (c') store thread on", ratio(cThread?.requestsPerSec, b?.requestsPerSec), 2.5, '× (b)'),
    atMost('p99 (c) ≤ 2 × p99 (a)', ratio(c?.p99Ms, a?.p99Ms), 2, '× p99 (a)'),
    atLeast('no store (e) ≥ 0.6 × (a)', ratio(e?.requestsPerSec, a?.requestsPerSec), 0.6, '× (a)'),
    atLeast('ingest (d) ≥ 0.35 × (a)', ratio(d?.requestsPerSec, a?.requestsPerSec), 0.35, '× (a)'),
  ];
  for (const [dialect, ingest] of [
    ['sqlite', c],
    ['postgres', d],
  ] as const) {
    const processing = figures.processing.find((row) => row.dialect === dialect);
    const ingestSeconds = processing && ingest ? processing.events / ingest.requestsPerSec : Number.NaN;
    // A drain cut short by the cap is judged on its projection from the rate it reached.
    const projected = processing && processing.drained < processing.events ? ' (projected)' : '';
    checks.push({
      target: `drain ${processing?.events ?? 'N'} ≤ ingest ${processing?.events ?? 'N'} (${dialect})`,
      measured:
        processing && ingest
          ? `${fixed(processing.projectedDrainSeconds, 1)} s${projected} vs ${fixed(ingestSeconds, 1)} s`
          : '–',
      met: processing && ingest ? processing.projectedDrainSeconds <= ingestSeconds : null,
    });
  }
  for (const [label, burst] of [
    ['burst peak RSS ≤ 150 MB', figures.burst],
    ['  … store thread on', figures.burstStoreThread],
  ] as const) {
    const rss = burst?.peakRssBytes;
    checks.push({
      target: label,
      measured: rss === undefined ? '–' : `${mb(rss)} MB`,
      met: rss === undefined ? null : rss <= BURST_RSS_LIMIT_BYTES,
    });
  }
  checks.push(atLeast('signature ≥ 0.9 × bare HMAC', figures.signature?.ratio ?? Number.NaN, 0.9, '×'));
  return checks;
}

function atLeast(target: string, value: number, limit: number, unit: string): TargetCheck {
  return Number.isFinite(value)
    ? { target, measured: `${fixed(value)} ${unit}`, met: value >= limit }
    : { target, measured: '–', met: null };
}

function atMost(target: string, value: number, limit: number, unit: string): TargetCheck {
  return Number.isFinite(value)
    ? { target, measured: `${fixed(value)} ${unit}`, met: value <= limit }
    : { target, measured: '–', met: null };
}
