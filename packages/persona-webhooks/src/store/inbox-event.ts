import type { PersonaEvent } from '../events/event.js';
import type { EventSource, InboxEvent } from './store.js';

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
 * The row a store keeps for a verified, parsed event: the exact signed bytes plus the few fields the
 * inbox indexes (dedupe key, ordering key, what redaction scrubs by).
 *
 * @example
 * await store.ingest(toInboxEvent(event, body, { attemptsMade: 1, attemptsLeft: 7, firstAttemptedAtMs: null, receivedAtMs: Date.now() }));
 */
export function toInboxEvent(event: PersonaEvent, body: Uint8Array, delivery: DeliveryInfo): InboxEvent {
  return {
    id: event.id,
    name: event.name,
    createdAt: event.createdAt,
    createdAtMs: event.createdAtMs,
    objectType: event.object.type,
    objectId: event.object.id,
    inquiryId: event.inquiryId,
    accountId: event.accountId,
    referenceId: referenceIdOf(event),
    body,
    ...delivery,
  };
}

/** Inquiries and accounts carry the integrator's user id; other objects do not. */
function referenceIdOf(event: PersonaEvent): string | null {
  const value = event.object.attributes['referenceId'];
  return typeof value === 'string' && value.length > 0 && value.length <= 1_000 ? value : null;
}
