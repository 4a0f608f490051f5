/**
 * Sends outbox messages to the application endpoints: leases due messages, signs each attempt in the
 * Standard Webhooks format, POSTs with a timeout, and records the outcome: delivered on any 2xx, else
 * retried on the recommended schedule (`retry-schedule.ts`) and dead after the last attempt. A message
 * keeps its id (`webhook-id`) across retries and replays, so the receiver can dedupe. Runs beside the
 * event worker; with several instances on PostgreSQL each message is leased by one at a time.
 *
 * Throughput comes from many messages in flight, not from fast single ones: under load each message
 * waits a few turns of a busy event loop, so attempts that end in the same turn share one claim for
 * the slots they free, and the stores commit their outcomes together (`GroupCommit`).
 */

import { PendingCount } from '../pending-count.js';
import type { ClaimedDelivery, OutboxStore } from './outbox-types.js';
import { postStandardWebhook } from './post-webhook.js';
import { nextAttemptAt, RETRY_DELAYS_MS } from './retry-schedule.js';
import { fetchTransport, type WebhookTransport } from './webhook-transport.js';

/** What one attempt did, for logs and metrics (no payload, no URL: it may hold a token). */
export interface DeliveryReport {
  messageId: string;
  endpointId: string;
  attempt: number;
  outcome: 'delivered' | 'retry' | 'dead';
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** Created-at to now, for the latency of a decision reaching the application. */
  retryAtMs: number | null;
}

export interface DeliveryWorkerOptions {
  store: Pick<OutboxStore, 'claimDeliveries' | 'finishDelivery' | 'onDeliveriesAvailable'>;
  /** Per attempt, connection included. Default 10,000 ms. */
  timeoutMs?: number;
  /**
   * Messages in flight at once. Default 128: under a backlog each message waits for a few turns of a
   * busy event loop (claim, POST, outcome), so keeping up with ingest takes many in flight at once;
   * with few messages due the slots stay free and cost nothing.
   */
  concurrency?: number;
  /**
   * Messages of one endpoint in flight at once (all senders on the store together), so an endpoint
   * that answers slowly or not at all holds at most these slots and the others keep flowing. Default
   * half of `concurrency`, at least 1.
   */
  perEndpointConcurrency?: number;
  /** How often to look for due messages when nothing woke the worker. Default 1,000 ms. */
  pollIntervalMs?: number;
  /** Delays between attempts; default the Standard Webhooks schedule (about 28 hours in all). */
  retryDelaysMs?: readonly number[];
  /** Called after each attempt. */
  onAttempt?: (report: DeliveryReport) => void;
  /**
   * Defaults: global fetch, Date.now, Math.random. A `fetch` that refuses a destination (the service
   * checks every resolved address) fails with a `cause` whose `code` is `EDESTINATIONREFUSED`; its
   * message becomes the attempt's error as is.
   */
  fetch?: typeof fetch;
  /**
   * How each POST is sent, instead of `fetch` (which it wins over): a cheaper client than fetch, with
   * the same contract (see `webhook-transport.ts`). Default: {@link fetchTransport} over `fetch`.
   */
  transport?: WebhookTransport;
  now?: () => number;
  random?: () => number;
}

/** A running delivery worker. */
export interface DeliveryWorker {
  /** Looks for due messages now instead of at the next poll. */
  wake(): void;
  /** Sends everything due now, then resolves with how many attempts were made (tests, CLI). */
  drain(): Promise<number>;
  /** Stops leasing, waits for attempts in flight. */
  stop(): Promise<void>;
}

/** The options with their defaults filled in, and the lease that goes with the timeout. */
interface WorkerSettings {
  /** As given; the store and `onAttempt` are read from it at each use. */
  options: DeliveryWorkerOptions;
  timeoutMs: number;
  concurrency: number;
  perEndpoint: number;
  pollIntervalMs: number;
  /** The lease outlives the attempt, so no other instance picks a message up while it is in flight. */
  leaseMs: number;
  delays: readonly number[];
  transport: WebhookTransport;
  now: () => number;
  random: () => number;
}

function workerSettings(options: DeliveryWorkerOptions): WorkerSettings {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const concurrency = options.concurrency ?? 128;
  return {
    options,
    timeoutMs,
    concurrency,
    perEndpoint: options.perEndpointConcurrency ?? Math.max(1, Math.floor(concurrency / 2)),
    pollIntervalMs: options.pollIntervalMs ?? 1_000,
    leaseMs: timeoutMs + 30_000,
    delays: options.retryDelaysMs ?? RETRY_DELAYS_MS,
    transport: options.transport ?? fetchTransport(options.fetch ?? fetch),
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
}

/** Sends one leased message, records the outcome (with its retry time) and reports it. */
async function attemptDelivery(s: WorkerSettings, claim: ClaimedDelivery): Promise<void> {
  const result = await postStandardWebhook({
    url: claim.url,
    id: claim.id,
    payload: claim.payload,
    secrets: claim.secrets,
    timeoutMs: s.timeoutMs,
    transport: s.transport,
    now: s.now,
  });
  const finishedAt = s.now();
  const retryAtMs = result.ok ? null : nextAttemptAt(claim.attempt, finishedAt, s.random, s.delays);
  await s.options.store.finishDelivery(claim, result, retryAtMs, finishedAt);
  s.options.onAttempt?.({
    messageId: claim.id,
    endpointId: claim.endpointId,
    attempt: claim.attempt,
    outcome: result.ok ? 'delivered' : retryAtMs === null ? 'dead' : 'retry',
    statusCode: result.statusCode,
    error: result.error,
    durationMs: result.durationMs,
    retryAtMs,
  });
}

/**
 * Starts sending.
 *
 * @example
 * const sender = startDeliveryWorker({ store });
 * // at shutdown, before store.close():
 * await sender.stop();
 */
export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const s = workerSettings(options);
  const { concurrency, leaseMs, now, perEndpoint, pollIntervalMs } = s;
  // Counted, not kept in a Set: see `pending-count.ts` for what a Set churned once per attempt costs.
  const inFlight = new PendingCount();
  /** Reasons to look so far (a freed slot, new messages, a wake); see the end of `leaseAndStart`. */
  let nudges = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Starts one attempt, in flight until its outcome is recorded; a freed slot looks again. */
  const start = (claim: ClaimedDelivery): void => {
    const run = attemptDelivery(s, claim)
      .catch(() => {
        // The store failed to record the outcome: the lease runs out and the message is sent again.
      })
      .finally(() => {
        // Attempts ending in the same turn (their outcomes commit together) share one claim.
        if (!stopped) nudge();
      });
    inFlight.track(run);
  };

  /** Leases what is due while there is room, and starts each attempt; resolves with how many started. */
  const leaseAndStart = async (): Promise<number> => {
    let started = 0;
    try {
      while (!stopped && inFlight.size < concurrency) {
        const limit = concurrency - inFlight.size;
        const nudgesBefore = nudges;
        const claims = await options.store.claimDeliveries({ limit, leaseMs, nowMs: now(), perEndpoint });
        for (const claim of claims) {
          start(claim);
          started++;
        }
        // Fewer than asked: nothing else is due (or each endpoint is at its cap), so another claim would
        // only cost a transaction, unless a nudge came meanwhile (a look asked for then joined this one).
        if (claims.length < limit && nudges === nudgesBefore) break;
      }
    } catch {
      // The store is unavailable: the next poll tries again.
    }
    return started;
  };

  // One look at a time: a look while one runs joins it.
  const looking = oneAtATime(leaseAndStart);
  const look = looking.run;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      void look().then(() => schedule(pollIntervalMs));
    }, delayMs);
    timer.unref?.();
  };

  /** Something may be due now: look on the next turn (several reasons in one turn share one look). */
  const nudge = () => {
    nudges++;
    schedule(0);
  };

  const unsubscribe = options.store.onDeliveriesAvailable(nudge);
  schedule(0);

  return {
    wake: nudge,
    drain: () => drain(look, inFlight),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      await looking.current();
      await inFlight.idle();
    },
  };
}

/** Runs `work` one call at a time: a call while one runs gets that run's promise. */
function oneAtATime<T>(work: () => Promise<T>): { run(): Promise<T>; current(): Promise<T> | undefined } {
  let running: Promise<T> | undefined;
  return {
    run() {
      if (running) return running;
      const current = work();
      // Cleared once settled, not in `work`: with every slot in flight the delivery worker's look
      // finishes without awaiting, before `running` is even assigned, and a `finally` there would leave
      // a settled promise in `running` for good, so the worker would never lease again.
      running = current;
      void current.finally(() => {
        if (running === current) running = undefined;
      });
      return current;
    },
    current: () => running,
  };
}

/** Looks until nothing is due and nothing is in flight; resolves with how many attempts were made. */
async function drain(look: () => Promise<number>, inFlight: PendingCount): Promise<number> {
  let attempts = 0;
  for (;;) {
    attempts += await look();
    if (inFlight.size === 0) {
      // Nothing in flight: one more look tells whether anything became due meanwhile.
      const more = await look();
      if (more === 0 && inFlight.size === 0) return attempts;
      attempts += more;
    }
    await inFlight.nextSettled();
  }
}
