/**
 * Section 3 — burst: N events as fast as our SQLite server takes them while its worker runs, with
 * `/metrics` sampled every 100 ms: the backlog peak, the time from the first request until the backlog
 * is gone, and the server's peak RSS.
 */

import { startServer } from '../lib/child-server.js';
import { runLoad } from '../lib/load.js';
import { prepareServer, WEBHOOK_PATH } from '../lib/our-server.js';
import { DeliveryPool } from '../lib/payloads.js';
import { sleep } from '../lib/stats.js';
import type { BaselineServers } from '../servers/compile-servers.js';

/** What the burst measured. */
export interface BurstResult {
  events: number;
  requestsPerSec: number;
  non2xx: number;
  errors: number;
  /** Seconds from the first request until the last response. */
  ingestSeconds: number;
  /** Highest `persona_webhook_inbox_pending` seen. */
  backlogPeak: number;
  /** Seconds from the first request until the backlog was seen at 0; null if not drained within the cap. */
  drainedAfterSeconds: number | null;
  /** Backlog at the last sample (0 when drained). */
  backlogAtEnd: number;
  /** Seconds waited after the last response before giving up on the drain. */
  drainCapSeconds: number;
  peakRssBytes: number | undefined;
}

const SAMPLE_MS = 100;
const PENDING = /^persona_webhook_inbox_pending(?:\{[^}]*\})?\s+(\d+(?:\.\d+)?)/m;

/** Events waiting in a server's inbox, from its `/metrics`; undefined when it does not say. */
export async function readBacklog(serverUrl: string): Promise<number | undefined> {
  const match = PENDING.exec(await (await fetch(`${serverUrl}/metrics`)).text());
  return match ? Number(match[1]) : undefined;
}

/**
 * Runs the burst against a fresh SQLite server.
 *
 * @example
 * const burst = await runBurst(20_000, 50, 45, baselines);
 * const before = await runBurst(20_000, 50, 45, baselines, 'sqlite', '/tmp/before/packages/server/bin/persona-webhooks.js');
 */
export async function runBurst(
  events: number,
  connections: number,
  drainCapSeconds: number,
  baselines: BaselineServers,
  kind: 'sqlite' | 'sqlitethread' = 'sqlite',
  bin?: string,
): Promise<BurstResult> {
  const prepared = prepareServer(kind, baselines, bin);
  const server = await startServer(prepared.spec);
  try {
    const pool = new DeliveryPool(events);
    const sampler = sampleBacklog(server.url);
    const load = await runLoad({ url: server.url, path: WEBHOOK_PATH, pool, connections, amount: events });
    const drainedAtMs = await sampler.waitForZero(Date.now() + drainCapSeconds * 1000);
    sampler.stop();
    const peakRssBytes = await server.stop();
    return {
      events,
      requestsPerSec: load.requestsPerSec,
      non2xx: load.non2xx,
      errors: load.errors,
      ingestSeconds: load.durationSec,
      backlogPeak: sampler.peak(),
      drainedAfterSeconds: drainedAtMs === null ? null : (drainedAtMs - load.startedAtMs) / 1000,
      backlogAtEnd: sampler.last(),
      drainCapSeconds,
      peakRssBytes,
    };
  } finally {
    await server.stop();
    await prepared.cleanup();
  }
}

/** Scrapes `/metrics` every 100 ms in the background; a failed scrape is skipped, not fatal. */
function sampleBacklog(serverUrl: string) {
  let peak = 0;
  let last: number | undefined;
  let lastAtMs = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const startedAtMs = Date.now();
      try {
        const pending = await readBacklog(serverUrl);
        if (pending !== undefined) {
          last = pending;
          lastAtMs = startedAtMs;
          peak = Math.max(peak, last);
        }
      } catch {
        // The server is saturated or stopping; the next sample will tell.
      }
      await sleep(Math.max(0, SAMPLE_MS - (Date.now() - startedAtMs)));
    }
  })();
  return {
    peak: () => peak,
    last: () => last ?? Number.NaN,
    stop: () => {
      running = false;
      return loop;
    },
    /** The time of the first sample taken after this call that reads 0; null after the deadline. */
    async waitForZero(deadlineMs: number): Promise<number | null> {
      const since = Date.now();
      while (Date.now() < deadlineMs) {
        if (last === 0 && lastAtMs >= since) return lastAtMs;
        await sleep(SAMPLE_MS / 4);
      }
      return null;
    },
  };
}
