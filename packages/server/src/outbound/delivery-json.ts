/**
 * Outbound messages as JSON for the CLI, in the shape of the deliveries HTTP API (ISO times; the
 * decisions read from the payload's `data`). The payload holds no personal data, so it is shown.
 */
import type { DeliveryDetail, DeliveryView } from 'persona-webhooks';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function decisionsOf(payload: string): { decision: string | null; previousDecision: string | null } {
  try {
    const data = (JSON.parse(payload) as { data?: { decision?: unknown; previousDecision?: unknown } }).data;
    return {
      decision: typeof data?.decision === 'string' ? data.decision : null,
      previousDecision: typeof data?.previousDecision === 'string' ? data.previousDecision : null,
    };
  } catch {
    return { decision: null, previousDecision: null };
  }
}

/** One message, without its payload. */
export function deliveryJson(delivery: DeliveryView) {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    referenceId: delivery.referenceId,
    status: delivery.status,
    attempts: delivery.attempts,
    createdAt: iso(delivery.createdAtMs),
    nextAttemptAt: iso(delivery.nextAttemptAtMs),
    deliveredAt: iso(delivery.deliveredAtMs),
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    ...decisionsOf(delivery.payload),
  };
}

/** One message with its payload and attempts. */
export function deliveryDetailJson(delivery: DeliveryDetail) {
  return {
    ...deliveryJson(delivery),
    payload: JSON.parse(delivery.payload) as unknown,
    attemptLog: delivery.attemptLog.map((attempt) => ({
      attempt: attempt.attempt,
      startedAt: new Date(attempt.startedAtMs).toISOString(),
      durationMs: attempt.durationMs === null ? null : Math.round(attempt.durationMs),
      statusCode: attempt.statusCode,
      error: attempt.error,
    })),
  };
}
