import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { InboxWriter } from '../store/inbox/inbox.js';
import type { OutcomeReport } from './outcome.js';

/** Persona's retry schedule tolerates a 5 s answer; 2 MiB is far above its largest documented payloads. */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
export { DEFAULT_TOLERANCE_SECONDS } from '../signature/signature-options.js';
export const DEFAULT_DEDUPE_ENTRIES = 10_000;
export const DEFAULT_MAX_CONCURRENT_BODIES = 64;

/** Settings of every pipeline, durable or inline. */
export interface PipelineBaseOptions {
  /** Webhook secret(s) from Persona Dashboard → Webhooks (`wbhsec_…`); several during rotation. */
  secrets: string | readonly string[];
  /** Allowed clock skew for the signature timestamp, both directions; `0` disables the check. Default 300. */
  toleranceSeconds?: number;
  /** Largest accepted body, enforced while reading. Default 2 MiB. */
  maxBodyBytes?: number;
  /**
   * Most request bodies read at the same time; further requests are answered `503 receiver_busy`
   * before their body is read, so memory stays bounded (≤ this × `maxBodyBytes`) whatever clients do.
   * Default 64.
   */
  maxConcurrentBodies?: number;
  /** Called once per request with its outcome: the hook for metrics and logs. Never receives payload data. */
  onOutcome?: (report: OutcomeReport) => void;
  /** Clock in epoch milliseconds; tests inject one. */
  now?: () => number;
}

/**
 * Durable mode: each verified event is stored before the 2xx and handled later by the worker, so the
 * handlers belong to `createWorker({ store, dispatcher })`, not here.
 */
export interface DurablePipelineOptions extends PipelineBaseOptions {
  store: InboxWriter;
  dispatcher?: never;
  dedupeEntries?: never;
}

/** Inline mode: `dispatcher`'s handlers run before the answer; a failure answers 500 so Persona retries. */
export interface InlinePipelineOptions extends PipelineBaseOptions {
  store?: undefined;
  /** Handlers to run inline. */
  dispatcher?: Dispatcher;
  /** How many handled event ids the in-memory dedupe remembers. Default 10,000. */
  dedupeEntries?: number;
}

/** Configuration shared by every adapter: a store (durable) or a dispatcher (inline), never both. */
export type PipelineOptions = DurablePipelineOptions | InlinePipelineOptions;
