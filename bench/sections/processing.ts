/**
 * Section 2 — processing: N events already in the inbox, then the worker (as the service configures it,
 * built-in KYC projection on) runs until none is pending. Uses the library in this process: the point is
 * the worker's drain rate, not HTTP. The store is opened as the service opens it by default.
 */

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvelope } from '../../packages/persona-webhooks/src/events/parse-envelope.js';
import type { InboxEvent } from '../../packages/persona-webhooks/src/store/inbox/inbox.js';
import { toInboxEvent } from '../../packages/persona-webhooks/src/store/inbox/inbox-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { openStore } from '../../packages/server/src/open-store.js';
import { DEFAULT_WORKER_CONCURRENCY } from '../../packages/server/src/server/config/service-config.js';
import { removeSqlite } from '../lib/our-server.js';
import { nextEventBody } from '../lib/payloads.js';
import { BENCH_PG_URL, dropSchema, freshSchema } from '../lib/postgres.js';
import { sleep } from '../lib/stats.js';

/** Fill and drain figures for one dialect. */
export interface ProcessingResult {
  dialect: 'sqlite' | 'postgres';
  events: number;
  /** Library-level ingest of the N events (no HTTP), for reference. */
  fillSeconds: number;
  /** Seconds the worker ran: until the inbox was empty, or the cap. */
  drainSeconds: number;
  /** Events done or dead when the drain ended; below `events` when the cap cut it short. */
  drained: number;
  drainPerSec: number;
  /** `events / drainPerSec`: the measured drain time, or its projection when the cap cut it short. */
  projectedDrainSeconds: number;
  done: number;
  dead: number;
}

/** Ingest calls in flight at once while filling: enough for the stores' group commit to batch. */
const FILL_WINDOW = 500;
const POLL_MS = 50;

/**
 * Fills a fresh store with `events` distinct fixture-sized events and times the worker draining them. The
 * drain stops at `drainCapSeconds` (keeping the whole bench short) and the rate so far is reported.
 *
 * @example
 * const result = await runProcessing('sqlite', 20_000, 30);
 */
export async function runProcessing(
  dialect: 'sqlite' | 'postgres',
  events: number,
  drainCapSeconds: number,
): Promise<ProcessingResult> {
  const sqlitePath = join(tmpdir(), `persona-webhooks-bench-processing-${process.pid}.db`);
  const schema = freshSchema();
  const store =
    dialect === 'sqlite'
      ? await openStore(`sqlite:${sqlitePath}`)
      : await openStore(BENCH_PG_URL, { postgresSchema: schema });
  try {
    const inbox = Array.from({ length: events }, inboxEvent);
    const fillStart = performance.now();
    for (let i = 0; i < inbox.length; i += FILL_WINDOW) {
      await Promise.all(inbox.slice(i, i + FILL_WINDOW).map((event) => store.ingest(event)));
    }
    const fillSeconds = (performance.now() - fillStart) / 1000;

    const worker = createWorker({ store, concurrency: DEFAULT_WORKER_CONCURRENCY });
    const drainStart = performance.now();
    worker.start();
    await waitUntilDrained(store, Date.now() + drainCapSeconds * 1000);
    const counts = await store.counts();
    const drainSeconds = (performance.now() - drainStart) / 1000;
    await worker.stop();
    const drained = counts.done + counts.dead;
    const drainPerSec = drained / drainSeconds;
    return {
      dialect,
      events,
      fillSeconds,
      drainSeconds,
      drained,
      drainPerSec,
      projectedDrainSeconds: events / drainPerSec,
      done: counts.done,
      dead: counts.dead,
    };
  } finally {
    await store.close().catch(() => {});
    if (dialect === 'sqlite') removeSqlite(sqlitePath);
    else await dropSchema(schema);
  }
}

/** The event as the pipeline hands it to `store.ingest` after verification and parsing. */
export function inboxEvent(): InboxEvent {
  const body = nextEventBody();
  const parsed = parseEnvelope(body);
  if (!parsed.ok) throw new Error(`bench body does not parse: ${parsed.reason}`);
  const now = Date.now();
  return toInboxEvent(parsed.envelope, body, {
    attemptsMade: 1,
    attemptsLeft: 7,
    firstAttemptedAtMs: now,
    receivedAtMs: now,
  });
}

/** Polls until nothing is pending or processing, or the deadline passes. */
export async function waitUntilDrained(store: Store, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    const counts = await store.counts();
    if (counts.pending + counts.processing === 0) return;
    await sleep(POLL_MS);
  }
}
