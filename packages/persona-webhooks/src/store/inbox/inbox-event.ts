import type { EventEnvelope } from '../../events/parse-envelope.js';
import type { EventSource, InboxEvent } from './inbox.js';

/** Persona's delivery headers for one attempt, when we received it, and how. */
export interface DeliveryInfo {
  attemptsMade: number | null;
  attemptsLeft: number | null;
  firstAttemptedAtMs: number | null;
  receivedAtMs: number;
  /** Default `webhook`; `api` for an event recovered through Persona's Events API. */
  source?: EventSource;
}

/**
 * The row a store keeps for a verified event: the exact signed bytes plus the few fields the inbox
 * indexes (dedupe key, ordering key, what redaction scrubs by), all read from its envelope.
 *
 * @example
 * const parsed = parseEnvelope(body);
 * if (parsed.ok) await store.ingest(toInboxEvent(parsed.envelope, body, { attemptsMade: 1, attemptsLeft: 7, firstAttemptedAtMs: null, receivedAtMs: Date.now() }));
 */
export function toInboxEvent(envelope: EventEnvelope, body: Uint8Array, delivery: DeliveryInfo): InboxEvent {
  // Written out, not spread: two object spreads per request were ~2% of the service's CPU in
  // `npm run bench:profile`.
  const event: InboxEvent = {
    id: envelope.id,
    name: envelope.name,
    createdAt: envelope.createdAt,
    createdAtMs: envelope.createdAtMs,
    objectType: envelope.objectType,
    objectId: envelope.objectId,
    inquiryId: envelope.inquiryId,
    accountId: envelope.accountId,
    referenceId: envelope.referenceId,
    body,
    attemptsMade: delivery.attemptsMade,
    attemptsLeft: delivery.attemptsLeft,
    firstAttemptedAtMs: delivery.firstAttemptedAtMs,
    receivedAtMs: delivery.receivedAtMs,
  };
  if (delivery.source !== undefined) event.source = delivery.source;
  return event;
}
