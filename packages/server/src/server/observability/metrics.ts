/**
 * Prometheus metrics on a registry of our own (never the global one, so two services in one process,
 * as in tests, do not collide).
 */

import type { RequestOutcome, Store } from 'persona-webhooks';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  recordRequest(outcome: RequestOutcome, durationSeconds: number): void;
  recordProcessed(result: 'done' | 'retry' | 'dead'): void;
  /** Events reconciliation recovered (stored from Persona's Events API, not by webhook). */
  recordBackfilled(count: number): void;
  recordReconcileRun(result: 'ok' | 'failed'): void;
  /** One outbound webhook attempt: delivered, retry (failed, will retry), dead (gave up). */
  recordDelivery(result: 'delivered' | 'retry' | 'dead'): void;
}

/** Outcomes exported with a zero value from the start, so dashboards and alerts see every series. */
const REQUEST_OUTCOMES: readonly RequestOutcome[] = [
  'accepted',
  'duplicate',
  'ping',
  'invalid_signature',
  'malformed',
  'too_large',
  'unavailable',
  'quarantined',
  'method_not_allowed',
  'aborted',
  'busy',
  'error',
];

export function createMetrics(store: Store): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'persona_webhook_requests_total',
    help: 'Webhook requests by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const outcome of REQUEST_OUTCOMES) requests.inc({ outcome }, 0);

  const processed = new Counter({
    name: 'persona_webhook_events_processed_total',
    help: 'Handler runs by result: done, retry (failed, will retry), dead (gave up).',
    labelNames: ['result'],
    registers: [registry],
  });
  for (const result of ['done', 'retry', 'dead']) processed.inc({ result }, 0);

  const ackDuration = new Histogram({
    name: 'persona_webhook_ack_duration_seconds',
    help: 'Time from request start to the webhook response (stored and synced, or refused).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  addInboxGauges(registry, store);

  const backfilled = new Counter({
    name: 'persona_webhook_backfilled_events_total',
    help: "Events reconciliation recovered through Persona's Events API because no webhook brought them.",
    registers: [registry],
  });
  const reconcileRuns = new Counter({
    name: 'persona_webhook_reconcile_runs_total',
    help: 'Reconciliation runs of this instance by result: ok, failed.',
    labelNames: ['result'],
    registers: [registry],
  });
  for (const result of ['ok', 'failed']) reconcileRuns.inc({ result }, 0);

  const deliveries = new Counter({
    name: 'persona_webhook_outbound_deliveries_total',
    help: 'Outbound kyc.decision_changed attempts by result: delivered, retry (failed, will retry), dead (gave up).',
    labelNames: ['result'],
    registers: [registry],
  });
  for (const result of ['delivered', 'retry', 'dead']) deliveries.inc({ result }, 0);

  addOutboxGauges(registry, store);

  return {
    registry,
    recordDelivery(result) {
      deliveries.inc({ result });
    },
    recordBackfilled(count) {
      backfilled.inc(count);
    },
    recordReconcileRun(result) {
      reconcileRuns.inc({ result });
    },
    recordRequest(outcome, durationSeconds) {
      requests.inc({ outcome });
      ackDuration.observe(durationSeconds);
    },
    recordProcessed(result) {
      processed.inc({ result });
    },
  };
}

/** How far behind processing is, read from the store at each scrape. */
function addInboxGauges(registry: Registry, store: Pick<Store, 'counts' | 'countDecisions'>): void {
  new Gauge({
    name: 'persona_webhook_inbox_pending',
    help: 'Events stored but not yet processed (pending or being processed).',
    registers: [registry],
    async collect() {
      try {
        const counts = await store.counts();
        this.set(counts.pending + counts.processing);
      } catch {
        // The store is down: /readyz says so; keep the last value rather than failing the scrape.
      }
    },
  });

  // Every decision value is exported (0 included) so an alert on needs_review sees the series at once.
  new Gauge({
    name: 'persona_webhook_kyc_users',
    help: 'Users (Persona reference ids) by their current KYC decision: approved, declined, needs_review, pending.',
    labelNames: ['decision'],
    registers: [registry],
    async collect() {
      try {
        const counts = await store.countDecisions();
        // A value no user holds any more (a custom policy's own, since changed) must not linger.
        this.reset();
        for (const [decision, users] of Object.entries(counts)) this.set({ decision }, users);
      } catch {
        // As above: a store that cannot answer keeps the last values.
      }
    },
  });
}

/** How far behind outbound delivery is, read from the store at each scrape. */
function addOutboxGauges(registry: Registry, store: Pick<Store, 'deliveryStats'>): void {
  new Gauge({
    name: 'persona_webhook_outbound_pending',
    help: 'Outbound messages not yet delivered nor dead (waiting, retrying or being sent).',
    registers: [registry],
    async collect() {
      try {
        const stats = await store.deliveryStats();
        this.set(stats.pending + stats.sending);
      } catch {
        // As above: a store that cannot answer keeps the last value.
      }
    },
  });

  new Gauge({
    name: 'persona_webhook_outbound_oldest_undelivered_age_seconds',
    help: 'Age of the oldest outbound message not yet delivered nor dead; 0 when none. Alert when it grows.',
    registers: [registry],
    async collect() {
      try {
        const { oldestUndeliveredAtMs } = await store.deliveryStats();
        this.set(
          oldestUndeliveredAtMs === null ? 0 : Math.max(0, (Date.now() - oldestUndeliveredAtMs) / 1000),
        );
      } catch {
        // As above.
      }
    },
  });
}
