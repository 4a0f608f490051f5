import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { InboxWriter } from '../store/store.js';
import type { OutcomeReport } from './outcome.js';

/** Persona's retry schedule tolerates a 5 s answer; 2 MiB is far above its largest documented payloads. */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
export { DEFAULT_TOLERANCE_SECONDS } from '../signature/options.js';
export const DEFAULT_DEDUPE_ENTRIES = 10_000;

/** Configuration shared by every adapter. */
export interface PipelineOptions {
  /** Webhook secret(s) from Persona Dashboard → Webhooks (`wbhsec_…`); several during rotation. */
  secrets: string | readonly string[];
  /** Allowed clock skew for the signature timestamp, both directions; `0` disables the check. Default 300. */
  toleranceSeconds?: number;
  /** Largest accepted body, enforced while reading. Default 2 MiB. */
  maxBodyBytes?: number;
  /**
   * Durable mode: each verified event is stored before the 2xx and handled later by the worker.
   * Without a store, `dispatcher`'s handlers run inline and a failure answers 500 so Persona retries.
   */
  store?: InboxWriter;
  /** Handlers to run inline when there is no store. */
  dispatcher?: Dispatcher;
  /** How many handled event ids the in-memory dedupe remembers (no store only). Default 10,000. */
  dedupeEntries?: number;
  /** Called once per request with its outcome: the hook for metrics and logs. Never receives payload data. */
  onOutcome?: (report: OutcomeReport) => void;
  /** Clock in epoch milliseconds; tests inject one. */
  now?: () => number;
}
