/**
 * The service's half of outbound webhooks: syncs the env endpoints into the store, then runs the
 * library's delivery worker, logging and counting each attempt. Started after the store opens (always:
 * it is idle without endpoints, and CLI-added ones may appear at any time); stopped before it closes.
 */
import { type Store, startDeliveryWorker } from 'persona-webhooks';
import type { Logger } from '../server/observability/logger.js';
import type { ServiceMetrics } from '../server/observability/metrics.js';
import { refuseResolvedDestination } from './endpoint-checks.js';
import { createGuardedFetch } from './guarded-connect.js';
import type { OutboundConfig } from './outbound-config.js';
import { refuseSelfTarget } from './self-target.js';
import { syncEnvEndpoints } from './sync-endpoints.js';

/** The running outbound half; `stop()` waits for attempts in flight. */
export interface OutboundService {
  stop(): Promise<void>;
}

/**
 * Refuses env endpoints that point at the service, syncs them into the store, and starts the sender.
 *
 * @example
 * const outbound = await startOutbound({ config: config.outbound, servicePort: config.port, store, logger, metrics });
 * // at shutdown, before store.close():
 * await outbound.stop();
 */
export async function startOutbound(options: {
  config: OutboundConfig;
  /**
   * The port the service listens on, read at start and at each connection (0: unknown yet, the
   * self-target check is skipped; with PORT=0 the service sets it once it listens).
   */
  servicePort: () => number;
  store: Store;
  logger: Logger;
  metrics: ServiceMetrics;
}): Promise<OutboundService> {
  const { config, store, logger, metrics } = options;
  const port = options.servicePort();
  for (const endpoint of config.endpoints) {
    if (port !== 0) await refuseSelfTarget(endpoint, port);
    await refuseResolvedDestination(
      endpoint.url,
      config.destinations,
      undefined,
      `app endpoint ${endpoint.id} (PERSONA_WEBHOOKS_APP_ENDPOINTS)`,
    );
  }
  // Every connection is checked again, on the address it really goes to (see guarded-connect.ts).
  const guarded = createGuardedFetch({ policy: config.destinations, servicePort: options.servicePort });
  const sync = await syncEnvEndpoints(store, config.endpoints, Date.now());
  if (sync.synced.length > 0 || sync.disabled.length > 0) {
    // Ids only: a URL may carry a token and the secrets never leave the store.
    logger.info({ endpoints: sync.synced, disabled: sync.disabled }, 'app endpoints from the environment');
  }
  const worker = startDeliveryWorker({
    store,
    timeoutMs: config.timeoutMs,
    concurrency: config.concurrency,
    perEndpointConcurrency: config.endpointConcurrency,
    retryDelaysMs: config.retryDelaysMs,
    transport: guarded.transport,
    onAttempt: (report) => {
      metrics.recordDelivery(report.outcome);
      logger[report.outcome === 'delivered' ? 'info' : 'warn'](
        {
          messageId: report.messageId,
          endpointId: report.endpointId,
          attempt: report.attempt,
          outcome: report.outcome,
          statusCode: report.statusCode,
          error: report.error,
          durationMs: Math.round(report.durationMs),
          retryAt: report.retryAtMs === null ? null : new Date(report.retryAtMs).toISOString(),
        },
        'webhook delivery',
      );
    },
  });
  return {
    async stop() {
      await worker.stop();
      await guarded.close();
    },
  };
}
