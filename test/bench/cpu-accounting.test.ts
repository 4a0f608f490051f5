/**
 * The bench's CPU accounting: the split a window charges per request, and the ceilings printed under
 * issue 30's targets, which say whether a missed throughput target could fit this machine at all.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { type CpuSnapshot, cpuBetween, snapshotCpu } from '../../bench/lib/machine-cpu.js';
import { cpuCeilings } from '../../bench/sections/cpu-ceilings.js';
import type { IngestSummary } from '../../bench/sections/ingest.js';

const snapshot = (atMs: number, times: Partial<CpuSnapshot>): CpuSnapshot => ({
  atMs,
  eventLoopMs: 0,
  otherThreadsMs: 0,
  postgresMs: 0,
  loadGeneratorMs: 0,
  idleMs: 0,
  ...times,
});

const summary = (kind: IngestSummary['kind'], requestsPerSec: number, split?: IngestSummary['cpuSplit']) =>
  ({ kind, label: kind, runs: [{}], requestsPerSec, cpuSplit: split }) as unknown as IngestSummary;

describe('cpuBetween', () => {
  it('charges each part of a window to the requests answered in it', () => {
    const before = snapshot(0, { eventLoopMs: 100, otherThreadsMs: 10, postgresMs: 50, idleMs: 1000 });
    const after = snapshot(1000, {
      eventLoopMs: 1100,
      otherThreadsMs: 210,
      postgresMs: 450,
      loadGeneratorMs: 40,
      idleMs: 1000 + 500,
    });
    const split = cpuBetween(before, after, 4000)!;
    expect(split.eventLoopUs).toBe(250);
    expect(split.otherThreadsUs).toBe(50);
    expect(split.postgresUs).toBe(100);
    expect(split.loadGeneratorUs).toBe(10);
    // 500 ms idle out of one second of every core this machine has.
    expect(split.idleShare).toBeCloseTo(500 / (1000 * availableParallelism()), 5);
  });

  it('has no split without both snapshots or without answers', () => {
    expect(cpuBetween(undefined, snapshot(1, {}), 10)).toBeUndefined();
    expect(cpuBetween(snapshot(0, {}), snapshot(1, {}), 0)).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('reads a live process from /proc', () => {
    const before = snapshotCpu([process.pid])!;
    const until = performance.now() + 60;
    while (performance.now() < until); // 60 ms on this thread, the one it counts as the event loop
    const after = snapshotCpu([process.pid])!;
    expect(after.eventLoopMs - before.eventLoopMs).toBeGreaterThanOrEqual(30);
    expect(snapshotCpu([2 ** 22 + 1])).toBeUndefined();
  });
});

describe('cpuCeilings', () => {
  it('says how far the cores reach at the measured cost per request', () => {
    const split = (eventLoopUs: number, postgresUs = 0) => ({
      eventLoopUs,
      otherThreadsUs: 0,
      postgresUs,
      loadGeneratorUs: 0,
      idleShare: 0.5,
    });
    const lines = cpuCeilings(
      [
        summary('express', 1000),
        summary('sqlite', 800, split(500)),
        summary('postgres', 500, split(200, 800)),
        summary('postgres2', 600, split(300, 900)),
      ],
      2,
    );
    // 1.5 × 1,000 req/s leaves 667 µs of a loop and 1,333 µs of two cores; 500 µs a request fits 4,000 req/s.
    expect(lines[0]).toContain('1,500 req/s: 667 µs of one event loop and 1,333 µs of the 2 cores');
    expect(lines[0]).toContain('at most 4.00 × (b)');
    // 1.6 × 500 is 800 req/s, 2,500 µs each; at 1,000 µs a request two cores hold 2,000 req/s = 4 × (d).
    expect(lines[1]).toContain('800 req/s: 2,500 µs of the 2 cores');
    expect(lines[1]).toContain('at most 4.00 × (d)');
  });

  it('prints nothing for a target whose figures are missing', () => {
    expect(cpuCeilings([summary('express', 1000), summary('sqlite', 800)], 2)).toEqual([]);
  });
});
