/**
 * Wires reconciliation into the service: builds the API client and the reconciler when the
 * configuration turns it on and the store can share its state, starts it, and exposes its status for
 * `GET /api/reconcile`.
 */
import type { ReconcileState, ReconcileStateStore, Store } from 'persona-webhooks';
import { createApiClient } from '../persona-api/api-settings.js';
import type { Logger } from '../server/logger.js';
import type { ServiceMetrics } from '../server/metrics.js';
import type { RecoveryConfig } from '../server/recovery-config.js';
import { createReconciler, type Reconciler } from './reconciler.js';

/** What `GET /api/reconcile` reports. */
export interface ReconcileStatus {
  enabled: boolean;
  offReason: string | null;
  intervalMs: number | null;
  /** The shared state, or null when the store keeps none. */
  state(): Promise<ReconcileState | null>;
}

export interface RunningReconciliation {
  status: ReconcileStatus;
  reconciler: Reconciler | null;
  stop(): Promise<void>;
}

/** Whether the store keeps the reconciliation state (both shipped stores do). */
export function hasReconcileState(store: Store): store is Store & ReconcileStateStore {
  return typeof (store as Partial<ReconcileStateStore>).claimReconcile === 'function';
}

export function startReconciliation(options: {
  recovery: RecoveryConfig;
  store: Store;
  logger: Logger;
  metrics: ServiceMetrics;
}): RunningReconciliation {
  const { recovery, store, logger, metrics } = options;
  const state = async () => (hasReconcileState(store) ? store.getReconcileState() : null);
  let offReason = recovery.offReason;
  if (recovery.reconcile && !hasReconcileState(store)) offReason = 'this store keeps no reconciliation state';
  if (!recovery.reconcile || offReason !== null || !hasReconcileState(store)) {
    logger.info({ reason: offReason }, 'reconciliation off');
    return {
      status: { enabled: false, offReason, intervalMs: null, state },
      reconciler: null,
      stop: async () => {},
    };
  }
  const reconciler = createReconciler({
    ...recovery.reconcile,
    store,
    client: createApiClient(recovery.api, 'for reconciliation'),
    logger,
    onRecovered: (count) => metrics.recordBackfilled(count),
    onRun: (result) => metrics.recordReconcileRun(result),
  });
  reconciler.start();
  logger.info(
    {
      apiUrl: recovery.api.apiUrl,
      intervalSeconds: recovery.reconcile.intervalMs / 1000,
      maxRequestsPerMinute: recovery.api.maxRequestsPerMinute,
      instance: reconciler.instanceId,
    },
    'reconciliation on',
  );
  return {
    status: { enabled: true, offReason: null, intervalMs: recovery.reconcile.intervalMs, state },
    reconciler,
    stop: () => reconciler.stop(),
  };
}
