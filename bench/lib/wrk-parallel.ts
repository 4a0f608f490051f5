/**
 * Several wrk processes at once, one per server instance, each with its share of the connections and its
 * own part of one delivery file, so every instance gets distinct events and the instances share the load
 * as a load balancer in front of them would. The figures are combined: rates and counts add up, latency
 * percentiles are the worst part's (a conservative reading: the parts' histograms cannot be merged).
 */
import type { LoadResult } from './load.js';
import { type ByteRange, type DeliveryFile, runWrk } from './wrk.js';

/** The combined figures, plus where each part's next run should start. */
export interface ParallelWrkResult extends LoadResult {
  /** Per part: the byte offset after its last delivery sent. */
  nextOffsets: number[];
  wraps: number;
}

/**
 * Runs one wrk per URL concurrently; part i sends to `urls[i]` from `offsets[i]` within `ranges[i]`.
 *
 * @example
 * const ranges = file.parts(2);
 * const run = await runWrkParallel({ urls, file, ranges, offsets: ranges.map((r) => r.start), connections: 50, seconds: 10 });
 */
export async function runWrkParallel(options: {
  urls: readonly string[];
  file: DeliveryFile;
  ranges: readonly ByteRange[];
  offsets: readonly number[];
  /** All parts together; each gets its share (at least 1). */
  connections: number;
  seconds: number;
}): Promise<ParallelWrkResult> {
  const parts = options.urls.length;
  const results = await Promise.all(
    options.urls.map((url, i) =>
      runWrk({
        url,
        file: options.file,
        range: options.ranges[i]!,
        offset: options.offsets[i]!,
        connections: Math.max(1, Math.round(options.connections / parts)),
        seconds: options.seconds,
      }),
    ),
  );
  const sum = (pick: (result: (typeof results)[number]) => number) =>
    results.reduce((total, result) => total + pick(result), 0);
  return {
    requestsPerSec: sum((result) => result.requestsPerSec),
    p50Ms: Math.max(...results.map((result) => result.p50Ms)),
    p99Ms: Math.max(...results.map((result) => result.p99Ms)),
    non2xx: sum((result) => result.non2xx),
    errors: sum((result) => result.errors),
    responses: sum((result) => result.responses),
    durationSec: Math.max(...results.map((result) => result.durationSec)),
    startedAtMs: Math.min(...results.map((result) => result.startedAtMs)),
    nextOffsets: results.map((result) => result.nextOffset),
    wraps: sum((result) => result.wraps),
  };
}
