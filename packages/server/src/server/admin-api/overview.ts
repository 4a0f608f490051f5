/**
 * The dashboard's overview as one JSON document: the inbox by status, users by KYC decision, events
 * received per minute over the last 24 hours, invalid-signature requests (this instance's in-memory
 * count), the age of the oldest unprocessed event and when the last one arrived.
 */
import type { Store } from 'persona-webhooks';
import type { ReconcileStatus } from '../../reconcile/reconcile-service.js';
import type { MinuteCounter } from '../observability/minute-counter.js';

export const OVERVIEW_WINDOW_MS = 24 * 60 * 60 * 1000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function buildOverview(
  store: Store,
  invalidSignatures: MinuteCounter,
  nowMs: number,
  reconcile?: ReconcileStatus,
) {
  const sinceMs = nowMs - OVERVIEW_WINDOW_MS;
  const [counts, decisions, perMinute, times, reconcileState, deliveries] = await Promise.all([
    store.counts(),
    store.countDecisions(),
    store.receivedPerMinute(sinceMs),
    store.inboxTimes(),
    reconcile?.enabled ? reconcile.state() : null,
    store.deliveryStats(),
  ]);
  const invalid = invalidSignatures.last24h(nowMs);
  const oldest = times.oldestOpenReceivedAtMs;
  return {
    generatedAt: iso(nowMs),
    counts,
    deadLetters: counts.dead,
    /** Users per KYC decision, every value present: the same count as the persona_webhook_kyc_users metric. */
    decisions,
    /** The outbox: messages to your applications waiting (or being sent) and dead. */
    deliveries: { pending: deliveries.pending + deliveries.sending, dead: deliveries.dead },
    received24h: perMinute.reduce((sum, minute) => sum + minute.count, 0),
    /** Minutes with at least one event, oldest first. */
    receivedPerMinute: perMinute.map((minute) => ({ minute: iso(minute.minuteMs), count: minute.count })),
    invalidSignatures24h: invalid.count,
    /** The count above covers this instance since this time (it restarts with the process). */
    invalidSignaturesSince: iso(invalid.sinceMs),
    oldestPendingReceivedAt: iso(oldest),
    oldestPendingAgeSeconds: oldest === null ? null : Math.max(0, Math.round((nowMs - oldest) / 1000)),
    lastReceivedAt: iso(times.lastReceivedAtMs),
    /** Last run and recovered count of reconciliation with Persona's API; null while it is off. */
    reconciliation: reconcileState
      ? {
          lastRunAt: iso(reconcileState.lastFinishedAtMs ?? reconcileState.lastStartedAtMs),
          result: reconcileState.lastResult,
          recovered: reconcileState.recoveredTotal,
        }
      : null,
  };
}
