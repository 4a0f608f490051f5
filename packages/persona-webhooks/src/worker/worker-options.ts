/**
 * The worker's options and the narrow views of its collaborators. The dispatcher and logger are
 * described by the few methods the worker calls, so any object with that shape fits (the package's
 * dispatcher, a pino logger, a test double).
 */
import type { PersonaEvent } from '../events/event.js';
import type { WorkQueue } from '../store/queue/work-queue.js';
import { type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';

/** What the worker needs from a dispatcher: `createDispatcher()` returns one. */
export interface HandlerRunner {
  hasHandlers(name: string): boolean;
  /** Rejects when any handler failed. */
  dispatch(event: PersonaEvent): Promise<void>;
}

/**
 * A pino-compatible logger; only structured fields and a fixed message are ever passed (a handler's
 * error message only as `errorMessage`, with the payload's values redacted).
 */
export interface WorkerLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** One finished handler run, for metrics and logs. */
export interface ProcessedReport {
  eventId: string;
  name: string;
  /** `done`: completed; `retry`: failed, scheduled again; `dead`: failed for good. */
  result: 'done' | 'retry' | 'dead';
  /** Wall-clock time spent on the event, in ms. */
  durationMs: number;
  /** Error class or code (`body_purged`, `invalid_event`, `HandlerFailedError`…); never a message. */
  error?: string;
}

/** Options of `createWorker`; only `store` is required. */
export interface WorkerOptions {
  store: WorkQueue;
  /** Runs the user's handlers; without one only the KYC projection runs. */
  dispatcher?: HandlerRunner;
  /** Apply the built-in KYC projection when an event completes. Default true. */
  projection?: boolean;
  /**
   * Events whose handlers run at the same time. Default 8. An event leaves its slot once its handlers
   * are over: the outcome's store write is grouped with other events' writes, not counted here.
   */
  concurrency?: number;
  /**
   * Most events claimed per query. Default 64. Claims beyond `concurrency` wait in memory under their
   * lease, so the worker holds at most what its recent handler times say it can start well within
   * the lease (see `hold-limit.ts`); with slow handlers it claims no more than its free slots.
   */
  batchSize?: number;
  /** How long a claim is ours before another worker may take it. Default 60 s. */
  leaseMs?: number;
  /** Backstop poll for due retries, expired leases and missed wake-ups. Default 1 s. */
  pollIntervalMs?: number;
  backoff?: BackoffOptions;
  /** The clock used for claims, leases and retry times. Default `Date.now`. */
  now?: () => number;
  onProcessed?: (report: ProcessedReport) => void;
  logger?: WorkerLogger;
}

/** The options with every default filled in. */
export interface ResolvedWorkerOptions {
  store: WorkQueue;
  dispatcher: HandlerRunner | undefined;
  projection: boolean;
  concurrency: number;
  batchSize: number;
  leaseMs: number;
  pollIntervalMs: number;
  backoff: Required<BackoffOptions>;
  now: () => number;
  onProcessed: ((report: ProcessedReport) => void) | undefined;
  logger: WorkerLogger;
}

const DEFAULT_BATCH_SIZE = 64;

const SILENT: WorkerLogger = { info() {}, warn() {}, error() {} };

/** Fills defaults and rejects nonsense early, at construction rather than mid-loop. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const concurrency = positiveInt('concurrency', options.concurrency ?? 8);
  const backoff = { ...DEFAULT_BACKOFF, ...definedOnly(options.backoff ?? {}) };
  positiveInt('backoff.maxAttempts', backoff.maxAttempts);
  return {
    store: options.store,
    dispatcher: options.dispatcher,
    projection: options.projection ?? true,
    concurrency,
    batchSize: positiveInt('batchSize', options.batchSize ?? DEFAULT_BATCH_SIZE),
    leaseMs: positiveInt('leaseMs', options.leaseMs ?? 60_000),
    pollIntervalMs: positiveInt('pollIntervalMs', options.pollIntervalMs ?? 1_000),
    backoff,
    now: options.now ?? Date.now,
    onProcessed: options.onProcessed,
    logger: options.logger ?? SILENT,
  };
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError(`createWorker: ${name} must be a positive integer`);
  return value;
}

/** `{ maxAttempts: undefined }` (e.g. from unset config) must not erase the default. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
