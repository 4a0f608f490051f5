/**
 * Wires reconciliation into the service: builds the API client and the reconciler when the
 * configuration turns it on, starts it, and exposes its status for `GET /api/reconcile`.
 */
import { createApiClient } from '../persona-api/api-settings.js';
import type { RecoveryConfig } from '../server/config/recovery-config.js';
import type { Logger } from '../server/observability/logger.js';
import type { ServiceMetrics } from '../server/observability/metrics.js';
import type { ReconcileState } from '../service-state/reconcile-state.js';
import { createReconciler, type Reconciler, type ReconcilerOptions } from './reconciler.js';

/** What `GET /api/reconcile` reports. */
export interface ReconcileStatus {
  enabled: boolean;
  offReason: string | null;
  intervalMs: number | null;
  /** The shared state, as the store has it. */
  state(): Promise<ReconcileState | null>;
}

export interface RunningReconciliation {
  status: ReconcileStatus;
  reconciler: Reconciler | null;
  stop(): Promise<void>;
}

export function startReconciliation(options: {
  recovery: RecoveryConfig;
  store: ReconcilerOptions['store'];
  logger: Logger;
  metrics: ServiceMetrics;
}): RunningReconciliation {
  const { recovery, store, logger, metrics } = options;
  const state = () => store.getReconcileState();
  const { offReason } = recovery;
  if (!recovery.reconcile) {
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
