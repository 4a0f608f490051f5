/**
 * The whole receiver as one object: opens the store, loads handlers, starts the worker, retention and
 * the HTTP server; `stop()` undoes it in reverse order (stop accepting → finish in-flight requests →
 * drain the worker → close the store).
 */
import type { AddressInfo } from 'node:net';
import type { Dispatcher, OutcomeReport, WebhookPipeline } from 'persona-webhooks';
import {
  createDispatcher,
  createPipeline,
  createWorker,
  kycPolicyEvents,
  startRetention,
} from 'persona-webhooks';
import { openStore } from '../open-store.js';
import { startOutbound } from '../outbound/outbound-service.js';
import { startReconciliation } from '../reconcile/reconcile-service.js';
import type { ServiceStore } from '../service-state/service-state.js';
import { policySettings } from './config/policy-file.js';
import type { ServiceConfig } from './config/service-config.js';
import { loadUserHandlers } from './config/user-handlers.js';
import { buildApp, WEBHOOK_PATH } from './http/app.js';
import { describeBinding } from './http/bound-addresses.js';
import type { Logger } from './observability/logger.js';
import { createMetrics, type ServiceMetrics } from './observability/metrics.js';
import { MinuteCounter } from './observability/minute-counter.js';
import { logRebuildProgress } from './observability/rebuild-log.js';
import { logSecretsAtRest } from './observability/secrets-log.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RunningService {
  /** Where to reach it from this machine, e.g. `http://127.0.0.1:3000` (also when bound to all interfaces). */
  url: string;
  /** What it really binds, e.g. `['0.0.0.0:3000 (all interfaces)']`: `HOST=localhost` can bind two. */
  listening: string[];
  store: ServiceStore;
  /** Graceful: idempotent; resolves when everything is closed. */
  stop(): Promise<void>;
}

/**
 * @example
 * const service = await startService(loadConfig(process.env), createLogger({ level: 'info' }));
 * process.once('SIGTERM', () => service.stop());
 */
export async function startService(config: Readonly<ServiceConfig>, logger: Logger): Promise<RunningService> {
  const store = await openServiceStore(config, logger);
  const closers: Array<() => Promise<void>> = [() => store.close()];
  try {
    const dispatcher = createDispatcher();
    if (config.handlersPath) await loadUserHandlers(config.handlersPath, dispatcher);
    const metrics = createMetrics(store);

    // Before the event worker: the env endpoints must be in the store before a decision changes (its
    // messages are written in that transaction). Stopped after the event worker, before the store.
    // The real port once listening (PORT=0 picks one), for the self-target check at each connection.
    let boundPort = config.port;
    const outbound = await startOutbound({
      config: config.outbound,
      servicePort: () => boundPort,
      store,
      logger,
      metrics,
    });
    closers.unshift(() => outbound.stop());

    const worker = createEventWorker({ store, dispatcher, config, logger, metrics });
    worker.start();
    closers.unshift(() => worker.stop({ timeoutMs: 10_000 }));

    const retention = startRetention({ store, retentionMs: config.retentionDays * DAY_MS });
    closers.unshift(async () => retention.stop());

    const invalidSignatures = new MinuteCounter(Date.now());
    const pipeline = createWebhookPipeline({ store, config, logger, metrics, invalidSignatures });

    // Started before listening, stopped before the store closes; it never gates intake or readiness.
    const reconciliation = startReconciliation({ recovery: config.recovery, store, logger, metrics });
    closers.unshift(() => reconciliation.stop());

    const app = buildApp({
      pipeline,
      store,
      metrics,
      logger,
      adminToken: config.adminToken,
      reconcile: reconciliation.status,
      requestTimeoutMs: config.requestTimeoutMs,
      sessionSecret: config.sessionSecret,
      sessionTtlMs: config.sessionTtlMs,
      trustProxy: config.trustProxy,
      invalidSignatures,
      retentionMs: config.retentionDays * DAY_MS,
      // The file was read and checked when the store opened; the events follow from the same settings.
      policyEvents: kycPolicyEvents(policySettings({ policyFile: config.policyPath })),
      policyFromFile: config.policyPath !== null,
      outbound: {
        policy: config.outbound.destinations,
        servicePort: () => boundPort,
        timeoutMs: config.outbound.timeoutMs,
      },
    });
    await app.listen({ port: config.port, host: config.host });
    closers.unshift(() => app.close());

    const { port } = app.server.address() as AddressInfo;
    boundPort = port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    return {
      url: `http://${host}:${port}`,
      listening: app.addresses().map(describeBinding),
      store,
      stop: once(() => closeAll(closers, logger)),
    };
  } catch (error) {
    await closeAll(closers, logger);
    throw error;
  }
}

/** The store the service runs on, its start-up work (migrations, rebuilds, secrets at rest) logged. */
function openServiceStore(config: Readonly<ServiceConfig>, logger: Logger): Promise<ServiceStore> {
  return openStore(config.databaseUrl, {
    postgresSchema: config.postgresSchema,
    sqliteThread: config.sqliteThread,
    policyModule: config.handlersPath,
    policyFile: config.policyPath,
    onMigrateProgress: logRebuildProgress(logger),
    secretsKeys: config.secretsKeys,
    onSecretsAtRest: (report) => logSecretsAtRest(logger, report),
    // The code only: a server's message can quote data.
    onPostgresError: (code) => logger.warn({ code: code ?? null }, 'PostgreSQL connection error'),
  });
}

interface ServiceParts {
  store: ServiceStore;
  config: Readonly<ServiceConfig>;
  logger: Logger;
  metrics: ServiceMetrics;
}

/** The event worker, each processed event counted and logged. */
function createEventWorker({
  store,
  config,
  logger,
  metrics,
  dispatcher,
}: ServiceParts & { dispatcher: Dispatcher }) {
  return createWorker({
    store,
    dispatcher,
    backoff: { maxAttempts: config.maxAttempts },
    concurrency: config.workerConcurrency,
    leaseMs: config.leaseMs,
    logger,
    onProcessed: (run) => {
      metrics.recordProcessed(run.result);
      logger.info(
        {
          eventId: run.eventId,
          eventName: run.name,
          result: run.result,
          durationMs: Math.round(run.durationMs),
        },
        'event processed',
      );
    },
  });
}

/** The webhook pipeline, each request's outcome counted and logged (invalid signatures for the overview). */
function createWebhookPipeline({
  store,
  config,
  logger,
  metrics,
  invalidSignatures,
}: ServiceParts & { invalidSignatures: MinuteCounter }): WebhookPipeline {
  return createPipeline({
    secrets: config.secrets,
    toleranceSeconds: config.toleranceSeconds,
    maxBodyBytes: config.maxBodyBytes,
    maxConcurrentBodies: config.maxConcurrentBodies,
    store,
    onOutcome: (report) => {
      metrics.recordRequest(report.outcome, report.durationMs / 1000);
      if (report.outcome === 'invalid_signature') invalidSignatures.add(Date.now());
      logger[webhookLogLevel(report)](
        { route: WEBHOOK_PATH, ...report, durationMs: Math.round(report.durationMs * 100) / 100 },
        'webhook',
      );
    },
  });
}

/**
 * A client hanging up is its own business and shedding load is working as designed: neither is a
 * server fault. Errors are what an operator must look at: the store failing, a bug.
 */
function webhookLogLevel(report: OutcomeReport): 'info' | 'warn' | 'error' {
  if (report.outcome === 'aborted') return 'info';
  if (report.outcome === 'busy') return 'warn';
  return report.status >= 500 ? 'error' : report.status >= 400 ? 'warn' : 'info';
}

async function closeAll(closers: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      logger.warn({ err: { type: (error as Error).name } }, 'error during shutdown');
    }
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
}
