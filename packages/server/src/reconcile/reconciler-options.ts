/**
 * What a reconciler is told: its schedule and windows, where recovered events and the shared lease
 * go, and whom it reports to. Its own file so that one run (`reconcile-run.ts`) and the schedule
 * (`reconciler.ts`) both read it without importing each other.
 */
import type { PersonaApiClient } from '../persona-api/client.js';
import type { Logger } from '../server/observability/logger.js';
import type { ReconcileStateStore } from '../service-state/reconcile-state.js';
import type { RecoverOptions } from './recover-events.js';

export interface ReconcileSettings {
  intervalMs: number;
  /** How far back the first run looks (no checkpoint yet). */
  lookbackMs: number;
  /** How far before the checkpoint each run looks again. */
  overlapMs: number;
  /** Events younger than this are left to the webhook (it is probably on its way). */
  minAgeMs: number;
}

export interface ReconcilerOptions extends ReconcileSettings {
  /** Where recovered events go, and the shared checkpoint and lease. */
  store: RecoverOptions['store'] & ReconcileStateStore;
  client: PersonaApiClient;
  logger: Logger;
  onRecovered?: (count: number) => void;
  onRun?: (result: 'ok' | 'failed') => void;
  /** Held while a run is in progress, renewed before each page. Default 5 minutes. */
  leaseMs?: number;
  /** Longest back-off after failures. Default one hour (or the interval, if longer). */
  maxBackoffMs?: number;
  now?: () => number;
}
